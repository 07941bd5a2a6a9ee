/**
 * The state machine: the only owner of the state (`_setState`), of the reconnect timer and of
 * the decision after every loss. An attempt (attempt.ts) opens one task and reports; the outbox
 * (outbox.ts) holds what waits to be sent; the platform watch (platform.ts) says online/shown.
 */
import { ABNORMAL, Attempt } from './attempt';
import type { AttemptHooks } from './attempt';
import type { HeartbeatHooks } from './heartbeat';
import { Emitter } from './emitter';
import { PREFIX, SocketError, typeError } from './errors';
import { Heartbeat } from './heartbeat';
import { checkClose, checkSend, resolveOptions } from './options';
import type { ResolvedOptions } from './options';
import { Outbox } from './outbox';
import { globalWx, PlatformWatch } from './platform';
import type { WatchHooks } from './platform';
import { afterLoss, askShouldReconnect, reconnectDelay } from './reconnect-policy';
import type { HeartbeatOptions, Listener, SendOptions, SocketData, SocketState, SocketStats, WxSocketEventName, WxSocketEvents, WxSocketOptions } from './types';

const EVENTS: WxSocketEventName[] = ['open', 'message', 'close', 'error', 'reconnecting', 'reconnect-failed', 'state', 'pong'];

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
  private readonly _events = new Emitter<WxSocketEvents>(EVENTS);
  private readonly _outbox = new Outbox();
  private readonly _heartbeat: Heartbeat | undefined;
  private readonly _platform: PlatformWatch;

  private _current: SocketState = 'idle';
  private _attemptNo = 0;
  /** The attempt running, or the open link; undefined while waiting or stopped. */
  private _attempt: Attempt | undefined;
  /** Bumped whenever an attempt is given up: a step that emitted compares it to know a listener took over. */
  private _gen = 0;
  private _reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  private _holders = 0;
  private _destroyed = false;
  /** The close event a link that opened still owes (set when it is lost, paid once). */
  private _owed: { code: number; reason: string } | undefined;
  private _firstFrame: (() => SocketData | undefined) | undefined;
  private _opens = 0;
  private _received = 0;

  /** @throws TypeError naming the bad option; see {@link WxSocketOptions}. */
  constructor(options: WxSocketOptions) {
    const o = (this._options = resolveOptions(options, globalWx()));
    // The manager is the hooks of its parts: each sees only its own narrow interface.
    const hooks: AttemptHooks & WatchHooks & HeartbeatHooks = this;
    this._platform = new PlatformWatch(o, hooks);
    if (o.heartbeat) this._heartbeat = new Heartbeat(o.heartbeat, hooks);
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
    return this._outbox._queue._size;
  }

  /** `{ rtt, reconnects, sent, received, queued }` since the manager was made: see {@link SocketStats}. */
  get stats(): SocketStats {
    return { rtt: this.rtt, reconnects: this._opens && this._opens - 1, sent: this._outbox._sent, received: this._received, queued: this.queued };
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
   * Sends a frame. While open (and nothing is queued) it goes to the task at once; otherwise
   * it is queued and sent, in order, before anything sent later. Resolves when the platform
   * reports the frame sent ("handed to the network", not "received by the server"). A frame
   * whose platform send fails is not lost: it goes back to the head of the queue and the link
   * is treated as dead. Extension: `{ queue: false }` sends only on an open link and never
   * queues or requeues this frame (for protocols that resend on their own, like `SocketSession`).
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
    const direct = checkSend(data, options);
    const state = this._current;
    const outbox = this._outbox;
    if (state === 'closed') return Promise.reject(new SocketError('CLOSED', 'call connect() first'));
    if (state === 'open' && outbox._queue._size === 0) return outbox._add(data, direct, this._attempt);
    const queue = this._options.queue;
    if (!queue || direct) return Promise.reject(new SocketError('NOT_OPEN', state));
    if (outbox._queue._size >= queue.max) return Promise.reject(new SocketError('QUEUE_FULL', `max ${queue.max}`));
    return outbox._add(data, false);
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
    checkClose(code, reason);
    if (this._current === 'closed') return;
    // A link still open ends with our code; one already lost (we are inside its loss) with its own.
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

  /** Internal counters for leak checks and the `testing` helpers. */
  get diagnostics(): { timers: number; listeners: number; holders: number; task: boolean } {
    const a = this._attempt;
    const timers = Number(this._reconnectTimer !== undefined) + Number(!!a && a._connecting) + Number(!!this._heartbeat && this._heartbeat._running);
    return { timers, listeners: this._events.count(), holders: this._holders, task: !!a && a._task !== undefined };
  }

  // ---- what the attempt, the heartbeat and the platform watch report ------------------

  /** @internal The attempt's task opened. */
  _opened(header: Record<string, string> | undefined): void {
    const gen = this._gen;
    const link = this._attempt as Attempt;
    const took = this._attemptNo;
    this._attemptNo = 0;
    if (this._firstFrame) link._sendFirst(this._firstFrame);
    if (gen !== this._gen) return;
    this._opens++;
    this._setState('open');
    // Queued frames go out before `open` listeners run (and before anything they send).
    while (gen === this._gen && this._outbox._sendNext(link));
    if (gen !== this._gen) return;
    if (this._heartbeat && !this._platform._hidden) this._heartbeat._start();
    this._emit('open', header === undefined ? { attempt: took } : { attempt: took, header });
  }

  /** @internal An inbound frame. */
  _message(data: SocketData): void {
    if (this._heartbeat && this._heartbeat._received(data)) return;
    this._received++;
    this._events.emit('message', data);
  }

  /** @internal The platform confirmed the oldest frame in flight. */
  _confirmed(): void {
    this._outbox._confirmed();
  }

  /** @internal Every failure ends here: one loss, one decision, at most one scheduled attempt. */
  _lost(code: number, reason: string, error?: SocketError, fatal = false): void {
    this._abandon(1000, '', error && error.errMsg, code, reason);
    const g = this._gen;
    const r = this._options.reconnect;
    const online = this._platform._online;
    const [next, gaveUp] = afterLoss(fatal, fatal || askShouldReconnect(this._options.shouldReconnect, code, reason), r, online, this._attemptNo);
    if (error) this._emit('error', error);
    if (g !== this._gen) return;
    this._setState(next);
    if (g !== this._gen) return;
    this._payClose(next === 'reconnecting');
    if (g !== this._gen) return;
    if (gaveUp !== undefined) this._emit('reconnect-failed', { attempts: gaveUp });
    else if (next === 'reconnecting' && online && r) this._schedule(r);
  }

  /** @internal */
  _ping(text: string): void {
    (this._attempt as Attempt)._send(text);
  }

  /** @internal Silent too long after a ping. */
  _dead(): void {
    this._lost(ABNORMAL, 'heartbeat timeout', new SocketError('HEARTBEAT_TIMEOUT', `silent ${(this._options.heartbeat as HeartbeatOptions).timeout} ms after a ping`));
  }

  /** @internal */
  _pong(rtt: number): void {
    this._emit('pong', { rtt });
  }

  /** @internal Offline: the pending attempt is not spent. */
  _offline(): void {
    this._clearReconnectTimer();
  }

  /** @internal The world changed (back online, app shown): check an open link, retry a lost one at once with attempt 0. */
  _changed(): void {
    const s = this._current;
    const running = !!this._attempt && this._attempt._connecting; // an attempt running is left alone
    if (s === 'reconnecting' || s === 'failed') {
      if (!running) this._restart('reconnecting');
    } else if (s === 'connecting') {
      if (!running && this._platform._online) this._startAttempt();
    } else if (s === 'open' && !this._platform._hidden && this._heartbeat) this._heartbeat._probe(); // hidden: the probe waits for show
  }

  /** @internal In the background: nothing is judged. */
  _background(): void {
    if (this._heartbeat) this._heartbeat._stop();
  }

  // ---- the state machine -----------------------------------------------------------

  /** Drops whatever runs and starts attempt 0 at once. */
  private _restart(state: 'connecting' | 'reconnecting'): void {
    this._abandon(1000, '');
    const g = this._gen;
    this._attemptNo = 0;
    this._setState(state);
    if (g !== this._gen) return;
    this._payClose(true);
    if (g === this._gen && this._platform._online) this._startAttempt();
  }

  private _startAttempt(): void {
    this._abandon(1000, '');
    const attempt = (this._attempt = new Attempt(this._options, this));
    attempt._start();
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

  /**
   * Gives up the current attempt/task: new generation, timers cleared, task closed with
   * `code`/`reason` without waiting for its onClose, unconfirmed frames back to the head of
   * the queue (or, with the queue off, rejected with SEND_FAILED carrying the platform's
   * errMsg). A link that was open owes one `close` event: with `owedCode`/`owedReason` when
   * it was lost, else with the code it was closed with.
   */
  private _abandon(code: number, reason: string, errMsg?: string, owedCode = code, owedReason = reason): void {
    if (this._current === 'open') this._owed = { code: owedCode, reason: owedReason };
    this._gen++;
    const attempt = this._attempt;
    this._attempt = undefined;
    if (attempt) attempt._end(code, reason);
    this._clearReconnectTimer();
    if (this._heartbeat) this._heartbeat._stop();
    this._outbox._takeBack(!!this._options.queue, errMsg);
  }

  private _clearReconnectTimer(): void {
    if (this._reconnectTimer !== undefined) clearTimeout(this._reconnectTimer);
    this._reconnectTimer = undefined;
  }

  /** Emits the `close` event a lost link still owes, once, whoever (a listener included) finishes the loss. */
  private _payClose(willReconnect: boolean): void {
    const owed = this._owed;
    if (!owed) return;
    this._owed = undefined;
    this._emit('close', { code: owed.code, reason: owed.reason, willReconnect });
  }

  /** The only place the state changes. Emits `state` only on a real change. */
  private _setState(next: SocketState): void {
    const previous = this._current;
    if (next === previous) return;
    this._current = next;
    if (next === 'closed') {
      this._platform._stop();
      this._outbox._rejectQueued();
    } else this._platform._start();
    this._emit('state', { state: next, previous });
  }

  private _emit<K extends WxSocketEventName>(event: K, payload: WxSocketEvents[K]): void {
    this._events.emit(event, payload);
  }


  private _assertUsable(method: string): void {
    if (this._destroyed) throw new Error(`${PREFIX} ${method}() called after destroy()`);
  }
}
