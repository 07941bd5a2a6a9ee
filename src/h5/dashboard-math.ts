/**
 * The dashboard's numbers: from the samples `/dashboard/data` gave (counters cumulative, per
 * node), the columns its charts draw — gauges per node, rates per second, ack latency
 * quantiles over a window. A node that restarted starts its counters again from 0: a counter
 * that went down counts from 0, as Prometheus's rate() does. Pure, no DOM.
 */
import type { Buckets, DashboardData, NodeSample } from '../dev-server/dashboard-data';

type Series = NonNullable<NodeSample['series']>;

/** A counter's increase from `prev` to `now` (a reset counts from 0); null when either is missing. */
export function increase(prev: number | undefined, now: number | undefined): number | null {
  if (prev === undefined || now === undefined) return null;
  return now >= prev ? now - prev : now;
}

/** The observations between two cumulative histograms (a reset: all of `now`). */
export function bucketIncrease(prev: Buckets | undefined, now: Buckets): Buckets {
  if (!prev || prev.counts.length !== now.counts.length || (now.counts.at(-1) ?? 0) < (prev.counts.at(-1) ?? 0)) return now;
  return { le: now.le, counts: now.counts.map((c, i) => c - (prev.counts[i] ?? 0)) };
}

/** Sums histograms with the same bounds. */
export function addBuckets(a: Buckets | undefined, b: Buckets): Buckets {
  return a ? { le: b.le, counts: b.counts.map((c, i) => c + (a.counts[i] ?? 0)) } : b;
}

/**
 * The q-quantile (0 < q < 1) of the observations in cumulative `buckets`, in seconds, as
 * Prometheus's histogram_quantile: linear within the bucket it falls in; the highest finite
 * bound when it falls in +Inf; null with no observation.
 */
export function quantile(q: number, buckets: Buckets): number | null {
  const total = buckets.counts.at(-1) ?? 0;
  if (total <= 0) return null;
  const rank = q * total;
  for (let i = 0; i < buckets.le.length; i++) {
    const upTo = buckets.counts[i] ?? 0;
    if (upTo >= rank) {
      const below = i === 0 ? 0 : (buckets.counts[i - 1] ?? 0);
      const lower = i === 0 ? 0 : (buckets.le[i - 1] ?? 0);
      const upper = buckets.le[i] ?? 0;
      return upTo === below ? upper : lower + ((upper - lower) * (rank - below)) / (upTo - below);
    }
  }
  return buckets.le.at(-1) ?? null;
}

/** What the charts draw, one entry per sample (null: no value then). */
export interface Columns {
  /** Seconds since the epoch. */
  t: number[];
  /** Per node, by name: links open, sessions (null while the node is down). */
  links: Record<string, Array<number | null>>;
  sessions: Record<string, Array<number | null>>;
  linksTotal: number[];
  sessionsTotal: number[];
  users: number[];
  /** Per second, summed over the nodes. */
  in: Array<number | null>;
  out: Array<number | null>;
  resent: Array<number | null>;
  resumed: Array<number | null>;
  resyncs: Array<number | null>;
  takeovers: Array<number | null>;
  /** Ack latency over the window, in ms. */
  p50: Array<number | null>;
  p99: Array<number | null>;
  /** Closes per second, by code label. */
  closes: Record<string, Array<number | null>>;
}

const seriesOf = (d: DashboardData, name: string): Series | undefined => d.nodes.find((n) => n.name === name)?.series;
const sum = (xs: Array<number | undefined>): number => xs.reduce<number>((a, x) => a + (x ?? 0), 0);

/** A counter's rate per second between two samples, summed over the nodes scraped in both. */
function rate(prev: DashboardData, now: DashboardData, pick: (s: Series) => number): number | null {
  const seconds = (now.t - prev.t) / 1000;
  if (seconds <= 0) return null;
  let total: number | null = null;
  for (const node of now.nodes) {
    const before = seriesOf(prev, node.name);
    const inc = node.series && before ? increase(pick(before), pick(node.series)) : null;
    if (inc !== null) total = (total ?? 0) + inc;
  }
  return total === null ? null : total / seconds;
}

/** Ack latency observations from `prev` to `now`, over every node. */
function ackWindow(prev: DashboardData, now: DashboardData): Buckets | undefined {
  let merged: Buckets | undefined;
  for (const node of now.nodes) {
    if (node.series) merged = addBuckets(merged, bucketIncrease(seriesOf(prev, node.name)?.ack, node.series.ack));
  }
  return merged;
}

const COUNTERS: Record<'in' | 'out' | 'resumed' | 'resyncs' | 'takeovers', (s: Series) => number> = {
  in: (s) => s.in,
  out: (s) => s.out,
  resumed: (s) => s.resumed,
  resyncs: (s) => s.resyncs,
  takeovers: (s) => s.takeovers,
};

/** The columns for `samples` (oldest first); quantiles over the last `window` samples. */
export function columns(samples: DashboardData[], window = 5): Columns {
  const names = [...new Set(samples.flatMap((d) => d.nodes.map((n) => n.name)))];
  const codes = [...new Set(samples.flatMap((d) => d.nodes.flatMap((n) => Object.keys(n.series?.closes ?? {}))))].sort();
  const c: Columns = {
    t: [], links: {}, sessions: {}, linksTotal: [], sessionsTotal: [], users: [],
    in: [], out: [], resent: [], resumed: [], resyncs: [], takeovers: [], p50: [], p99: [], closes: {},
  };
  for (const name of names) {
    c.links[name] = [];
    c.sessions[name] = [];
  }
  for (const code of codes) c.closes[code] = [];
  samples.forEach((now, i) => {
    const prev = samples[i - 1];
    c.t.push(now.t / 1000);
    for (const name of names) {
      const s = seriesOf(now, name);
      c.links[name]!.push(s ? s.links : null);
      c.sessions[name]!.push(s ? s.sessions : null);
    }
    c.linksTotal.push(sum(now.nodes.map((n) => n.series?.links)));
    c.sessionsTotal.push(sum(now.nodes.map((n) => n.series?.sessions)));
    c.users.push(sum(now.nodes.map((n) => n.series?.users)));
    for (const key of Object.keys(COUNTERS) as Array<keyof typeof COUNTERS>) c[key].push(prev ? rate(prev, now, COUNTERS[key]) : null);
    c.resent.push(prev ? rate(prev, now, (s) => s.resentIn + s.resentOut) : null);
    for (const code of codes) c.closes[code]!.push(prev ? rate(prev, now, (s) => s.closes[code] ?? 0) : null);
    const from = samples[Math.max(0, i - window)];
    const ack = from && from !== now ? ackWindow(from, now) : undefined;
    c.p50.push(ack ? ms(quantile(0.5, ack)) : null);
    c.p99.push(ack ? ms(quantile(0.99, ack)) : null);
  });
  return c;
}

const ms = (seconds: number | null): number | null => (seconds === null ? null : Math.round(seconds * 100000) / 100);
