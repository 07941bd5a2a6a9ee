/**
 * The test contract of a conformance run (PROTOCOL.md "Test contract"): a server under
 * `wx-socket-conformance` echoes every session message back as a new message, and answers the
 * commands below instead of echoing them. The kit encodes them, servers (the dev server, test
 * servers, a user's own Node server) recognise them here. ES2015, no Node types.
 */

/** Largest `n` a command may ask for. */
export const MAX_TEST_PUSH = 10000;

/**
 * `push`: n new session messages whose data are "1" … "n", handed to `send` at once without
 * waiting for acks. `volatile` (optional: a server that cannot send volatile frames echoes it
 * like any message, and the kit then skips its volatile check): n `volatile` frames "1" … "n".
 */
export interface TestCommand {
  conformance: 'push' | 'volatile';
  n: number;
}

export const encodeTestCommand = (conformance: TestCommand['conformance'], n: number): string => JSON.stringify({ conformance, n });

/** The command a session message's data holds, or undefined for ordinary data (which the server echoes). */
export function parseTestCommand(data: unknown): TestCommand | undefined {
  if (typeof data !== 'string' || data.indexOf('"conformance"') < 0) return undefined;
  let f: { conformance?: unknown; n?: unknown };
  try {
    f = JSON.parse(data);
  } catch (e) {
    return undefined;
  }
  if (f === null || typeof f !== 'object' || (f.conformance !== 'push' && f.conformance !== 'volatile')) return undefined;
  const n = f.n;
  if (typeof n !== 'number' || Math.floor(n) !== n || n < 0 || n > MAX_TEST_PUSH) return undefined;
  return { conformance: f.conformance, n };
}
