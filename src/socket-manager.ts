/**
 * The state machine. One live SocketTask at most; every task's callbacks carry the
 * generation they were born in and are ignored once it has passed (SocketTask has no off*).
 */
import { Emitter } from './emitter';
import { PREFIX, SocketError, typeError } from './errors';
import type { SocketErrorCode } from './errors';
import { Heartbeat } from './heartbeat';
import { checkHeader, checkUrl, resolveOptions } from './options';
import type { ResolvedOptions } from './options';
import { globalWx, watchPlatform } from './platform';
import { isFatalConnectError, isValidCloseCode, reconnectDelay, utf8Length } from './reconnect-policy';
import { Fifo } from './send-queue';
import type { Outgoing } from './send-queue';
import type {
  Listener,
  NetworkStatus,
  SendOptions,
  SocketData,
  SocketState,
  SocketTaskLike,
  WxCallbackResult,
  WxSocketEventName,
  WxSocketEvents,
  WxSocketOptions,
} from './types';

const EVENTS: WxSocketEventName[] = ['open', 'message', 'close', 'error', 'reconnecting', 'reconnect-failed', 'state', 'pong'];
/** Close code reported for losses the client detected itself (heartbeat, send failure, timeouts). */
const ABNORMAL = 1006;

type Timer = ReturnType<typeof setTimeout>;

/**
 * Keeps one WebSocket alive on a mini-program's `wx.connectSocket` (or any injected
 * `connectSocket`): reconnects under a lock and a limit, pings when silent, queues sends
 * while down, pauses offline and in the background, and holds the link for pages through
 * `onLoad`/`onUnload`.
 *
 * ```js
 * const socket = new WxSocketManager({ url: 'wss://example.com/live' })
 * socket.on('message', (data) => …)
 * Page({ onLoad: socket.onLoad, onUnload: socket.onUnload })
 * ```
 *
 * @throws TypeError at construction for a bad option (the message names it), or when there
 *   is neither a `connectSocket` option nor a `wx` global.
 */
export class WxSocketManager {
  private readonly _options: ResolvedOptions;
  private readonly _events = new Emitter<WxSocketEvents>();
  private readonly _queue = new Fifo<Outgoing>();
  /** Frames handed to the task whose callback has not come yet, oldest first. */
  private readonly _inflight = new Fifo<Outgoing>();
  private readonly _heartbeat: Heartbeat | undefined;

  private _current: SocketState = 'idle';
  private _attemptNo = 0;
  private _task: SocketTaskLike | undefined;
  /** Bumped whenever the current attempt/task is given up; stale callbacks compare against it. */
  private _gen = 0;
  private _reconnectTimer: Timer | undefined;
  private _connectTimer: Timer | undefined;
  private _online = true;
  private _hidden = false;
  private _holders = 0;
  private _destroyed = false;
  private _unwatch: (() => void) | undefined;
  /** The close event a link that opened still owes (set when it is lost, paid once). */
  private _owed: { code: number; reason: string } | undefined;
  private _firstFrame: (() => SocketData | undefined) | undefined;

  /** @throws TypeError naming the bad option; see {@link WxSocketOptions}. */
  constructor(options: WxSocketOptions) {
    this._options = resolveOptions(options, globalWx());
    const hb = this._options.heartbeat;
    if (hb) {
      this._heartbeat = new Heartbeat(hb, {
        ping: (text) => this._sendRaw(text),
        dead: () => this._lose(ABNORMAL, 'heartbeat timeout', this._error('HEARTBEAT_TIMEOUT', `silent ${hb.timeout} ms after a ping`)),
        pong: (rtt) => this._emit('pong', { rtt }),
      });
    }
  }

  /** `idle | connecting | open | reconnecting | closed | failed`. */
  get state(): SocketState {
    return this._current;
  }

  /** Reconnect attempt now running or scheduled; 0 while open. */
  get attempt(): number {
    return this._attemptNo;
  }

  /** ms of the last ping → pong, `undefined` before one. */
  get rtt(): number | undefined {
    return this._heartbeat && this._heartbeat._rtt;
  }

  /** Reconnect attempts allowed after a loss (0 when reconnect is off). */
  get maxAttempts(): number {
    return this._options.reconnect ? this._options.reconnect.maxAttempts : 0;
  }

  /** Messages waiting to be sent. */
  get queued(): number {
    return this._queue._size;
  }

  // ---- public methods -------------------------------------------------------

  /**
   * Starts connecting. A no-op while `connecting`, `open` or `reconnecting`; from `idle`,
   * `closed` or `failed` it starts over with `attempt = 0`.
   * @throws Error after `destroy()`.
   */
  connect(): void {
    this._assertUsable('connect');
    const s = this._current;
    if (s === 'connecting' || s === 'open' || s === 'reconnecting') return;
    this._restart('connecting');
  }

  /**
   * Drops the current task (an open link yields its `close` event with `willReconnect: true`)
   * and connects again at once with `attempt = 0`, from any state.
   * @throws Error after `destroy()`.
   */
  reconnect(): void {
    this._assertUsable('reconnect');
    this._restart('connecting');
  }

  /**
   * Sends a frame. While open (and nothing is queued) it goes to the task at once;
   * otherwise it is queued and sent, in order, before anything sent later.
   *
   * Resolves when the platform reports the frame sent ("handed to the network", not
   * "received by the server"). A frame whose platform send fails is not lost: it goes back
   * to the head of the queue and the link is treated as dead.
   *
   * Extension: `{ queue: false }` sends only on an open link and never queues or requeues
   * this frame (for protocols that resend on their own, like `SocketSession`).
   *
   * @returns a promise rejected with {@link SocketError}: `QUEUE_FULL` (this message refused,
   *   queued ones kept), `CLOSED` (the manager is closed, or was closed before it went out),
   *   `NOT_OPEN` (queue disabled, or `{ queue: false }`, and not open), `SEND_FAILED` (the
   *   platform failed it and it could not be requeued).
   * @throws TypeError for data other than a string or an ArrayBuffer, or bad `options`;
   *   Error after `destroy()`.
   */
  send(data: SocketData, options?: SendOptions): Promise<void> {
    this._assertUsable('send');
    if (typeof data !== 'string' && kindOf(data) !== 'ArrayBuffer') throw typeError(`send() takes a string or an ArrayBuffer, got ${kindOf(data)}`);
    const direct = options !== undefined && sendOptions(options);
    if (this._current === 'closed') return Promise.reject(this._error('CLOSED', 'call connect() first'));
    const queueOptions = this._options.queue;
    if (this._current === 'open' && this._queue._size === 0) {
      const promise = new Promise<void>(this._capture);
      this._dispatch({ _data: data, _ok: this._resolve, _fail: this._reject, _direct: direct });
      return promise;
    }
    if (!queueOptions || direct) {
      return Promise.reject(this._error('NOT_OPEN', this._current));
    }
    if (this._queue._size >= queueOptions.max) {
      return Promise.reject(this._error('QUEUE_FULL', `max ${queueOptions.max}`));
    }
    const promise = new Promise<void>(this._capture);
    this._queue._push({ _data: data, _ok: this._resolve, _fail: this._reject, _direct: false });
    return promise;
  }

  /**
   * Extension point: `fn` is asked for a frame on every new link, right after it opens and
   * before the queue is flushed, the state changes or any listener runs, so that frame is
   * always the first one on the link (a session's `hello`). Return `undefined` to send
   * nothing. Pass `undefined` to remove the hook.
   * @throws TypeError when `fn` is neither a function nor `undefined`, or another hook is set.
   */
  setFirstFrame(fn: (() => SocketData | undefined) | undefined): void {
    if ((fn !== undefined && typeof fn !== 'function') || (fn && this._firstFrame && this._firstFrame !== fn)) {
      throw typeError('setFirstFrame() takes one function, or undefined');
    }
    this._firstFrame = fn;
  }

  /**
   * Stops for good: no reconnect, every timer cancelled, the task closed, wx listeners
   * released, queued messages rejected with `CLOSED`; an open link yields one `close` event.
   * Calling it again (or after `destroy()`) does nothing.
   * @throws RangeError for a code other than 1000 or 3000–4999, or a reason over 123 UTF-8
   *   bytes (checked first, in any state); TypeError for a reason that is not a string.
   */
  close(code = 1000, reason = ''): void {
    if (this._destroyed) return;
    if (!isValidCloseCode(code)) throw new RangeError(`${PREFIX} close code must be 1000 or 3000–4999, got ${String(code)}`);
    if (typeof reason !== 'string') throw typeError('close reason must be a string');
    if (utf8Length(reason) > 123) throw new RangeError(`${PREFIX} close reason must be at most 123 UTF-8 bytes`);
    if (this._current === 'closed') return;
    // A link still open ends with our code; one already lost (we are inside its loss) with its own.
    if (this._current === 'open') this._owed = { code, reason };
    this._abandon(code, reason);
    this._setState('closed');
    this._payClose(false);
  }

  /**
   * Adds a listener; returns its unsubscribe. A listener that throws is reported with
   * `console.error` and never stops the others or the manager.
   * @throws TypeError for an unknown event or a listener that is not a function; Error after `destroy()`.
   */
  on<K extends WxSocketEventName>(event: K, listener: Listener<K>): () => void {
    this._assertUsable('on');
    checkEvent(event);
    if (typeof listener !== 'function') throw typeError(`on("${event}") needs a listener function`);
    return this._events.on(event, listener);
  }

  /** Removes a listener added with `on()` (unknown ones are ignored). */
  off<K extends WxSocketEventName>(event: K, listener: Listener<K>): void {
    this._events.off(event, listener);
  }

  /**
   * `close()` plus removing every listener and hook. Afterwards `connect`, `send`,
   * `reconnect`, `onLoad` and `on` throw; `close`, `onUnload` and `destroy` do nothing.
   */
  destroy(): void {
    if (this._destroyed) return;
    this._firstFrame = undefined;
    this.close();
    this._events.clear();
    this._destroyed = true;
  }

  /**
   * Page hook: one more holder; connects. Arrow-bound: `Page({ onLoad: socket.onLoad })`.
   * @throws Error after `destroy()`.
   */
  readonly onLoad = (): void => {
    this._assertUsable('onLoad');
    this._holders++;
    this.connect();
  };

  /**
   * Page hook: one holder fewer; the last one closes (1000) with no reconnect, no timer and
   * no wx listener left. A later `onLoad` connects again. Never throws.
   */
  readonly onUnload = (): void => {
    if (this._destroyed || this._holders === 0) return;
    if (--this._holders === 0) this.close(1000);
  };

  // ---- attempts ---------------------------------------------------------------

  /** Drops whatever runs and starts attempt 0 at once. */
  private _restart(state: 'connecting' | 'reconnecting'): void {
    if (this._current === 'open') this._owed = { code: 1000, reason: '' };
    this._abandon(1000, '');
    const g = this._gen;
    this._attemptNo = 0;
    this._setState(state);
    if (g !== this._gen) return;
    this._payClose(true);
    if (g === this._gen && this._online) this._startAttempt();
  }

  private _startAttempt(): void {
    this._abandon(1000, '');
    const gen = this._gen;
    this._connectTimer = setTimeout(() => {
      if (gen === this._gen) this._lose(ABNORMAL, 'connect timeout', this._error('CONNECT_TIMEOUT', `${this._options.connectTimeout} ms`));
    }, this._options.connectTimeout);

    const { url, header } = this._options;
    if (typeof url !== 'function' && typeof header !== 'function') return this._openTask(gen, url, header);
    let pending: Promise<[string, Record<string, string> | undefined]>;
    try {
      pending = Promise.all([typeof url === 'function' ? url() : url, typeof header === 'function' ? header() : header]);
    } catch (err) {
      return this._providerFailed(err);
    }
    pending.then(
      ([u, h]) => {
        if (gen !== this._gen) return;
        try {
          checkUrl(u, 'url()');
          if (h !== undefined) checkHeader(h, 'header()');
        } catch (err) {
          return this._providerFailed(err);
        }
        this._openTask(gen, u, h);
      },
      (err: unknown) => {
        if (gen === this._gen) this._providerFailed(err);
      },
    );
  }

  private _providerFailed(err: unknown): void {
    const detail = err instanceof Error ? err.message : String(err);
    this._lose(ABNORMAL, 'provider failed', this._error('PROVIDER_FAILED', detail));
  }

  private _openTask(gen: number, url: string, header: Record<string, string> | undefined): void {
    let task: SocketTaskLike;
    try {
      task = this._options.connectSocket({
        url,
        header,
        protocols: this._options.protocols,
        timeout: this._options.connectTimeout,
        fail: (res) => {
          if (gen === this._gen) this._connectFailed(res);
        },
      });
      if (!isTask(task)) throw new TypeError('connectSocket returned no SocketTask');
    } catch (err) {
      if (gen !== this._gen) return;
      return this._lose(ABNORMAL, 'connect failed', this._error('CONNECT_FAILED', `connectSocket: ${err instanceof Error ? err.message : String(err)}`));
    }
    if (gen !== this._gen) return safeClose(task, 1000, '');
    this._task = task;
    this._bindSendCallbacks(gen);
    // Registered in the same tick as connectSocket, or onOpen can be missed.
    task.onOpen((res) => {
      if (gen === this._gen) this._opened(gen, res.header);
      // Given up while connecting, yet its handshake completed (its close() had failed or thrown).
      else safeClose(task, 1000, '');
    });
    task.onMessage((res) => {
      if (gen === this._gen) this._received(res.data);
    });
    task.onError((res) => {
      if (gen !== this._gen) return;
      if (this._current === 'open') this._lose(ABNORMAL, res.errMsg, this._error('SOCKET_ERROR', '', res.errMsg));
      else this._connectFailed(res);
    });
    task.onClose((res) => {
      if (gen !== this._gen) return;
      const code = typeof res.code === 'number' ? res.code : ABNORMAL;
      const reason = typeof res.reason === 'string' ? res.reason : '';
      if (this._current === 'open') this._lose(code, reason);
      else this._lose(code, reason, this._error('CONNECT_FAILED', `closed ${code}`, reason || undefined));
    });
  }

  private _connectFailed(res: WxCallbackResult): void {
    const errMsg = res && typeof res.errMsg === 'string' ? res.errMsg : undefined;
    if (isFatalConnectError(errMsg)) {
      return this._lose(ABNORMAL, 'domain not allowed', this._error('DOMAIN_NOT_ALLOWED', '', errMsg), true);
    }
    this._lose(ABNORMAL, errMsg || 'connect failed', this._error('CONNECT_FAILED', '', errMsg));
  }

  private _opened(gen: number, header: Record<string, string> | undefined): void {
    this._clearConnectTimer();
    const took = this._attemptNo;
    this._attemptNo = 0;
    if (this._firstFrame) this._sendFirstFrame(this._firstFrame);
    if (gen !== this._gen) return;
    this._setState('open');
    // Queued frames go out before `open` listeners run (and before anything they send).
    while (gen === this._gen && this._queue._size > 0) this._dispatch(this._queue._shift() as Outgoing);
    if (gen !== this._gen) return;
    if (this._heartbeat && !this._hidden) this._heartbeat._start();
    this._emit('open', header === undefined ? { attempt: took } : { attempt: took, header });
  }

  private _received(data: SocketData): void {
    if (this._heartbeat && this._heartbeat._received(data)) return;
    this._events.emit('message', data);
  }

  private _sendFirstFrame(hook: () => SocketData | undefined): void {
    let frame: SocketData | undefined;
    try {
      frame = hook();
    } catch (err) {
      console.error(PREFIX, 'first-frame hook threw', err);
    }
    if (frame !== undefined) this._sendRaw(frame);
  }

  // ---- sending ----------------------------------------------------------------

  private _dispatch(item: Outgoing): void {
    this._inflight._push(item);
    this._sendRaw(item._data, this._confirm);
  }

  /** Hands a frame to the task; a platform failure means the link is dead. */
  private _sendRaw(data: SocketData, success?: () => void): void {
    try {
      (this._task as SocketTaskLike).send({ data, success, fail: this._refuse });
    } catch (err) {
      this._refuse({ errMsg: err instanceof Error ? err.message : String(err) });
    }
  }

  /**
   * One executor for every send() promise: it runs synchronously inside `new Promise`, so
   * its two functions are read right after. Saves a closure per frame on the hot path.
   */
  private _resolve: () => void = noop;
  private _reject: (err: Error) => void = noop;
  private readonly _capture = (resolve: () => void, reject: (err: Error) => void): void => {
    this._resolve = resolve;
    this._reject = reject;
  };

  /** Per-task send callbacks (bound in openTask) so no closure is made per frame. */
  private _confirm: () => void = noop;
  private _refuse: (res: WxCallbackResult) => void = noop;

  private _bindSendCallbacks(gen: number): void {
    // Platform callbacks come in send order, so the oldest in-flight frame is the one confirmed.
    this._confirm = () => {
      if (gen !== this._gen) return;
      const item = this._inflight._shift();
      if (item) item._ok();
    };
    this._refuse = (res) => {
      if (gen === this._gen) this._sendFailed(res && res.errMsg);
    };
  }

  private _sendFailed(errMsg: string | undefined): void {
    this._lose(ABNORMAL, 'send failed', this._error('SEND_FAILED', '', errMsg));
  }

  // ---- losing a link ------------------------------------------------------------

  /** Every failure ends here: one loss, one decision, at most one scheduled attempt. */
  private _lose(code: number, reason: string, error?: SocketError, fatal = false): void {
    if (this._current === 'open') this._owed = { code, reason };
    this._abandon(1000, '', error && error.errMsg);
    const g = this._gen;
    const r = this._options.reconnect;
    let next: SocketState;
    let gaveUp: number | undefined;
    if (fatal) next = 'failed';
    else if (!this._askShouldReconnect(code, reason)) next = 'closed';
    else if (!r || r.maxAttempts === 0) {
      next = 'failed';
      gaveUp = 0;
    } else if (!this._online) next = 'reconnecting';
    else if (this._attemptNo >= r.maxAttempts) {
      next = 'failed';
      gaveUp = this._attemptNo;
    } else next = 'reconnecting';

    if (error) this._emit('error', error);
    if (g !== this._gen) return;
    this._setState(next);
    if (g !== this._gen) return;
    this._payClose(next === 'reconnecting');
    if (g !== this._gen) return;
    if (gaveUp !== undefined) this._emit('reconnect-failed', { attempts: gaveUp });
    else if (next === 'reconnecting' && this._online && r) this._schedule(r);
  }

  private _schedule(r: Exclude<ResolvedOptions['reconnect'], false>): void {
    const attempt = ++this._attemptNo;
    const delay = reconnectDelay(attempt, r);
    this._reconnectTimer = setTimeout(() => {
      this._reconnectTimer = undefined;
      this._startAttempt();
    }, delay);
    this._emit('reconnecting', { attempt, delay });
  }

  private _askShouldReconnect(code: number, reason: string): boolean {
    const ask = this._options.shouldReconnect;
    if (!ask) return true;
    try {
      return ask({ code, reason }) !== false;
    } catch (err) {
      console.error(PREFIX, 'shouldReconnect threw', err);
      return true;
    }
  }

  /**
   * Gives up the current attempt/task: new generation, timers cleared, task closed
   * without waiting for its onClose, unconfirmed frames back to the head of the queue
   * (or, with the queue off, rejected with SEND_FAILED carrying the platform's errMsg).
   */
  private _abandon(code: number, reason: string, errMsg?: string): void {
    this._gen++;
    this._clearConnectTimer();
    if (this._reconnectTimer !== undefined) clearTimeout(this._reconnectTimer);
    this._reconnectTimer = undefined;
    if (this._heartbeat) this._heartbeat._stop();
    const task = this._task;
    this._task = undefined;
    if (task) safeClose(task, code, reason);
    if (this._inflight._size > 0) {
      const unconfirmed = this._inflight._drain();
      const requeue: Outgoing[] = [];
      for (const item of unconfirmed) {
        if (this._options.queue && !item._direct) requeue.push(item);
        else item._fail(this._error('SEND_FAILED', 'link lost', errMsg));
      }
      if (requeue.length > 0) this._queue._unshiftAll(requeue);
    }
  }

  private _clearConnectTimer(): void {
    if (this._connectTimer !== undefined) clearTimeout(this._connectTimer);
    this._connectTimer = undefined;
  }

  /** Emits the `close` event a lost link still owes, once, whoever (a listener included) finishes the loss. */
  private _payClose(willReconnect: boolean): void {
    const owed = this._owed;
    if (!owed) return;
    this._owed = undefined;
    this._emit('close', { code: owed.code, reason: owed.reason, willReconnect });
  }

  // ---- state and platform ---------------------------------------------------------

  /** The only place the state changes. Emits `state` only on a real change. */
  private _setState(next: SocketState): void {
    const previous = this._current;
    if (next === previous) return;
    this._current = next;
    if (next === 'closed') {
      this._release();
      for (const item of this._queue._drain()) item._fail(this._error('CLOSED'));
    } else if (!this._unwatch) this._watch();
    this._emit('state', { state: next, previous });
  }

  private _watch(): void {
    const { watchNetwork, watchApp, wx } = this._options;
    this._unwatch = watchPlatform(wx, {
      network: watchNetwork ? this._networkChanged : undefined,
      show: watchApp ? this._shown : undefined,
      hide: watchApp ? this._hiddenNow : undefined,
    });
  }

  private _release(): void {
    if (this._unwatch) this._unwatch();
    this._unwatch = undefined;
    // Not listening any more: what we knew of the network goes stale (re-learned on watch).
    this._online = true;
    this._hidden = false;
  }

  private readonly _networkChanged = (res: NetworkStatus, query?: boolean): void => {
    const online = !!(res && res.isConnected);
    if (query && online === this._online) return;
    this._online = online;
    if (!online) {
      // Paused: the pending attempt is not spent while offline.
      if (this._reconnectTimer !== undefined) clearTimeout(this._reconnectTimer);
      this._reconnectTimer = undefined;
      return;
    }
    this._retryNow();
  };

  private readonly _shown = (): void => {
    this._hidden = false;
    this._retryNow();
  };

  private readonly _hiddenNow = (): void => {
    this._hidden = true;
    if (this._heartbeat) this._heartbeat._stop();
  };

  /** The world changed (back online, app shown): check an open link, retry a lost one at once with attempt 0. */
  private _retryNow(): void {
    const s = this._current;
    const running = this._connectTimer !== undefined; // armed ⇔ an attempt runs: left alone
    if (s === 'reconnecting' || s === 'failed') {
      if (!running) this._restart('reconnecting');
    } else if (s === 'connecting') {
      if (!running && this._online) this._startAttempt();
    } else if (s === 'open' && !this._hidden && this._heartbeat) this._heartbeat._probe(); // hidden: the probe waits for show
  }

  // ---- helpers ------------------------------------------------------------------------

  private _emit<K extends WxSocketEventName>(event: K, payload: WxSocketEvents[K]): void {
    this._events.emit(event, payload);
  }

  private _error(code: SocketErrorCode, detail?: string, errMsg?: string): SocketError {
    return new SocketError(code, detail, errMsg);
  }

  private _assertUsable(method: string): void {
    if (this._destroyed) throw new Error(`${PREFIX} ${method}() called after destroy()`);
  }

  /** Internal counters for leak checks and the `testing` helpers. */
  get diagnostics(): { timers: number; listeners: number; holders: number; task: boolean } {
    const timers = Number(this._reconnectTimer !== undefined) + Number(this._connectTimer !== undefined) + Number(!!this._heartbeat && this._heartbeat._running);
    return { timers, listeners: this._events.count(), holders: this._holders, task: this._task !== undefined };
  }
}

function safeClose(task: SocketTaskLike, code: number, reason: string): void {
  try {
    // close() can throw on some devices, and fails on a task that never opened.
    task.close({ code, reason, fail: noop });
  } catch {
    // nothing to do: the task is abandoned either way
  }
}

function isTask(value: unknown): value is SocketTaskLike {
  if (typeof value !== 'object' || value === null) return false;
  const t = value as Record<string, unknown>;
  return ['send', 'close', 'onOpen', 'onClose', 'onError', 'onMessage'].every((k) => typeof t[k] === 'function');
}

/** `Number`, `ArrayBuffer` (of any realm), `Uint8Array`, `Null`… */
function kindOf(value: unknown): string {
  return Object.prototype.toString.call(value).slice(8, -1);
}

/** Validates send()'s options; true when the frame must not be queued. */
function sendOptions(options: SendOptions): boolean {
  const o = options as Record<string, unknown>;
  if (typeof o !== 'object' || !o || Object.keys(o).some((k) => k !== 'queue') || (o.queue !== undefined && typeof o.queue !== 'boolean')) {
    throw typeError('send() options must be like { queue: false }');
  }
  return o.queue === false;
}

function checkEvent(event: string): void {
  if (EVENTS.indexOf(event as WxSocketEventName) < 0) throw typeError(`unknown event "${event}" (known: ${EVENTS.join(', ')})`);
}

function noop(): void {}
