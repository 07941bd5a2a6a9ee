/**
 * A store whose every call (but `subscribe` and `close`) is timed: the core calls the store
 * only through this wrapper when metrics are on, so store latency is measured in one place.
 * The caller gets the store's own promise; the timing rides on a side branch of it.
 */
import { performance } from 'perf_hooks';
import { STORE_METHODS, plainStore } from '../store';
import type { SessionStore } from '../store';

/** Records one call of an operation: its duration and whether it failed. */
export type StoreRecord = (seconds: number, failed: boolean) => void;

const UNTIMED: ReadonlyArray<string> = ['subscribe', 'close'];

/** `store` with each operation timed; `recorder(op)` is asked once per operation. */
export function timedStore(store: SessionStore, recorder: (op: string) => StoreRecord): SessionStore {
  const timed = plainStore(store) as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
  for (const op of STORE_METHODS) {
    if (UNTIMED.includes(op)) continue;
    const call = timed[op]!;
    const record = recorder(op);
    timed[op] = (...args) => {
      const start = performance.now();
      const result = call(...args);
      result.then(
        () => record((performance.now() - start) / 1000, false),
        () => record((performance.now() - start) / 1000, true),
      );
      return result;
    };
  }
  return timed as unknown as SessionStore;
}
