/** redisStore on a Redis Cluster (3 masters): the same store contract, unchanged code, only the client differs. */
import { Cluster } from 'ioredis';
import { redisStore } from '../../src/server/redis-store';
import { keySlot } from '../../src/server/redis-slots';
import { ROOM_SCRIPTS } from '../../src/server/redis-room-scripts';
import { startRedisCluster } from '../../scripts/redis-server';
import type { RedisClusterProcess } from '../../scripts/redis-server';
import { cap, describeStoreContract, made } from '../support/store-contract';

let cluster: RedisClusterProcess | undefined;
const clients: Cluster[] = [];
beforeAll(async () => {
  cluster = await startRedisCluster(3);
}, 30000);
afterEach(() => {
  for (const c of clients.splice(0)) c.disconnect();
});
afterAll(async () => cluster?.stop());

function clusterClient(): Cluster {
  const c = new Cluster(cluster!.nodes);
  c.on('error', () => undefined);
  clients.push(c);
  return c;
}

describeStoreContract('redisStore on Redis Cluster', () => redisStore({ client: clusterClient(), sweepInterval: 20 }));

test('sessions spread over every shard, and all keys of one session sit in one slot', async () => {
  const store = redisStore({ client: clusterClient() });
  const ids = await Promise.all(Array.from({ length: 30 }, async () => (await made(store, 'alice', 'A', 120000)).id));
  await Promise.all(ids.map((id) => store.append(id, { id: 'x', d: 'y' }, cap(10))));
  const admin = clusterClient();
  const slots = new Set<number>();
  for (const id of ids) {
    const keySlots = await Promise.all(['st', 'dn', 'tb', 'ix'].map(async (k) => Number(await admin.call('CLUSTER', 'KEYSLOT', `wxs:{${id}}:${k}`))));
    expect(new Set(keySlots).size).toBe(1);
    slots.add(keySlots[0]!);
  }
  const shards = await Promise.all(admin.nodes('master').map(async (n) => Number(await n.dbsize())));
  expect(shards.every((keys) => keys > 0)).toBe(true);
  expect(slots.size).toBeGreaterThan(20);
  await store.close();
});

describe('rooms on a Redis Cluster', () => {
  test('the slot of a key, computed by the store, is the one CLUSTER KEYSLOT answers (hash tags, CJK, braces)', async () => {
    const admin = clusterClient();
    const keys = ['wxs:{abc}:st', 'wxs:{r:直播 #7}:m', 'plain', '{}{x}', 'a{}b', '{user1000}.following', 'x{y', '😀{😀}'];
    for (let i = 0; i < 50; i++) keys.push(`wxs:{${Math.random().toString(36).slice(2)}}:st`);
    for (const key of keys) expect([key, keySlot(key)]).toEqual([key, Number(await admin.call('CLUSTER', 'KEYSLOT', key))]);
  });

  test('a publish to a room spread over 3 masters runs one fan-out script on each master that holds members', async () => {
    const client = clusterClient();
    const store = redisStore({ client });
    const ids = await Promise.all(Array.from({ length: 30 }, async (_, i) => (await made(store, `u${i}`, 'A', 120000)).id));
    for (const id of ids) await store.join(id, 'spread', { rooms: 10, members: 100 });
    const masters = client.nodes('master');
    expect(masters).toHaveLength(3);
    await Promise.all(masters.map((m) => m.config('RESETSTAT')));
    const r = await store.publish({ room: 'spread' }, { id: 'p1', d: 'hello', r: 'spread' }, cap(10));
    expect(r.appended.map((x) => x.s)).toEqual(Array(30).fill(1));
    const evalshas = await Promise.all(masters.map(async (m) => Number(/cmdstat_evalsha:calls=(\d+)/.exec(String(await m.info('commandstats')))?.[1] ?? 0)));
    expect(evalshas).toEqual([1, 1, 1]);
    await store.close();
  });

  test('when the Cluster says one node\'s keys moved (a slot migrating), the fan-out runs per slot instead: everyone gets it once', async () => {
    const client = clusterClient();
    let refused = 0;
    const moving = Object.assign(Object.create(client) as Cluster, {
      call: (command: string, ...args: Array<string | number>) => {
        // The first fan-out of several sessions is refused as Redis refuses a key the node no longer serves (before it wrote anything).
        const sessions = args.length - 13;
        if (command === 'EVALSHA' && args[0] === ROOM_SCRIPTS.fanout.sha && sessions > 1 && refused++ === 0) return Promise.reject(new Error('ERR Script attempted to access a non local key in a cluster node script'));
        return client.call(command, ...args);
      },
    });
    const store = redisStore({ client: moving });
    const ids = await Promise.all(Array.from({ length: 12 }, async (_, i) => (await made(store, `u${i}`, 'A', 120000)).id));
    for (const id of ids) await store.join(id, 'moving', { rooms: 10, members: 100 });
    const r = await store.publish({ room: 'moving' }, { id: 'p1', d: 'hello', r: 'moving' }, cap(10));
    expect(refused).toBeGreaterThan(0);
    expect(r.appended.map((x) => x.id).sort()).toEqual([...ids].sort());
    for (const id of ids) expect((await store.replay(id, 0, 10)).map((m) => m.d)).toEqual(['hello']);
    await store.close();
  });
});
