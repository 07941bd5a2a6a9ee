/** Runs the kit the way the tests here need it: the second user, short waits, a server small enough to overflow fast. */
import { runConformance } from '../../src/conformance';
import type { ConformanceOptions, ConformanceReport } from '../../src/conformance';
import { parseTestCommand } from '../../src/protocol';
import type { ServerSession } from '../../src/server';

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

/** The test contract on one of our ServerSessions: echo, and `push` answered with "1" … "n". */
export function keepTestContract(session: ServerSession): void {
  session.on('message', (data) => {
    const command = parseTestCommand(data);
    if (command?.conformance === 'push') for (let i = 1; i <= command.n; i++) session.send(String(i)).catch(() => undefined);
    else session.send(data).catch(() => undefined);
  });
}
