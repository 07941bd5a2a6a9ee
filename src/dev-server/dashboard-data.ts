/**
 * What the dashboard page polls (`GET /dashboard/data`): per node, the session server's series
 * as plain numbers (counters cumulative: the page takes rates between polls), the ack latency
 * histogram's buckets, and the journal of faults and node deaths. Pure.
 */
import type { DevEvent } from './journal';
import { SERIES } from './sessions';

/** One series as prom-client's `getMetricsAsJSON()` gives it. */
export interface MetricJson {
  name: string;
  type: string;
  help: string;
  values: Array<{ value: number; labels: Record<string, string | number | undefined>; metricName?: string }>;
  aggregator?: string;
}

/** One node's series when scraped; `metrics` undefined: the node is down (or has no metrics). */
export interface NodeScrape {
  name: string;
  alive: boolean;
  metrics?: MetricJson[];
}

export interface Buckets {
  /** Finite upper bounds in seconds, ascending. */
  le: number[];
  /** Cumulative counts, one per bound, then the total (+Inf). */
  counts: number[];
}

export interface NodeSample {
  name: string;
  alive: boolean;
  /** Undefined when the node could not be scraped (down). */
  series?: {
    links: number;
    sessions: number;
    users: number;
    buffered: number;
    unacked: number;
    in: number;
    out: number;
    resentIn: number;
    resentOut: number;
    resumed: number;
    /** Hellos naming a session that got a new one instead: the client resyncs. */
    resyncs: number;
    takeovers: number;
    overflows: number;
    /** Links ended, by close code label. */
    closes: Record<string, number>;
    ack: Buckets;
  };
}

export interface DashboardData {
  /** `Date.now()` of the scrape. */
  t: number;
  mode: 'single' | 'cluster';
  nodes: NodeSample[];
  events: DevEvent[];
  /** Why there are no series (prom-client is not installed). */
  missing?: string;
}

type Values = MetricJson['values'];

const valuesOf = (metrics: MetricJson[], name: string): Values => metrics.find((m) => m.name === name)?.values ?? [];
const total = (values: Values, match: Record<string, string> = {}): number =>
  values.filter((v) => Object.entries(match).every(([k, want]) => String(v.labels[k]) === want)).reduce((sum, v) => sum + v.value, 0);

function bucketsOf(values: Values, name: string): Buckets {
  const rows = values
    .filter((v) => v.metricName === `${name}_bucket`)
    .map((v) => ({ le: v.labels.le === '+Inf' ? Infinity : Number(v.labels.le), count: v.value }))
    .sort((a, b) => a.le - b.le);
  return { le: rows.filter((r) => r.le !== Infinity).map((r) => r.le), counts: rows.map((r) => r.count) };
}

function closesOf(values: Values): Record<string, number> {
  const closes: Record<string, number> = {};
  for (const v of values) closes[String(v.labels.code)] = (closes[String(v.labels.code)] ?? 0) + v.value;
  return closes;
}

/** One node's scrape → its sample. */
export function nodeSample(scrape: NodeScrape): NodeSample {
  const m = scrape.metrics;
  if (!m) return { name: scrape.name, alive: scrape.alive };
  const get = (key: keyof typeof SERIES): Values => valuesOf(m, SERIES[key].name);
  const resumes = get('resumes');
  return {
    name: scrape.name,
    alive: scrape.alive,
    series: {
      links: total(get('linksOpen')),
      sessions: total(get('sessions')),
      users: total(get('usersOnline')),
      buffered: total(get('bufferedBytes')),
      unacked: total(get('unacked')),
      in: total(get('messages'), { direction: 'in' }),
      out: total(get('messages'), { direction: 'out' }),
      resentIn: total(get('resends'), { direction: 'in' }),
      resentOut: total(get('resends'), { direction: 'out' }),
      resumed: total(resumes, { resumed: 'true' }),
      resyncs: total(resumes, { resumed: 'false' }),
      takeovers: total(get('takeovers')),
      overflows: total(get('overflows')),
      closes: closesOf(get('closes')),
      ack: bucketsOf(get('ackLatency'), SERIES.ackLatency.name),
    },
  };
}

/** Every node's scrape, at `t`, with the journal → what `/dashboard/data` answers. */
export function dashboardData(t: number, mode: DashboardData['mode'], scrapes: NodeScrape[], events: DevEvent[], missing?: string): DashboardData {
  return { t, mode, nodes: scrapes.map(nodeSample), events, ...(missing ? { missing } : {}) };
}
