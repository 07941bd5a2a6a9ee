/**
 * The faults the dev server injects, as data: their names, arguments and what each does
 * (for `--help`, the docs and the H5 page), and the two ways to ask for one — a control
 * route's query (`/fault/close?code=4001&reason=bye`) and, with `--text-faults`, the text
 * `fault:close 4001 bye` sent over the socket. Pure: nothing here runs a fault.
 */

/** Arguments a fault may take; each fault uses some of them. */
export interface FaultArgs {
  /** How long the fault lasts, in ms. */
  ms?: number;
  /** A close code: 1000 or 3000–4999. */
  code?: number;
  /** A close reason, at most 123 UTF-8 bytes. */
  reason?: string;
  /** A cluster node, 1-based. */
  node?: number;
  /** Only this dev user's links (`?user=`): faults aimed at one phone. */
  user?: string;
}
export type FaultArg = keyof FaultArgs;

/** What running a fault gave: the fault's name (and details), or why it did not run. */
export type FaultOutcome = { fault: string; node?: string; links?: number } | { error: string };

export interface FaultSpec {
  name: string;
  /** Its arguments, in the order the text form takes them. */
  args: FaultArg[];
  /** What it does, for --help and the docs. */
  what: string;
}

export const SINGLE_FAULTS: readonly FaultSpec[] = [
  { name: 'restart', args: ['ms', 'user'], what: 'drop every link abruptly (no closing handshake) and refuse new ones for ms (default: --restart-downtime); sessions are kept; with user, only that dev user\'s links (its network is down)' },
  { name: 'crash', args: ['ms'], what: 'like restart, and every session is forgotten, as a restart with a memory store would (resumes answer "unknown")' },
  { name: 'blackhole', args: ['ms', 'user'], what: 'links open now (with user: that dev user\'s) stop passing bytes without closing (a half-open link) for ms (default 30000), then are cut; new links work' },
  { name: 'refuse', args: ['ms'], what: 'refuse new connections for ms (default 5000); open links stay' },
  { name: 'nopong', args: ['ms'], what: 'leave "ping" unanswered for ms (default 30000)' },
  { name: 'close', args: ['code', 'reason'], what: 'close every link with a closing handshake: code 1000 or 3000-4999 (default 1000) and a reason' },
];

export const CLUSTER_FAULTS: readonly FaultSpec[] = [
  { name: 'kill', args: ['node', 'ms'], what: 'SIGKILL node N (default 1); it starts again on the same port after ms (default 1000)' },
  { name: 'drop', args: ['user'], what: 'cut every link (with user: that dev user\'s) at once (a reset, no closing handshake); nodes keep running' },
  { name: 'blackhole', args: ['ms', 'user'], what: 'links open now (with user: that dev user\'s) stop passing bytes without closing for ms (default 10000), then are cut' },
  { name: 'refuse', args: ['ms'], what: 'refuse new connections for ms (default 5000); open links stay' },
];

const TEXT_PREFIX = 'fault:';

/** Whether a text frame is a `fault:` command (only obeyed with --text-faults). */
export function isFaultText(text: string): boolean {
  return text.startsWith(TEXT_PREFIX);
}

/** `fault:close 4001 bye now` → the name and the raw arguments by the spec's order (the last one takes the rest). */
export function parseFaultText(text: string, specs: readonly FaultSpec[]): { name: string; raw: Partial<Record<FaultArg, string>> } {
  const words = text.slice(TEXT_PREFIX.length).trim().split(/\s+/);
  const name = words.shift() ?? '';
  const args = specs.find((s) => s.name === name)?.args ?? [];
  const raw: Partial<Record<FaultArg, string>> = {};
  args.forEach((arg, i) => {
    const word = i === args.length - 1 ? words.slice(i).join(' ') : words[i];
    if (word) raw[arg] = word;
  });
  return { name, raw };
}

/** A control route's query → the raw arguments it names. */
export function rawFaultArgs(query: { get(name: string): string | null }): Partial<Record<FaultArg, string>> {
  const raw: Partial<Record<FaultArg, string>> = {};
  for (const arg of ['ms', 'code', 'reason', 'node', 'user'] as const) {
    const value = query.get(arg);
    if (value !== null) raw[arg] = value;
  }
  return raw;
}

/** Raw (text) arguments → typed ones, or what is wrong with them. */
export function faultArgs(raw: Partial<Record<FaultArg, string>>): FaultArgs | { error: string } {
  const args: FaultArgs = {};
  for (const key of ['ms', 'code', 'node'] as const) {
    const value = raw[key];
    if (value !== undefined) args[key] = value.trim() === '' ? NaN : Number(value);
  }
  if (raw.reason !== undefined) args.reason = raw.reason;
  if (raw.user !== undefined) args.user = raw.user;
  const problem = faultArgsProblem(args);
  return problem ? { error: problem } : args;
}

const MAX_MS = 24 * 3600 * 1000;

/** What is wrong with typed arguments, or undefined when they are fine. */
export function faultArgsProblem(args: FaultArgs): string | undefined {
  const whole = (n: number | undefined, lo: number, hi: number): boolean => n === undefined || (Number.isInteger(n) && n >= lo && n <= hi);
  if (!whole(args.ms, 0, MAX_MS)) return `ms must be a whole number of milliseconds from 0 to ${MAX_MS}`;
  if (!whole(args.node, 1, 1000)) return 'node must be a node number from 1';
  if (args.code !== undefined && args.code !== 1000 && !whole(args.code, 3000, 4999)) return 'code must be 1000 or 3000-4999';
  if (args.reason !== undefined && (typeof args.reason !== 'string' || Buffer.byteLength(args.reason) > 123)) return 'reason must be text of at most 123 bytes';
  if (args.user !== undefined && (typeof args.user !== 'string' || args.user.length < 1 || args.user.length > 64 || /[\u0000-\u001f\u007f]/.test(args.user))) return 'user must be 1-64 characters without control characters';
  return undefined;
}

/** Why this fault cannot run (an unknown name, a bad argument), or undefined when it can. */
export function faultProblem(name: string, args: FaultArgs, specs: readonly FaultSpec[]): string | undefined {
  if (!specs.some((s) => s.name === name)) return `unknown fault "${name}"; try ${specs.map((s) => s.name).join('|')}`;
  return faultArgsProblem(args);
}

/**
 * A `fault:` text → its reply, the fault itself run just after (so a fault that closes or
 * cuts the link still lets the reply out first).
 */
export function runFaultText(text: string, specs: readonly FaultSpec[], run: (name: string, args: FaultArgs) => unknown): string {
  const { name, raw } = parseFaultText(text, specs);
  const args = faultArgs(raw);
  if ('error' in args) return faultReply(args);
  const problem = faultProblem(name, args, specs);
  if (problem) return faultReply({ error: problem });
  setImmediate(() => run(name, args));
  return faultReply({ fault: name });
}

/** The one-line answer a `fault:` text gets over the socket. */
export function faultReply(outcome: FaultOutcome): string {
  return 'error' in outcome ? `fault-error:${outcome.error}` : `fault-ok:${outcome.fault}`;
}
