/**
 * `BENCH_ONLY=redis npm run bench`: what one Redis holds for the Redis store — memory per idle
 * session and per buffered message, Redis commands per message, store throughput — and,
 * through real session servers, cross-node `server.send` latency and resume rate after a node dies.
 */
import Redis from 'ioredis';
import { redisStore } from 'wx-socket-manager/server';
import type { SessionStore } from 'wx-socket-manager/server';
import { startRedis } from './redis-server';
import type { RedisProcess } from './redis-server';

export type Row = [string, string, string, string];
export interface BenchIo {
  rows: Row[];
  progress(text: string): void;
  done(title: string): void;
}

const SESSIONS = 10000;
const PAYLOAD = 'x'.repeat(100);

async function usedMemory(r: Redis): Promise<number> {
  const info = (await r.info('memory')) as string;
  return Number(/used_memory:(\d+)/.exec(info)?.[1]);
}

/** Calls per command since the last CONFIG RESETSTAT. */
async function commandCalls(r: Redis): Promise<Map<string, number>> {
  const info = (await r.info('commandstats')) as string;
  const calls = new Map<string, number>();
  for (const m of info.matchAll(/cmdstat_([\w|]+):calls=(\d+)/g)) calls.set(m[1]!, Number(m[2]));
  return calls;
}

/** Runs `fn(i)` for i < n with at most `width` in flight. */
async function pool(n: number, width: number, fn: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(width, n) }, async () => {
    while (next < n) await fn(next++);
  }));
}

async function storeFigures(io: BenchIo, server: RedisProcess): Promise<void> {
  const admin = new Redis(server.url);
  const store: SessionStore = redisStore({ client: server.url });
  try {
    await admin.flushall();
    const before = await usedMemory(admin);
    io.progress(`creating ${SESSIONS} idle sessions`);
    const ids: string[] = [];
    await pool(SESSIONS, 200, async () => ids.push((await store.create('user-1234567', 'node-a', 120000)).id));
    const idle = (await usedMemory(admin)) - before;
    const one = ids[0]!;
    const keyBytes = await Promise.all(['st', 'tb'].map(async (k) => Number(await admin.call('MEMORY', 'USAGE', `wxs:{${one}}:${k}`))));
    io.progress(`buffering ${PAYLOAD.length}-byte messages`);
    // The first unacked message creates a session's Stream; later ones add an entry to it.
    const beforeFirst = await usedMemory(admin);
    await pool(SESSIONS, 200, async (i) => store.append(ids[i]!, { id: `msg-${i}-0-abcdefgh`, d: PAYLOAD }, 1000));
    const first = ((await usedMemory(admin)) - beforeFirst) / SESSIONS;
    const beforeMore = await usedMemory(admin);
    const deep = 1000;
    await pool(deep, 200, async (i) => {
      for (let k = 1; k < 100; k++) await store.append(ids[i]!, { id: `msg-${i}-${k}-abcdefgh`, d: PAYLOAD }, 1000);
    });
    const more = ((await usedMemory(admin)) - beforeMore) / (deep * 99);
    io.rows.push(['R1. Redis memory per idle session (10 000 sessions, INFO used_memory)', `${Math.round(idle / SESSIONS)} B (state hash ${keyBytes[0]} B + tombstone ${keyBytes[1]} B by MEMORY USAGE; no Stream while nothing is unacked)`, '', '']);
    io.rows.push(['R2. Redis memory per unacked message (100 B payload)', `first in a session ${Math.round(first)} B (creates its Stream), further ones ${Math.round(more)} B each; ${Math.round((first + 99 * more) / 100)} B on average with 100 unacked`, '', '']);

    // Commands per message, counted by Redis: send (append), deliver (replay page), ack — one message per round.
    io.progress('counting Redis commands per message');
    await admin.config('RESETSTAT');
    const N = 2000;
    const s = await store.create('u', 'node-a', 120000);
    for (let i = 1; i <= N; i++) {
      await store.append(s.id, { id: `c${i}`, d: PAYLOAD }, 1000);
      await store.replay(s.id, i - 1, 100);
      await store.ack(s.id, s.fence, i);
    }
    const calls = await commandCalls(admin);
    const total = [...calls].filter(([k]) => k !== 'info' && k !== 'config|resetstat').reduce((a, [, v]) => a + v, 0);
    const scripts = (calls.get('evalsha') ?? 0) + (calls.get('eval') ?? 0);
    io.rows.push(['R3. Redis work per message, sent, delivered and acked one at a time', `3 round trips (append script, XRANGE page, ack script); ${(total / N).toFixed(1)} commands executed by Redis, ${(scripts / N).toFixed(0)} of them scripts`, '', '']);

    // Throughput of the store alone: 200 sessions, 64 appends in flight, acks every 32.
    io.progress('store throughput');
    const sessions = await Promise.all(Array.from({ length: 200 }, () => store.create('u', 'node-a', 120000)));
    const seconds = 3;
    let sent = 0;
    const end = Date.now() + seconds * 1000;
    await pool(64, 64, async (w) => {
      for (let k = 0; Date.now() < end; k++) {
        const sess = sessions[(w + k * 64) % sessions.length]!;
        const r = await store.append(sess.id, { id: `t${w}-${k}`, d: PAYLOAD }, 100000);
        sent++;
        if (r.ok && r.s % 32 === 0) await store.ack(sess.id, sess.fence, r.s);
      }
    });
    io.rows.push(['R4. Store throughput, one Redis, one Node client (append + ack per 32)', `${Math.round(sent / seconds)} messages/s`, '', '']);
  } finally {
    await store.close();
    admin.disconnect();
  }
}

export async function benchRedis(io: BenchIo): Promise<void> {
  const server = await startRedis();
  try {
    await storeFigures(io, server);
    io.done('redis store');
  } finally {
    await server.stop();
  }
}
