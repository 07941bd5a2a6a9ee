/**
 * `memoryStore()`: sessions in this process's memory. The default store: one server process;
 * a restart loses every session, which clients see as one announced `resync`.
 */
import { randomBytes } from 'crypto';
import type { Appended, Claim, SessionState, SessionStore, StoreEvent, StoredMessage } from './store';

export interface MemoryStoreOptions {
  /** How often released sessions are checked for expiry, in ms. @default 1000 */
  sweepInterval?: number;
}

interface Entry extends SessionState {
  /** Unacknowledged messages: `buf[i].s === acked + 1 + i`. */
  buf: StoredMessage[];
  overflow: boolean;
  /** While released: when it expires. After expiry: when it is forgotten. */
  until: number;
  ttl: number;
  expired: boolean;
}

/** A session id: 128 random bits, base64url. */
export const newSessionId = (): string => randomBytes(16).toString('base64url');

export function memoryStore(options: MemoryStoreOptions = {}): SessionStore {
  const sessions = new Map<string, Entry>();
  const listeners = new Set<(e: StoreEvent) => void>();
  const emit = (e: StoreEvent): void => {
    if (listeners.size === 0) return;
    queueMicrotask(() => {
      for (const fn of [...listeners]) fn(e);
    });
  };
  // An expired session's messages go at once; its tombstone answers `expired` for another ttl.
  const expire = (entry: Entry, now: number): boolean => {
    if (entry.expired) {
      if (now >= entry.until) sessions.delete(entry.id);
      return true;
    }
    if (entry.node !== null || now < entry.until) return false;
    const had = entry.buf.length > 0;
    entry.expired = true;
    entry.buf = [];
    entry.until += entry.ttl;
    if (had) emit({ type: 'lost', id: entry.id, reason: 'expired' });
    if (now >= entry.until) sessions.delete(entry.id);
    return true;
  };
  const live = (id: string, fence?: number): Entry | undefined => {
    const entry = sessions.get(id);
    if (!entry || expire(entry, Date.now())) return undefined;
    return fence === undefined || entry.fence === fence ? entry : undefined;
  };
  const sweep = setInterval(() => {
    const now = Date.now();
    for (const entry of sessions.values()) expire(entry, now);
  }, options.sweepInterval ?? 1000);
  sweep.unref();

  const state = (e: Entry): SessionState => ({ id: e.id, user: e.user, rx: e.rx, seq: e.seq, acked: e.acked, fence: e.fence, node: e.node });

  return {
    async create(user, node, ttl) {
      const entry: Entry = { id: newSessionId(), user, rx: 0, seq: 0, acked: 0, fence: 1, node, buf: [], overflow: false, until: 0, ttl, expired: false };
      sessions.set(entry.id, entry);
      return state(entry);
    },

    async claim(id, user, node, ttl): Promise<Claim> {
      const entry = sessions.get(id);
      if (!entry) return { ok: false, reason: 'unknown' };
      if (entry.user !== user) return { ok: false, reason: 'forbidden' };
      if (expire(entry, Date.now())) return { ok: false, reason: sessions.has(id) ? 'expired' : 'unknown' };
      if (entry.overflow) {
        sessions.delete(id);
        emit({ type: 'lost', id, reason: 'overflow' });
        return { ok: false, reason: 'overflow' };
      }
      entry.fence++;
      entry.node = node;
      entry.ttl = ttl;
      emit({ type: 'taken', id, fence: entry.fence, node });
      return { ok: true, session: state(entry) };
    },

    async append(id, m, maxBuffered): Promise<Appended> {
      const entry = live(id);
      if (!entry) return { ok: false, reason: 'unknown' };
      if (entry.buf.length >= maxBuffered) {
        entry.overflow = true;
        return { ok: false, reason: 'overflow' };
      }
      const s = ++entry.seq;
      entry.buf.push(m.b ? { s, id: m.id, d: m.d, b: 1 } : { s, id: m.id, d: m.d });
      emit({ type: 'appended', id, s });
      return { ok: true, s };
    },

    async ack(id, fence, a) {
      const entry = live(id, fence);
      if (!entry) return false;
      const upTo = Math.min(a, entry.seq);
      if (upTo > entry.acked) {
        entry.buf.splice(0, upTo - entry.acked);
        entry.acked = upTo;
        emit({ type: 'acked', id, a: upTo });
      }
      return true;
    },

    async received(id, fence, s) {
      const entry = live(id, fence);
      if (!entry) return false;
      if (s > entry.rx) entry.rx = s;
      return true;
    },

    async replay(id, after, limit) {
      const entry = live(id);
      if (!entry) return [];
      const from = Math.max(0, after - entry.acked);
      return entry.buf.slice(from, from + limit);
    },

    async release(id, fence, ttl) {
      const entry = live(id, fence);
      if (!entry) return;
      entry.node = null;
      entry.ttl = ttl;
      entry.until = Date.now() + ttl;
    },

    async subscribe(_node, listener) {
      listeners.add(listener);
      return async () => {
        listeners.delete(listener);
      };
    },

    async close() {
      clearInterval(sweep);
      listeners.clear();
      sessions.clear();
    },
  };
}
