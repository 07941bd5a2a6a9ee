/**
 * Where sessions live. The server talks to sessions only through this interface, so a store
 * shared by several server nodes (redisStore) fits without touching the server.
 *
 * Words (PROTOCOL.md): "server seq" numbers server→client messages, "client seq" numbers
 * client→server messages; both start at 1 per session and have no gaps.
 */

/** A buffered server→client message: not yet acknowledged by the client. */
export interface StoredMessage {
  /** Server seq. */
  s: number;
  /** Sender-chosen unique id, stable across resends. */
  id: string;
  /** Payload text, or base64 when `b` is 1. */
  d: string;
  b?: 1;
}

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

export type ClaimFailure = 'unknown' | 'expired' | 'forbidden' | 'overflow';
export type Claim = { ok: true; session: SessionState } | { ok: false; reason: ClaimFailure };
export type Appended = { ok: true; s: number } | { ok: false; reason: 'overflow' | 'unknown' };

export type StoreEvent =
  /** Doorbell: server seq `s` was appended; the node holding the link sends it. */
  | { type: 'appended'; id: string; s: number }
  /** The client acknowledged everything ≤ `a`: pending `send()`s resolve. */
  | { type: 'acked'; id: string; a: number }
  /** A claim with `fence` by `node`: any other link of the session closes with 4409. */
  | { type: 'taken'; id: string; fence: number; node: string }
  /** The session's buffered messages will never be delivered (expired, or overflowed and resumed): pending `send()`s reject. */
  | { type: 'lost'; id: string; reason: 'expired' | 'overflow' };

export interface SessionStore {
  /** A new session owned by `node`, id ≥ 128 random bits, base64url. */
  create(user: string, node: string, ttl: number): Promise<SessionState>;
  /**
   * Resume: bumps the fence, sets the owner, stops the expiry; emits `taken`. Fails with
   * `forbidden` (another user's: nothing changes), `unknown`, `expired` (for at least `ttl`
   * after expiry, then `unknown`), `overflow` (the session is then dropped; emits `lost`).
   */
  claim(id: string, user: string, node: string, ttl: number): Promise<Claim>;
  /**
   * Assigns the next server seq atomically and buffers the message; emits `appended`.
   * With `maxBuffered` unacknowledged messages already buffered it refuses (`overflow`) and
   * marks the session so its next claim fails with `overflow`. Never a silent drop.
   */
  append(id: string, m: { id: string; d: string; b?: 1 }, maxBuffered: number): Promise<Appended>;
  /** The client delivered every server seq ≤ `a`: forget them; emits `acked`. False when `fence` is stale. */
  ack(id: string, fence: number, a: number): Promise<boolean>;
  /** The server app took client seq `s` (raises `rx`, never lowers it). False when `fence` is stale. */
  received(id: string, fence: number, s: number): Promise<boolean>;
  /** Buffered messages with server seq > `after`, ascending, at most `limit`. */
  replay(id: string, after: number, limit: number): Promise<StoredMessage[]>;
  /** The link is gone: the session expires `ttl` ms from now unless claimed again. No-op when `fence` is stale. */
  release(id: string, fence: number, ttl: number): Promise<void>;
  /**
   * Events for `node`: at least `appended` and `taken` for sessions it holds or held, `acked`
   * and `lost` for any session (a store may narrow these). Resolves once listening; the
   * returned function stops it.
   */
  subscribe(node: string, listener: (e: StoreEvent) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}
