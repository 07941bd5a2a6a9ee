/**
 * The state machine. One live SocketTask at most; every task's callbacks carry the
 * generation they were born in and are ignored once it has passed (SocketTask has no off*).
 */
import { Emitter } from './emitter';
import { SocketError, typeError } from './errors';
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
  private readonly options: ResolvedOptions;
  private readonly events = new Emitter<WxSocketEvents>();
  private readonly queue = new Fifo<Outgoing>();
  /** Frames handed to the task whose callback has not come yet, oldest first. */
  private readonly inflight = new Fifo<Outgoing>();
  private readonly heartbeat: Heartbeat | undefined;

  private current: SocketState = 'idle';
  private attemptNo = 0;
  private task: SocketTaskLike | undefined;
  /** Bumped whenever the current attempt/task is given up; stale callbacks compare against it. */
  private gen = 0;
  private reconnectTimer: Timer | undefined;
  private connectTimer: Timer | undefined;
  private online = true;
  private hidden = false;
  private holders = 0;
  private destroyed = false;
  private unwatch: (() => void) | undefined;
  /** The close event a link that opened still owes (set when it is lost, paid once). */
  private owed: { code: number; reason: string } | undefined;
  private firstFrame: (() => SocketData | undefined) | undefined;

  /** @throws TypeError naming the bad option; see {@link WxSocketOptions}. */
  constructor(options: WxSocketOptions) {
    this.options = resolveOptions(options, globalWx());
    const hb = this.options.heartbeat;
    if (hb) {
      this.heartbeat = new Heartbeat(hb, {
        ping: (text) => this.sendRaw(text),
        dead: () => this.lose(ABNORMAL, 'heartbeat timeout', this.error('HEARTBEAT_TIMEOUT', `no frame within ${hb.timeout} ms after a ping`)),
        pong: (rtt) => this.emit('pong', { rtt }),
      });
    }
  }

  /** `idle | connecting | open | reconnecting | closed | failed`. */
  get state(): SocketState {
    return this.current;
  }

  /** Reconnect attempt now running or scheduled; 0 while open. */
  get attempt(): number {
    return this.attemptNo;
  }

  /** ms of the last ping → pong, `undefined` before one. */
  get rtt(): number | undefined {
    return this.heartbeat?.rtt;
  }

  /** Reconnect attempts allowed after a loss (0 when reconnect is off). */
  get maxAttempts(): number {
    return this.options.reconnect ? this.options.reconnect.maxAttempts : 0;
  }

  /** Messages waiting to be sent. */
  get queued(): number {
    return this.queue.length;
  }

  // ---- public methods -------------------------------------------------------

  /**
   * Starts connecting. A no-op while `connecting`, `open` or `reconnecting`; from `idle`,
   * `closed` or `failed` it starts over with `attempt = 0`.
   * @throws Error after `destroy()`.
   */
  connect(): void {
    this.assertUsable('connect');
    const s = this.current;
    if (s === 'connecting' || s === 'open' || s === 'reconnecting') return;
    this.restart('connecting');
  }

  /**
   * Drops the current task (an open link yields its `close` event with `willReconnect: true`)
   * and connects again at once with `attempt = 0`, from any state.
   * @throws Error after `destroy()`.
   */
  reconnect(): void {
    this.assertUsable('reconnect');
    this.restart('connecting');
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
    this.assertUsable('send');
    if (typeof data !== 'string' && !isArrayBuffer(data)) {
      throw typeError(`send() takes a string or an ArrayBuffer, got ${describe(data)}`);
    }
    const direct = options !== undefined && sendOptions(options);
    if (this.current === 'closed') return Promise.reject(this.error('CLOSED', 'the manager is closed; call connect() first'));
    const queueOptions = this.options.queue;
    if (this.current === 'open' && this.queue.length === 0) {
      return new Promise<void>((resolve, reject) => this.dispatch({ data, resolve, reject, direct }));
    }
    if (!queueOptions || direct) {
      return Promise.reject(this.error('NOT_OPEN', `cannot send while ${this.current} (${direct ? 'queue: false' : 'queue is disabled'})`));
    }
    if (this.queue.length >= queueOptions.max) {
      return Promise.reject(this.error('QUEUE_FULL', `the send queue is full (${queueOptions.max} messages)`));
    }
    return new Promise<void>((resolve, reject) => this.queue.push({ data, resolve, reject, direct: false }));
  }

  /**
   * Extension point: `fn` is asked for a frame on every new link, right after it opens and
   * before the queue is flushed, the state changes or any listener runs, so that frame is
   * always the first one on the link (a session's `hello`). Return `undefined` to send
   * nothing. Pass `undefined` to remove the hook.
   * @throws TypeError when `fn` is neither a function nor `undefined`, or another hook is set.
   */
  setFirstFrame(fn: (() => SocketData | undefined) | undefined): void {
    if (fn !== undefined && typeof fn !== 'function') throw typeError('setFirstFrame() takes a function or undefined');
    if (fn && this.firstFrame && this.firstFrame !== fn) throw typeError('setFirstFrame(): a first-frame hook is already set (remove it with setFirstFrame(undefined))');
    this.firstFrame = fn;
  }

  /**
   * Stops for good: no reconnect, every timer cancelled, the task closed, wx listeners
   * released, queued messages rejected with `CLOSED`; an open link yields one `close` event.
   * Calling it again (or after `destroy()`) does nothing.
   * @throws RangeError for a code other than 1000 or 3000–4999, or a reason over 123 UTF-8
   *   bytes (checked first, in any state); TypeError for a reason that is not a string.
   */
  close(code = 1000, reason = ''): void {
    if (this.destroyed) return;
    if (!isValidCloseCode(code)) throw new RangeError(`[wx-socket-manager] close code must be 1000 or 3000–4999, got ${String(code)}`);
    if (typeof reason !== 'string') throw typeError('close reason must be a string');
    if (utf8Length(reason) > 123) throw new RangeError('[wx-socket-manager] close reason must be at most 123 UTF-8 bytes');
    if (this.current === 'closed') return;
    // A link still open ends with our code; one already lost (we are inside its loss) with its own.
    if (this.current === 'open') this.owed = { code, reason };
    this.abandon(code, reason);
    this.setState('closed');
    this.payClose(false);
  }

  /**
   * Adds a listener; returns its unsubscribe. A listener that throws is reported with
   * `console.error` and never stops the others or the manager.
   * @throws TypeError for an unknown event or a listener that is not a function; Error after `destroy()`.
   */
  on<K extends WxSocketEventName>(event: K, listener: Listener<K>): () => void {
    this.assertUsable('on');
    checkEvent(event);
    if (typeof listener !== 'function') throw typeError(`on("${event}") needs a listener function`);
    return this.events.on(event, listener);
  }

  /** Removes a listener added with `on()` (unknown ones are ignored). */
  off<K extends WxSocketEventName>(event: K, listener: Listener<K>): void {
    this.events.off(event, listener);
  }

  /**
   * `close()` plus removing every listener and hook. Afterwards `connect`, `send`,
   * `reconnect`, `onLoad` and `on` throw; `close`, `onUnload` and `destroy` do nothing.
   */
  destroy(): void {
    if (this.destroyed) return;
    this.firstFrame = undefined;
    this.close();
    this.events.clear();
    this.destroyed = true;
  }

  /**
   * Page hook: one more holder; connects. Arrow-bound: `Page({ onLoad: socket.onLoad })`.
   * @throws Error after `destroy()`.
   */
  readonly onLoad = (): void => {
    this.assertUsable('onLoad');
    this.holders++;
    this.connect();
  };

  /**
   * Page hook: one holder fewer; the last one closes (1000) with no reconnect, no timer and
   * no wx listener left. A later `onLoad` connects again. Never throws.
   */
  readonly onUnload = (): void => {
    if (this.destroyed || this.holders === 0) return;
    if (--this.holders === 0) this.close(1000);
  };

  // ---- attempts ---------------------------------------------------------------

  /** Drops whatever runs and starts attempt 0 at once. */
  private restart(state: 'connecting' | 'reconnecting'): void {
    if (this.current === 'open') this.owed = { code: 1000, reason: '' };
    this.abandon(1000, '');
    const g = this.gen;
    this.attemptNo = 0;
    this.setState(state);
    if (g !== this.gen) return;
    this.payClose(true);
    if (g === this.gen && this.online) this.startAttempt();
  }

  private startAttempt(): void {
    this.abandon(1000, '');
    const gen = this.gen;
    this.connectTimer = setTimeout(() => {
      if (gen === this.gen) this.lose(ABNORMAL, 'connect timeout', this.error('CONNECT_TIMEOUT', `not open after ${this.options.connectTimeout} ms`));
    }, this.options.connectTimeout);

    const { url, header } = this.options;
    if (typeof url !== 'function' && typeof header !== 'function') return this.openTask(gen, url, header);
    let pending: Promise<[string, Record<string, string> | undefined]>;
    try {
      pending = Promise.all([typeof url === 'function' ? url() : url, typeof header === 'function' ? header() : header]);
    } catch (err) {
      return this.providerFailed(err);
    }
    pending.then(
      ([u, h]) => {
        if (gen !== this.gen) return;
        try {
          checkUrl(u, 'the "url" function result');
          if (h !== undefined) checkHeader(h, 'the "header" function result');
        } catch (err) {
          return this.providerFailed(err);
        }
        this.openTask(gen, u, h);
      },
      (err: unknown) => {
        if (gen === this.gen) this.providerFailed(err);
      },
    );
  }

  private providerFailed(err: unknown): void {
    const detail = err instanceof Error ? err.message : String(err);
    this.lose(ABNORMAL, 'provider failed', this.error('PROVIDER_FAILED', `url/header provider failed: ${detail}`));
  }

  private openTask(gen: number, url: string, header: Record<string, string> | undefined): void {
    let task: SocketTaskLike;
    try {
      task = this.options.connectSocket({
        url,
        header,
        protocols: this.options.protocols,
        timeout: this.options.connectTimeout,
        fail: (res) => {
          if (gen === this.gen) this.connectFailed(res);
        },
      });
      if (!isTask(task)) throw new TypeError('connectSocket did not return a SocketTask');
    } catch (err) {
      if (gen !== this.gen) return;
      return this.lose(ABNORMAL, 'connect failed', this.error('CONNECT_FAILED', `connectSocket failed: ${err instanceof Error ? err.message : String(err)}`));
    }
    if (gen !== this.gen) return safeClose(task, 1000, '');
    this.task = task;
    this.bindSendCallbacks(gen);
    // Registered in the same tick as connectSocket, or onOpen can be missed.
    task.onOpen((res) => {
      if (gen === this.gen) this.opened(gen, res.header);
      // Given up while connecting, yet its handshake completed (its close() had failed or thrown).
      else safeClose(task, 1000, '');
    });
    task.onMessage((res) => {
      if (gen === this.gen) this.received(res.data);
    });
    task.onError((res) => {
      if (gen !== this.gen) return;
      if (this.current === 'open') this.lose(ABNORMAL, res.errMsg, this.error('SOCKET_ERROR', 'socket error', res.errMsg));
      else this.connectFailed(res);
    });
    task.onClose((res) => {
      if (gen !== this.gen) return;
      const code = typeof res.code === 'number' ? res.code : ABNORMAL;
      const reason = typeof res.reason === 'string' ? res.reason : '';
      if (this.current === 'open') this.lose(code, reason);
      else this.lose(code, reason, this.error('CONNECT_FAILED', `closed before open (${code})`, reason || undefined));
    });
  }

  private connectFailed(res: WxCallbackResult): void {
    const errMsg = res && typeof res.errMsg === 'string' ? res.errMsg : undefined;
    if (isFatalConnectError(errMsg)) {
      return this.lose(ABNORMAL, 'domain not allowed', this.error('DOMAIN_NOT_ALLOWED', 'the URL domain is not in the allowed list; retrying cannot help', errMsg), true);
    }
    this.lose(ABNORMAL, errMsg ?? 'connect failed', this.error('CONNECT_FAILED', 'connect failed', errMsg));
  }

  private opened(gen: number, header: Record<string, string> | undefined): void {
    this.clearConnectTimer();
    const took = this.attemptNo;
    this.attemptNo = 0;
    if (this.firstFrame) this.sendFirstFrame(this.firstFrame);
    if (gen !== this.gen) return;
    this.setState('open');
    // Queued frames go out before `open` listeners run (and before anything they send).
    while (gen === this.gen && this.queue.length > 0) this.dispatch(this.queue.shift() as Outgoing);
    if (gen !== this.gen) return;
    if (this.heartbeat && !this.hidden) this.heartbeat.start();
    this.emit('open', header === undefined ? { attempt: took } : { attempt: took, header });
  }

  private received(data: SocketData): void {
    if (this.heartbeat && this.heartbeat.received(data)) return;
    this.events.emit('message', data);
  }

  private sendFirstFrame(hook: () => SocketData | undefined): void {
    let frame: SocketData | undefined;
    try {
      frame = hook();
    } catch (err) {
      console.error('[wx-socket-manager] the first-frame hook threw; nothing sent first:', err);
    }
    if (frame !== undefined) this.sendRaw(frame);
  }

  // ---- sending ----------------------------------------------------------------

  private dispatch(item: Outgoing): void {
    this.inflight.push(item);
    this.sendRaw(item.data, this.confirm);
  }

  /** Hands a frame to the task; a platform failure means the link is dead. */
  private sendRaw(data: SocketData, success?: () => void): void {
    try {
      (this.task as SocketTaskLike).send({ data, success, fail: this.refuse });
    } catch (err) {
      this.refuse({ errMsg: err instanceof Error ? err.message : String(err) });
    }
  }

  /** Per-task send callbacks (bound in openTask) so no closure is made per frame. */
  private confirm: () => void = noop;
  private refuse: (res: WxCallbackResult) => void = noop;

  private bindSendCallbacks(gen: number): void {
    // Platform callbacks come in send order, so the oldest in-flight frame is the one confirmed.
    this.confirm = () => {
      if (gen !== this.gen) return;
      const item = this.inflight.shift();
      if (item) item.resolve();
    };
    this.refuse = (res) => {
      if (gen === this.gen) this.sendFailed(res && res.errMsg);
    };
  }

  private sendFailed(errMsg: string | undefined): void {
    this.lose(ABNORMAL, 'send failed', this.error('SEND_FAILED', 'the platform failed to send a frame', errMsg));
  }

  // ---- losing a link ------------------------------------------------------------

  /** Every failure ends here: one loss, one decision, at most one scheduled attempt. */
  private lose(code: number, reason: string, error?: SocketError, fatal = false): void {
    if (this.current === 'open') this.owed = { code, reason };
    this.abandon(1000, '', error?.errMsg);
    const g = this.gen;
    const r = this.options.reconnect;
    let next: SocketState;
    let gaveUp: number | undefined;
    if (fatal) next = 'failed';
    else if (!this.askShouldReconnect(code, reason)) next = 'closed';
    else if (!r || r.maxAttempts === 0) {
      next = 'failed';
      gaveUp = 0;
    } else if (!this.online) next = 'reconnecting';
    else if (this.attemptNo >= r.maxAttempts) {
      next = 'failed';
      gaveUp = this.attemptNo;
    } else next = 'reconnecting';

    if (error) this.emit('error', error);
    if (g !== this.gen) return;
    this.setState(next);
    if (g !== this.gen) return;
    this.payClose(next === 'reconnecting');
    if (g !== this.gen) return;
    if (gaveUp !== undefined) this.emit('reconnect-failed', { attempts: gaveUp });
    else if (next === 'reconnecting' && this.online && r) this.schedule(r);
  }

  private schedule(r: Exclude<ResolvedOptions['reconnect'], false>): void {
    const attempt = ++this.attemptNo;
    const delay = reconnectDelay(attempt, r);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      this.startAttempt();
    }, delay);
    this.emit('reconnecting', { attempt, delay });
  }

  private askShouldReconnect(code: number, reason: string): boolean {
    const ask = this.options.shouldReconnect;
    if (!ask) return true;
    try {
      return ask({ code, reason }) !== false;
    } catch (err) {
      console.error('[wx-socket-manager] shouldReconnect threw; reconnecting anyway:', err);
      return true;
    }
  }

  /**
   * Gives up the current attempt/task: new generation, timers cleared, task closed
   * without waiting for its onClose, unconfirmed frames back to the head of the queue
   * (or, with the queue off, rejected with SEND_FAILED carrying the platform's errMsg).
   */
  private abandon(code: number, reason: string, errMsg?: string): void {
    this.gen++;
    this.clearConnectTimer();
    if (this.reconnectTimer !== undefined) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    this.heartbeat?.stop();
    const task = this.task;
    this.task = undefined;
    if (task) safeClose(task, code, reason);
    if (this.inflight.length > 0) {
      const unconfirmed = this.inflight.drain();
      const requeue: Outgoing[] = [];
      for (const item of unconfirmed) {
        if (this.options.queue && !item.direct) requeue.push(item);
        else item.reject(this.error('SEND_FAILED', 'the link was lost before the platform confirmed the frame', errMsg));
      }
      if (requeue.length > 0) this.queue.unshiftAll(requeue);
    }
  }

  private clearConnectTimer(): void {
    if (this.connectTimer !== undefined) clearTimeout(this.connectTimer);
    this.connectTimer = undefined;
  }

  /** Emits the `close` event a lost link still owes, once, whoever (a listener included) finishes the loss. */
  private payClose(willReconnect: boolean): void {
    const owed = this.owed;
    if (!owed) return;
    this.owed = undefined;
    this.emit('close', { code: owed.code, reason: owed.reason, willReconnect });
  }

  // ---- state and platform ---------------------------------------------------------

  /** The only place the state changes. Emits `state` only on a real change. */
  private setState(next: SocketState): void {
    const previous = this.current;
    if (next === previous) return;
    this.current = next;
    if (next === 'closed') {
      this.release();
      for (const item of this.queue.drain()) item.reject(this.error('CLOSED', 'the manager was closed before the message was sent'));
    } else if (!this.unwatch) this.watch();
    this.emit('state', { state: next, previous });
  }

  private watch(): void {
    const { watchNetwork, watchApp, wx } = this.options;
    this.unwatch = watchPlatform(wx, {
      network: watchNetwork ? this.networkChanged : undefined,
      show: watchApp ? this.shown : undefined,
      hide: watchApp ? this.hiddenNow : undefined,
    });
  }

  private release(): void {
    if (this.unwatch) this.unwatch();
    this.unwatch = undefined;
    // Not listening any more: what we knew of the network goes stale (re-learned on watch).
    this.online = true;
    this.hidden = false;
  }

  private readonly networkChanged = (res: NetworkStatus, query?: boolean): void => {
    const online = !!(res && res.isConnected);
    if (query && online === this.online) return;
    this.online = online;
    if (!online) {
      // Paused: the pending attempt is not spent while offline.
      if (this.reconnectTimer !== undefined) clearTimeout(this.reconnectTimer);
      this.reconnectTimer = undefined;
      return;
    }
    this.retryNow();
  };

  private readonly shown = (): void => {
    this.hidden = false;
    this.retryNow();
  };

  private readonly hiddenNow = (): void => {
    this.hidden = true;
    this.heartbeat?.stop();
  };

  /** The world changed (back online, app shown): check an open link, retry a lost one at once with attempt 0. */
  private retryNow(): void {
    const s = this.current;
    const running = this.connectTimer !== undefined; // armed ⇔ an attempt runs: left alone
    if (s === 'reconnecting' || s === 'failed') {
      if (!running) this.restart('reconnecting');
    } else if (s === 'connecting') {
      if (!running && this.online) this.startAttempt();
    } else if (s === 'open' && !this.hidden) this.heartbeat?.probe(); // hidden: the probe waits for show
  }

  // ---- helpers ------------------------------------------------------------------------

  private emit<K extends WxSocketEventName>(event: K, payload: WxSocketEvents[K]): void {
    this.events.emit(event, payload);
  }

  private error(code: SocketErrorCode, message: string, errMsg?: string): SocketError {
    return new SocketError(code, message, errMsg);
  }

  private assertUsable(method: string): void {
    if (this.destroyed) throw new Error(`[wx-socket-manager] ${method}() called after destroy()`);
  }

  /** Internal counters for leak checks and the `testing` helpers. */
  get diagnostics(): { timers: number; listeners: number; holders: number; task: boolean } {
    const timers = Number(this.reconnectTimer !== undefined) + Number(this.connectTimer !== undefined) + Number(!!this.heartbeat?.running);
    return { timers, listeners: this.events.count(), holders: this.holders, task: this.task !== undefined };
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

/** Validates send()'s options; true when the frame must not be queued. */
function sendOptions(options: SendOptions): boolean {
  if (typeof options !== 'object' || options === null) throw typeError('send() options must be an object like { queue: false }');
  for (const key of Object.keys(options)) if (key !== 'queue') throw typeError(`send() option "${key}" is unknown (known: queue)`);
  if (options.queue !== undefined && typeof options.queue !== 'boolean') throw typeError('send() option "queue" must be true or false');
  return options.queue === false;
}

function isArrayBuffer(value: unknown): value is ArrayBuffer {
  return value instanceof ArrayBuffer || Object.prototype.toString.call(value) === '[object ArrayBuffer]';
}

function checkEvent(event: string): void {
  if (EVENTS.indexOf(event as WxSocketEventName) < 0) throw typeError(`unknown event "${event}" (known: ${EVENTS.join(', ')})`);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'object') return Object.prototype.toString.call(value).slice(8, -1);
  return typeof value;
}

function noop(): void {}
