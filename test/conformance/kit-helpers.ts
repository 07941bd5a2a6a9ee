/** Runs the kit the way the tests here need it: the second user, short waits, a server small enough to overflow fast. */
import { CHECKS, runConformance } from '../../src/conformance';
import type { ConformanceOptions, ConformanceReport } from '../../src/conformance';
import { parseTestCommand } from '../../src/protocol';
import type { PublishOptions, ServerSession, SessionServer } from '../../src/server';
import { volatileBurst } from '../../src/dev-server/session-mode';

/** The limits every server in these tests runs with, and the kit is told. */
export const LIMITS = { maxBuffered: 50, ttl: 3000, helloTimeout: 1000, maxSessions: 20 };

/** Kit options for a server with LIMITS whose users are the `x-user` header. */
export function kitOptions(url: string, extra: Partial<ConformanceOptions> = {}): Partial<ConformanceOptions> & { url: string } {
  return {
    url,
    session: true,
    headers: { 'x-user': 'alice' },
    headersB: { 'x-user': 'bob' },
    maxBuffered: LIMITS.maxBuffered,
    maxSessions: LIMITS.maxSessions,
    helloTimeout: LIMITS.helloTimeout,
    watch: 1000,
    ...extra,
  };
}

export const runKit = (url: string, extra: Partial<ConformanceOptions> = {}): Promise<ConformanceReport> => runConformance(kitOptions(url, extra));

/** `id: STATUS` for every check, to compare whole. */
export const statuses = (report: ConformanceReport): Record<string, string> => Object.fromEntries(report.checks.map((c) => [c.id, c.status]));

/**
 * The test contract on our server's sessions: echo, `push` answered with "1" … "n", and
 * `volatile` with n volatile frames "1" … "n" (published to a room only that session is in).
 */
export function keepTestContract(server: Pick<SessionServer, 'publish'>): (session: ServerSession) => void {
  const ignore = (): undefined => undefined;
  const publish = (room: string, data: string, options: PublishOptions): Promise<unknown> => server.publish(room, data, options);
  return (session) =>
    session.on('message', (data) => {
      const command = parseTestCommand(data);
      if (command?.conformance === 'push') for (let i = 1; i <= command.n; i++) session.send(String(i)).catch(ignore);
      else if (command?.conformance === 'volatile') volatileBurst(session, command.n, publish).catch(ignore);
      else session.send(data).catch(ignore);
    });
}

/** Every check's status against our server: PASS but for what `also` says. */
export function expectedOfOurs(also: Record<string, 'FAIL' | 'SKIP'> = {}): Record<string, string> {
  return Object.fromEntries(CHECKS.map((c) => [c.id, also[c.id] ?? 'PASS']));
}

/** The statuses, compared whole; on a difference the FAIL and SKIP lines are printed with their evidence. */
export function expectStatuses(report: ConformanceReport, expected: Record<string, string>): void {
  const got = statuses(report);
  if (JSON.stringify(got) !== JSON.stringify(expected)) {
    console.log(report.checks.filter((c) => c.status !== 'PASS').map((c) => `${c.status} ${c.id}: ${c.why ?? `${c.evidence?.expected}\n${c.evidence?.seen}`}`).join('\n\n'));
  }
  expect(got).toEqual(expected);
}
