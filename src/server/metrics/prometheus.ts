/**
 * `createSessionServer({ metrics: registry })`: the series of series.ts in a prom-client
 * `Registry` (prom-client is an optional peer dependency, required only here). Per-message
 * counts are plain numbers copied into their counters when scraped; gauges are read from the
 * cores when scraped; the two hot histograms count into plain arrays (histogram.ts). Several
 * cores may share one registry (the series then sum over them): one observer per registry.
 */
import type { Counter, Gauge } from 'prom-client';
import { PREFIX } from '../../errors';
import { requirePeer } from '../../shared/require-ws';
import type { WelcomeReason, classify } from '../../protocol';
import { isMemoryStore } from '../memory-store';
import type { SessionStore } from '../store';
import { BucketHistogram } from './histogram';
import type { Buckets } from './histogram';
import type { HubGauges, ServerObserver } from './observer';
import { RESUME_FAILURES, SERIES, closeCodeLabel } from './series';
import type { SeriesSpec } from './series';
import { timedStore } from './timed-store';

/**
 * A prom-client `Registry` (`new Registry()` or the default `register`), named by shape so these
 * types never require prom-client.
 */
export interface MetricsRegistry {
  registerMetric(metric: never): void;
  getSingleMetric(name: string): unknown;
  getMetricsAsJSON(): Promise<unknown[]>;
  metrics(): Promise<string>;
}

type Prom = typeof import('prom-client');

const METHODS = ['registerMetric', 'getSingleMetric', 'getMetricsAsJSON', 'metrics'] as const;

/** Whether `value` has a prom-client Registry's shape. */
export function isRegistry(value: unknown): value is MetricsRegistry {
  return typeof value === 'object' && value !== null && METHODS.every((m) => typeof (value as Record<string, unknown>)[m] === 'function');
}

const observers = new WeakMap<object, PrometheusObserver>();

/** The observer writing to `registry` (one per registry, made on first use; options.ts checked it is one). */
export function prometheusObserver(registry: MetricsRegistry): ServerObserver {
  let observer = observers.get(registry);
  if (!observer) {
    const prom = requirePeer('prom-client', 'option "metrics"') as Prom;
    observer = new PrometheusObserver(prom, registry);
    observers.set(registry, observer);
  }
  return observer;
}

/** Counts kept as plain numbers on the hot paths. */
interface Tally {
  opened: number;
  in: number;
  out: number;
  resentIn: number;
  resentOut: number;
}

class PrometheusObserver implements ServerObserver {
  readonly timed = true;
  private readonly tally: Tally = { opened: 0, in: 0, out: 0, resentIn: 0, resentOut: 0 };
  private readonly hubs = new Set<HubGauges>();
  private readonly started: Counter;
  private readonly resumes: Map<string, { inc(value?: number): void }>;
  private readonly takeovers: Counter;
  private readonly overflows: Counter;
  private readonly closes: Counter<string>;
  private readonly ackLatency: Buckets;
  private readonly storeSeconds: BucketHistogram;
  private readonly storeErrors: Counter<string>;

  constructor(private readonly prom: Prom, private readonly registry: MetricsRegistry) {
    const t = this.tally;
    this.counter(SERIES.linksOpened, [[{}, () => t.opened]]);
    this.counter(SERIES.messages, [[{ direction: 'in' }, () => t.in], [{ direction: 'out' }, () => t.out]]);
    this.counter(SERIES.resends, [[{ direction: 'in' }, () => t.resentIn], [{ direction: 'out' }, () => t.resentOut]]);
    this.gauge(SERIES.linksOpen, this.sum((h) => h.links()));
    this.gauge(SERIES.sessions, this.sum((h) => h.sessions()));
    this.gauge(SERIES.bufferedBytes, this.sum((h) => h.bufferedBytes()));
    this.gauge(SERIES.unacked, this.sum((h) => h.unacked()));
    this.gauge(SERIES.usersOnline, () => {
      const users = new Set<string>();
      for (const h of this.hubs) h.users(users);
      return users.size;
    });
    this.started = this.counter(SERIES.sessionsStarted);
    const resumes = this.counter(SERIES.resumes);
    this.resumes = new Map([['none', resumes.labels({ resumed: 'true', reason: 'none' })]]);
    for (const reason of RESUME_FAILURES) this.resumes.set(reason, resumes.labels({ resumed: 'false', reason }));
    for (const child of this.resumes.values()) child.inc(0);
    this.takeovers = this.counter(SERIES.takeovers);
    this.overflows = this.counter(SERIES.overflows);
    this.closes = this.counter(SERIES.closes);
    this.ackLatency = this.histogram(SERIES.ackLatency).child();
    this.storeSeconds = this.histogram(SERIES.storeSeconds);
    this.storeErrors = this.counter(SERIES.storeErrors);
  }

  // ---- ServerObserver ----

  linkOpened(): void {
    this.tally.opened++;
  }

  linkEnded(code: number): void {
    this.closes.inc({ code: closeCodeLabel(code) });
    if (code === 4409) this.takeovers.inc();
  }

  welcomed(reason: WelcomeReason | undefined): void {
    if (reason !== undefined) this.started.inc();
    if (reason !== 'new') this.resumes.get(reason ?? 'none')?.inc();
  }

  clientMessage(verdict: ReturnType<typeof classify>): void {
    if (verdict === 'deliver') this.tally.in++;
    else if (verdict === 'duplicate') this.tally.resentIn++;
  }

  serverMessage(first: boolean): void {
    if (first) this.tally.out++;
    else this.tally.resentOut++;
  }

  overflow(): void {
    this.overflows.inc();
  }

  acked(seconds: number): void {
    this.ackLatency.observe(seconds);
  }

  store(store: SessionStore): SessionStore {
    // Calls of the memory store are function calls in this process (microseconds): timing each
    // would cost more throughput than it could tell. Stores that do I/O are timed.
    if (isMemoryStore(store)) return store;
    return timedStore(store, (op) => {
      const seconds = this.storeSeconds.child(op);
      const errors = this.storeErrors.labels({ op });
      errors.inc(0);
      return (s, failed) => {
        seconds.observe(s);
        if (failed) errors.inc();
      };
    });
  }

  watch(gauges: HubGauges): () => void {
    this.hubs.add(gauges);
    return () => void this.hubs.delete(gauges);
  }

  // ---- the series ----

  private config(s: SeriesSpec): { name: string; help: string; labelNames: string[]; registers: never[] } {
    return { name: s.name, help: s.help, labelNames: [...s.labels], registers: [this.registry as never] };
  }

  /** A counter; with `tallies`, each labelled value is copied from a plain number when scraped. */
  private counter(s: SeriesSpec, tallies: Array<[Record<string, string>, () => number]> = []): Counter<string> {
    const pushed = tallies.map(() => 0);
    const counter: Counter<string> = this.make(s, () => new this.prom.Counter({
      ...this.config(s),
      collect() {
        tallies.forEach(([labels, read], i) => {
          const now = read();
          if (now > pushed[i]!) counter.inc(labels, now - pushed[i]!);
          pushed[i] = now;
        });
      },
    }));
    for (const [labels] of tallies) counter.inc(labels, 0);
    return counter;
  }

  /** A gauge set from `read` when scraped. */
  private gauge(s: SeriesSpec, read: () => number): void {
    const gauge: Gauge<string> = this.make(s, () => new this.prom.Gauge({ ...this.config(s), collect: (): void => gauge.set(read()) }));
  }

  /** `read` summed over the cores watched. */
  private sum(read: (h: HubGauges) => number): () => number {
    return () => {
      let total = 0;
      for (const h of this.hubs) total += read(h);
      return total;
    };
  }

  private histogram(s: SeriesSpec): BucketHistogram {
    return this.make(s, () => {
      const histogram = new BucketHistogram(s.name, s.help, s.buckets ?? [], s.labels[0]);
      this.registry.registerMetric(histogram as never);
      return histogram;
    });
  }

  private make<T>(s: SeriesSpec, create: () => T): T {
    try {
      return create();
    } catch (err) {
      throw new Error(`${PREFIX} option "metrics": cannot register ${s.name} (${(err as Error).message})`);
    }
  }
}
