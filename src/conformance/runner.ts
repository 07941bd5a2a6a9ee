/**
 * `runConformance(options)`: runs the checks in order (the mostly-waiting ones beside the
 * others), each with its own links, closed when it ends; a check whose needs did not PASS is
 * SKIP, naming them. Never throws for what a server does: that is a FAIL line.
 */
import { randomBytes } from 'crypto';
import { Mismatch, Skip } from './verdicts';
import type { Check, CheckContext, CheckResult } from './check';
import { chaos } from './chaos';
import { DELIVERY_CHECKS } from './checks/delivery';
import { HANDSHAKE_CHECKS } from './checks/handshake';
import { HEARTBEAT_CHECKS } from './checks/heartbeat';
import { HELLO_TIMEOUT_CHECK, LIMIT_CHECKS } from './checks/limits';
import { EXPIRY_CHECK, LOST_CHECKS } from './checks/lost';
import { RESUME_CHECKS } from './checks/resume';
import { WHOLE_RUN_CHECKS } from './checks/whole-run';
import { printableUrl, resolveOptions } from './options';
import type { ConformanceOptions } from './options';
import { Probe, loadWs } from './probe';

export interface ConformanceReport {
  /** The server, without its query. */
  url: string;
  session: boolean;
  startedAt: string;
  ms: number;
  /** In the order of PROTOCOL.md. */
  checks: CheckResult[];
  figures: Record<string, number | string>;
  summary: { pass: number; fail: number; skip: number };
}

/**
 * Every check, in the order they start (and are reported): the mostly-waiting ones start beside
 * the chaos run, the whole-run checks judge the links of all the others.
 */
export const CHECKS: readonly Check[] = [
  ...HEARTBEAT_CHECKS,
  ...HANDSHAKE_CHECKS,
  ...LOST_CHECKS,
  ...RESUME_CHECKS,
  ...DELIVERY_CHECKS,
  ...LIMIT_CHECKS,
  EXPIRY_CHECK,
  HELLO_TIMEOUT_CHECK,
  chaos,
  ...WHOLE_RUN_CHECKS,
];

export async function runConformance(given: Partial<ConformanceOptions> & { url: string }, onResult: (r: CheckResult) => void = () => undefined): Promise<ConformanceReport> {
  const options = resolveOptions(given);
  loadWs();
  const started = Date.now();
  const run = randomBytes(4).toString('base64url');
  let tags = 0;
  const history: Probe[] = [];
  const figures: Record<string, number | string> = {};
  const results = new Map<string, Promise<CheckResult>>();
  const selected = selectChecks(options);
  const start = (check: Check): Promise<CheckResult> => {
    const result = runOne(check, { options, tag: () => `wxc-${run}-${++tags}`, history, figures }, results).then((r) => {
      onResult(r);
      return r;
    });
    results.set(check.id, result);
    return result;
  };
  const last = selected.filter((c) => WHOLE_RUN_CHECKS.includes(c));
  for (const check of selected.filter((c) => !last.includes(c))) {
    // A background check (mostly waiting) runs beside the ones after it.
    if (check.background) void start(check);
    else await start(check);
  }
  await Promise.all(results.values());
  for (const check of last) await start(check);
  const checks = await Promise.all(selected.map((c) => results.get(c.id)!));
  const count = (s: CheckResult['status']): number => checks.filter((r) => r.status === s).length;
  return {
    url: printableUrl(options.url),
    session: options.session,
    startedAt: new Date(started).toISOString(),
    ms: Date.now() - started,
    checks,
    figures,
    summary: { pass: count('PASS'), fail: count('FAIL'), skip: count('SKIP') },
  };
}

/** The checks a run makes: session ones only with --session; with --only, those and what they need (none: a TypeError). */
export function selectChecks(options: ConformanceOptions): Check[] {
  const pool = CHECKS.filter((c) => options.session || !c.session);
  if (!options.only) return pool;
  const wanted = new Set<string>();
  const add = (c: Check | undefined): void => {
    if (!c || wanted.has(c.id)) return;
    wanted.add(c.id);
    for (const need of c.needs ?? []) add(pool.find((p) => p.id === need));
  };
  for (const c of pool) if (options.only.some((prefix) => c.id.startsWith(prefix))) add(c);
  if (wanted.size === 0) {
    throw new TypeError(`[wx-socket-manager] conformance: option "only" names no check${options.session ? '' : ' without --session'}; the checks: ${pool.map((c) => c.id).join(', ')}`);
  }
  return pool.filter((c) => wanted.has(c.id));
}

interface Shared {
  options: ConformanceOptions;
  tag(): string;
  history: Probe[];
  figures: Record<string, number | string>;
}

async function runOne(check: Check, shared: Shared, results: Map<string, Promise<CheckResult>>): Promise<CheckResult> {
  const t0 = Date.now();
  const done = (r: Partial<CheckResult> & Pick<CheckResult, 'status'>): CheckResult => ({ id: check.id, rule: check.rule, title: check.title, ms: Date.now() - t0, ...r });
  for (const need of check.needs ?? []) {
    const r = await results.get(need);
    if (r && r.status !== 'PASS') return done({ status: 'SKIP', why: `needs "${need}" (${r.rule}) to PASS; it was ${r.status}` });
  }
  const probes: Probe[] = [];
  const { options } = shared;
  const ctx: CheckContext = {
    options,
    tag: shared.tag,
    history: shared.history,
    figure: (name, value) => void (shared.figures[name] = value),
    async open(user = 'a') {
      const [url, headers] = user === 'b' ? [options.urlB ?? options.url, options.headersB ?? {}] : [options.url, options.headers];
      const p = await Probe.connect(url, headers, `${check.id} ${user === 'b' ? 'B' : 'L'}${probes.length + 1}`, options.timeout);
      probes.push(p);
      shared.history.push(p);
      return p;
    },
  };
  let guard: ReturnType<typeof setTimeout> | undefined;
  const limit = 120000 + options.maxWait + options.maxBuffered * 20 + options.chaos * 50;
  try {
    const note = await Promise.race([
      check.run(ctx),
      new Promise<never>((_, reject) => (guard = setTimeout(() => reject(new Mismatch(`the check to end within ${limit} ms`, 'it did not')), limit))),
    ]);
    return done(note ? { status: 'PASS', note } : { status: 'PASS' });
  } catch (err) {
    if (err instanceof Skip) return done({ status: 'SKIP', why: err.why });
    if (err instanceof Mismatch) return done({ status: 'FAIL', evidence: { expected: err.expected, seen: err.seen } });
    return done({ status: 'FAIL', evidence: { expected: 'the check to run to its end', seen: (err as Error).message ?? String(err) } });
  } finally {
    clearTimeout(guard);
    for (const p of probes) if (!p.closed) p.kill();
  }
}
