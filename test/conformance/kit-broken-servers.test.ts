/**
 * The kit against deliberately broken servers (broken-servers.ts: the reference server with one
 * rule done wrong): it FAILs each, and the FAIL line names the broken rule.
 */
import { textLine } from '../../src/conformance/report';
import { BROKEN } from './broken-servers';
import type { ReferenceServer } from './reference-server';
import { LIMITS, runKit } from './kit-helpers';

jest.setTimeout(60000);

const running: ReferenceServer[] = [];
afterEach(async () => {
  for (const s of running.splice(0)) await s.close();
});

test.each(BROKEN.map((b) => [b.story, b] as const))('a server that %s FAILs its rule, and only that one (and the check that provoked it)', async (_story, broken) => {
  const server = await broken.make({ maxBuffered: LIMITS.maxBuffered, ttl: LIMITS.ttl, helloTimeout: LIMITS.helloTimeout, maxSessionsPerUser: LIMITS.maxSessions }).start();
  running.push(server);
  // The check and what it needs (the handshake, the test contract) — which the broken server still does right.
  const report = await runKit(server.url, { only: [broken.check, ...(broken.also ?? [])], timeout: 2000 });
  const failed = report.checks.filter((c) => c.status === 'FAIL');
  expect(failed.map((c) => c.id).sort()).toEqual([broken.check, ...(broken.also ?? [])].sort());
  expect(report.checks.filter((c) => c.status === 'SKIP')).toEqual([]);
  const line = textLine(failed.find((c) => c.id === broken.check)!);
  expect(line.startsWith(`FAIL  ${broken.rule}`)).toBe(true);
  expect(line).toMatch(/\n {6}expected: .+\n {6}seen:\n {8}\S/);
});
