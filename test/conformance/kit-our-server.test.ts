/**
 * The kit against our own createSessionServer (memory store, and redisStore on a real
 * redis-server): every check PASSes, except those waiting on the server's hardening (issue 16),
 * listed below with what they need, and volatile, which the test contract cannot ask of our server yet.
 */
import { CHECKS } from '../../src/conformance';
import type { ConformanceReport } from '../../src/conformance';
import { redisStore } from '../../src/server';
import type { SessionStore } from '../../src/server';
import { useRedis } from '../support/redis-helpers';
import { byUser, sessionServer, stopAll } from '../support/session-helpers';
import { LIMITS, keepTestContract, runKit, statuses } from './kit-helpers';

afterEach(stopAll);
// A whole kit run takes ~12 s on an idle machine; other suites share the cores.
jest.setTimeout(120000);

/** Checks our server does not pass yet, and why (the kit is right: PROTOCOL.md says so). */
const WAITING: Record<string, 'FAIL' | 'SKIP'> = {
  // Clarification "rollback": a hello whose rx is above the stored seq must get resumed:false "unknown"; ours closes 4400.
  'clar.rollback': 'FAIL',
  // Clarification "Limits": no helloTimeout yet (a link that never says hello is kept until idleTimeout).
  'limits.hello-timeout': 'FAIL',
  // Clarification "Limits": no maxSessionsPerUser yet (a user may hold any number of sessions).
  'limits.session-evicted': 'FAIL',
  'limits.4429': 'FAIL',
  // Our server has no volatile send yet, so the test contract's optional command is echoed.
  'clar.volatile': 'SKIP',
};

const expected = (): Record<string, string> => Object.fromEntries(CHECKS.map((c) => [c.id, WAITING[c.id] ?? 'PASS']));

async function ourServer(store?: SessionStore): Promise<string> {
  const server = await sessionServer({ authenticate: byUser, maxBuffered: LIMITS.maxBuffered, sessionTtl: LIMITS.ttl, store });
  server.on('session', keepTestContract);
  return `ws://127.0.0.1:${server.port}`;
}

function explain(report: ConformanceReport): string {
  return report.checks.filter((c) => c.status !== 'PASS').map((c) => `${c.status} ${c.id}: ${c.why ?? `${c.evidence?.expected}\n${c.evidence?.seen}`}`).join('\n\n');
}

/** The statuses, compared whole; on a difference the FAIL and SKIP lines are printed with their evidence. */
function expectStatuses(report: ConformanceReport): void {
  const got = statuses(report);
  if (JSON.stringify(got) !== JSON.stringify(expected())) console.log(explain(report));
  expect(got).toEqual(expected());
}

test('our server on the memory store passes every check of the kit it implements', async () => {
  const report = await runKit(await ourServer());
  expectStatuses(report);
  expect(Object.keys(report.figures)).toEqual(['ping → pong p50 (ms)', 'ping → pong p99 (ms)', 'chaos']);
});

describe('on redisStore', () => {
  const redis = useRedis();

  test('our server on a real redis-server passes the same checks', async () => {
    const store = redisStore({ client: redis.server().url });
    try {
      expectStatuses(await runKit(await ourServer(store)));
    } finally {
      await stopAll();
      await store.close();
    }
  });
});
