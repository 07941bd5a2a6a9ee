/**
 * Where sessions live. The server talks to sessions only through this interface, so a store
 * shared by several server nodes (redisStore) fits without touching the server.
 *
 * Words (PROTOCOL.md): "server seq" numbers server→client messages, "client seq" numbers
 * client→server messages; both start at 1 per session and have no gaps.
 *
 * Every method is independent and answers for itself, so a store may coalesce the calls made
 * within one turn of the event loop into one round trip (a pipeline) without changing a result.
 */
import { SocketError } from '../errors';

/** A buffered server→client message: not yet acknowledged by the client. */
export interface StoredMessage {
  /** Server seq. */
  s: number;
  /** Sender-chosen unique id, stable across resends. */
  id: string;
  /** Payload text, or base64 when `b` is 1. */
  d: string;
  b?: 1;
  /** The room it was published to, `'user'` for one sent to the user; absent for a direct send. */
  r?: string;
}

/** A message to append: the store gives it its server seq. */
export type NewMessage = Omit<StoredMessage, 's'>;

export interface SessionState {
  id: string;
  /** `String(user)` from `authenticate`; a session never changes user. */
  user: string;
  /** Highest client seq the server app has taken (recorded through `received`). */
  rx: number;
  /** Highest server seq assigned by `append` (0: none yet). */
  seq: number;
  /** Highest server seq the client acknowledged; everything ≤ it is forgotten. */
  acked: number;
  /** Bumped by every `create`/`claim`: writes carrying an older fence are refused. */
  fence: number;
  /** Node holding the session's link, null while released. */
  node: string | null;
}

/**
 * What one session may hold unacknowledged (PROTOCOL.md "Limits"): at most `messages`
 * messages and `bytes` bytes of payload (`d` in UTF-8). A room publish will pass the same.
 */
export interface BufferLimit {
  messages: number;
  bytes: number;
}

/** `limit`: the user already holds `maxSessions` sessions and every one has a live link. */
export type Created = { ok: true; session: SessionState } | { ok: false; reason: 'limit' };
export type ClaimFailure = 'unknown' | 'expired' | 'forbidden' | 'overflow';
export type Claim = { ok: true; session: SessionState } | { ok: false; reason: ClaimFailure };
export type Appended = { ok: true; s: number } | { ok: false; reason: 'overflow' | 'unknown' };
/**
 * The answer to a write made under a claim's fence. `stale`: a newer claim holds the session
 * (a takeover: close 4409). `gone`: the store no longer holds the session as this claim knew
 * it — expired, evicted, flushed or rolled back (store trouble, never a takeover: close 1012).
 */
export type Fenced = 'ok' | 'stale' | 'gone';

/** Who a fan-out reaches: the members of a room, or every session of a user. */
export type Audience = { room: string } | { user: string };

/** A room member (or one of a user's sessions) as the store knows it. */
export interface Member {
  id: string;
  user: string;
  /** The node holding its link; null while it has none. */
  node: string | null;
}

/** How many rooms one session may be in, and how many members one room may hold. */
export interface RoomLimit {
  rooms: number;
  members: number;
}

/** `unknown`: no such session (or expired); `rooms`/`members`: a `RoomLimit` refused it. */
export type Joined = 'ok' | 'unknown' | 'rooms' | 'members';

/**
 * What a fan-out did: the sessions it was appended to, each with the server seq it got, and
 * those whose buffer was full (marked overflowed, like `append`). `repeated`: the number of
 * sessions an earlier publish with the same id reached, when this one was a repeat (then nothing
 * was appended).
 */
export interface Published {
  appended: Array<{ id: string; s: number }>;
  overflowed: string[];
  repeated?: number;
}

/** How a publish is made: by `node` (it writes to the links it holds itself, so its own doorbell need not ring), and whether its id is remembered (`dedupeMs`). */
export interface PublishCall {
  node?: string;
  dedupeMs?: number;
}

export type StoreEvent =
  /** Doorbell: server seq `s` was appended; the node holding the link sends it. */
  | { type: 'appended'; id: string; s: number }
  /** The client acknowledged everything ≤ `a`: pending `send()`s resolve. */
  | { type: 'acked'; id: string; a: number }
  /** A claim with `fence` by `node`: any other link of the session closes with 4409. */
  | { type: 'taken'; id: string; fence: number; node: string }
  /**
   * The session's buffered messages will never be delivered: pending `send()`s reject, a link
   * still attached closes 1012. `expired`: its ttl ran out, or the user's session limit ended
   * it; `overflow`: overflowed and resumed; `unknown`: the store lost it (flush, eviction,
   * a restart without persistence, a rollback).
   */
  | { type: 'lost'; id: string; reason: 'expired' | 'overflow' | 'unknown' }
  /**
   * A publish appended `m` to these sessions, each under its own seq: the node holding one
   * writes it at once when it is next (one encoding for all), else pulls it from the stream.
   */
  | { type: 'published'; m: NewMessage; to: Array<{ id: string; s: number }> }
  /** Write `text` (a `volatile` frame) to the links of sessions `ids` this node holds; never buffered. */
  | { type: 'volatile'; ids: string[]; text: string }
  /** Trouble the store found on its own (a risky Redis setting, a lost connection): the server's `error` event. */
  | { type: 'error'; error: Error };

export interface SessionStore {
  /**
   * A new session owned by `node`, id ≥ 128 random bits, base64url. With `maxSessions`, a
   * user who already holds that many first loses their least recently seen sessions without
   * a link (ended as if expired: `lost`, and a claim answers `expired`); when every one has a
   * live link nothing is created (`limit`).
   */
  create(user: string, node: string, ttl: number, maxSessions?: number): Promise<Created>;
  /**
   * Resume: bumps the fence, sets the owner, stops the expiry; emits `taken`. Fails with
   * `forbidden` (another user's: nothing changes), `unknown`, `expired` (for at least `ttl`
   * after expiry, then `unknown`), `overflow` (the session is then dropped; emits `lost`).
   */
  claim(id: string, user: string, node: string, ttl: number): Promise<Claim>;
  /**
   * Assigns the next server seq atomically and buffers the message; emits `appended`.
   * Beyond `limit` it refuses (`overflow`) and marks the session so its next claim fails
   * with `overflow`. Never a silent drop.
   */
  append(id: string, m: NewMessage, limit: BufferLimit): Promise<Appended>;
  /** The client delivered every server seq ≤ `a`: forget them; emits `acked`. `gone` also when `a` is above the last seq (the store went back). */
  ack(id: string, fence: number, a: number): Promise<Fenced>;
  /** The server app took client seq `s` (raises `rx`, never lowers it). */
  received(id: string, fence: number, s: number): Promise<Fenced>;
  /** Buffered messages with server seq > `after`, ascending, at most `limit`. */
  replay(id: string, after: number, limit: number): Promise<StoredMessage[]>;
  /** The link is gone: the session expires `ttl` ms from now unless claimed again (0: forgotten at once). No-op when `fence` is stale. */
  release(id: string, fence: number, ttl: number): Promise<void>;
  /**
   * Events for `node`: at least `appended` and `taken` for sessions it holds or held, `acked`
   * and `lost` for any session (a store may narrow these), `error` for all. Resolves once
   * listening; the returned function stops it.
   */
  subscribe(node: string, listener: (e: StoreEvent) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;

  // ---- rooms and users (PROTOCOL.md "Rooms and users"): membership ends with the session ----

  /** Session `id` joins `room` (joining again changes nothing); `limit` is checked atomically. */
  join(id: string, room: string, limit: RoomLimit): Promise<Joined>;
  /** Session `id` leaves `room`; nothing happens when it was not in it, or is gone. */
  leave(id: string, room: string): Promise<void>;
  /** The rooms session `id` is in, in no particular order; undefined when it is unknown or expired. */
  rooms(id: string): Promise<string[] | undefined>;
  /** The live members of a room, or a user's live sessions. */
  members(to: Audience): Promise<Member[]>;
  /**
   * Appends `m` (its `r` set) to the stream of every session of `to`, each with its own next
   * server seq and the same limits and overflow marking as `append`; tells the nodes holding
   * those sessions (`published`, except `call.node`). With `dedupeMs`, `m.id` is remembered for `to` that long: a
   * publish of the same id meanwhile appends nothing (`repeated`), so an app that publishes
   * again after a node died mid-way reaches nobody twice. Without it the id is a new one (a
   * store may still remember it briefly, e.g. to ignore a client library resending the call).
   */
  publish(to: Audience, m: NewMessage, limit: BufferLimit, call?: PublishCall): Promise<Published>;
  /** Hands `text` to every node holding a member of `room` (a `volatile` event); resolves with the number of members that hold a link. */
  volatile(room: string, text: string): Promise<number>;
}

/** A store failure as the app sees it: `STORE_FAILED` with the store's own text (Redis's) in `errMsg`. */
export function storeFailed(err: unknown): SocketError {
  if (err instanceof SocketError) return err;
  return new SocketError('STORE_FAILED', 'the session store failed', err instanceof Error ? err.message : String(err));
}

/** Every method of a `SessionStore`. */
export const STORE_METHODS = ['create', 'claim', 'append', 'ack', 'received', 'replay', 'release', 'subscribe', 'close', 'join', 'leave', 'rooms', 'members', 'publish', 'volatile'] as const;

/** The methods of a store class as a plain object of bound functions, so a store can be wrapped with `{ ...store, append }`. */
export function plainStore(impl: SessionStore): SessionStore {
  const store = {} as Record<(typeof STORE_METHODS)[number], unknown>;
  for (const name of STORE_METHODS) store[name] = (impl[name] as (...args: unknown[]) => unknown).bind(impl);
  return store as unknown as SessionStore;
}
