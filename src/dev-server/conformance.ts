/**
 * The test contract of PROTOCOL.md ("Test contract", for conformance runs): a session message
 * whose data is `{"conformance":"push","n":N}` (N ≤ 10000) is answered with N new messages
 * "1" … "N" instead of its echo. Pure.
 */

export const MAX_PUSH = 10000;

/** N when `data` is exactly a push command; undefined for anything else (echoed as usual). */
export function pushCount(data: unknown): number | undefined {
  if (typeof data !== 'string' || !data.startsWith('{') || !data.includes('"conformance"')) return undefined;
  let command: unknown;
  try {
    command = JSON.parse(data);
  } catch {
    return undefined;
  }
  if (typeof command !== 'object' || command === null) return undefined;
  const { conformance, n } = command as { conformance?: unknown; n?: unknown };
  if (conformance !== 'push' || typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > MAX_PUSH) return undefined;
  return n;
}
