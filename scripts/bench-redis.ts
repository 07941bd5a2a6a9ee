/**
 * `BENCH_ONLY=redis npm run bench`: what one Redis holds for the Redis store — memory per idle
 * session and per buffered message, Redis commands per message, store throughput — and,
 * through real session servers, cross-node `server.send` latency and resume rate after a node dies.
 */
import { fork } from 'child_process';
import Redis from 'ioredis';
import WebSocket from 'ws';
import { createSessionServer, redisStore } from 'wx-socket-manager/server';
import type { BufferLimit, SessionServer, SessionState, SessionStore } from 'wx-socket-manager/server';
import { startRedis } from './redis-server';
import type { RedisProcess } from './redis-server';
import type { BenchIo } from './bench-common';
import { percentile } from './bench-common';

const SESSIONS = 10000;
const PAYLOAD = 'x'.repeat(100);

/** CPU seconds Redis's main thread (the one that runs commands) has used. */
export async function redisCpu(r: Redis): Promise<number> {
  const info = (await r.info('cpu')) as string;
  const field = (k: string): number => Number(new RegExp(`${k}:([\\d.]+)`).exec(info)?.[1]);
  return field('used_cpu_user_main_thread') + field('used_cpu_sys_main_thread');
}

async function usedMemory(r: Redis): Promise<number> {
  const info = (await r.info('memory')) as string;
  return Number(/used_memory:(\d+)/.exec(info)?.[1]);
}

/** Calls per command since the last CONFIG RESETSTAT. */
export async function commandCalls(r: Redis): Promise<Map<string, number>> {
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

/** R1, R2: Redis memory per idle session and per unacked message. */
async function memoryFigures(io: BenchIo, admin: Redis, store: SessionStore): Promise<void> {
  await admin.flushall();
  const before = await usedMemory(admin);
  io.progress(`creating ${SESSIONS} idle sessions`);
  const ids: string[] = [];
  await pool(SESSIONS, 200, async () => ids.push((await session(store, 'user-1234567', 'node-a')).id));
  const idle = (await usedMemory(admin)) - before;
  const one = ids[0]!;
  const keyBytes = await Promise.all(['st', 'tb'].map(async (k) => Number(await admin.call('MEMORY', 'USAGE', `wxs:{${one}}:${k}`))));
  io.progress(`buffering ${PAYLOAD.length}-byte messages`);
  // The first unacked message creates a session's Stream; later ones add an entry to it.
  const beforeFirst = await usedMemory(admin);
  await pool(SESSIONS, 200, async (i) => store.append(ids[i]!, { id: `msg-${i}-0-abcdefgh`, d: PAYLOAD }, limit(1000)));
  const first = ((await usedMemory(admin)) - beforeFirst) / SESSIONS;
  const beforeMore = await usedMemory(admin);
  const deep = 1000;
  await pool(deep, 200, async (i) => {
    for (let k = 1; k < 100; k++) await store.append(ids[i]!, { id: `msg-${i}-${k}-abcdefgh`, d: PAYLOAD }, limit(1000));
  });
  const more = ((await usedMemory(admin)) - beforeMore) / (deep * 99);
  io.rows.push(['R1. Redis memory per idle session (10 000 sessions, INFO used_memory)', `${Math.round(idle / SESSIONS)} B (state hash ${keyBytes[0]} B + tombstone ${keyBytes[1]} B by MEMORY USAGE; no Stream while nothing is unacked)`, '', '']);
  io.rows.push(['R2. Redis memory per unacked message (100 B payload)', `first in a session ${Math.round(first)} B (creates its Stream), further ones ${Math.round(more)} B each; ${Math.round((first + 99 * more) / 100)} B on average with 100 unacked`, '', '']);
}

/** R3: commands per message, counted by Redis: send (append), deliver (replay page), ack — one message per round. */
async function commandFigure(io: BenchIo, admin: Redis, store: SessionStore): Promise<void> {
  io.progress('counting Redis commands per message');
  await admin.config('RESETSTAT');
  const N = 2000;
  const s = await session(store, 'u', 'node-a');
  for (let i = 1; i <= N; i++) {
    await store.append(s.id, { id: `c${i}`, d: PAYLOAD }, limit(1000));
    await store.replay(s.id, i - 1, 100);
    await store.ack(s.id, s.fence, i);
  }
  const calls = await commandCalls(admin);
  const total = [...calls].filter(([k]) => k !== 'info' && k !== 'config|resetstat').reduce((a, [, v]) => a + v, 0);
  const scripts = (calls.get('evalsha') ?? 0) + (calls.get('eval') ?? 0);
  io.rows.push(['R3. Redis work per message, sent, delivered and acked one at a time', `3 round trips (append script, XRANGE page, ack script); ${(total / N).toFixed(1)} commands executed by Redis, ${(scripts / N).toFixed(0)} of them scripts`, '', '']);
}

/** R4: throughput of the store alone: 200 sessions, 64 appends in flight, acks every 32. */
async function throughputFigure(io: BenchIo, admin: Redis, store: SessionStore): Promise<void> {
  io.progress('store throughput');
  const sessions = await Promise.all(Array.from({ length: 200 }, () => session(store, 'u', 'node-a')));
  const seconds = 3;
  let sent = 0;
  const cpu0 = await redisCpu(admin);
  const end = Date.now() + seconds * 1000;
  await pool(64, 64, async (w) => {
    for (let k = 0; Date.now() < end; k++) {
      const sess = sessions[(w + k * 64) % sessions.length]!;
      const r = await store.append(sess.id, { id: `t${w}-${k}`, d: PAYLOAD }, limit(100000));
      sent++;
      if (r.ok && r.s % 32 === 0) await store.ack(sess.id, sess.fence, r.s);
    }
  });
  const cpuPerMsg = ((await redisCpu(admin)) - cpu0) / sent;
  io.rows.push(['R4. Store throughput, one Redis, one Node client (append + ack per 32)', `${Math.round(sent / seconds)} messages/s; Redis main thread ${(cpuPerMsg * 1e6).toFixed(1)} µs CPU per message → ≈ ${Math.round(1 / cpuPerMsg / 1000)}k messages/s per Redis core`, '', '']);
}

/** R7: what holding idle sessions costs Redis: a node renewing 10 000 leases every 500 ms for 3 s. */
async function leaseFigure(io: BenchIo, admin: Redis, url: string): Promise<void> {
  io.progress('lease renewals');
  const leaser = redisStore({ client: url, leaseInterval: 500 });
  try {
    await pool(SESSIONS, 200, () => session(leaser, 'u', 'node-b'));
    await new Promise((r) => setTimeout(r, 600));
    const leaseCpu0 = await redisCpu(admin);
    await new Promise((r) => setTimeout(r, 3000));
    const perRenewal = ((await redisCpu(admin)) - leaseCpu0) / (SESSIONS * 6);
    io.rows.push(['R7. Lease renewal, per held session per leaseInterval', `${(perRenewal * 1e6).toFixed(1)} µs Redis CPU → 1 M held sessions at the default 30 s: ${((perRenewal * 1e6) / 30).toFixed(2)} s of Redis CPU per second`, '', '']);
  } finally {
    await leaser.close();
  }
}

async function storeFigures(io: BenchIo, server: RedisProcess): Promise<void> {
  const admin = new Redis(server.url);
  const store: SessionStore = redisStore({ client: server.url });
  try {
    await memoryFigures(io, admin, store);
    await commandFigure(io, admin, store);
    await throughputFigure(io, admin, store);
    await leaseFigure(io, admin, server.url);
  } finally {
    await store.close();
    admin.disconnect();
  }
}

/** A raw protocol client: hello, then every msg is acknowledged at once. */
interface RawClient {
  ws: WebSocket;
  welcome: { sid: string; resumed: boolean };
  onMsg?: (s: number) => void;
}
function rawClient(port: number, sid: string | null): Promise<RawClient> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}`, { perMessageDeflate: false });
    const c = { ws } as RawClient;
    ws.on('message', (data) => {
      const f = JSON.parse(data.toString()) as { t: string; s: number; sid: string; resumed: boolean };
      if (f.t === 'welcome') {
        c.welcome = f;
        resolve(c);
      } else if (f.t === 'msg') {
        ws.send(JSON.stringify({ t: 'ack', a: f.s }));
        c.onMsg?.(f.s);
      }
    });
    ws.once('open', () => ws.send(JSON.stringify({ t: 'hello', v: 1, sid, rx: 0 })));
    // After the welcome an error only ends the link (the close follows); before it, the attempt failed.
    ws.on('error', reject);
  });
}

/** rawClient, again after a refused or reset attempt (500 connections at once can overflow a listen backlog). */
let retries = 0;
async function rawClientRetrying(port: number, sid: string | null): Promise<RawClient> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await rawClient(port, sid);
    } catch (err) {
      if (attempt >= 5) throw err;
      retries++;
      await new Promise((r) => setTimeout(r, 20 * attempt));
    }
  }
}

/** A session straight from the store (no per-user limit asked). */
async function session(store: SessionStore, user: string, node: string): Promise<SessionState> {
  const created = await store.create(user, node, 120000);
  if (!created.ok) throw new Error('create refused');
  return created.session;
}

/** `messages` unacked messages per session, bytes unbounded. */
const limit = (messages: number): BufferLimit => ({ messages, bytes: Number.MAX_SAFE_INTEGER });

async function node(url: string, name: string, wrap: (s: SessionStore) => SessionStore = (s) => s): Promise<{ server: SessionServer; store: SessionStore }> {
  const store = redisStore({ client: url });
  // Every bench client is the one user "anonymous": no per-user session limit here.
  const server = createSessionServer({ port: 0, store: wrap(store), node: name, idleTimeout: 600000, maxSessionsPerUser: 1_000_000 });
  await server.ready;
  return { server, store };
}

/** Cross-node send: the link is on node A, node B sends; time to the client's frame and to B's resolve. */
async function crossNode(io: BenchIo, url: string): Promise<void> {
  const [a, b] = [await node(url, 'A'), await node(url, 'B')];
  try {
    const client = await rawClient(a.server.port, null);
    const delivered: number[] = [];
    const resolved: number[] = [];
    for (let i = 0; i < 1100; i++) {
      if (i % 100 === 0) io.progress(`cross-node send ${i}/1100`);
      const t0 = performance.now();
      const arrived = new Promise<number>((r) => (client.onMsg = () => r(performance.now())));
      await b.server.send(client.welcome.sid, `m${i}`);
      const t1 = await arrived;
      if (i >= 100) {
        delivered.push(t1 - t0);
        resolved.push(performance.now() - t0);
      }
    }
    client.ws.terminate();
    const ms = (x: number): string => `${x.toFixed(2)} ms`;
    io.rows.push(['R5. Cross-node server.send (link on node A, send on node B), loopback, 1000 sends', `to the client: p50 ${ms(percentile(delivered, 0.5))}, p99 ${ms(percentile(delivered, 0.99))}; resolved on B (client acks at once): p50 ${ms(percentile(resolved, 0.5))}, p99 ${ms(percentile(resolved, 0.99))}`, '', '']);
  } finally {
    for (const n of [a, b]) {
      await n.server.close();
      await n.store.close();
    }
  }
}

/**
 * The clients of the resume measure, in a child process (20 000 sockets would not fit in one
 * process's file limit, and the clients get their own core). IPC: { open: port } → { opened },
 * then { resume: port } → { resumed, seconds, retries }.
 */
async function clientProcess(): Promise<void> {
  const clients: RawClient[] = [];
  process.on('message', (m: { open?: number; resume?: number }) => void (async () => {
    if (m.open) {
      const t0 = performance.now();
      for (let i = 0; i < SESSIONS; i += 500) {
        clients.push(...(await Promise.all(Array.from({ length: Math.min(500, SESSIONS - i) }, () => rawClientRetrying(m.open!, null)))));
      }
      process.send!({ opened: clients.length, seconds: (performance.now() - t0) / 1000 });
    } else if (m.resume) {
      // Every old link has seen its node die before the clock starts.
      await Promise.all(clients.map((c) => c.ws.readyState === WebSocket.CLOSED || new Promise((r) => c.ws.once('close', r))));
      const sids = clients.splice(0).map((c) => c.welcome.sid);
      const t0 = performance.now();
      let resumed = 0;
      let next = 0;
      await Promise.all(Array.from({ length: 500 }, async () => {
        while (next < sids.length) {
          const c = await rawClientRetrying(m.resume!, sids[next++]!);
          clients.push(c);
          if (c.welcome.resumed) resumed++;
        }
      }));
      // The parent ends this process once it has the answer (exiting here could drop the message).
      process.send!({ resumed, seconds: (performance.now() - t0) / 1000, retries, sids });
      for (const c of clients) c.ws.terminate();
    }
  })());
}

/** 10 000 sessions on a node that dies (its links drop, nothing is released); all reconnect to another node. */
async function resumeAfterNodeDeath(io: BenchIo, url: string): Promise<void> {
  // A crash releases nothing: the victim's store ignores release().
  const victim = await node(url, 'V', (s) => ({ ...s, release: async () => undefined }));
  const heir = await node(url, 'H');
  const child = fork(__filename, ['--clients'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const reply = <T>(): Promise<T> => new Promise((resolve, reject) => {
    child.once('message', (m) => resolve(m as T));
    child.once('exit', (code) => reject(new Error(`bench client process exited with ${code}`)));
  });
  try {
    io.progress(`opening ${SESSIONS} sessions on the doomed node`);
    child.send({ open: victim.server.port });
    const opened = await reply<{ opened: number; seconds: number }>();
    await victim.server.close();
    io.progress('resuming on another node');
    const admin = new Redis(url);
    const cpu0 = await redisCpu(admin);
    child.send({ resume: heir.server.port });
    const r = await reply<{ resumed: number; seconds: number; retries: number; sids: string[] }>();
    const cpuPerResume = ((await redisCpu(admin)) - cpu0) / r.resumed;
    admin.disconnect();
    // The Redis side alone: the same 10 000 claims straight on a store, 500 in flight.
    io.progress('claims alone');
    const t0 = performance.now();
    await pool(r.sids.length, 500, (i) => heir.store.claim(r.sids[i]!, 'anonymous', 'H2', 120000));
    const claimRate = r.sids.length / ((performance.now() - t0) / 1000);
    io.rows.push(['R6. Sessions resumed after a node dies with 10 000 on it (all reconnect at once to one other node)', `${Math.round(r.resumed / r.seconds)} sessions/s (${r.resumed}/${SESSIONS} resumed in ${r.seconds.toFixed(1)} s; ${r.retries} connection attempts retried); new sessions on a fresh node: ${Math.round(opened.opened / opened.seconds)}/s; the claims alone, without WebSockets: ${Math.round(claimRate)}/s. Redis main thread ${(cpuPerResume * 1e6).toFixed(0)} µs CPU per resume`, '', '']);
  } finally {
    child.kill();
    await heir.server.close();
    await Promise.all([victim.store.close(), heir.store.close()]);
  }
}

if (require.main === module && process.argv[2] === '--clients') void clientProcess();

export async function benchRedis(io: BenchIo): Promise<void> {
  let server: RedisProcess;
  try {
    server = await startRedis();
  } catch (err) {
    io.rows.push(['R. Redis store', 'not measured', '', `gap: ${err instanceof Error ? err.message : String(err)}`]);
    return;
  }
  try {
    await storeFigures(io, server);
    io.done('redis store');
    await crossNode(io, server.url);
    io.done('redis cross-node send');
    await resumeAfterNodeDeath(io, server.url);
    io.done('redis resume after node death');
  } finally {
    await server.stop();
  }
}
