/**
 * Bench section "server": ours (memory store, redisStore) beside socket.io 4.8 with connection
 * state recovery — acked throughput both ways, memory per idle session, resume of 1 000
 * buffered messages, loss under forced drops, Redis commands per message. Each figure: 3
 * repetitions in fresh processes, kinds interleaved, medians (min–max).
 */
import type { BenchIo } from './bench-common';
import { median, ratioRow, sig3, spread } from './bench-common';
import { VARIANTS } from './bench-host-ours';
import { KINDS } from './bench-peer-types';
import type { Kind } from './bench-peer-types';
import { marks, withRun } from './bench-run';
import type { Marks, Run } from './bench-run';
import { sleep } from './wait';

export const WINDOW = 100;
const N = 20000;
const WARM = 5000;
const IDLE = 5000;

export type Rec = Record<string, number>;
export type Results = Record<Kind, Rec[]>;
export const emptyResults = (): Results => ({ memory: [], redis: [], socketio: [] });
export const reps = (io: BenchIo): number => (io.cpuProf ? 1 : 3);

/** Connects `n` clients spread over the run's hosts (through the fault proxy when `proxy`) and waits until every host has its share. */
export async function connectClients(run: Run, n: number, proxy = false): Promise<void> {
  const before = await Promise.all(run.hosts.map((h) => h.call<number>('wait', { n: 0 })));
  await run.load.call('connect', { kind: run.kind, ports: run.ports, n, proxy }, 600000);
  await Promise.all(run.hosts.map((h, i) => h.call('wait', { n: before[i]! + Math.floor(n / run.hosts.length) + (i < n % run.hosts.length ? 1 : 0) }, 600000)));
}

/** Per-message costs between two marks: server CPU µs, Redis CPU µs, Redis commands. */
export function costs(m0: Marks, m1: Marks, n: number): Rec {
  return { cpuUs: ((m1.cpu - m0.cpu) / n) * 1e6, redisUs: ((m1.redisCpu - m0.redisCpu) / n) * 1e6, cmds: (m1.commands - m0.commands) / n };
}

async function clientToServer(run: Run): Promise<Rec> {
  await connectClients(run, 1);
  await run.load.call('c2s', { n: WARM, window: WINDOW });
  const m0 = await marks(run);
  const s = await run.load.call<number>('c2s', { n: N, window: WINDOW });
  return { rate: N / s, ...costs(m0, await marks(run), N) };
}

async function serverToClient(run: Run): Promise<Rec> {
  await connectClients(run, 1);
  await run.hosts[0]!.call('push', { n: WARM, window: WINDOW });
  const m0 = await marks(run);
  const s = await run.hosts[0]!.call<number>('push', { n: N, window: WINDOW });
  return { rate: N / s, ...costs(m0, await marks(run), N) };
}

async function idleMemory(run: Run): Promise<Rec> {
  type Usage = { rss: number; heapUsed: number };
  await connectClients(run, 500); // warm-up: code and pools are not per-session cost
  const u0 = await run.hosts[0]!.call<Usage>('usage');
  await connectClients(run, IDLE);
  await sleep(500);
  const u1 = await run.hosts[0]!.call<Usage>('usage');
  return { rss: (u1.rss - u0.rss) / IDLE, heap: (u1.heapUsed - u0.heapUsed) / IDLE };
}

/** The link is cut while the server sends 1 000 messages; from the new link's open to the last of them. First round is a warm-up. */
async function resume(run: Run): Promise<Rec> {
  await connectClients(run, 1, true);
  // Warm-up with unacknowledged sends: socket.io recovers from the last stored packet a client saw.
  await run.hosts[0]!.call('paced', { n: 1000, rate: 20000 });
  await sleep(300);
  const times: number[] = [];
  for (let round = 0; round < 4; round++) {
    await run.load.call('hold');
    await run.hosts[0]!.call('buffer', { n: 1000 });
    const ms = await run.load.call<number>('resume', { n: 1000 });
    if (round > 0) times.push(ms);
    await sleep(300); // the client's acks reach the server: the next round starts from an empty buffer
  }
  return { ms: median(times) };
}

export const DROP = { n: 6000, rate: 2000, everyMs: 300 };
/** Server→client at 2 000 msg/s for 3 s while the link is cut every 300 ms (a TCP reset, no close frame). */
async function forcedDrop(run: Run): Promise<Rec> {
  await connectClients(run, 1, true);
  await run.load.call('reset');
  let sending = true;
  const paced = run.hosts[0]!.call('paced', DROP).finally(() => (sending = false));
  let drops = 0;
  while (sending) {
    await sleep(DROP.everyMs);
    if (sending) {
      await run.load.call('drop');
      drops++;
    }
  }
  await paced;
  const r = await run.load.call<Rec>('sequence', { n: DROP.n });
  return { ...r, drops };
}

const SCENARIOS: Record<string, (run: Run) => Promise<Rec>> = { c2s: clientToServer, s2c: serverToClient, idle: idleMemory, resume, drop: forcedDrop };

/** Runs every scenario for every kind, `reps` times, kinds interleaved within each repetition. */
async function measure(io: BenchIo): Promise<Record<string, Results>> {
  const out: Record<string, Results> = {};
  for (let rep = 0; rep < reps(io); rep++) {
    for (const [name, scenario] of Object.entries(SCENARIOS)) {
      const results = (out[name] ??= emptyResults());
      for (const kind of KINDS) {
        io.progress(`server: ${name}, ${kind}, repetition ${rep + 1}/${reps(io)}`);
        results[kind].push((await withRun(io, { kind, label: name }, scenario)) ?? {});
      }
    }
  }
  return out;
}

/** One peer-table row: `pick` of each kind's repetitions as "median (min–max)". */
export function peerRow(title: string, r: Results, pick: (x: Rec) => number, f?: (x: number) => string): string[] {
  return [title, ...KINDS.map((k) => spread(r[k].map(pick), f))];
}

/** Median of per-repetition ratios a/b (a repetition measures both, so drift hits both). */
export function pairedRatio(a: Rec[], b: Rec[], pick: (x: Rec) => number): number {
  const ratios = a.map((x, i) => pick(x) / pick(b[i] ?? {})).filter(Number.isFinite);
  return ratios.length ? median(ratios) : NaN;
}

export async function peersBench(io: BenchIo): Promise<void> {
  const r = await measure(io);
  const us = (x: number): string => `${sig3(x)} µs`;
  const kb = (x: number): string => `${(x / 1024).toFixed(1)} KB`;
  const drop = (k: Kind): string => {
    const sum = (f: string): number => r.drop![k].reduce((a, x) => a + (x[f] ?? NaN), 0);
    return Number.isFinite(sum('lost')) ? `${sum('lost')}/${sum('dup')}/${sum('outOfOrder')} (${sum('drops')} drops)` : '—';
  };
  io.peers?.push(
    peerRow('client→server acked msg/s', r.c2s!, (x) => x.rate!),
    peerRow('  server CPU per message, c→s', r.c2s!, (x) => x.cpuUs!, us),
    peerRow('server→client acked msg/s', r.s2c!, (x) => x.rate!),
    peerRow('  server CPU per message, s→c', r.s2c!, (x) => x.cpuUs!, us),
    ['Redis commands per message, c→s / s→c', '', `${spread(r.c2s!.redis.map((x) => x.cmds!))} / ${spread(r.s2c!.redis.map((x) => x.cmds!))}`, ''],
    ['  Redis CPU per message, c→s / s→c', '', `${spread(r.c2s!.redis.map((x) => x.redisUs!), us)} / ${spread(r.s2c!.redis.map((x) => x.redisUs!), us)}`, ''],
    peerRow(`server RSS per idle session (${IDLE} sessions)`, r.idle!, (x) => x.rss!, kb),
    peerRow('  JS heap per idle session', r.idle!, (x) => x.heap!, kb),
    peerRow('resume: new link open → last of 1 000 buffered received, ms', r.resume!, (x) => x.ms!),
    [`forced drop, s→c (${DROP.n} at ${DROP.rate}/s, link cut every ${DROP.everyMs} ms): lost/dup/out of order, summed over runs`, ...KINDS.map(drop)],
  );
  const ratio = pairedRatio(r.s2c!.redis, r.s2c!.memory, (x) => x.rate!);
  io.rows.push(ratioRow('S1. Redis store ÷ memory store, server→client acked msg/s', ratio, '≥', 0.6, `${spread(r.s2c!.redis.map((x) => x.rate!))} vs ${spread(r.s2c!.memory.map((x) => x.rate!))} msg/s; Redis commands per message s→c ${spread(r.s2c!.redis.map((x) => x.cmds!))} (goal ≤ 3)`));
  await variantRow(io);
}

/**
 * Metrics on ÷ off (issue 18): client→server acked sends with the server variant `metrics`
 * (VARIANTS in bench-host-ours.ts) against the plain server, memory store, in the pinned host
 * processes (rows M1–M3 measure the same in one process).
 */
async function variantRow(io: BenchIo): Promise<void> {
  const title = 'S2. Metrics on ÷ off, client→server acked msg/s (memory store)';
  if (!VARIANTS.metrics) {
    io.rows.push([title, 'not measured: createSessionServer has no metrics option yet (issue 18); adding a "metrics" entry to VARIANTS in scripts/bench-host-ours.ts turns this row on', '≥ 0.95', 'gap: not measured']);
    return;
  }
  const on: Rec[] = [];
  const off: Rec[] = [];
  for (let rep = 0; rep < reps(io); rep++) {
    io.progress(`server: metrics on/off, repetition ${rep + 1}`);
    off.push((await withRun(io, { kind: 'memory', label: 'metrics-off' }, clientToServer)) ?? {});
    on.push((await withRun(io, { kind: 'memory', label: 'metrics-on', variant: 'metrics' }, clientToServer)) ?? {});
  }
  io.rows.push(ratioRow(title, pairedRatio(on, off, (x) => x.rate!), '≥', 0.95, `${spread(on.map((x) => x.rate!))} vs ${spread(off.map((x) => x.rate!))} msg/s`));
}
