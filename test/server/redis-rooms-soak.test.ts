/**
 * Rooms chaos soak: three session-server nodes (child processes) on one Redis (AOF, fsync
 * always); 21 SocketSession members, each behind its own fault proxy (round robin over the live
 * nodes), all in one room. Every member publishes numbered messages (its client messages, which
 * the app publishes with their id) while the test sends numbered direct messages to random
 * members through random nodes. Faults: SIGKILL of a node (then a restart), link kills and
 * blackholes on random members. Every member must receive every published message exactly once,
 * each publisher's in order, in the same room order as every other member, interleaved with its
 * direct sends in their order; no resync.
 * Reproduce a run with ROOMS_SOAK_SEED=<seed> npx jest test/server/redis-rooms-soak.
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

const MEMBERS = 21;
const SAYS = 25;
const DIRECT = 150;
const CHAOS_MS = 24000;
const FAULTS = ['kill', 'drop', 'blackhole'] as const;
type Fault = (typeof FAULTS)[number];

interface Member {
  name: string;
  proxy: FaultProxy;
  socket: WxSocketManager;
  session: SocketSession;
  /** Room messages as `publisher:k`, direct ones as `d<n>`, in arrival order. */
  got: string[];
  /** Direct sends the test made to it, in order. */
  directs: string[];
  resyncs: string[];
  said: number;
}

let redis: RedisProcess | undefined;
let admin: Redis | undefined;
const nodes: SoakNode[] = [];
const members: Member[] = [];
const bundle = bundleForChild(path.join(FIXTURES, 'redis-room-node.ts'));

afterAll(async () => {
  for (const m of members) m.socket.destroy();
  for (const n of nodes) n.child?.kill('SIGKILL');
  for (const m of members) await m.proxy.close();
  admin?.disconnect();
  await redis?.stop();
});

test('21 members on 3 nodes, one room, node kills, link kills and blackholes: every member gets every publish once, in each publisher\'s order and one room order, with its direct sends in theirs; no resync', async () => {
  const seed = Number(process.env.ROOMS_SOAK_SEED ?? Date.now() % 1_000_000);
  process.stdout.write(`rooms soak seed: ${seed} (reproduce: ROOMS_SOAK_SEED=${seed} npx jest test/server/redis-rooms-soak)\n`);
  const random = seededRandom(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;

  redis = await startRedis({ aof: true });
  admin = new Redis(redis.url);
  admin.on('error', () => undefined);

  // ---- nodes ----
  const stats = { repeats: 0, failed: [] as string[], kills: 0 };
  const start = (node: SoakNode): Promise<void> => startNode(bundle, node, { REDIS_URL: redis!.url }, (m) => {
    if (m.t === 'repeat') stats.repeats++;
    else if (m.t === 'failed') stats.failed.push(`${node.name} ${String(m.what)}`);
  });
  for (const name of ['n1', 'n2', 'n3']) {
    const node = soakNode(name);
    nodes.push(node);
    await start(node);
  }
  const live = (): SoakNode[] => nodes.filter((n) => n.child);

  // ---- members, each behind its own proxy (its own round robin, starting at a different node) ----
  const connect = createWsConnectSocket({ closeTimeout: 200 });
  for (let i = 0; i < MEMBERS; i++) {
    const ports = (): number[] => {
      const up = live().map((n) => n.port);
      return up.map((_, k) => up[(k + i) % up.length]!);
    };
    const proxy = await startFaultProxy('127.0.0.1', 0, ports);
    const socket = soakSocket(`ws://127.0.0.1:${proxy.port}`, connect, { 'x-user': `m${i}` });
    const session = new SocketSession(socket, { deliveryTimeout: 600000 });
    const m: Member = { name: `m${i}`, proxy, socket, session, got: [], directs: [], resyncs: [], said: 0 };
    // A room message must say its room; a direct one none.
    session.on('message', (d, meta) => void m.got.push(String(d).startsWith('d') === (meta.room === undefined) && (meta.room ?? 'soak') === 'soak' ? String(d) : `wrong room ${meta.room}: ${String(d)}`));
    session.on('resync', (e) => void m.resyncs.push(e.reason));
    members.push(m);
    socket.connect();
  }
  await until(() => members.every((m) => m.session.sessionId !== null), 10000, 'every welcome');
  for (let i = 0; i < 200 && (await admin.hlen('wxs:{r:soak}:m')) < MEMBERS; i++) await sleep(20);
  expect(await admin.hlen('wxs:{r:soak}:m')).toBe(MEMBERS);

  // ---- traffic: every member says 1..SAYS; the test sends DIRECT numbered direct messages ----
  const said = Promise.all(members.map(async (m) => {
    const sent: Array<Promise<void>> = [];
    for (let k = 1; k <= SAYS; k++) {
      await sleep((CHAOS_MS / SAYS) * (0.5 + random()));
      sent.push(m.session.send(String(k)).then(() => void m.said++));
    }
    await Promise.all(sent);
  }));
  const sends = new SerialSends(live, pick);
  const directs = (async () => {
    for (let n = 1; n <= DIRECT; n++) {
      const to = pick(members);
      to.directs.push(`d${n}`);
      await sends.send(n, to.session.sessionId!);
      await sleep(CHAOS_MS / DIRECT);
    }
  })();

  // ---- faults ----
  const done: Fault[] = [];
  for await (const fault of faultSchedule(FAULTS, random, CHAOS_MS, 1000)) {
    done.push(fault);
    if (fault === 'kill') {
      // No direct send may be half-way on the victim (the members' publishes carry ids: they may be).
      const release = await sends.hold();
      const victim = pick(live());
      stats.kills++;
      await killNode(victim);
      release();
      await sleep(200 + random() * 600);
      await start(victim);
    } else {
      const victims = members.filter(() => random() < 0.3);
      for (const m of victims) {
        if (fault === 'drop') m.proxy.drop();
        else m.proxy.blackhole(500 + Math.floor(random() * 1000));
      }
    }
  }
  await Promise.all([said, directs]);

  // ---- everything arrives ----
  const total = MEMBERS * SAYS;
  const rooms = (m: Member): string[] => m.got.filter((x) => !x.startsWith('d'));
  await until(() => members.every((m) => rooms(m).length >= total && m.got.length - rooms(m).length >= m.directs.length), 30000, 'every message at every member');
  await sleep(300);
  process.stdout.write(`rooms soak: faults ${done.join(',')}; ${stats.kills} node kills; ${stats.repeats} publish(es) repeated by a handler that ran again (reached nobody twice); ${total} publishes × ${MEMBERS} members + ${DIRECT} direct sends\n`);
  expect(FAULTS.filter((f) => !done.includes(f))).toEqual([]);
  expect(stats.failed).toEqual([]);
  const order = rooms(members[0]!);
  for (const m of members) {
    const mine = rooms(m);
    for (const p of members) expect([m.name, p.name, mine.filter((x) => x.startsWith(`${p.name}:`))]).toEqual([m.name, p.name, Array.from({ length: SAYS }, (_, k) => `${p.name}:${k + 1}`)]);
    expect([m.name, mine]).toEqual([m.name, order]);
    expect([m.name, m.got.filter((x) => x.startsWith('d'))]).toEqual([m.name, m.directs]);
    expect([m.name, m.resyncs]).toEqual([m.name, []]);
  }
}, 120000);
