/**
 * `memoryStore()`: sessions in this process's memory. The default store: one server process;
 * a restart loses every session, which clients see as one announced `resync`.
 */
import { Memberships, Repeats, dedupeKey } from './memory-rooms';
import { newSessionId } from './session-id';
import { plainStore } from './store';
import type {
  Appended, Audience, BufferLimit, Claim, Created, Fenced, Joined, Member, NewMessage, Published, PublishCall, RoomLimit, SessionState, SessionStore, StoreEvent, StoredMessage,
} from './store';

export interface MemoryStoreOptions {
  /** How often released sessions are checked for expiry, in ms. @default 1000 */
  sweepInterval?: number;
}

interface Entry extends SessionState {
  /** Unacknowledged messages: `buf[i].s === acked + 1 + i`. */
  buf: StoredMessage[];
  /** UTF-8 bytes of the payloads in `buf`. */
  bytes: number;
  overflow: boolean;
  /** While released: when it expires. After expiry: when it is forgotten. */
  until: number;
  ttl: number;
  expired: boolean;
  /** When its link last came or went: the least recently seen goes first when its user is over the limit. */
  seen: number;
}

/** The stores memoryStore() made (its calls are function calls in this process: metrics do not time them). */
const made = new WeakSet<SessionStore>();

export function memoryStore(options: MemoryStoreOptions = {}): SessionStore {
  const store = plainStore(new MemoryStore(options.sweepInterval ?? 1000));
  made.add(store);
  return store;
}

/** Whether `store` is one memoryStore() made. */
export const isMemoryStore = (store: SessionStore): boolean => made.has(store);

const state = (e: Entry): SessionState => ({ id: e.id, user: e.user, rx: e.rx, seq: e.seq, acked: e.acked, fence: e.fence, node: e.node });

/** `m` as buffered with server seq `s` (only the fields it has). */
function stored(s: number, m: NewMessage): StoredMessage {
  const out: StoredMessage = { s, id: m.id, d: m.d };
  if (m.b) out.b = 1;
  if (m.r !== undefined) out.r = m.r;
  return out;
}

class MemoryStore implements SessionStore {
  private readonly sessions = new Map<string, Entry>();
  /** Each user's sessions that have not expired. */
  private readonly users = new Map<string, Set<string>>();
  /** Each listener with the node it listens for. */
  private readonly listeners = new Map<(e: StoreEvent) => void, string>();
  private readonly memberships = new Memberships();
  private readonly repeats = new Repeats();
  private readonly sweep: ReturnType<typeof setInterval>;

  constructor(sweepInterval: number) {
    this.sweep = setInterval(() => {
      const now = Date.now();
      for (const entry of this.sessions.values()) this.expire(entry, now);
      this.repeats.sweep(now);
    }, sweepInterval);
    this.sweep.unref();
  }

  async create(user: string, node: string, ttl: number, maxSessions = Infinity): Promise<Created> {
    if (!this.makeSpace(user, maxSessions)) return { ok: false, reason: 'limit' };
    const now = Date.now();
    const entry: Entry = { id: newSessionId(), user, rx: 0, seq: 0, acked: 0, fence: 1, node, buf: [], bytes: 0, overflow: false, until: 0, ttl, expired: false, seen: now };
    this.sessions.set(entry.id, entry);
    let ids = this.users.get(user);
    if (!ids) this.users.set(user, (ids = new Set()));
    ids.add(entry.id);
    return { ok: true, session: state(entry) };
  }

  async claim(id: string, user: string, node: string, ttl: number): Promise<Claim> {
    const entry = this.sessions.get(id);
    if (!entry) return { ok: false, reason: 'unknown' };
    if (entry.user !== user) return { ok: false, reason: 'forbidden' };
    if (this.expire(entry, Date.now())) return { ok: false, reason: this.sessions.has(id) ? 'expired' : 'unknown' };
    if (entry.overflow) {
      this.forget(entry);
      this.emit({ type: 'lost', id, reason: 'overflow' });
      return { ok: false, reason: 'overflow' };
    }
    entry.fence++;
    entry.node = node;
    entry.ttl = ttl;
    entry.seen = Date.now();
    this.emit({ type: 'taken', id, fence: entry.fence, node });
    return { ok: true, session: state(entry) };
  }

  async append(id: string, m: NewMessage, limit: BufferLimit): Promise<Appended> {
    const entry = this.alive(id);
    if (!entry) return { ok: false, reason: 'unknown' };
    const s = this.push(entry, m, Buffer.byteLength(m.d), limit);
    if (s === 0) return { ok: false, reason: 'overflow' };
    this.emit({ type: 'appended', id, s });
    return { ok: true, s };
  }

  async ack(id: string, fence: number, a: number): Promise<Fenced> {
    const entry = this.fenced(id, fence);
    if (typeof entry === 'string') return entry;
    if (a > entry.seq) return 'gone';
    if (a > entry.acked) {
      for (const m of entry.buf.splice(0, a - entry.acked)) entry.bytes -= Buffer.byteLength(m.d);
      entry.acked = a;
      this.emit({ type: 'acked', id, a });
    }
    return 'ok';
  }

  async received(id: string, fence: number, s: number): Promise<Fenced> {
    const entry = this.fenced(id, fence);
    if (typeof entry === 'string') return entry;
    if (s > entry.rx) entry.rx = s;
    return 'ok';
  }

  async replay(id: string, after: number, limit: number): Promise<StoredMessage[]> {
    const entry = this.alive(id);
    if (!entry) return [];
    const from = Math.max(0, after - entry.acked);
    return entry.buf.slice(from, from + limit);
  }

  async release(id: string, fence: number, ttl: number): Promise<void> {
    // A newer claim owns it: not ours to release. (An older fence than ours: the store went back; it is ours.)
    const entry = this.alive(id);
    if (!entry || entry.fence > fence) return;
    if (ttl <= 0) {
      this.forget(entry);
      if (entry.buf.length > 0) this.emit({ type: 'lost', id, reason: 'unknown' });
      return;
    }
    entry.node = null;
    entry.ttl = ttl;
    entry.until = entry.seen = Date.now();
    entry.until += ttl;
  }

  async subscribe(node: string, listener: (e: StoreEvent) => void): Promise<() => Promise<void>> {
    this.listeners.set(listener, node);
    return async () => void this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    clearInterval(this.sweep);
    this.listeners.clear();
    this.sessions.clear();
    this.users.clear();
    this.memberships.clear();
    this.repeats.clear();
  }

  // ---- rooms and users ----

  async join(id: string, room: string, limit: RoomLimit): Promise<Joined> {
    return this.alive(id) ? this.memberships.join(id, room, limit) : 'unknown';
  }

  async leave(id: string, room: string): Promise<void> {
    this.memberships.leave(id, room);
  }

  async rooms(id: string): Promise<string[] | undefined> {
    return this.alive(id) ? this.memberships.rooms(id) : undefined;
  }

  async members(to: Audience): Promise<Member[]> {
    return this.live(to).map((e) => ({ id: e.id, user: e.user, node: e.node }));
  }

  async publish(to: Audience, m: NewMessage, limit: BufferLimit, call: PublishCall = {}): Promise<Published> {
    const { dedupeMs, node } = call;
    const key = dedupeMs ? dedupeKey(to, m.id) : undefined;
    const repeated = key === undefined ? undefined : this.repeats.get(key, Date.now());
    if (repeated !== undefined) return { appended: [], overflowed: [], repeated };
    const out: Published = { appended: [], overflowed: [] };
    const bytes = Buffer.byteLength(m.d);
    for (const entry of this.live(to)) {
      const s = this.push(entry, m, bytes, limit);
      if (s === 0) out.overflowed.push(entry.id);
      else out.appended.push({ id: entry.id, s });
    }
    // The other nodes sharing this store (the publisher writes to its own links), after the publisher's continuation.
    if (out.appended.length > 0) this.emit({ type: 'published', m, to: out.appended }, true, node);
    if (key !== undefined) this.repeats.remember(key, out.appended.length, Date.now() + dedupeMs!);
    return out;
  }

  async volatile(room: string, text: string): Promise<number> {
    const ids = this.live({ room }).filter((e) => e.node !== null).map((e) => e.id);
    if (ids.length > 0) this.emit({ type: 'volatile', ids, text });
    return ids.length;
  }

  // ---- inside ----

  /** An event reaches the listeners (but `except`'s) after the current call (a microtask), or `later` (the next turn). */
  private emit(e: StoreEvent, later = false, except?: string): void {
    if (this.listeners.size === 0) return;
    const ring = (): void => {
      for (const [fn, node] of [...this.listeners]) if (node !== except) fn(e);
    };
    if (later) setImmediate(ring);
    else queueMicrotask(ring);
  }

  /** Buffers `m` (`bytes` of payload) under the session's next server seq; 0 when that would pass `limit` (the session is marked). */
  private push(entry: Entry, m: NewMessage, bytes: number, limit: BufferLimit): number {
    if (entry.buf.length >= limit.messages || entry.bytes + bytes > limit.bytes) {
      entry.overflow = true;
      return 0;
    }
    const s = ++entry.seq;
    entry.buf.push(stored(s, m));
    entry.bytes += bytes;
    return s;
  }

  /** The sessions of a room or a user that have not expired (the expired ones leave as they are found). */
  private live(to: Audience): Entry[] {
    const ids = 'room' in to ? this.memberships.members(to.room) : this.users.get(to.user);
    if (!ids) return [];
    const now = Date.now();
    const out: Entry[] = [];
    for (const id of [...ids]) {
      const entry = this.sessions.get(id);
      if (entry && !this.expire(entry, now)) out.push(entry);
    }
    return out;
  }

  private alive(id: string): Entry | undefined {
    const entry = this.sessions.get(id);
    return entry && !this.expire(entry, Date.now()) ? entry : undefined;
  }

  /** The entry when `fence` is its current one; else why not. */
  private fenced(id: string, fence: number): Entry | 'stale' | 'gone' {
    const entry = this.alive(id);
    if (!entry) return 'gone';
    if (entry.fence === fence) return entry;
    return entry.fence > fence ? 'stale' : 'gone';
  }

  /** Ends the user's least recently seen sessions without a link until fewer than `max` remain; false if every one has a link. */
  private makeSpace(user: string, max: number): boolean {
    const ids = this.users.get(user);
    if (!ids) return true;
    const now = Date.now();
    for (const id of [...ids]) this.expire(this.sessions.get(id)!, now);
    while (ids.size >= max) {
      let victim: Entry | undefined;
      for (const id of ids) {
        const entry = this.sessions.get(id)!;
        if (entry.node === null && (!victim || entry.seen < victim.seen)) victim = entry;
      }
      if (!victim) return false;
      // Ended on purpose: announced even with nothing buffered (expiry announces only buffered ones), so a node drops its handle at once.
      if (victim.buf.length === 0) this.emit({ type: 'lost', id: victim.id, reason: 'expired' });
      victim.until = now;
      this.expire(victim, now);
    }
    return true;
  }

  /**
   * True when the session is expired (its messages go at once, and its tombstone answers
   * `expired` for another ttl) or forgotten.
   */
  private expire(entry: Entry, now: number): boolean {
    if (entry.expired) {
      if (now >= entry.until) this.sessions.delete(entry.id);
      return true;
    }
    if (entry.node !== null || now < entry.until) return false;
    const had = entry.buf.length > 0;
    entry.expired = true;
    entry.buf = [];
    entry.bytes = 0;
    entry.until += entry.ttl;
    this.unlist(entry);
    if (had) this.emit({ type: 'lost', id: entry.id, reason: 'expired' });
    if (now >= entry.until) this.sessions.delete(entry.id);
    return true;
  }

  private forget(entry: Entry): void {
    this.sessions.delete(entry.id);
    this.unlist(entry);
  }

  /** Every way a session ends passes here: it leaves its user's list and every room. */
  private unlist(entry: Entry): void {
    this.memberships.end(entry.id);
    const ids = this.users.get(entry.user);
    if (!ids?.delete(entry.id) || ids.size > 0) return;
    this.users.delete(entry.user);
  }
}
