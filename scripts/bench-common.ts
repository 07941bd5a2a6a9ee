/** What every bench step shares: the row shape, the progress line, medians and percentiles. */
import { until as waitUntil } from './wait';

export type Row = [string, string, string, string];
export interface BenchIo {
  rows: Row[];
  progress(text: string): void;
  done(title: string): void;
  /** `--cpu-prof`: profile the server processes (numbers taken under the profiler are not comparable). */
  cpuProf?: boolean;
  /** Rows of the side-by-side table: measure, then one cell per kind (KINDS order). */
  peers?: string[][];
  /** Markdown lines printed after the tables (profiles, failed runs). */
  notes?: string[];
}

export const median = (xs: number[]): number => {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** The value below which a fraction `p` of `sorted` lies (nearest rank); NaN when empty. */
export function percentileOfSorted(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
}

export const percentile = (xs: number[], p: number): number => percentileOfSorted([...xs].sort((a, b) => a - b), p);

/** Waits for `cond` (polled every `every` ms), or throws naming what was awaited. */
export async function until(cond: () => boolean, ms: number, what = 'bench wait', every = 0): Promise<void> {
  if (!(await waitUntil(cond, ms, every))) throw new Error(`${what}: timed out after ${ms} ms`);
}

/** Milliseconds on the system's monotonic clock: comparable between processes on one machine. */
export const monoMs = (): number => Number(process.hrtime.bigint()) / 1e6;

/** 12 345 → "12 300" (3 significant digits, thin grouping like PERF.md). */
export function sig3(x: number): string {
  if (!Number.isFinite(x)) return '—';
  if (x !== 0 && Math.abs(x) < 0.01) return x.toPrecision(2);
  if (Math.abs(x) < 100) return x >= 10 ? x.toFixed(1) : x.toFixed(2);
  const p = Math.pow(10, Math.floor(Math.log10(Math.abs(x))) - 2);
  return String(Math.round(x / p) * p).replace(/\B(?=(\d{3})+(?!\d))/g, ' ');
}

/** "median (min–max)" of repetitions, formatted by `f`. */
export function spread(xs: number[], f: (x: number) => string = sig3): string {
  const ok = xs.filter(Number.isFinite);
  if (ok.length === 0) return '—';
  if (ok.length === 1) return f(ok[0]!);
  return `${f(median(ok))} (${f(Math.min(...ok))}–${f(Math.max(...ok))})`;
}

/** A ratio row: `value` against `goal` ('≥' or '≤'), met or the gap. */
export function ratioRow(title: string, value: number, op: '≥' | '≤', goal: number, detail: string): Row {
  const met = op === '≥' ? value >= goal : value <= goal;
  const shown = Number.isFinite(value) ? `${value.toFixed(2)}×` : 'not measured';
  return [title, `${shown} (${detail})`, `${op} ${goal}`, !Number.isFinite(value) ? 'gap: not measured' : met ? 'met' : 'gap'];
}
