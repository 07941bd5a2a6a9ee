/** What `npm run demo` prints: lines, ✔/✘ checks (remembered for the exit code) and a progress line on a terminal. */
import { until as waitUntil } from './wait';

const tty = process.stdout.isTTY === true;
const t0 = Date.now();
const failures: string[] = [];
let progress = '';

/** Seconds since the demo started, padded for the timeline. */
export const secs = (t = Date.now()): string => `${((t - t0) / 1000).toFixed(2).padStart(6)}s`;

/** Whole seconds since the demo started, for the summary. */
export const elapsed = (): string => ((Date.now() - t0) / 1000).toFixed(1);

export function say(line: string): void {
  if (progress) process.stdout.write('\r\x1b[K');
  console.log(line);
  if (progress) process.stdout.write(progress);
}

export const section = (title: string): void => say(`\n── ${title}`);

export function check(ok: boolean, what: string): void {
  if (!ok) failures.push(what);
  say(`${ok ? '  ✔' : '  ✘'} ${what}`);
}

/** The checks that failed so far. */
export const failed = (): readonly string[] => failures;

/** Waits (bounded) for `cond`, showing a progress line on a terminal. */
export async function until(cond: () => boolean, what: string, ms = 10000): Promise<boolean> {
  const held = await waitUntil(cond, ms, 20, (waited) => {
    if (!tty) return;
    progress = `  … ${what} (${(waited / 1000).toFixed(1)}s)`;
    process.stdout.write(`\r\x1b[K${progress}`);
  });
  if (tty) process.stdout.write('\r\x1b[K');
  progress = '';
  return held;
}
