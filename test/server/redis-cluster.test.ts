/** redisStore on a Redis Cluster (3 masters): the same store contract, unchanged code, only the client differs. */
import { Cluster } from 'ioredis';
import { redisStore } from '../../src/server/redis-store';
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
