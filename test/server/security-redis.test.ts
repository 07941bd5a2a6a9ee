/**
 * Security with `redisStore` on a real redis-server the test starts: Redis out of memory, a
 * FLUSHALL under a live link, a kill -9 with `appendfsync everysec`, a rolled-back Redis, and an
 * evicting `maxmemory-policy`. The session server runs in a child process; an honest two-way
 * client runs throughout. Store trouble is never silent and never a takeover: sends reject
 * STORE_FAILED with Redis's own text, a lost session closes 1012 and is announced by exactly one
 * resync, and nothing is lost.
 */
import Redis from 'ioredis';
import { startRedis } from '../../scripts/redis-server';
import type { RedisProcess, RedisStartOptions } from '../../scripts/redis-server';
import { sleep, until } from '../support/real-helpers';
import { HELLO, MB, attackServer, expectUnharmed, helloed, honestClient, rawSocket, twoWay, useAttackServers } from '../support/attack';
import type { AttackServer, Honest, Report } from '../support/attack';

useAttackServers();

const N = 200;
const figures: string[] = [];
afterAll(() => process.stdout.write(`security (redisStore):\n${figures.join('\n')}\n`));
const note = (attack: string, report: Report, honest: Honest): void =>
  void figures.push(`  ${attack}: max RSS ${(report.maxRss / MB).toFixed(0)} MB; honest link closes ${JSON.stringify(honest.closes)}, resyncs ${JSON.stringify(honest.resyncs)}`);

let redis: RedisProcess | undefined;
let admin: Redis | undefined;
afterEach(async () => {
  admin?.disconnect();
  await redis?.stop();
  [redis, admin] = [undefined, undefined];
});

/** A redis-server of its own, an admin connection, and the session server on it. */
async function setup(redisOptions: RedisStartOptions, options: object = {}): Promise<{ server: AttackServer; honest: Honest; admin: Redis; redis: RedisProcess }> {
  redis = await startRedis(redisOptions);
  admin = new Redis(redis.url);
  admin.on('error', () => undefined);
  const server = await attackServer({ helloTimeout: 2000, idleTimeout: 4000, sessionTtl: 2000, ...options }, { REDIS_URL: redis.url, LEASE: '500' });
  const honest = await honestClient(server.port);
  return { server, honest, admin, redis };
}


const usedMemory = async (a: Redis): Promise<number> => Number(/used_memory:(\d+)/.exec(await a.info('memory'))?.[1]);

test('Redis out of memory (maxmemory, noeviction): sends reject STORE_FAILED with Redis\'s text and are retried, client messages are still recorded, a new session waits (1011), and once memory frees nothing is lost', async () => {
  const { server, honest, admin: a } = await setup({ args: ['--maxmemory', '5mb', '--maxmemory-policy', 'noeviction'] });
  const payload = 'x'.repeat(200000);
  const newcomer: number[] = [];
  await twoWay(server, honest, N, 25, async () => {
    const attacker = await helloed(server.port, 'mallory');
    attacker.stopReading();
    for (let s = 1; s <= 40; s++) attacker.text(JSON.stringify({ t: 'msg', s, id: `m${s}`, d: payload }));
    await until(() => server.sent.size >= 10, 20000, 'some honest sends through');
    // The echoes filled Redis to the brim; a lower maxmemory keeps it over the limit for a while.
    await sleep(1000);
    const used = await usedMemory(a);
    await a.config('SET', 'maxmemory', String(used - 200000));
    figures.push(`  OOM: Redis used_memory ${(used / MB).toFixed(1)} MB with the attacker's echoes, maxmemory set just below`);
    const fresh = await rawSocket(server.port, 'newcomer');
    fresh.text(HELLO);
    newcomer.push(await fresh.closed);
    await sleep(1500);
    // The attacker goes; its session expires after sessionTtl and Redis has room again.
    attacker.socket.destroy();
  });
  const report = await expectUnharmed(server, honest, N);
  figures.push(`  OOM: max RSS ${(report.maxRss / MB).toFixed(0)} MB; echoes refused ${JSON.stringify(report.echoFailures)}; honest sends refused then retried ${JSON.stringify(report.sendFailures)}`);
  expect(newcomer).toEqual([1011]);
  expect(report.sendFailures.STORE_FAILED).toBeGreaterThan(0);
  expect(report.errMsgs.STORE_FAILED).toMatch(/^OOM command not allowed when used memory > 'maxmemory'/);
  const late = await helloed(server.port, 'newcomer');
  expect(late.texts[0]).toContain('"reason":"new"');
}, 120000);

test('FLUSHALL under a live link: closed 1012 (never 4409), exactly one resync, and nothing lost', async () => {
  const { server, honest, admin: a } = await setup({});
  // A second client, by hand, reads the close code the server sends (the honest client may see its own 1006 first, when a send of its races the close).
  const witness = await helloed(server.port, 'witness');
  await twoWay(server, honest, N, 25, async () => {
    await until(() => honest.got.length >= N / 3, 20000, 'a third of the traffic');
    await a.flushall();
    witness.text(JSON.stringify({ t: 'msg', s: 1, id: 'w1', d: 'after the flush' }));
    expect(await witness.closed).toBe(1012);
  });
  note('FLUSHALL', await expectUnharmed(server, honest, N, 1), honest);
}, 120000);

test('kill -9 of Redis with appendfsync everysec, then a restart: no takeover, no protocol error, at most one resync, nothing lost', async () => {
  const { server, honest, redis: r } = await setup({ aof: true, fsync: 'everysec' });
  await twoWay(server, honest, N, 25, async () => {
    await until(() => honest.got.length >= N / 3, 20000, 'a third of the traffic');
    await r.restart({ crash: true, downtime: 300 });
  });
  note('kill -9 (everysec)', await expectUnharmed(server, honest, N, 'at most 1'), honest);
}, 120000);

test('a Redis that comes back rolled back (the state of a second earlier): exactly one resync, never a 4400 or a 4409, nothing lost', async () => {
  const { server, honest, admin: a, redis: r } = await setup({});
  await twoWay(server, honest, N, 25, async () => {
    await until(() => honest.got.length >= N / 4, 20000, 'a quarter of the traffic');
    await a.save();
    await until(() => honest.got.length >= N / 2, 20000, 'half of the traffic');
    // No AOF: the restarted Redis loads the snapshot taken above, as a failover to a lagging replica would.
    await r.restart({ crash: true });
  });
  note('rollback', await expectUnharmed(server, honest, N, 1), honest);
}, 120000);

test('an evicting maxmemory-policy is reported as an error event naming it; an evicted session closes 1012, never 4409', async () => {
  const { server, honest, admin: a } = await setup({ args: ['--maxmemory', '5mb', '--maxmemory-policy', 'allkeys-lru'] });
  let report = await server.report();
  for (let i = 0; i < 50 && report.errorCount === 0; i++) {
    await sleep(100);
    report = await server.report();
  }
  expect(report.errors[0]!.message).toBe('[wx-socket-manager] redisStore: Redis maxmemory-policy is "allkeys-lru": under memory pressure Redis evicts sessions\' keys and clients lose their sessions; set it to "noeviction" (docs/production.md)');
  const payload = 'x'.repeat(200000);
  await twoWay(server, honest, N, 25, async () => {
    await until(() => honest.got.length >= N / 4, 20000, 'a quarter of the traffic');
    const attacker = await helloed(server.port, 'mallory');
    for (let s = 1; s <= 60; s++) attacker.text(JSON.stringify({ t: 'msg', s, id: `m${s}`, d: payload }));
    await sleep(1500);
    attacker.socket.destroy();
    figures.push(`  allkeys-lru: evicted keys ${/evicted_keys:(\d+)/.exec(await a.info('stats'))?.[1]}`);
  });
  note('allkeys-lru', await expectUnharmed(server, honest, N, 'at most 1'), honest);
}, 120000);
