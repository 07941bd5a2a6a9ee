/**
 * A store whose every call (but `subscribe` and `close`) is timed: the core calls the store
 * only through this wrapper when metrics are on, so store latency is measured in one place.
 */
import type { SessionStore } from '../store';

/** Records one call of an operation: its duration and whether it failed. */
export type StoreRecord = (seconds: number, failed: boolean) => void;

// TODO(metrics): STORE_METHODS from ../store once the server branch lands.
const TIMED = ['create', 'claim', 'append', 'ack', 'received', 'replay', 'release'] as const;

/** `store` with each operation timed; `recorder(op)` is asked once per operation. */
export function timedStore(store: SessionStore, recorder: (op: string) => StoreRecord): SessionStore {
  const timed = Object.create(null) as Record<string, unknown>;
  const own = store as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
  timed.subscribe = own.subscribe!.bind(store);
  timed.close = own.close!.bind(store);
  for (const op of TIMED) {
    const call = own[op]!.bind(store);
    const record = recorder(op);
    timed[op] = (...args: unknown[]): Promise<unknown> => {
      const start = performance.now();
      return call(...args).then(
        (result) => {
          record((performance.now() - start) / 1000, false);
          return result;
        },
        (err: unknown) => {
          record((performance.now() - start) / 1000, true);
          throw err;
        },
      );
    };
  }
  return timed as unknown as SessionStore;
}
