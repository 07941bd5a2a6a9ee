/**
 * `SocketSession`: every message exactly once and in order, both ways, across reconnects
 * (PROTOCOL.md), on top of a `WxSocketManager`. The manager keeps a link alive; the session
 * numbers messages, resends what the server has not seen on each new link, and acknowledges.
 */
import { SocketError } from '../index';
import type { SocketData, SocketErrorCode, WxSocketManager } from '../index';
import { ACK_EVERY, classify, HEARTBEAT_PING, HEARTBEAT_PONG, CLOSE_TAKEN_OVER, CLOSE_TOO_MANY_SESSIONS, CLOSE_UNAUTHENTICATED, decodePayload, encodeAck, encodeHello, encodeMsg, encodePayload, parseFrame } from '../protocol';
import type { MsgFrame, WelcomeFrame } from '../protocol';
import { openStorage } from './storage';
import type { SessionStorage } from './storage';

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
  /** A server message, exactly once and in order. */
  message: SocketData;
  /** The server lost this session (`reason` from its welcome): server messages may have been missed; refetch state. */
  resync: { reason: string };
  /** The server acknowledged every message up to `seq`. */
  ack: { seq: number };
}

export type SocketSessionEventName = keyof SocketSessionEvents;

/** An unacknowledged message. Unacknowledged messages are contiguous, so its `s` is its place. */
interface Out {
  /** id */
  i: string;
  d: string;
  b?: 1;
  /** deadline, while `send()`'s promise is unsettled */
  t?: number;
  ok?: () => void;
  no?: (e: Error) => void;
}

type Timer = ReturnType<typeof setTimeout>;

const P = '[wx-socket-manager]';
const EVENTS = ['message', 'resync', 'ack'];
const KEYS = ['storage', 'storageKey', 'maxUnacked', 'ackDelay', 'deliveryTimeout'];
/** Session frames are never queued by the manager: a stale `msg` must not follow a later link's `hello`. */
const LIVE = { queue: false };

export class SocketSession {
  private readonly _socket: WxSocketManager;
  private readonly _st: SessionStorage | undefined;
  private readonly _key: string;
  private readonly _max: number;
  private readonly _ackDelay: number;
  private readonly _timeout: number;
  private _l: { [K in SocketSessionEventName]?: Array<(payload: SocketSessionEvents[K]) => void> } = {};
  private _sid: string | null = null;
  /** Highest contiguous server `s` handed to the app. */
  private _rx = 0;
  /** `s` of the next message sent. */
  private _next = 1;
  private _out: Out[] = [];
  /** A welcome came on the current link. */
  private _up = false;
  private _ackT: Timer | undefined;
  private _dlT: Timer | undefined;
  private _closed = false;
  private readonly _off: Array<() => void>;
  private readonly _idp = Date.now().toString(36) + Math.random().toString(36).slice(2, 8) + '.';
  private _ids = 0;

  constructor(socket: WxSocketManager, options: SocketSessionOptions = {}) {
    if (!socket || typeof socket.setFirstFrame !== 'function') throw typeError('socket must be a WxSocketManager');
    for (const k in options) if (KEYS.indexOf(k) < 0) throw typeError(`option "${k}" is unknown (known: ${KEYS})`);
    this._max = num(options.maxUnacked, 1000, 'maxUnacked', 1, 1);
    this._ackDelay = num(options.ackDelay, 50, 'ackDelay', 0);
    this._timeout = num(options.deliveryTimeout, 60000, 'deliveryTimeout', 1);
    const key = options.storageKey === undefined ? 'wx-socket-session' : options.storageKey;
    if (typeof key !== 'string' || !key) throw typeError('option "storageKey" must be a non-empty string');
    this._key = key;
    this._st = openStorage(options.storage);
    this._load();
    this._socket = socket;
    socket.setFirstFrame(this._hello);
    this._off = [
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
    return this._out.length;
  }

  /**
   * Sends `data`; resolves when the SERVER acknowledged it. Never throws: rejects `QUEUE_FULL`
   * (`maxUnacked` reached), `CLOSED`, `DELIVERY_TIMEOUT` (still on its way) or a TypeError.
   */
  send(data: SocketData): Promise<void> {
    return new Promise<void>((ok, no) => {
      if (this._closed) return no(error('CLOSED', 'the session is closed'));
      if (typeof data !== 'string' && Object.prototype.toString.call(data) !== '[object ArrayBuffer]') {
        return no(typeError('send() takes a string or an ArrayBuffer'));
      }
      if (this._out.length >= this._max) return no(error('QUEUE_FULL', `maxUnacked (${this._max}) reached`));
      const p = encodePayload(data);
      const m: Out = { i: this._idp + (this._ids++).toString(36), d: p.d, b: p.b, t: Date.now() + this._timeout, ok, no };
      const s = this._next++;
      this._out.push(m);
      this._save();
      if (this._up) this._write(encodeMsg(s, m.i, m.d, m.b));
      if (this._dlT === undefined) this._arm();
    });
  }

  /** Ends the session: unacknowledged sends reject `CLOSED`, stored state is removed. The manager is left as it is. */
  close(): void {
    if (this._closed) return;
    this._closed = true;
    this._down();
    if (this._dlT !== undefined) clearTimeout(this._dlT);
    this._socket.setFirstFrame(undefined);
    for (const off of this._off) off();
    const out = this._out;
    this._out = [];
    this._store('remove');
    const e = error('CLOSED', 'the session was closed');
    for (const m of out) if (m.no) m.no(e);
  }

  on<K extends SocketSessionEventName>(event: K, listener: (payload: SocketSessionEvents[K]) => void): () => void {
    if (EVENTS.indexOf(event) < 0 || typeof listener !== 'function') throw typeError(`on("${event}", listener): unknown event or no function (events: ${EVENTS})`);
    this._l[event] = ((this._l[event] || []) as Array<typeof listener>).concat(listener) as never;
    return () => this.off(event, listener);
  }

  off<K extends SocketSessionEventName>(event: K, listener: (payload: SocketSessionEvents[K]) => void): void {
    const list = this._l[event] as Array<typeof listener> | undefined;
    if (list) this._l[event] = list.filter((l) => l !== listener) as never;
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
    if (this._ackT !== undefined) clearTimeout(this._ackT);
    this._ackT = undefined;
  }

  private readonly _frame = (data: SocketData): void => {
    if (data === HEARTBEAT_PING || data === HEARTBEAT_PONG) return;
    const f = typeof data === 'string' ? parseFrame(data) : undefined;
    if (!f || f.t === 'invalid') return this._bad(f ? f.message : 'binary');
    if (f.t === 'welcome') this._welcome(f);
    else if (f.t === 'msg') this._msg(f);
    else if (f.t === 'ack' && this._up) this._acked(f.a);
    else if (f.t !== 'error') this._bad(`${f.t} out of place`); // an ack before welcome, a hello
  };

  /** A server that breaks the protocol: drop the link; the next hello asks for what is missing. */
  private _bad(why: string): void {
    console.error(`${P} bad frame from the server (${why}); reconnecting`);
    this._socket.reconnect();
  }

  private _welcome(f: WelcomeFrame): void {
    if (this._up || f.rx >= this._next) return this._bad('welcome out of place');
    if (f.resumed && f.rx < this._next - this._out.length - 1) return this._rolledBack();
    const lost = !f.resumed && this._sid !== null;
    const rx = f.resumed ? f.rx : 0;
    this._sid = f.sid;
    if (!f.resumed) {
      // Rule 7: both directions start again at 1; what was unacknowledged keeps its id.
      this._rx = 0;
      this._next = this._out.length + 1;
    }
    const base = this._next - this._out.length;
    for (let k = Math.max(0, rx - base + 1); k < this._out.length; k++) {
      const m = this._out[k] as Out;
      this._write(encodeMsg(base + k, m.i, m.d, m.b));
    }
    this._up = true;
    this._acked(rx);
    if (lost) this._emit('resync', { reason: f.reason as string });
  }

  /**
   * The server resumed us below what it had acknowledged (its store went back): a lost session
   * too. Announced once; both sides restart at 1, what is unacknowledged keeps its id, and the
   * next hello asks for a new session.
   */
  private _rolledBack(): void {
    this._sid = null;
    this._rx = 0;
    this._next = this._out.length + 1;
    this._save();
    this._emit('resync', { reason: 'unknown' });
    if (!this._closed) this._socket.reconnect();
  }

  private _msg(f: MsgFrame): void {
    const c = classify(f.s, this._rx);
    if (!this._up || c === 'gap') return this._bad(`msg ${f.s} after ${this._up ? this._rx : 'no welcome'}`);
    if (c === 'deliver') {
      this._rx = f.s;
      this._emit('message', decodePayload(f.d, f.b));
      this._save();
    }
    // Duplicates are acknowledged again. (Not when a listener closed the session or dropped the link.)
    // Within ackDelay, or at once every ACK_EVERY messages so the server's buffer never waits on the timer.
    if (this._up && this._rx - this._ackedRx >= ACK_EVERY) this._ack();
    else if (this._ackT === undefined && this._up) this._ackT = setTimeout(this._ack, this._ackDelay);
  }

  /** The last `rx` this link acknowledged. */
  private _ackedRx = 0;

  private readonly _ack = (): void => {
    if (this._ackT !== undefined) clearTimeout(this._ackT);
    this._ackT = undefined;
    this._ackedRx = this._rx;
    if (this._up) this._write(encodeAck(this._rx));
  };

  /** The server has delivered every message `s ≤ a`: forget them, resolve their sends. */
  private _acked(a: number): void {
    if (a >= this._next) return this._bad(`ack ${a} above what was sent`);
    const done = a - (this._next - this._out.length) + 1;
    if (done > 0) {
      for (const m of this._out.splice(0, done)) if (m.ok) m.ok();
      if (!this._out.length && this._dlT !== undefined) {
        clearTimeout(this._dlT);
        this._dlT = undefined;
      }
    }
    this._save();
    if (done > 0) this._emit('ack', { seq: a });
  }

  private _write(frame: string): void {
    this._socket.send(frame, LIVE).then(undefined, noop);
  }

  // ---- delivery timeout: one timer for the oldest unsettled send ----

  private _arm(): void {
    for (const m of this._out) {
      if (m.no) {
        this._dlT = setTimeout(this._expire, Math.max(0, (m.t as number) - Date.now()));
        return;
      }
    }
  }

  private readonly _expire = (): void => {
    this._dlT = undefined;
    const now = Date.now();
    for (const m of this._out) {
      const no = m.no;
      if (!no) continue;
      if ((m.t as number) > now) break;
      m.ok = m.no = undefined;
      no(error('DELIVERY_TIMEOUT', `no ack within ${this._timeout} ms`));
    }
    this._arm();
  };

  // ---- persistence ----

  private _save(): void {
    if (this._st && !this._closed) this._store('set', JSON.stringify({ sid: this._sid, rx: this._rx, s: this._next, u: this._out.map((m) => (m.b ? [m.i, m.d, 1] : [m.i, m.d])) }));
  }

  /** A storage call that never breaks the session: a failure is reported and the session goes on in memory. */
  private _store(op: 'set' | 'remove', value?: string): void {
    try {
      if (this._st) this._st[op](this._key, value as string);
    } catch (e) {
      console.error(`${P} storage ${op} failed:`, e);
    }
  }

  private _load(): void {
    const st = this._st;
    if (!st) return;
    let v: { sid?: unknown; rx?: unknown; s?: unknown; u?: unknown } | null;
    try {
      v = JSON.parse(st.get(this._key) || 'null');
    } catch (e) {
      v = {};
    }
    if (!v) return;
    const u = v.u;
    if ((v.sid === null || typeof v.sid === 'string') && isCount(v.rx) && isCount(v.s) && Array.isArray(u) && u.length < v.s &&
      u.every((x) => Array.isArray(x) && typeof x[0] === 'string' && typeof x[1] === 'string')) {
      this._sid = v.sid;
      this._rx = v.rx;
      this._next = v.s;
      this._out = u.map((x: unknown[]) => (x[2] === 1 ? { i: x[0] as string, d: x[1] as string, b: 1 } : { i: x[0] as string, d: x[1] as string }));
    } else console.error(`${P} stored session not valid; starting a new one`);
  }

  private _emit<K extends SocketSessionEventName>(event: K, payload: SocketSessionEvents[K]): void {
    const list = this._l[event] as Array<(p: SocketSessionEvents[K]) => void> | undefined;
    if (list) {
      for (const l of list) {
        try {
          l(payload);
        } catch (e) {
          console.error(`${P} a "${event}" listener threw:`, e);
        }
      }
    }
  }
}

function num(value: unknown, fallback: number, name: string, min: number, integer?: 1): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !isFinite(value) || value < min || (integer && value % 1)) {
    throw typeError(`option "${name}" must be ${integer ? 'an integer' : 'a finite number'} ≥ ${min}`);
  }
  return value;
}

function typeError(message: string): TypeError {
  return new TypeError(`${P} ${message}`);
}

function isCount(n: unknown): n is number {
  return typeof n === 'number' && n >= 0 && n % 1 === 0;
}

function error(code: SocketErrorCode, message: string): SocketError {
  return new SocketError(code, message);
}

function noop(): void {}
