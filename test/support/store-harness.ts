/** A fresh store per test, closed after it with every subscription it had; the store suites share it. */
import type { BufferLimit, SessionState, SessionStore, StoreEvent } from '../../src/server/store';
import { until } from './real-helpers';

/** A session from `store.create` (no per-user limit asked, so it always is one). */
export async function made(store: SessionStore, user: string, node: string, ttl: number): Promise<SessionState> {
  const created = await store.create(user, node, ttl);
  if (!created.ok) throw new Error(`create refused: ${created.reason}`);
  return created.session;
}

/** A buffer limit of `messages` messages and no byte limit. */
export const cap = (messages: number): BufferLimit => ({ messages, bytes: Number.MAX_SAFE_INTEGER });


export interface StoreHarness {
  /** This test's store. */
  store(): SessionStore;
  /** Events heard by `node`, as one array. */
  watch(node: string): Promise<StoreEvent[]>;
  /** Waits (2 s at most) for `cond`. */
  until(cond: () => boolean, what: string): Promise<void>;
}

/** Registers beforeEach/afterEach in the calling describe. */
export function useStore(makeStore: () => SessionStore | Promise<SessionStore>): StoreHarness {
  let store: SessionStore;
  const stops: Array<() => Promise<void>> = [];
  beforeEach(async () => {
    store = await makeStore();
  });
  afterEach(async () => {
    for (const stop of stops.splice(0)) await stop();
    await store.close();
  });
  return {
    store: () => store,
    async watch(node) {
      const seen: StoreEvent[] = [];
      stops.push(await store.subscribe(node, (e) => seen.push(e)));
      return seen;
    },
    until: (cond, what) => until(cond, 2000, what),
  };
}
