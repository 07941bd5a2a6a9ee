/**
 * `redisStore({ client })`: sessions in Redis ≥ 7, shared by any number of server nodes.
 * Each session is a state hash and a Stream of unacked server messages under one hash tag;
 * every read-modify-write is one Lua script (redis-scripts.ts). A node learns of new
 * messages, acks and takeovers through a doorbell channel of its own (redis-doorbells.ts).
 */
import { PREFIX, typeError } from '../errors';
import { connect, evictionRisk } from './redis-client';
import type { RedisClient } from './redis-client';
import { Doorbells } from './redis-doorbells';
import { SessionBatch } from './redis-batch';
import { ackSpec, appendSpec, receivedSpec, renewSpec } from './redis-batch-scripts';
import type { AckCall, AppendCall, Doorbell, ReceivedCall, RenewCall } from './redis-batch-scripts';
import { RedisRooms } from './redis-rooms';
import { SCRIPTS } from './redis-scripts';
import type { Script } from './redis-scripts';
import { RedisTurn } from './redis-turn';
import { isSessionId, newSessionId } from './session-id';
import { plainStore } from './store';
import type {
  Appended, Audience, BufferLimit, Claim, Created, Fenced, Joined, Member, NewMessage, Published, PublishCall, RoomLimit, SessionState, SessionStore, StoreEvent, StoredMessage,
} from './store';

export type { RedisClient, RedisSubscriber } from './redis-client';

export interface RedisStoreOptions {
  /** An ioredis client (`new Redis(url)` or `new Cluster(nodes)`), or a redis:// URL for the store to connect (and close) itself. */
  client: RedisClient | string;
  /** Prefix of every key and channel; no braces (the `{sid}` hash tag follows it). @default 'wxs:' */
  prefix?: string;
  /**
   * The most messages one session's Stream may hold: a guard for a shared Redis, below the
   * server's own bounds (`maxBuffered` messages, `maxBufferedBytes` bytes), which always apply. @default Infinity
   */
  maxLen?: number;
  /**
   * How often a node renews the sessions it holds (one script call each), in ms; a crashed
   * node's sessions expire ttl + up to 2 × this after its crash. @default 30000
   */
  leaseInterval?: number;
  /** How often sends waiting for an ack check that their session still exists (else `lost` expired), in ms. @default 1000 */
  sweepInterval?: number;
}

const MAX_PAGE = 10000;
const FENCED: Record<string, Fenced> = { '1': 'ok', '0': 'stale', '-1': 'gone' };

/** A session this node holds, with the highest seq and ack it has seen: Redis showing less went back. */
interface Held {
  user: string;
  fence: number;
  ttl: number;
  seq: number;
  acked: number;
}

export function redisStore(options: RedisStoreOptions): SessionStore {
  return plainStore(new RedisStore(options));
}

function positive(name: string, value: number): number {
  if (!(typeof value === 'number' && value > 0 && Number.isFinite(value))) throw typeError(`redisStore: option "${name}" must be a number > 0`);
  return value;
}

class RedisStore implements SessionStore {
  private readonly prefix: string;
  private readonly maxLen: number;
  private readonly owned: boolean;
  private readonly client: RedisClient;
  private readonly bells: Doorbells;
  /** Every command goes out with its turn's round trip; the hot writes in one script per turn. */
  private readonly turn: RedisTurn;
  private readonly appends: SessionBatch<AppendCall, number>;
  private readonly acks: SessionBatch<AckCall, number>;
  private readonly receipts: SessionBatch<ReceivedCall, number>;
  private readonly renewals: SessionBatch<RenewCall, number>;
  private readonly roomsOf: RedisRooms;
  private readonly held = new Map<string, Held>();
  /** Sessions this node appended to, with the highest seq still waiting for the client's ack. */
  private readonly waiting = new Map<string, number>();
  private readonly timers: Array<ReturnType<typeof setInterval>>;
  private closed = false;
  private warned = false;

  constructor(options: RedisStoreOptions) {
    const prefix = options.prefix ?? 'wxs:';
    if (typeof prefix !== 'string' || /[{}]/.test(prefix)) throw typeError('redisStore: option "prefix" must be a string without braces');
    const maxLen = options.maxLen ?? Infinity;
    if (!(maxLen >= 1) || (maxLen !== Infinity && !Number.isInteger(maxLen))) throw typeError('redisStore: option "maxLen" must be ≥ 1');
    const leaseInterval = positive('leaseInterval', options.leaseInterval ?? 30000);
    const sweepInterval = positive('sweepInterval', options.sweepInterval ?? 1000);
    this.owned = typeof options.client === 'string';
    const client = typeof options.client === 'string' ? connect(options.client) : options.client;
    if (!client || typeof client.call !== 'function' || typeof client.duplicate !== 'function') {
      throw typeError('redisStore: option "client" must be an ioredis client or a redis:// URL');
    }
    this.prefix = prefix;
    this.maxLen = maxLen;
    this.client = client;
    this.leaseMs = (ttl: number): number => ttl + 2 * leaseInterval;
    this.bells = new Doorbells(client, `${prefix}node:`, (e) => this.observe(e), () => void this.recover().catch(() => undefined));
    const [keys, self, channel, heard] = [(id: string) => this.keys(id), () => this.bells.self(), this.bells.channel, (b: Doorbell[]) => this.heard(b)];
    this.turn = new RedisTurn(client);
    this.appends = new SessionBatch(this.turn, appendSpec(keys, self, channel, heard));
    this.acks = new SessionBatch(this.turn, ackSpec(keys, self, channel, heard));
    this.receipts = new SessionBatch(this.turn, receivedSpec(keys));
    this.renewals = new SessionBatch(this.turn, renewSpec(keys));
    this.roomsOf = new RedisRooms(client, this.turn, prefix, { session: keys, user: (user) => this.userKey(user) }, this.bells, leaseInterval);
    this.timers = [setInterval(() => void this.renew(), leaseInterval), setInterval(() => void this.sweep(), sweepInterval)];
    for (const t of this.timers) t.unref();
  }

  /** How long Redis keeps a held session's keys: renewed every leaseInterval. */
  private readonly leaseMs: (ttl: number) => number;

  async create(user: string, node: string, ttl: number, maxSessions = Infinity): Promise<Created> {
    const id = newSessionId();
    if (!(await this.admit(user, id, ttl, maxSessions))) return { ok: false, reason: 'limit' };
    await this.run(SCRIPTS.create, id, [user, node, this.leaseMs(ttl), this.leaseMs(ttl) + ttl]);
    this.held.set(id, { user, fence: 1, ttl, seq: 0, acked: 0 });
    return { ok: true, session: { id, user, rx: 0, seq: 0, acked: 0, fence: 1, node } };
  }

  async claim(id: string, user: string, node: string, ttl: number): Promise<Claim> {
    if (!isSessionId(id)) return { ok: false, reason: 'unknown' };
    const r = (await this.run(SCRIPTS.claim, id, [user, node, this.leaseMs(ttl), this.leaseMs(ttl) + ttl, this.bells.channel, id])) as [number, ...Array<number | string>];
    if (r[0] !== 1) return { ok: false, reason: r[1] as 'unknown' | 'expired' | 'forbidden' | 'overflow' };
    const [, rx, seq, acked, fence] = r as number[];
    const session: SessionState = { id, user, rx: rx!, seq: seq!, acked: acked!, fence: fence!, node };
    this.held.set(id, { user, fence: session.fence, ttl, seq: session.seq, acked: session.acked });
    // Re-dating it in the user's index can wait (at maxmemory it fails): a resume must not.
    await this.user('add', user, id, ttl).catch(() => undefined);
    return { ok: true, session };
  }

  append(id: string, m: NewMessage, limit: BufferLimit): Promise<Appended> {
    if (!isSessionId(id)) return Promise.resolve({ ok: false, reason: 'unknown' });
    const messages = Math.min(limit.messages, this.maxLen, Number.MAX_SAFE_INTEGER);
    return this.appends.add(id, { m, messages, bytes: Math.min(limit.bytes, Number.MAX_SAFE_INTEGER) }).then((s) => this.appended(id, s));
  }

  async ack(id: string, fence: number, a: number): Promise<Fenced> {
    if (!isSessionId(id)) return 'gone';
    const verdict = FENCED[String(await this.acks.add(id, { fence, a }))] ?? 'gone';
    const mine = this.held.get(id);
    if (verdict === 'ok' && mine && a > mine.acked) mine.acked = a;
    return verdict;
  }

  async received(id: string, fence: number, s: number): Promise<Fenced> {
    if (!isSessionId(id)) return 'gone';
    return FENCED[String(await this.receipts.add(id, { fence, s }))] ?? 'gone';
  }

  async replay(id: string, after: number, limit: number): Promise<StoredMessage[]> {
    if (!isSessionId(id)) return [];
    const count = Math.max(0, Math.min(Math.floor(limit), MAX_PAGE));
    if (count === 0) return [];
    const dn = this.keys(id)[1]!;
    const entries = (await this.turn.call(dn, 'XRANGE', dn, `(0-${after}`, '+', 'COUNT', count)) as Array<[string, string[]]>;
    return entries.map(([entryId, f]) => {
      // Fields in the order APPEND and FANOUT write them: i, n, d[, b 1][, r <room>].
      const m: StoredMessage = { s: Number(entryId.slice(2)), id: f[1]!, d: f[5]! };
      let k = 6;
      if (f[k] === 'b') [m.b, k] = [1, k + 2];
      if (f[k] === 'r') m.r = f[k + 1]!;
      return m;
    });
  }

  async release(id: string, fence: number, ttl: number): Promise<void> {
    if (!isSessionId(id)) return;
    if (this.held.get(id)?.fence === fence) this.held.delete(id);
    const user = await this.run(SCRIPTS.keep, id, [fence, ttl, 2 * ttl, '1']);
    if (typeof user === 'string') await this.user(ttl > 0 ? 'add' : 'del', user, id, ttl).catch(() => undefined);
  }

  async subscribe(node: string, listener: (e: StoreEvent) => void): Promise<() => Promise<void>> {
    if (this.closed) throw new Error(`${PREFIX} redisStore: subscribe() after close()`);
    const stop = await this.bells.subscribe(node, listener);
    if (!this.warned) {
      this.warned = true;
      void this.checkEviction();
    }
    return stop;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const t of this.timers) clearInterval(t);
    this.held.clear();
    this.waiting.clear();
    this.bells.close();
    if (this.owned) await this.client.quit().catch(() => undefined);
  }

  // ---- rooms and users (redis-rooms.ts) ----

  join(id: string, room: string, limit: RoomLimit): Promise<Joined> {
    return this.roomsOf.join(id, room, limit);
  }

  leave(id: string, room: string): Promise<void> {
    return this.roomsOf.leave(id, room);
  }

  rooms(id: string): Promise<string[] | undefined> {
    return this.roomsOf.rooms(id);
  }

  members(to: Audience): Promise<Member[]> {
    return this.roomsOf.members(to);
  }

  publish(to: Audience, m: NewMessage, limit: BufferLimit, call?: PublishCall): Promise<Published> {
    return this.roomsOf.publish(to, m, limit, call);
  }

  volatile(room: string, text: string): Promise<number> {
    return this.roomsOf.volatile(room, text);
  }

  // ---- keys and scripts ----

  private keys(id: string): string[] {
    const tag = `${this.prefix}{${id}}:`;
    return [`${tag}st`, `${tag}dn`, `${tag}tb`, `${tag}ix`];
  }

  private run(s: Script, id: string, args: Array<string | number>): Promise<unknown> {
    return this.turn.script(s, this.keys(id), args);
  }

  private appended(id: string, s: number): Appended {
    if (s <= 0) return { ok: false, reason: s === 0 ? 'overflow' : 'unknown' };
    if (this.bells.self()) this.waiting.set(id, Math.max(s, this.waiting.get(id) ?? 0));
    const mine = this.held.get(id);
    if (mine && s > mine.seq) mine.seq = s;
    return { ok: true, s };
  }

  /** Doorbells a batch found for this node itself: rung here, without a round trip through Redis. */
  private heard(bells: Doorbell[]): void {
    for (const { kind, id, n } of bells) {
      if (kind === 'a') this.bells.deliver(this.bells.self(), { type: 'appended', id, s: n });
      else this.bells.deliver(undefined, { type: 'acked', id, a: n });
    }
  }

  /** The user's index of sessions (its own hash tag): 'add' re-dates `id` and, past `max`, returns the others, least recently seen first. */
  private async user(mode: 'add' | 'del' | 'keep', user: string, id: string, ttl: number, max?: number): Promise<string[]> {
    const args: Array<string | number> = [mode, id, Date.now(), this.leaseMs(ttl) + ttl];
    if (max !== undefined) args.push(max);
    return (await this.turn.script(SCRIPTS.user, [this.userKey(user)], args)) as string[];
  }

  private userKey(user: string): string {
    return `${this.prefix}{u:${user}}:ss`;
  }

  /**
   * Makes room for session `id` of `user` (PROTOCOL.md "Limits"): past `max`, their least
   * recently seen sessions without a link end as if expired. False when every one is live.
   */
  private async admit(user: string, id: string, ttl: number, max: number): Promise<boolean> {
    const others = await this.user('add', user, id, ttl, max === Infinity ? undefined : max);
    let over = others.length + 1 - max;
    if (over <= 0) return true;
    // One round trip for who is linked; each ending re-checks atomically.
    const owners = await Promise.all(others.map((sid) => this.turn.call(this.keys(sid)[0]!, 'HGET', this.keys(sid)[0]!, 'n')));
    for (let i = 0; i < others.length && over > 0; i++) {
      if (typeof owners[i] === 'string' && owners[i] !== '') continue;
      const sid = others[i]!;
      const ended = await this.run(SCRIPTS.end, sid, [user, ttl, this.bells.channel, sid]);
      if (ended === 'live') continue;
      await this.user('del', user, sid, ttl);
      over--;
      // The nodes that appended to it were told; this one, which likely served it, drops its handle now.
      if (Array.isArray(ended) && !ended.includes(this.bells.self())) this.bells.deliver(undefined, { type: 'lost', id: sid, reason: 'expired' });
    }
    if (over <= 0) return true;
    await this.user('del', user, id, ttl);
    return false;
  }

  // ---- books: what this node holds and waits on ----

  /** Every event passes here first. */
  private observe(e: StoreEvent): void {
    if (e.type === 'acked') {
      const top = this.waiting.get(e.id);
      if (top !== undefined && e.a >= top) this.waiting.delete(e.id);
    } else if (e.type === 'lost') {
      this.waiting.delete(e.id);
      this.held.delete(e.id);
    } else if (e.type === 'taken') {
      const mine = this.held.get(e.id);
      if (mine && mine.fence < e.fence) this.held.delete(e.id);
    } else if (e.type === 'appended') this.saw(e.id, e.s);
    else if (e.type === 'published') for (const { id, s } of e.to) this.saw(id, s);
  }

  /** Seq `s` of a session this node holds exists: Redis showing less later went back. */
  private saw(id: string, s: number): void {
    const mine = this.held.get(id);
    if (mine && s > mine.seq) mine.seq = s;
  }

  private async checkEviction(): Promise<void> {
    const risk = await evictionRisk(this.client);
    if (risk && !this.closed) this.bells.deliver(undefined, { type: 'error', error: risk });
  }

  /**
   * The subscriber reconnected: doorbells published meanwhile are gone, and Redis may have
   * restarted — empty, or rolled back. Ring again from the state of every session this node
   * holds or waits on; a held session Redis lost, or holds older than this node saw, is lost.
   */
  private async recover(): Promise<void> {
    if (this.closed) return;
    await this.bells.resubscribe();
    void this.checkEviction();
    const ids = new Set([...this.held.keys(), ...this.waiting.keys()]);
    await Promise.all([...ids].map((id) => this.recheck(id)));
  }

  private async recheck(id: string): Promise<void> {
    // What this node saw before asking: a write that lands after the HMGET must not look like Redis going back.
    const seen = this.held.get(id);
    const before = seen && { ...seen };
    const st = this.keys(id)[0]!;
    const [f, sq, ak, owner] = ((await this.turn.call(st, 'HMGET', st, 'f', 'sq', 'ak', 'n')) as Array<string | null>).map((v) => v ?? undefined);
    const mine = this.held.get(id) === seen ? before : undefined;
    if (f === undefined) {
      if (mine || this.waiting.has(id)) this.bells.deliver(undefined, { type: 'lost', id, reason: (await this.gone(id)) ?? (mine ? 'unknown' : 'expired') });
      return;
    }
    const [fence, seq, acked] = [Number(f), Number(sq), Number(ak)];
    if (mine && fence > mine.fence) this.bells.deliver(this.bells.self(), { type: 'taken', id, fence, node: owner ?? '' });
    else if (mine && (fence < mine.fence || seq < mine.seq || acked < mine.acked)) {
      await this.release(id, mine.fence, 0);
      return this.bells.deliver(undefined, { type: 'lost', id, reason: 'unknown' });
    } else if (mine && seq > acked) this.bells.deliver(this.bells.self(), { type: 'appended', id, s: seq });
    if (this.waiting.has(id)) this.bells.deliver(undefined, { type: 'acked', id, a: acked });
  }

  private async renew(): Promise<void> {
    const users = new Map<string, number>();
    await Promise.all([...this.held].map(async ([id, { user, fence, ttl }]) => {
      users.set(user, Math.max(ttl, users.get(user) ?? 0));
      const r = await this.renewals.add(id, { fence, ms: this.leaseMs(ttl), tombMs: this.leaseMs(ttl) + ttl }).catch(() => 1);
      if (r === 1 || this.held.get(id)?.fence !== fence) return;
      this.held.delete(id);
      // Lost while held (flushed, evicted, a restart without persistence): its link closes 1012.
      if (r === -1) this.bells.deliver(undefined, { type: 'lost', id, reason: 'unknown' });
    }));
    await Promise.all([...users].map(([user, ttl]) => this.user('keep', user, '', ttl).catch(() => undefined)));
    await this.roomsOf.renew([...this.held].map(([id, { ttl }]) => [id, this.leaseMs(ttl) + ttl]));
  }

  /** Why a session's state is gone: 'overflow' (its claim dropped it and told the senders), else expired. */
  private async gone(id: string): Promise<'overflow' | undefined> {
    const tb = this.keys(id)[2]!;
    return (await this.turn.call(tb, 'GET', tb)) === '' ? 'overflow' : undefined;
  }

  private async sweep(): Promise<void> {
    await Promise.all([...this.waiting.keys()].map(async (id) => {
      const st = this.keys(id)[0]!;
      if ((await this.turn.call(st, 'EXISTS', st).catch(() => 1)) !== 0 || (await this.gone(id).catch(() => 'overflow'))) return;
      if (this.waiting.has(id)) this.bells.deliver(undefined, { type: 'lost', id, reason: 'expired' });
    }));
  }
}
