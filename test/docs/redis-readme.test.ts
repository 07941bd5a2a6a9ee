/** The README's redisStore example, run as written (the first test checks it is the same text). */
import fs from 'fs';
import path from 'path';
import Redis from 'ioredis';
import { createSessionServer, redisStore } from '../../src/server';
import type { SessionServer } from '../../src/server';
import { raw, stopAll } from '../support/session-helpers';
import { useRedis } from '../support/redis-helpers';
import { fromRoot } from '../support/paths';

const redisServer = useRedis();
const cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanup.splice(0)) await c();
  await stopAll();
});

/** The README example (docs/readme-redis.md), verbatim between the markers. */
async function readmeExample(): Promise<{ server: SessionServer; redis: Redis }> {
  // ---- README example ----
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  const server = createSessionServer({
    port: Number(process.env.PORT ?? 0),
    store: redisStore({ client: redis }),
    node: process.env.NODE_NAME ?? 'node-1', // unique per node
    authenticate: (req) => (typeof req.headers['x-user'] === 'string' ? req.headers['x-user'] : false),
  });
  server.on('session', (session) => {
    session.on('message', async (data, { seq, id }) => {
      // Your app: idempotent by `seq`/`id` (see "what exactly once covers").
      await session.send(`echo ${String(data)} (#${seq}, ${id})`);
    });
  });
  await server.ready;
  // ---- end of README example ----
  return { server, redis };
}

test('the README example is the code this file runs', () => {
  const doc = fs.readFileSync(fromRoot('docs/readme-redis.md'), 'utf8');
  const block = /```ts\n([\s\S]*?)```/.exec(doc)![1]!;
  const lines = (text: string): string[] => text.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('import '));
  const mine = fs.readFileSync(__filename, 'utf8');
  const example = mine.slice(mine.indexOf('// ---- README example ----') + 27, mine.indexOf('// ---- end of README example ----'));
  expect(lines(example)).toEqual(lines(block));
});

test('the README example serves a session from Redis and answers through it', async () => {
  process.env.REDIS_URL = redisServer.server().url;
  const { server, redis } = await readmeExample();
  cleanup.push(() => redis.quit(), () => server.close());
  const client = await raw(server.port, { 'x-user': 'alice' });
  const welcome = await client.hello(null);
  client.send({ t: 'msg', s: 1, id: 'hi-1', d: 'hi' });
  const answer = await client.next((f) => typeof f === 'object' && f.t === 'msg');
  expect(welcome).toMatchObject({ t: 'welcome', resumed: false, reason: 'new' });
  expect(answer).toEqual({ t: 'msg', s: 1, id: expect.any(String), d: 'echo hi (#1, hi-1)' });
  expect(await redis.exists(`wxs:{${String(welcome.sid)}}:st`)).toBe(1);
});
