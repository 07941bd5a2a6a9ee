import Redis from 'ioredis';
import { redisStore } from '../../src/server/redis-store';
import type { RedisClient } from '../../src/server/redis-store';
import type { SessionStore, StoreEvent } from '../../src/server/store';
import { sleep, until } from '../support/real-helpers';
import { useRedis } from '../support/redis-helpers';
import { cap, describeStoreContract, made } from '../support/store-contract';

const TTL = 120000;
const msg = (n: number): { id: string; d: string } => ({ id: `m${n}`, d: `data ${n}` });

const redis = useRedis({ aof: true });
const stores: SessionStore[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
});
/** A store as one server node would have it: its own connection (from a URL, closed by the store). */
function node(options: { leaseInterval?: number; sweepInterval?: number } = {}): SessionStore {
  const store = redisStore({ client: redis.server().url, sweepInterval: 20, ...options });
  stores.push(store);
  return store;
}
async function watch(store: SessionStore, name: string): Promise<StoreEvent[]> {
  const seen: StoreEvent[] = [];
  await store.subscribe(name, (e) => seen.push(e));
  return seen;
}

describeStoreContract('redisStore', () => redisStore({ client: redis.server().url, sweepInterval: 20 }));

describe('redisStore across nodes', () => {
  test('server.send on one node rings the doorbell of the node holding the link, and the ack comes back to the sender', async () => {
    const [a, b] = [node(), node()];
    const [seenA, seenB] = [await watch(a, 'A'), await watch(b, 'B')];
    const session = await made(a, 'alice', 'A', TTL);
    expect(await b.append(session.id, msg(1), cap(10))).toEqual({ ok: true, s: 1 });
    await until(() => seenA.length > 0, 2000, 'doorbell on A');
    expect(await a.replay(session.id, 0, 10)).toEqual([{ s: 1, id: 'm1', d: 'data 1' }]);
    expect(await a.ack(session.id, session.fence, 1)).toBe('ok');
    await until(() => seenB.length > 0, 2000, 'ack on B');
    expect(seenA).toEqual([{ type: 'appended', id: session.id, s: 1 }]);
    expect(seenB).toEqual([{ type: 'acked', id: session.id, a: 1 }]);
  });

  test('after a takeover by another node, the old node\'s acks, receipts and release are refused and it hears "taken"', async () => {
    const [a, b] = [node(), node()];
    const seenA = await watch(a, 'A');
    const old = await made(a, 'alice', 'A', TTL);
    await a.append(old.id, msg(1), cap(10));
    const c = await b.claim(old.id, 'alice', 'B', TTL);
    if (!c.ok) throw new Error(`claim failed: ${c.reason}`);
    expect(await a.ack(old.id, old.fence, 1)).toBe('stale');
    expect(await a.received(old.id, old.fence, 7)).toBe('stale');
    await a.release(old.id, old.fence, 1);
    await until(() => seenA.some((e) => e.type === 'taken'), 2000, 'taken on A');
    expect(seenA.filter((e) => e.type === 'taken')).toEqual([{ type: 'taken', id: old.id, fence: c.session.fence, node: 'B' }]);
    await sleep(20);
    const again = await b.claim(old.id, 'alice', 'B', TTL);
    expect(again.ok && again.session).toMatchObject({ rx: 0, seq: 1, acked: 0, fence: c.session.fence + 1 });
  });

  test('two nodes appending at once share one gapless sequence, replayed in order', async () => {
    const [a, b] = [node(), node()];
    const session = await made(a, 'alice', 'A', TTL);
    const results = await Promise.all(Array.from({ length: 400 }, (_, i) => (i % 2 ? a : b).append(session.id, msg(i + 1), cap(1000))));
    const seqs = results.map((r) => (r.ok ? r.s : -1));
    expect([...seqs].sort((x, y) => x - y)).toEqual(Array.from({ length: 400 }, (_, i) => i + 1));
    const replayed = [];
    for (let after = 0; replayed.length < 400;) {
      const page = await b.replay(session.id, after, 150);
      expect(page.length).toBeGreaterThan(0);
      replayed.push(...page);
      after = page[page.length - 1]!.s;
    }
    expect(replayed.map((m) => m.s)).toEqual(Array.from({ length: 400 }, (_, i) => i + 1));
    expect(replayed.every((m) => m.id === `m${results.findIndex((r) => r.ok && r.s === m.s) + 1}`)).toBe(true);
  });

  test('replay asks Redis for one bounded page however large the limit', async () => {
    const client = redis.connect();
    const calls: unknown[][] = [];
    const spy: RedisClient = {
      call: (command, ...args) => {
        calls.push([command, ...args]);
        return client.call(command, ...args);
      },
      duplicate: () => client.duplicate(),
      quit: async () => undefined,
    };
    const store = redisStore({ client: spy });
    stores.push(store);
    const session = await made(store, 'alice', 'A', TTL);
    for (let i = 1; i <= 5; i++) await store.append(session.id, msg(i), cap(10));
    expect((await store.replay(session.id, 2, Number.MAX_SAFE_INTEGER)).map((m) => m.s)).toEqual([3, 4, 5]);
    expect(await store.replay(session.id, 0, 0)).toEqual([]);
    expect(calls.filter((c) => c[0] === 'XRANGE')).toEqual([['XRANGE', `wxs:{${session.id}}:dn`, '(0-2', '+', 'COUNT', 10000]]);
  });

  test('a message appended again after a lost reply (same id) keeps its one seq', async () => {
    const a = node();
    const session = await made(a, 'alice', 'A', TTL);
    expect(await a.append(session.id, msg(1), cap(10))).toEqual({ ok: true, s: 1 });
    expect(await a.append(session.id, msg(1), cap(10))).toEqual({ ok: true, s: 1 });
    expect(await a.append(session.id, msg(2), cap(10))).toEqual({ ok: true, s: 2 });
    expect((await a.replay(session.id, 0, 10)).map((m) => m.id)).toEqual(['m1', 'm2']);
  });

  test('past 32 unacknowledged messages, one appended again (same id) still keeps its one seq, and acks free the rest', async () => {
    const a = node();
    const session = await made(a, 'alice', 'A', TTL);
    const first = await Promise.all(Array.from({ length: 40 }, (_, i) => a.append(session.id, msg(i + 1), cap(100))));
    expect(first).toEqual(Array.from({ length: 40 }, (_, i) => ({ ok: true, s: i + 1 })));
    expect(await a.append(session.id, msg(5), cap(100))).toEqual({ ok: true, s: 5 });
    expect(await a.append(session.id, msg(41), cap(100))).toEqual({ ok: true, s: 41 });
    // The id index left Redis's compact form (every lookup there scans all its fields).
    const admin = new Redis(redis.server().url);
    try {
      expect(await admin.call('OBJECT', 'ENCODING', `wxs:{${session.id}}:ix`)).toBe('hashtable');
    } finally {
      admin.disconnect();
    }
    expect(await a.ack(session.id, session.fence, 39)).toBe('ok');
    expect((await a.replay(session.id, 0, 100)).map((m) => m.id)).toEqual(['m40', 'm41']);
    expect(await a.append(session.id, msg(40), cap(100))).toEqual({ ok: true, s: 40 });
    expect(await a.append(session.id, msg(7), cap(100))).toEqual({ ok: true, s: 42 });
  });

  test('a sender waiting for an ack hears "lost" when the session expires unclaimed', async () => {
    const [a, b] = [node(), node()];
    const seenB = await watch(b, 'B');
    const session = await made(a, 'alice', 'A', 100);
    await b.append(session.id, msg(1), cap(10));
    await a.release(session.id, session.fence, 100);
    await until(() => seenB.length > 0, 3000, 'lost on B');
    expect(seenB).toEqual([{ type: 'lost', id: session.id, reason: 'expired' }]);
  });

  test('senders on another node hear "lost" overflow once — not "expired" — when the overflowed session is dropped by its claim', async () => {
    const [a, b] = [node(), node()];
    const seenB = await watch(b, 'B');
    const session = await made(a, 'alice', 'A', TTL);
    for (let i = 1; i <= 2; i++) await b.append(session.id, msg(i), cap(2));
    expect(await b.append(session.id, msg(3), cap(2))).toEqual({ ok: false, reason: 'overflow' });
    expect(await a.claim(session.id, 'alice', 'A', TTL)).toEqual({ ok: false, reason: 'overflow' });
    await until(() => seenB.length > 0, 2000, 'lost on B');
    await sleep(100);
    expect(seenB).toEqual([{ type: 'lost', id: session.id, reason: 'overflow' }]);
  });

  test('a node that dies holding a session: it expires after ttl plus the unrenewed lease, and says expired', async () => {
    const a = node({ leaseInterval: 50 });
    const session = await made(a, 'alice', 'A', 100);
    await sleep(300);
    expect((await node().claim(session.id, 'alice', 'B', 100)).ok).toBe(true);
    const crashed = node({ leaseInterval: 50 });
    const s2 = await made(crashed, 'alice', 'A', 200);
    await crashed.close();
    await sleep(400);
    expect(await node().claim(s2.id, 'alice', 'B', 200)).toEqual({ ok: false, reason: 'expired' });
  });

  test('sessions, their buffered messages and fences survive a Redis crash (AOF, fsync always)', async () => {
    const a = node();
    const session = await made(a, 'alice', 'A', TTL);
    for (let i = 1; i <= 3; i++) await a.append(session.id, msg(i), cap(10));
    await a.ack(session.id, session.fence, 1);
    await a.received(session.id, session.fence, 9);
    await redis.server().restart({ crash: true });
    const c = await a.claim(session.id, 'alice', 'B', TTL);
    expect(c).toEqual({ ok: true, session: { id: session.id, user: 'alice', rx: 9, seq: 3, acked: 1, fence: session.fence + 1, node: 'B' } });
    expect((await a.replay(session.id, 1, 10)).map((m) => m.id)).toEqual(['m2', 'm3']);
    expect(await a.append(session.id, msg(4), cap(10))).toEqual({ ok: true, s: 4 });
    expect(await a.ack(session.id, session.fence, 4)).toBe('stale');
  });

  test('a doorbell published while the holder\'s subscriber was reconnecting is rung again once it is back', async () => {
    // The holder reconnects only after 600 ms; the sender, connected afresh, appends before that.
    const holder = redisStore({ client: redis.connect({ retryStrategy: () => 600 }) });
    stores.push(holder);
    const seen = await watch(holder, 'A');
    const session = await made(holder, 'alice', 'A', TTL);
    await redis.server().restart({ crash: true });
    const sender = node();
    expect(await sender.append(session.id, msg(1), cap(10))).toEqual({ ok: true, s: 1 });
    await until(() => seen.length > 0, 5000, 'doorbell after reconnect');
    expect(seen).toEqual([{ type: 'appended', id: session.id, s: 1 }]);
  });
});

describe('redisStore bad input', () => {
  test('options are checked with a clear message', () => {
    expect(() => redisStore({ client: 'redis://127.0.0.1:1', prefix: 'a{b}' })).toThrow('[wx-socket-manager] redisStore: option "prefix" must be a string without braces');
    expect(() => redisStore({ client: {} as RedisClient })).toThrow('[wx-socket-manager] redisStore: option "client" must be an ioredis client or a redis:// URL');
    expect(() => redisStore({ client: 'redis://127.0.0.1:1', leaseInterval: 0 })).toThrow('option "leaseInterval" must be a number > 0');
    expect(() => redisStore({ client: 'redis://127.0.0.1:1', maxLen: 0 })).toThrow('option "maxLen" must be ≥ 1');
  });

  test('a session id that the server could not have issued is unknown without a Redis round trip', async () => {
    const a = node();
    expect(await a.claim('wxs:{x}', 'alice', 'A', TTL)).toEqual({ ok: false, reason: 'unknown' });
    expect(await a.append('', msg(1), cap(10))).toEqual({ ok: false, reason: 'unknown' });
  });

  test('a release with ttl 0 forgets the session at once (the server does this when a client lost acknowledged messages)', async () => {
    const a = node();
    const session = await made(a, 'alice', 'A', TTL);
    await a.append(session.id, msg(1), cap(10));
    await a.release(session.id, session.fence, 0);
    expect(await a.claim(session.id, 'alice', 'A', TTL)).toEqual({ ok: false, reason: 'unknown' });
    expect(await a.replay(session.id, 0, 10)).toEqual([]);
  });

  test('maxLen caps a session\'s Stream below the server\'s maxBuffered: overflow, never a drop', async () => {
    const store = redisStore({ client: redis.server().url, maxLen: 2 });
    stores.push(store);
    const session = await made(store, 'alice', 'A', TTL);
    expect(await store.append(session.id, msg(1), cap(1000))).toEqual({ ok: true, s: 1 });
    expect(await store.append(session.id, msg(2), cap(1000))).toEqual({ ok: true, s: 2 });
    expect(await store.append(session.id, msg(3), cap(1000))).toEqual({ ok: false, reason: 'overflow' });
    expect(await store.claim(session.id, 'alice', 'A', TTL)).toEqual({ ok: false, reason: 'overflow' });
  });

  test('without the ioredis package, a URL gets the one-line install hint', () => {
    jest.isolateModules(() => {
      jest.doMock('ioredis', () => {
        throw new Error("Cannot find module 'ioredis'");
      });
      const { redisStore: isolated } = require('../../src/server/redis-store') as typeof import('../../src/server/redis-store');
      expect(() => isolated({ client: 'redis://127.0.0.1:1' })).toThrow('[wx-socket-manager] redisStore needs the "ioredis" package: npm install ioredis');
    });
    jest.dontMock('ioredis');
  });
});
