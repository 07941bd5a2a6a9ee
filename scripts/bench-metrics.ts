/**
 * Bench section "metrics" (`npm run bench -- --only metrics`): what `createSessionServer({ metrics })` costs.
 * Acknowledged session sends per second with a prom-client Registry ÷ without, both ways
 * (client → server: session.send; server → client: server.send, which also times each ack),
 * pipelined (a window in flight), paired rounds in alternating order on loopback, the
 * registry scraped after every round. Goal: ≥ 0.95. The memory store's calls are not timed
 * (function calls in this process); a third row runs on redisStore, where every store call is.
 */
import { Registry } from 'prom-client';
import { WxSocketManager } from 'wx-socket-manager';
import { createWsConnectSocket } from 'wx-socket-manager/node';
import { createSessionServer, redisStore } from 'wx-socket-manager/server';
import type { ServerSession, SessionServer, SessionStore } from 'wx-socket-manager/server';
import { SocketSession } from 'wx-socket-manager/session';
import { median, ratioRow, until } from './bench-common';
import type { BenchIo } from './bench-common';
import { startRedis } from './redis-server';

const WINDOW = 1000;
const ROUNDS = 15;

interface Side {
  server: SessionServer;
  socket: WxSocketManager;
  session: SocketSession;
  remote: ServerSession;
  registry: Registry | undefined;
  store: SessionStore | undefined;
}

/** Where a pair of servers keeps its sessions: memory (each its own), or a Redis both share. */
type Stores = () => SessionStore | undefined;

async function side(registry: Registry | undefined, stores: Stores): Promise<Side> {
  const store = stores();
  const server = createSessionServer({ port: 0, ...(store ? { store } : {}), ...(registry ? { metrics: registry } : {}) });
  await server.ready;
  let remote: ServerSession | undefined;
  server.on('session', (s) => {
    remote = s;
    s.on('message', () => undefined);
  });
  const socket = new WxSocketManager({ url: `ws://127.0.0.1:${server.port}`, connectSocket: createWsConnectSocket(), watchNetwork: false, watchApp: false, queue: { max: 100000 } });
  const session = new SocketSession(socket, { maxUnacked: WINDOW });
  session.on('message', () => undefined);
  socket.connect();
  await until(() => session.sessionId !== null && remote !== undefined, 5000, 'the bench session');
  return { server, socket, session, remote: remote!, registry, store };
}

/**
 * Acknowledged sends per CPU second of this process (client and server both run here) through
 * `send`, a window of WINDOW in flight: CPU time, not wall time, so the other processes of a
 * shared machine do not decide the ratio.
 */
async function rate(send: () => Promise<void>, N: number): Promise<number> {
  const cpu = process.cpuUsage();
  const pending: Array<Promise<void>> = [];
  for (let i = 0; i < N; i++) {
    if (i >= WINDOW) await pending[i - WINDOW];
    pending.push(send());
  }
  await Promise.all(pending);
  const used = process.cpuUsage(cpu);
  return N / ((used.user + used.system) / 1e6);
}

const up = (N: number) => (s: Side): Promise<number> => rate(() => s.session.send('x'), N);
const down = (N: number) => (s: Side): Promise<number> => rate(() => s.remote.send('x'), N);

async function stop(s: Side): Promise<void> {
  s.socket.destroy();
  await s.server.close();
  await s.store?.close();
}

/** Median of on ÷ off over rounds, each on a fresh pair of servers made and run in alternating order. */
async function ratio(run: (s: Side) => Promise<number>, stores: Stores, progress: (text: string) => void, what: string, rounds = ROUNDS): Promise<{ ratio: number; on: number; off: number }> {
  const ratios: number[] = [];
  const rates = { on: [] as number[], off: [] as number[] };
  for (let i = 0; i < rounds; i++) {
    progress(`metrics cost, ${what}: round ${i + 1}/${rounds}`);
    const registry = new Registry();
    const [a, b] = i % 2 ? [await side(undefined, stores), await side(registry, stores)] : [await side(registry, stores), await side(undefined, stores)];
    const [on, off] = i % 2 ? [b, a] : [a, b];
    await run(a);
    await run(b);
    const first = await run(a);
    const second = await run(b);
    const [r, o] = a === on ? [first, second] : [second, first];
    await registry.metrics();
    ratios.push(r / o);
    rates.on.push(r);
    rates.off.push(o);
    await stop(on);
    await stop(off);
  }
  return { ratio: median(ratios), on: median(rates.on), off: median(rates.off) };
}

export async function metricsBench(io: BenchIo): Promise<void> {
  const k = (x: number): string => `${Math.round(x / 1000)}k/s`;
  const memory: Stores = () => undefined;
  const c2s = await ratio(up(20000), memory, io.progress, 'client → server');
  const s2c = await ratio(down(20000), memory, io.progress, 'server → client');
  io.rows.push(ratioRow('M1. Acked session send, metrics on ÷ off (client → server, memoryStore)', c2s.ratio, '≥', 0.95, `${k(c2s.on)} vs ${k(c2s.off)} per CPU second; median of ${ROUNDS} rounds × 20k on fresh server pairs, window ${WINDOW}`));
  io.rows.push(ratioRow('M2. Acked session send, metrics on ÷ off (server → client: server.send, each ack timed)', s2c.ratio, '≥', 0.95, `${k(s2c.on)} vs ${k(s2c.off)}`));
  const redis = await startRedis();
  try {
    const r = await ratio(down(5000), () => redisStore({ client: redis.url }), io.progress, 'server → client on Redis', 7);
    io.rows.push(ratioRow('M3. The same on redisStore (every store call timed)', r.ratio, '≥', 0.95, `${k(r.on)} vs ${k(r.off)} per CPU second of this process; 7 rounds × 5k`));
  } finally {
    await redis.stop();
  }
}
