/**
 * A histogram for the hot paths (an ack settling, a store call): an observation is a walk over
 * a dozen bounds into plain arrays, about a tenth of prom-client's Histogram.observe. The
 * registry reads it through the metric protocol it reads every metric by (`name`, `get()`,
 * `reset()`), the one prom-client's own AggregatorRegistry registers its results with; the
 * text is prom-client's.
 */

/** One label set's counts. */
export class Buckets {
  /** Observations ≤ each bound (not cumulative); the last slot is above every bound. */
  readonly counts: Float64Array;
  sum = 0;

  constructor(private readonly bounds: readonly number[]) {
    this.counts = new Float64Array(bounds.length + 1);
  }

  observe(value: number): void {
    const bounds = this.bounds;
    let i = 0;
    while (i < bounds.length && value > bounds[i]!) i++;
    this.counts[i]!++;
    this.sum += value;
  }
}

type Value = { labels: Record<string, string | number>; value: number; metricName: string };

export class BucketHistogram {
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  private readonly children = new Map<string, Buckets>();

  /** `label`: the one label's name, if any. */
  constructor(readonly name: string, readonly help: string, private readonly bounds: readonly number[], private readonly label?: string) {}

  /** The counts for one value of the label (made at zero on first use, so the series shows before any observation). */
  child(value = ''): Buckets {
    let b = this.children.get(value);
    if (!b) this.children.set(value, (b = new Buckets(this.bounds)));
    return b;
  }

  /** In prom-client's shape: per label set, cumulative `_bucket`s by `le`, then `_sum` and `_count`. */
  async get(): Promise<{ name: string; help: string; type: string; aggregator: string; values: Value[] }> {
    const values: Value[] = [];
    for (const [value, b] of this.children) {
      const labels: Record<string, string> = this.label ? { [this.label]: value } : {};
      let cumulative = 0;
      this.bounds.forEach((le, i) => {
        cumulative += b.counts[i]!;
        values.push({ labels: { le, ...labels }, value: cumulative, metricName: `${this.name}_bucket` });
      });
      const count = cumulative + b.counts[this.bounds.length]!;
      values.push({ labels: { le: '+Inf', ...labels }, value: count, metricName: `${this.name}_bucket` });
      values.push({ labels, value: b.sum, metricName: `${this.name}_sum` });
      values.push({ labels, value: count, metricName: `${this.name}_count` });
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }

  /** `registry.resetMetrics()`: every count back to zero (the label sets stay). */
  reset(): void {
    for (const b of this.children.values()) {
      b.counts.fill(0);
      b.sum = 0;
    }
  }
}
