/** Bounded waiting for the demo and the benchmark. */

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Resolves true once `cond()` holds, false after `ms`. Polls every `every` ms
 * (0: every event-loop turn, for rate measurements); `onWait` sees the time waited so far.
 */
export async function until(cond: () => boolean, ms: number, every = 0, onWait?: (waited: number) => void): Promise<boolean> {
  const start = Date.now();
  while (!cond()) {
    const waited = Date.now() - start;
    if (waited > ms) return false;
    onWait?.(waited);
    await (every > 0 ? sleep(every) : new Promise((r) => setImmediate(r)));
  }
  return true;
}
