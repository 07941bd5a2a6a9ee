/**
 * Multi-node chaos soak: three session-server nodes (child processes) on one Redis (AOF,
 * fsync always), behind a round-robin fault proxy; one SocketSession sends numbered messages
 * while the test sends numbered server messages through a random node. Faults: SIGKILL of the
 * node holding the link (then a restart), proxy drops, blackholes, a Redis crash and restart.
 * Reproduce a run with REDIS_SOAK_SEED=<seed> npx jest test/redis-soak.
 */
import path from 'path';
import Redis from 'ioredis';
import type { WxSocketManager } from '../../src';
import { startFaultProxy } from '../../src/dev-server/fault-proxy';
import type { FaultProxy } from '../../src/dev-server/fault-proxy';
import { createWsConnectSocket } from '../../src/node';
import { SocketSession } from '../../src/session';
import { seededRandom } from '../../src/testing';
import { startRedis } from '../../scripts/redis-server';
import type { RedisProcess } from '../../scripts/redis-server';
import { sleep, until } from '../support/real-helpers';
import { bundleForChild } from '../support/redis-helpers';
import { SerialSends, faultSchedule, killNode, soakNode, soakSocket, startNode } from '../support/soak-nodes';
import type { SoakNode } from '../support/soak-nodes';
import { FIXTURES } from '../support/paths';

const N = 1000;
const CHAOS_MS = 30000;
const SEND_EVERY = CHAOS_MS / N;
const FAULTS = ['kill', 'drop', 'blackhole', 'redis'] as const;
type Fault = (typeof FAULTS)[number];

let redis: RedisProcess | undefined;
let proxy: FaultProxy | undefined;
let admin: Redis | undefined;
let socket: WxSocketManager | undefined;
const nodes: SoakNode[] = [];
const bundle = bundleForChild(path.join(FIXTURES, 'redis-node.ts'));

afterAll(async () => {
  socket?.destroy();
  for (const n of nodes) n.child?.kill('SIGKILL');
  await proxy?.close();
  admin?.disconnect();
  await redis?.stop();
});

test('three nodes, one Redis, random node kills, drops, blackholes and a Redis crash: 1..N in order both ways, every resolved send delivered, no resync; FLUSHALL: exactly one announced resync', async () => {
  const seed = Number(process.env.REDIS_SOAK_SEED ?? Date.now() % 1_000_000);
  process.stdout.write(`redis soak seed: ${seed} (reproduce: REDIS_SOAK_SEED=${seed} npx jest test/redis-soak)\n`);
  const random = seededRandom(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;

  redis = await startRedis({ aof: true });
  admin = new Redis(redis.url);
  admin.on('error', () => undefined);

  // ---- nodes ----
  const stats = { resolved: new Set<number>(), rejected: [] as string[], dups: 0, holder: undefined as SoakNode | undefined, kills: 0, killedHolder: 0 };
  const start = (node: SoakNode): Promise<void> => startNode(bundle, node, { REDIS_URL: redis!.url }, (m) => {
    if (m.t === 'resolved') stats.resolved.add(m.n);
    else if (m.t === 'rejected') stats.rejected.push(`s${m.n} ${String(m.code)}`);
    else if (m.t === 'dup') stats.dups++;
    else if (m.t === 'presence') {
      if (m.online) stats.holder = node;
      else if (stats.holder === node) stats.holder = undefined;
    }
  });
  for (const name of ['n1', 'n2', 'n3']) {
    const node = soakNode(name);
    nodes.push(node);
    await start(node);
  }
  const live = (): SoakNode[] => nodes.filter((n) => n.child);
  proxy = await startFaultProxy('127.0.0.1', 0, () => live().map((n) => n.port));

  // ---- the client ----
  socket = soakSocket(`ws://127.0.0.1:${proxy.port}`, createWsConnectSocket({ closeTimeout: 200 }));
  const session = new SocketSession(socket, { deliveryTimeout: 600000 });
  const got: string[] = [];
  const resyncs: Array<{ reason: string }> = [];
  session.on('message', (d) => void got.push(String(d)));
  session.on('resync', (e) => void resyncs.push(e));
  socket.connect();
  await until(() => session.sessionId !== null, 5000, 'first welcome');
  const sid = session.sessionId!;

  // ---- traffic ----
  const clientResolved = new Set<number>();
  const clientRejected: string[] = [];
  // Server sends go one after the other (their order is the test's), and never while a node is being killed.
  const sends = new SerialSends(live, pick);
  const traffic = (async () => {
    for (let n = 1; n <= N; n++) {
      session.send(`c${n}`).then(() => void clientResolved.add(n), (e: { code?: string }) => void clientRejected.push(`c${n} ${e.code}`));
      await sends.send(n, sid);
      await sleep(SEND_EVERY);
    }
  })();

  // ---- faults ----
  const done: Fault[] = [];
  for await (const fault of faultSchedule(FAULTS, random, CHAOS_MS, 1200)) {
    done.push(fault);
    if (fault === 'kill') {
      // No server send may be half-way on the victim.
      const release = await sends.hold();
      const victim = stats.holder ?? pick(live());
      stats.kills++;
      if (victim === stats.holder) stats.killedHolder++;
      await killNode(victim);
      release();
      await sleep(200 + random() * 600);
      await start(victim);
    } else if (fault === 'drop') proxy.drop();
    else if (fault === 'blackhole') proxy.blackhole(500 + Math.floor(random() * 1000));
    else await redis.restart({ crash: true });
  }
  await traffic;

  // ---- everything arrives ----
  const appGot = async (): Promise<string[]> => admin!.lrange('app:got', 0, -1);
  let serverGot: string[] = [];
  await until(() => got.length >= N && clientResolved.size + clientRejected.length >= N, 30000, 'all messages both ways');
  for (let i = 0; i < 100 && serverGot.length < N; i++) {
    serverGot = await appGot();
    await sleep(50);
  }
  const numbered = (p: string): string[] => Array.from({ length: N }, (_, i) => `${p}${i + 1}`);
  process.stdout.write(`redis soak: faults ${done.join(',')}; kills ${stats.kills} (${stats.killedHolder} of the link holder); server sends resolved ${stats.resolved.size}/${N} (the rest were on killed nodes); server app saw ${stats.dups} duplicate(s) it dropped by seq\n`);
  expect(FAULTS.filter((f) => !done.includes(f))).toEqual([]);
  expect(got).toEqual(numbered('s'));
  expect(serverGot).toEqual(numbered('c'));
  expect(clientRejected).toEqual([]);
  expect(stats.rejected).toEqual([]);
  expect([...stats.resolved].filter((n) => got[n - 1] !== `s${n}`)).toEqual([]);
  expect(resyncs).toEqual([]);

  // ---- Redis loses everything: one announced resync, then a fresh session works ----
  await admin.flushall();
  proxy.drop();
  await until(() => resyncs.length > 0, 10000, 'resync');
  await session.send('after');
  await until(() => session.sessionId !== sid, 5000, 'new session');
  const node = live()[0]!;
  node.child!.send({ t: 'send', n: N + 1, sid: session.sessionId });
  await until(() => got.length > N, 5000, 'a message on the new session');
  await sleep(300);
  expect(resyncs).toEqual([{ reason: 'unknown' }]);
  expect(got.slice(N)).toEqual([`s${N + 1}`]);
  expect(await appGot()).toEqual(['after']);
}, 90000);
