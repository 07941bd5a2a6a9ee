/**
 * `SocketSession`: every message exactly once and in order, both ways, across reconnects
 * (PROTOCOL.md), on top of a `WxSocketManager`. The manager keeps a link alive; the session
 * numbers messages, resends what the server has not seen on each new link, and acknowledges.
 */
import { Emitter } from '../emitter';
import { PREFIX, SocketError, noop, typeError } from '../errors';
import type { WxSocketManager } from '../socket-manager';
import type { SocketData } from '../types';
import { atLeast, integer, isSocketData, readOptions, text, time } from '../validate';
import type { Rules } from '../validate';
import { ACK_EVERY, classify, HEARTBEAT_PING, HEARTBEAT_PONG, CLOSE_TAKEN_OVER, CLOSE_TOO_MANY_SESSIONS, CLOSE_UNAUTHENTICATED, decodePayload, encodeAck, encodeHello, encodeMsg, encodePayload, parseFrame } from '../protocol';
import type { MsgFrame, WelcomeFrame } from '../protocol';
import { decodeSession, encodeSession, isStorageOption, openStorage } from './storage';
import type { SessionStorage, StoredMessage } from './storage';

export interface SocketSessionOptions {
  /** Keep the session across a kill: `'wx'` (wx storage, one key) or a synchronous `{ get, set, remove }` of JSON text. @default false */
  storage?: false | 'wx' | SessionStorage;
  /** The storage key. @default 'wx-socket-session' */
  storageKey?: string;
  /** Messages sent and not yet acknowledged by the server; beyond it `send()` rejects `QUEUE_FULL`. @default 1000 */
  maxUnacked?: number;
  /** A server message is acknowledged within this many ms of its delivery. @default 50 */
  ackDelay?: number;
  /** `send()` not acknowledged by then rejects `DELIVERY_TIMEOUT` (the message is still on its way). @default 60000 */
  deliveryTimeout?: number;
}

/** Event name → payload. */
export interface SocketSessionEvents {
  /** A server message, exactly once and in order; its listener also gets {@link SessionMessageMeta}. */
  message: SocketData;
  /** A volatile server message (live links only: never acknowledged, buffered or resent); its listener also gets {@link SessionVolatileMeta}. */
  volatile: SocketData;
  /** The server lost this session (`reason` from its welcome): server messages may have been missed; refetch state. */
  resync: { reason: string };
  /** The server acknowledged every message up to `seq`. */
  ack: { seq: number };
}

export type SocketSessionEventName = keyof SocketSessionEvents;

/** Where a server message sits: its `seq` and the server's `id` (stable across resends), and the room it was published to. */
export interface SessionMessageMeta {
  seq: number;
  id: string;
  /** The room it was published to, `'user'` for a message sent to the user, `undefined` for one sent to this session. */
  room?: string;
}

/** Where a volatile message comes from. */
export interface SessionVolatileMeta {
  /** The room it was published to, or `undefined`. */
  room?: string;
}

/** Event name → what a listener gets after the payload. */
export interface SocketSessionMeta {
  message: SessionMessageMeta;
  volatile: SessionVolatileMeta;
  resync: undefined;
  ack: undefined;
}

/**
 * `session.stats`: counted since the session was made (never reset; a snapshot).
 */
export interface SocketSessionStats {
  /** Messages sent and not yet acknowledged by the server (`session.unacked`). */
  unacked: number;
  /**
   * Messages written again on a new link after an earlier link had carried them (resumed
   * after a loss, or, after a resync, resent as new messages). A message first written on a
   * new link (sent while down) is not counted; one restored from storage was written before.
   */
  resent: number;
  /** `resync` events: the times the server had lost the session. */
  resyncs: number;
}

/** An unacknowledged message. Unacknowledged messages are contiguous, so its seq is its place. */
interface Unacked {
  _id: string;
  /** The payload as it travels: text, or base64 with `_binary`. */
  _data: string;
  _binary?: 1;
  /** A link carried it. */
  _written?: boolean;
  /** When `send()` rejects DELIVERY_TIMEOUT, while its promise is unsettled. */
  _deadline?: number;
  _resolve?: () => void;
  _reject?: (e: Error) => void;
}

type Timer = ReturnType<typeof setTimeout>;

const EVENTS: SocketSessionEventName[] = ['message', 'volatile', 'resync', 'ack'];
const OPTIONS: Rules = {
  storage: [false, isStorageOption, "false, 'wx' or { get, set, remove }"],
  storageKey: text('wx-socket-session'),
  maxUnacked: integer(1, 1000),
  ackDelay: atLeast(0, 50),
  deliveryTimeout: time(60000),
};
/** Session frames are never queued by the manager: a stale `msg` must not follow a later link's `hello`. */
const LIVE = { queue: false };

export class SocketSession {
  private readonly _socket: WxSocketManager;
  private readonly _storage: SessionStorage | undefined;
  private readonly _options: { storageKey: string; maxUnacked: number; ackDelay: number; deliveryTimeout: number };
  private readonly _events = new Emitter<SocketSessionEvents>(EVENTS);
  private _sid: string | null = null;
  /** Highest contiguous server seq handed to the app. */
  private _rx = 0;
  /** The last `rx` this link acknowledged. */
  private _ackedRx = 0;
  /** Seq of the next message sent. */
  private _next = 1;
  private _unacked: Unacked[] = [];
  /** A welcome came on the current link. */
  private _up = false;
  private _ackTimer: Timer | undefined;
  private _deliveryTimer: Timer | undefined;
  private _closed = false;
  private readonly _unsubscribe: Array<() => void>;
  private readonly _idPrefix = Date.now().toString(36) + Math.random().toString(36).slice(2, 8) + '.';
  private _ids = 0;
  private _resent = 0;
  private _resyncs = 0;

  /** @throws TypeError naming a bad option, or when `socket` is not a manager or already has a session. */
  constructor(socket: WxSocketManager, options: SocketSessionOptions = {}) {
    if (!socket || typeof socket.setFirstFrame !== 'function') throw typeError('socket must be a WxSocketManager');
    const o = readOptions(options, OPTIONS);
    this._options = o as SocketSession['_options'];
    this._storage = openStorage(o.storage as false | 'wx' | SessionStorage);
    this._load();
    this._socket = socket;
    socket.setFirstFrame(this._hello);
    this._unsubscribe = [
      socket.on('message', this._frame),
      socket.on('state', (e) => e.state !== 'open' && this._down()),
      socket.on('close', (e) => {
        // 4401 (not authenticated), 4409 (taken over by a newer link), 4429 (too many sessions): retrying cannot help.
        if (e.willReconnect && (e.code === CLOSE_UNAUTHENTICATED || e.code === CLOSE_TAKEN_OVER || e.code === CLOSE_TOO_MANY_SESSIONS)) socket.close();
      }),
    ];
    // A link already open never carried our hello: start a new one.
    if (socket.state === 'open') socket.reconnect();
  }

  /** The server's id for this session; `null` before the first welcome. */
  get sessionId(): string | null {
    return this._sid;
  }

  /** Messages sent and not yet acknowledged by the server. */
  get unacked(): number {
    return this._unacked.length;
  }

  /** `{ unacked, resent, resyncs }` since the session was made: see {@link SocketSessionStats}. */
  get stats(): SocketSessionStats {
    return { unacked: this.unacked, resent: this._resent, resyncs: this._resyncs };
  }

  /**
   * Sends `data`; resolves when the SERVER acknowledged it. Never throws: rejects `QUEUE_FULL`
   * (`maxUnacked` reached), `CLOSED`, `DELIVERY_TIMEOUT` (still on its way) or a TypeError.
   */
  send(data: SocketData): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (this._closed) return reject(new SocketError('CLOSED', 'the session is closed'));
      if (!isSocketData(data)) return reject(typeError('send() takes a string or an ArrayBuffer'));
      const max = this._options.maxUnacked;
      if (this._unacked.length >= max) return reject(new SocketError('QUEUE_FULL', `maxUnacked (${max}) reached`));
      const p = encodePayload(data);
      const m: Unacked = { _id: this._idPrefix + (this._ids++).toString(36), _data: p.d, _binary: p.b, _deadline: Date.now() + this._options.deliveryTimeout, _resolve: resolve, _reject: reject };
      const s = this._next++;
      this._unacked.push(m);
      this._save();
      if (this._up) this._writeMsg(s, m);
      if (this._deliveryTimer === undefined) this._armDeliveryTimer();
    });
  }

  /** Ends the session: unacknowledged sends reject `CLOSED`, stored state is removed. The manager is left as it is. */
  close(): void {
    if (this._closed) return;
    this._closed = true;
    this._down();
    if (this._deliveryTimer !== undefined) clearTimeout(this._deliveryTimer);
    this._socket.setFirstFrame(undefined);
    for (const off of this._unsubscribe) off();
    const unacked = this._unacked;
    this._unacked = [];
    this._store('remove');
    const e = new SocketError('CLOSED', 'the session was closed');
    for (const m of unacked) if (m._reject) m._reject(e);
  }

  /**
   * Adds a listener; returns its unsubscribe. `message` listeners get `(data, { seq, id, room })`,
   * `volatile` listeners `(data, { room })`.
   * @throws TypeError for an unknown event or a listener that is not a function.
   */
  on<K extends SocketSessionEventName>(event: K, listener: (payload: SocketSessionEvents[K], meta: SocketSessionMeta[K]) => void): () => void {
    return this._events.on(event, listener);
  }

  off<K extends SocketSessionEventName>(event: K, listener: (payload: SocketSessionEvents[K], meta: SocketSessionMeta[K]) => void): void {
    this._events.off(event, listener);
  }

  // ---- the link ----------------------------------------------------------------

  /** The manager's first frame on every new link. */
  private readonly _hello = (): string => {
    this._down();
    this._ackedRx = this._rx; // the hello's rx acknowledges as much
    return encodeHello(this._sid, this._rx);
  };

  private _down(): void {
    this._up = false;
    if (this._ackTimer !== undefined) clearTimeout(this._ackTimer);
    this._ackTimer = undefined;
  }

  private readonly _frame = (data: SocketData): void => {
    if (data === HEARTBEAT_PING || data === HEARTBEAT_PONG) return;
    const f = typeof data === 'string' ? parseFrame(data) : undefined;
    if (!f || f.t === 'invalid') return this._bad(f ? f.message : 'binary');
    if (f.t === 'welcome') this._welcome(f);
    else if (f.t === 'msg') this._msg(f);
    else if (f.t === 'volatile' && this._up) this._events.emit('volatile', decodePayload(f.d, f.b), { room: f.r });
    else if (f.t === 'ack' && this._up) this._acked(f.a);
    else if (f.t !== 'error') this._bad(`${f.t} out of place`); // an ack or a volatile before welcome, a hello
  };

  /** A server that breaks the protocol: drop the link; the next hello asks for what is missing. */
  private _bad(why: string): void {
    console.error(`${PREFIX} bad frame from the server (${why}); reconnecting`);
    this._socket.reconnect();
  }

  private _welcome(f: WelcomeFrame): void {
    if (this._up || f.rx >= this._next) return this._bad('welcome out of place');
    if (f.resumed && f.rx < this._next - this._unacked.length - 1) return this._rolledBack();
    const lost = !f.resumed && this._sid !== null;
    const rx = f.resumed ? f.rx : 0;
    const unacked = this._unacked;
    this._sid = f.sid;
    if (!f.resumed) {
      // Rule 7: both directions start again at 1; what was unacknowledged keeps its id.
      this._rx = 0;
      this._next = unacked.length + 1;
    }
    const base = this._next - unacked.length;
    for (let k = Math.max(0, rx - base + 1); k < unacked.length; k++) this._writeMsg(base + k, unacked[k] as Unacked);
    this._up = true;
    this._acked(rx);
    if (!lost) return;
    this._resyncs++;
    this._events.emit('resync', { reason: f.reason as string });
  }

  /**
   * The server resumed us below what it had acknowledged (its store went back): a lost session
   * too. Announced once; both sides restart at 1, what is unacknowledged keeps its id, and the
   * next hello asks for a new session.
   */
  private _rolledBack(): void {
    this._sid = null;
    this._rx = 0;
    this._next = this._unacked.length + 1;
    this._save();
    this._resyncs++;
    this._events.emit('resync', { reason: 'unknown' });
    if (!this._closed) this._socket.reconnect();
  }

  private _msg(f: MsgFrame): void {
    const c = classify(f.s, this._rx);
    if (!this._up || c === 'gap') return this._bad(`msg ${f.s} after ${this._up ? this._rx : 'no welcome'}`);
    if (c === 'deliver') {
      this._rx = f.s;
      this._events.emit('message', decodePayload(f.d, f.b), { seq: f.s, id: f.id, room: f.r });
      this._save();
    }
    // Duplicates are acknowledged again. (Not when a listener closed the session or dropped the link.)
    // Within ackDelay, or at once every ACK_EVERY messages so the server's buffer never waits on the timer.
    if (this._up && this._rx - this._ackedRx >= ACK_EVERY) this._ack();
    else if (this._ackTimer === undefined && this._up) this._ackTimer = setTimeout(this._ack, this._options.ackDelay);
  }

  private readonly _ack = (): void => {
    if (this._ackTimer !== undefined) clearTimeout(this._ackTimer);
    this._ackTimer = undefined;
    this._ackedRx = this._rx;
    if (this._up) this._write(encodeAck(this._rx));
  };

  /** The server has delivered every message `s ≤ a`: forget them, resolve their sends. */
  private _acked(a: number): void {
    if (a >= this._next) return this._bad(`ack ${a} above what was sent`);
    const done = a - (this._next - this._unacked.length) + 1;
    if (done > 0) {
      for (const m of this._unacked.splice(0, done)) if (m._resolve) m._resolve();
      if (!this._unacked.length && this._deliveryTimer !== undefined) {
        clearTimeout(this._deliveryTimer);
        this._deliveryTimer = undefined;
      }
    }
    this._save();
    if (done > 0) this._events.emit('ack', { seq: a });
  }

  private _writeMsg(s: number, m: Unacked): void {
    if (m._written) this._resent++;
    m._written = true;
    this._write(encodeMsg(s, m._id, m._data, m._binary));
  }

  private _write(frame: string): void {
    this._socket.send(frame, LIVE).then(undefined, noop);
  }

  // ---- delivery timeout: one timer for the oldest unsettled send ----

  private _armDeliveryTimer(): void {
    for (const m of this._unacked) {
      if (m._reject) {
        this._deliveryTimer = setTimeout(this._expire, Math.max(0, (m._deadline as number) - Date.now()));
        return;
      }
    }
  }

  private readonly _expire = (): void => {
    this._deliveryTimer = undefined;
    const now = Date.now();
    for (const m of this._unacked) {
      const reject = m._reject;
      if (!reject) continue;
      if ((m._deadline as number) > now) break;
      m._resolve = m._reject = undefined;
      reject(new SocketError('DELIVERY_TIMEOUT', `no ack within ${this._options.deliveryTimeout} ms`));
    }
    this._armDeliveryTimer();
  };

  // ---- persistence ----

  private _save(): void {
    if (this._storage && !this._closed) {
      const unacked = this._unacked.map((m): StoredMessage => (m._binary ? [m._id, m._data, 1] : [m._id, m._data]));
      this._store('set', encodeSession(this._sid, this._rx, this._next, unacked));
    }
  }

  /** A storage call that never breaks the session: a failure is reported and the session goes on in memory. */
  private _store(op: 'set' | 'remove', value?: string): void {
    try {
      if (this._storage) this._storage[op](this._options.storageKey, value as string);
    } catch (e) {
      console.error(`${PREFIX} storage ${op} failed:`, e);
    }
  }

  private _load(): void {
    const storage = this._storage;
    if (!storage) return;
    let stored: ReturnType<typeof decodeSession>;
    try {
      stored = decodeSession(storage.get(this._options.storageKey));
    } catch {
      stored = undefined; // a store that cannot be read holds nothing valid
    }
    if (stored === undefined) return console.error(`${PREFIX} stored session not valid; starting a new one`);
    if (stored === null) return;
    this._sid = stored.sid;
    this._rx = stored.rx;
    this._next = stored.next;
    // Stored before they were handed to a link: each may have been written already.
    this._unacked = stored.unacked.map(([id, d, b]) => ({ _id: id, _data: d, _binary: b, _written: true }));
  }
}
