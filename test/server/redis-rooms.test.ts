/**
 * Rooms on Redis: two session-server nodes sharing one private redis-server, and what the
 * store does underneath — one fan-out script per publish, a resent script appending nothing
 * twice, room keys that live exactly as long as a member does.
 */
import Redis from 'ioredis';
import type { WxSocketManager } from '../../src';
import { redisStore } from '../../src/server/redis-store';
import type { RedisClient } from '../../src/server/redis-store';
import type { SessionServer, SessionStore } from '../../src/server';
import { SocketSession } from '../../src/session';
import { sleep, until } from '../support/real-helpers';
import { useRedis } from '../support/redis-helpers';
import { byUser, nodeSocket, sessionServer, stopAll } from '../support/session-helpers';
import { cap, made } from '../support/store-contract';

const TTL = 120000;
const redis = useRedis();
const stores: SessionStore[] = [];
const sockets: WxSocketManager[] = [];
afterEach(async () => {
  sockets.splice(0).forEach((s) => s.destroy());
  await stopAll();
  for (const s of stores.splice(0)) await s.close();
});

function store(client: RedisClient | string = redis.server().url, leaseInterval?: number): SessionStore {
  const s = redisStore({ client, leaseInterval });
  stores.push(s);
  return s;
}

async function member(server: SessionServer, user: string, room: string): Promise<{ id: string; got: string[] }> {
  const socket = nodeSocket(server.port, { header: { 'x-user': user } });
  sockets.push(socket);
  const session = new SocketSession(socket);
  const got: string[] = [];
  session.on('message', (d, meta) => void got.push(`${d as string}@${meta.room ?? '-'}`));
  session.on('volatile', (d, meta) => void got.push(`~${d as string}@${meta.room}`));
  socket.connect();
  await until(() => session.sessionId !== null, 5000, 'welcome');
  await server.join(session.sessionId!, room);
  return { id: session.sessionId!, got };
}

/** Calls of each Redis command since the last reset, from INFO commandstats. */
async function commands(admin: Redis): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const [, name, calls] of String(await admin.info('commandstats')).matchAll(/cmdstat_(\w+):calls=(\d+)/g)) out[name!] = Number(calls);
  return out;
}

test('two nodes on one Redis: a publish on either reaches members linked to both, in order with direct sends; sendToUser, volatile, members and online work from either', async () => {
  const [n1, n2] = [await sessionServer({ authenticate: byUser, store: store(), node: 'n1' }), await sessionServer({ authenticate: byUser, store: store(), node: 'n2' })];
  const a = await member(n1, 'alice', 'lobby');
  const b = await member(n2, 'bob', 'lobby');
  await n2.send(a.id, 'direct');
  expect(await n1.publish('lobby', 'one')).toEqual({ sessions: 2 });
  expect(await n2.publish('lobby', 'two')).toEqual({ sessions: 2 });
  expect(await n2.sendToUser('alice', 'yours')).toEqual({ sessions: 1 });
  await until(() => a.got.length === 4 && b.got.length === 2, 5000, 'deliveries');
  expect(a.got).toEqual(['direct@-', 'one@lobby', 'two@lobby', 'yours@user']);
  expect(b.got).toEqual(['one@lobby', 'two@lobby']);
  expect(await n1.publish('lobby', 'typing', { volatile: true })).toEqual({ sessions: 2 });
  await until(() => a.got.length === 5 && b.got.length === 3, 5000, 'volatile on both nodes');
  expect([a.got[4], b.got[2]]).toEqual(['~typing@lobby', '~typing@lobby']);
  expect((await n1.members('lobby')).map((m) => [m.user, m.online]).sort()).toEqual([['alice', true], ['bob', true]]);
  expect([await n1.online('bob'), await n2.online('carol')]).toEqual([true, false]);
  expect((await n2.rooms(a.id))).toEqual(['lobby']);
});

test('a publish is one fan-out script on one Redis, whatever the room\'s size, ringing each holding node once', async () => {
  const s = store();
  const admin = redis.connect();
  const ids = await Promise.all(Array.from({ length: 30 }, async (_, i) => (await made(s, `u${i}`, i % 2 ? 'A' : 'B', TTL)).id));
  for (const id of ids) await s.join(id, 'big', { rooms: 10, members: 100 });
  await admin.config('RESETSTAT');
  const r = await s.publish({ room: 'big' }, { id: 'p1', d: 'hello', r: 'big' }, cap(10));
  expect(r.appended).toHaveLength(30);
  const calls = await commands(admin);
  expect([calls.hkeys, calls.evalsha, calls.publish]).toEqual([1, 1, 2]);
  expect(calls.xadd).toBe(30);
});

test('a fan-out script that ioredis sends again after a lost reply appends nothing twice', async () => {
  const client = redis.connect();
  const twice: RedisClient = {
    // Every EVALSHA runs twice (the first answer lost, as after a reconnect); the second answer is the one seen.
    call: async (command, ...args) => (command === 'EVALSHA' ? (await client.call(command, ...args), client.call(command, ...args)) : client.call(command, ...args)),
    duplicate: () => client.duplicate(),
    quit: async () => undefined,
  };
  const s = store(twice);
  const [a, b] = [await made(s, 'alice', 'A', TTL), await made(s, 'bob', 'A', TTL)];
  for (const x of [a, b]) await s.join(x.id, 'room', { rooms: 10, members: 10 });
  const first = await s.publish({ room: 'room' }, { id: 'p1', d: 'once', r: 'room' }, cap(10));
  expect(first).toEqual({ appended: [], overflowed: [], repeated: 2 });
  expect((await s.replay(a.id, 0, 10)).map((m) => m.d)).toEqual(['once']);
  expect((await s.replay(b.id, 0, 10)).map((m) => m.d)).toEqual(['once']);
});

test('a room key lives while a member does — renewed with the lease of the node holding it — and is gone once none is left', async () => {
  const admin = redis.connect();
  const holder = store(redis.server().url, 50);
  await holder.subscribe('A', () => undefined);
  const a = await made(holder, 'alice', 'A', 100);
  await holder.join(a.id, 'short-lived', { rooms: 10, members: 10 });
  await sleep(700);
  expect(await admin.exists('wxs:{r:short-lived}:m')).toBe(1);
  expect((await holder.publish({ room: 'short-lived' }, { id: 'p', d: 'x', r: 'short-lived' }, cap(10))).appended).toHaveLength(1);
  // The node dies: nothing renews the session or its room any more.
  await holder.close();
  await sleep(700);
  expect(await admin.exists('wxs:{r:short-lived}:m', `wxs:{${a.id}}:st`, `wxs:{${a.id}}:dn`)).toBe(0);
});
