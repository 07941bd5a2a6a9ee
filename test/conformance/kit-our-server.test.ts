/**
 * The kit against our own createSessionServer (memory store, and redisStore on a real
 * redis-server): every check PASSes, volatile included (the test contract's optional command is
 * answered through a room of the session's own).
 */
import { redisStore } from '../../src/server';
import type { SessionStore } from '../../src/server';
import { useRedis } from '../support/redis-helpers';
import { byUser, sessionServer, stopAll } from '../support/session-helpers';
import { LIMITS, expectStatuses, expectedOfOurs, keepTestContract, runKit } from './kit-helpers';

afterEach(stopAll);
// A whole kit run takes ~12 s on an idle machine; other suites share the cores.
jest.setTimeout(120000);

async function ourServer(store?: SessionStore): Promise<string> {
  const server = await sessionServer({ authenticate: byUser, maxBuffered: LIMITS.maxBuffered, sessionTtl: LIMITS.ttl, helloTimeout: LIMITS.helloTimeout, maxSessionsPerUser: LIMITS.maxSessions, store });
  server.on('session', keepTestContract(server));
  return `ws://127.0.0.1:${server.port}`;
}

test('our server on the memory store passes every check', async () => {
  const report = await runKit(await ourServer());
  expectStatuses(report, expectedOfOurs());
  expect(Object.keys(report.figures)).toEqual(['ping → pong p50 (ms)', 'ping → pong p99 (ms)', 'chaos']);
});

describe('on redisStore', () => {
  const redis = useRedis();

  test('our server on a real redis-server passes the same checks', async () => {
    const store = redisStore({ client: redis.server().url });
    try {
      expectStatuses(await runKit(await ourServer(store)), expectedOfOurs());
    } finally {
      await stopAll();
      await store.close();
    }
  });
});
