/**
 * Prometheus text (exposition format 0.0.4) parsed back strictly, as a scraper reads it: every
 * sample line must belong to a family declared by `# TYPE` (a histogram's `_bucket`, `_sum` and
 * `_count` included), label values are unescaped, a sample repeated is an error. Tests read
 * series by name and labels, as numbers.
 */

export interface Scraped {
  /** Family names, in the order of the text. */
  names: string[];
  /** `counter`, `gauge`, `histogram`…, or undefined. */
  type(name: string): string | undefined;
  help(name: string): string | undefined;
  /** The sample `name` with exactly these labels (undefined: none). */
  value(name: string, labels?: Record<string, string>): number | undefined;
  /** Every sample named `name`: its labels as `k=v,…` (sorted, `le` included) → value. */
  values(name: string): Record<string, number>;
  /** A histogram's sample: its `_count`, `_sum` and `_bucket`s by `le`. */
  histogram(name: string, labels?: Record<string, string>): { count: number; sum: number; buckets: Record<string, number> } | undefined;
}

const key = (labels: Record<string, string>): string => Object.keys(labels).sort().map((k) => `${k}=${labels[k]}`).join(',');
const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/;
const LABEL = /\s*([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*(,|$)/y;

function labelsOf(text: string | undefined, line: string): Record<string, string> {
  const labels: Record<string, string> = {};
  if (!text) return labels;
  LABEL.lastIndex = 0;
  while (LABEL.lastIndex < text.length) {
    const m = LABEL.exec(text);
    if (!m) throw new Error(`bad labels in: ${line}`);
    if (m[1]! in labels) throw new Error(`label ${m[1]} twice in: ${line}`);
    labels[m[1]!] = m[2]!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
  }
  return labels;
}

function number(text: string, line: string): number {
  const n = text === '+Inf' ? Infinity : text === '-Inf' ? -Infinity : Number(text);
  if (Number.isNaN(n) && text !== 'NaN') throw new Error(`bad value in: ${line}`);
  return n;
}

export function scraped(text: string): Scraped {
  const types = new Map<string, string>();
  const helps = new Map<string, string>();
  const samples = new Map<string, Map<string, number>>();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const meta = /^# (HELP|TYPE) (\S+) (.*)$/.exec(line);
    if (meta) {
      (meta[1] === 'TYPE' ? types : helps).set(meta[2]!, meta[3]!);
      continue;
    }
    const m = SAMPLE.exec(line);
    if (!m) throw new Error(`not a sample line: ${line}`);
    const [, name, labelText, value] = m;
    const family = [name!, name!.replace(/_(bucket|sum|count)$/, '')].find((f) => types.has(f));
    if (!family || (family !== name && types.get(family) !== 'histogram')) throw new Error(`sample of no declared family: ${line}`);
    const byLabels = samples.get(name!) ?? new Map<string, number>();
    samples.set(name!, byLabels);
    const k = key(labelsOf(labelText, line));
    if (byLabels.has(k)) throw new Error(`sample repeated: ${line}`);
    byLabels.set(k, number(value!, line));
  }
  const get = (name: string, labels: Record<string, string> = {}): number | undefined => samples.get(name)?.get(key(labels));
  return {
    names: [...types.keys()],
    type: (name) => types.get(name),
    help: (name) => helps.get(name),
    value: get,
    values: (name) => Object.fromEntries(samples.get(name) ?? []),
    histogram(name, labels = {}) {
      const count = get(`${name}_count`, labels);
      if (count === undefined) return undefined;
      const buckets: Record<string, number> = {};
      for (const [k, n] of samples.get(`${name}_bucket`) ?? []) {
        const own = labelsOf(k.split(',').map((kv) => kv.replace(/=(.*)$/, '="$1"')).join(','), k);
        const le = own.le;
        delete own.le;
        if (le !== undefined && key(own) === key(labels)) buckets[le] = n;
      }
      return { count, sum: get(`${name}_sum`, labels) ?? NaN, buckets };
    },
  };
}
