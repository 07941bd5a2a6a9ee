/** The kit's options: defaults, validation, and the command line that sets them. */

export interface ConformanceOptions {
  /** The server under test: `ws://` or `wss://`. */
  url: string;
  /** Headers of every link (the first user's credentials). Never printed. */
  headers: Record<string, string>;
  /** A second user's headers, for "another user's session → forbidden"; without them (or `urlB`) that check is SKIP. */
  headersB?: Record<string, string>;
  /** A second user's URL for the same server, when credentials travel in the URL (`?token=`, `?user=`). Never printed. */
  urlB?: string;
  /** Check the session protocol too (PROTOCOL.md), not only the heartbeat. @default false */
  session: boolean;
  /** The server's `maxBuffered`: the overflow check pushes one more, every other push stays below. @default 1000 */
  maxBuffered: number;
  /** The server's `maxSessionsPerUser`. @default 20 */
  maxSessions: number;
  /** The server's `ackDelay`, in ms. @default 50 */
  ackDelay: number;
  /** The server's `helloTimeout`, in ms. @default 10000 */
  helloTimeout: number;
  /** How long to wait for a frame the rules say must come, in ms. @default 5000 */
  timeout: number;
  /** Allowance on every timed rule for the network and the machine, in ms. @default 1000 */
  slack: number;
  /** How long a quiet link is watched for frames that must NOT come (resends, replays), in ms. @default 2000 */
  watch: number;
  /** The longest single wait a check may make (1.5 × a ttl, 1.5 × helloTimeout); checks needing more are SKIP. @default 20000 */
  maxWait: number;
  /** Messages each way in the chaos run; 0 skips it. @default 200 */
  chaos: number;
  /** Run only the checks whose id starts with one of these (plus what they need). @default all */
  only?: string[];
  /** Write the report as Markdown to this file. */
  report?: string;
  /** Print the report as JSON instead of text. @default false */
  json: boolean;
}

export const CONFORMANCE_DEFAULTS = Object.freeze({
  session: false,
  maxBuffered: 1000,
  maxSessions: 20,
  ackDelay: 50,
  helloTimeout: 10000,
  timeout: 5000,
  slack: 1000,
  watch: 2000,
  maxWait: 20000,
  chaos: 200,
  json: false,
});

export const USAGE = `usage: wx-socket-conformance <ws-url> [options]

Checks a WebSocket server against the heartbeat (ping → pong) and, with --session, against
every rule of the session protocol (PROTOCOL.md) a client can observe. Exit 0 only when no check FAILs.

  --header K:V        a header for every link (repeat it); the first user's credentials
  --header-b K:V      a second user's headers (repeat it), for "another user's session → forbidden"
  --url-b URL         a second user's URL, when credentials travel in it (?token=…, ?user=…)
  --session           check the session protocol too (the server keeps the test contract)
  --max-buffered N    the server's maxBuffered (default 1000)
  --max-sessions N    the server's maxSessionsPerUser (default 20)
  --ack-delay MS      the server's ackDelay (default 50)
  --hello-timeout MS  the server's helloTimeout (default 10000)
  --timeout MS        wait for an expected frame (default 5000)
  --slack MS          allowance on every timed rule (default 1000)
  --watch MS          watch a quiet link for frames that must not come (default 2000)
  --max-wait MS       longest single wait of a check; longer ones SKIP (default 20000)
  --chaos N           messages each way in the chaos run; 0 skips it (default 200)
  --only ID[,ID…]     only the checks whose id starts with these (e.g. rule4,rule6)
  --report FILE.md    also write the report as Markdown
  --json              print the report as JSON
  --help              this text`;

/** A command-line mistake: the CLI prints it with the usage and exits 2. */
export class UsageError extends Error {}

type Numeric = 'maxBuffered' | 'maxSessions' | 'ackDelay' | 'helloTimeout' | 'timeout' | 'slack' | 'watch' | 'maxWait' | 'chaos';
const NUMERIC: Record<string, Numeric> = {
  '--max-buffered': 'maxBuffered',
  '--max-sessions': 'maxSessions',
  '--ack-delay': 'ackDelay',
  '--hello-timeout': 'helloTimeout',
  '--timeout': 'timeout',
  '--slack': 'slack',
  '--watch': 'watch',
  '--max-wait': 'maxWait',
  '--chaos': 'chaos',
};
/** Options that may be 0. */
const ZERO_OK: Numeric[] = ['ackDelay', 'slack', 'chaos'];

/** `process.argv.slice(2)` → options; throws `UsageError` naming what was wrong. */
export function parseArgs(argv: string[]): Partial<ConformanceOptions> & { url: string } {
  const out: Partial<ConformanceOptions> & { headers: Record<string, string> } = { headers: {} };
  let url: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new UsageError(`${arg} needs a value`);
      return v;
    };
    if (arg === '--session') out.session = true;
    else if (arg === '--json') out.json = true;
    else if (arg === '--header') addHeader(out.headers, arg, value());
    else if (arg === '--header-b') addHeader((out.headersB ??= {}), arg, value());
    else if (arg === '--url-b') out.urlB = value();
    else if (arg === '--report') out.report = value();
    else if (arg === '--only') out.only = value().split(',').map((s) => s.trim()).filter(Boolean);
    else if (NUMERIC[arg]) out[NUMERIC[arg]] = Number(value());
    else if (arg.startsWith('-')) throw new UsageError(`unknown option ${arg}`);
    else if (url === undefined) url = arg;
    else throw new UsageError(`one URL only (got "${url}" and a second one)`);
  }
  if (url === undefined) throw new UsageError('the server\'s ws:// or wss:// URL is missing');
  return { ...out, url };
}

function addHeader(into: Record<string, string>, flag: string, text: string): void {
  const colon = text.indexOf(':');
  const name = colon > 0 ? text.slice(0, colon).trim() : '';
  if (!name || /[^!#$%&'*+.^_`|~0-9A-Za-z-]/.test(name)) throw new UsageError(`${flag} takes "Name: value" (got a value without a valid header name)`);
  into[name] = text.slice(colon + 1).trim();
}

/** Fills defaults and validates; throws `TypeError` naming the option. */
export function resolveOptions(given: Partial<ConformanceOptions> & { url: string }): ConformanceOptions {
  const o: ConformanceOptions = { ...CONFORMANCE_DEFAULTS, headers: {}, ...stripUndefined(given), url: given.url };
  if (!isWsUrl(o.url)) throw new TypeError('[wx-socket-manager] conformance: the URL must be a ws:// or wss:// URL');
  if (o.urlB !== undefined && !isWsUrl(o.urlB)) throw new TypeError('[wx-socket-manager] conformance: option "urlB" must be a ws:// or wss:// URL');
  for (const key of Object.values(NUMERIC)) {
    const n = o[key];
    const min = ZERO_OK.includes(key) ? 0 : 1;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < min) throw new TypeError(`[wx-socket-manager] conformance: option "${key}" must be a whole number ≥ ${min}`);
  }
  if (o.maxBuffered > 9999) throw new TypeError('[wx-socket-manager] conformance: option "maxBuffered" must be ≤ 9999 (the test contract pushes at most 10000)');
  if (o.chaos > 100000) throw new TypeError('[wx-socket-manager] conformance: option "chaos" must be ≤ 100000');
  return o;
}

function isWsUrl(url: unknown): boolean {
  if (typeof url !== 'string' || !/^wss?:\/\/[^/?#]+/i.test(url)) return false;
  try {
    return !!new URL(url);
  } catch {
    return false;
  }
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** The URL as it may be printed: no query (tokens live there) and no user info. */
export function printableUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}${u.search ? '?…' : ''}`;
  } catch {
    return url.replace(/[?#].*$/, '?…');
  }
}
