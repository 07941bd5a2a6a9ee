/**
 * What the platform bindings share: checking the platform object, turning any platform's
 * failure into a wx `{ errMsg }`, handing the manager a SocketTask at once (even when the
 * platform hands back a Promise, or garbage), and relaying network/app events.
 *
 * ES2015, no globals: a binding touches only the object it was given, and only when called.
 */
import { noop, typeError } from '../errors';
import { isTaskLike } from '../validate';
import type {
  ConnectSocket,
  ConnectSocketOption,
  NetworkStatus,
  SocketTaskLike,
  WxCallbackResult,
  WxLike,
} from '../types';

/** What every `fromX(platform)` returns: spread it into the manager's options. */
export interface PlatformBinding {
  connectSocket: ConnectSocket;
  wx: WxLike;
}

export type Callback<T = WxCallbackResult> = (res: T) => void;
export type SendOption = Parameters<SocketTaskLike['send']>[0];
export type CloseOption = Parameters<SocketTaskLike['close']>[0];

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyFn = (...args: any[]) => any;

/** wx's own errMsg texts for a task that is not open (the fakes and the Node adapter use them too). */
export const ERR_SEND_NOT_CONNECTED = 'sendSocketMessage:fail WebSocket is not connected';
export const ERR_CLOSE_NOT_CONNECTED = 'closeSocket:fail WebSocket is not connected';
export const ERR_CLOSE_CODE = 'closeSocket:fail The code must be either 1000, or between 3000 and 4999';

/** `fromX(undefined)` or an object lacking `member` → a TypeError naming the binding. */
export function checkPlatform(binding: string, platform: unknown, member: string): void {
  const ok = (typeof platform === 'object' || typeof platform === 'function') && platform !== null
    && typeof (platform as Record<string, unknown>)[member] === 'function';
  if (!ok) throw typeError(`${binding}: expected the platform object with a ${member} function, got ${describe(platform)}`);
}

export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'object') {
    const keys = Object.keys(value as object);
    return keys.length > 0 ? `an object with ${keys.slice(0, 5).join(', ')}` : 'an empty object';
  }
  return typeof value === 'function' ? 'a function' : typeof value;
}

/**
 * Any platform's failure as a wx errMsg: wx/tt/swan/uni `{ errMsg }`, Alipay
 * `{ error, errorMessage }`, an Error, a string — or `api:fail <fallback>` when there is no text.
 */
export function errMsgOf(res: unknown, api: string, fallback: string): string {
  if (typeof res === 'string' && res !== '') return `${api}:fail ${res}`;
  if (typeof res === 'object' && res !== null) {
    const r = res as { errMsg?: unknown; errorMessage?: unknown; error?: unknown; message?: unknown; errCode?: unknown; errNo?: unknown };
    if (typeof r.errMsg === 'string' && r.errMsg !== '') return r.errMsg;
    const code = typeof r.error === 'number' || typeof r.error === 'string' ? ` (error ${r.error})` : '';
    if (typeof r.errorMessage === 'string' && r.errorMessage !== '') return `${api}:fail ${r.errorMessage}${code}`;
    if (typeof r.message === 'string' && r.message !== '') return `${api}:fail ${r.message}`;
    if (code) return `${api}:fail${code}`;
  }
  return `${api}:fail ${fallback}`;
}

/**
 * A don't-retry failure, worded so the manager ends in `failed` with `DOMAIN_NOT_ALLOWED`
 * (its fatal test looks for "domain list"), keeping the platform's own text.
 */
export function fatalErrMsg(errMsg: string): string {
  return /domain list/i.test(errMsg) ? errMsg : `${errMsg} (url not allowed: domain list, scheme or format; not retried)`;
}

/** Platforms whose calls also return a Promise reject it on failure: the callback already told us. */
export function quiet(result: unknown): void {
  if (isThenable(result)) result.then(undefined, noop);
}

export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (typeof value === 'object' || typeof value === 'function') && value !== null
    && typeof (value as { then?: unknown }).then === 'function';
}

/**
 * What a platform's connectSocket gave back, as a task the manager can use in the same tick:
 * a task (wrapped by `wrap`), a Promise of one (listeners and calls buffered until it
 * arrives; a rejection is the attempt's failure), or anything else (one failed attempt).
 * `fail` gets the platform's failure (or a string saying what went wrong) exactly once.
 */
export function adoptTask<T>(
  binding: string,
  result: unknown,
  fail: (res: unknown) => void,
  wrap: (native: T) => SocketTaskLike,
  hint?: string,
): SocketTaskLike {
  const why = hint ? ` (${hint})` : '';
  if (isTaskLike(result)) return wrap(result as unknown as T);
  const pending = new PendingTask();
  const failed = (res: unknown): void => {
    pending.reject();
    fail(res);
  };
  if (isThenable(result)) {
    result.then(
      (task) => {
        if (isTaskLike(task)) pending.resolve(wrap(task as unknown as T));
        else failed(`${binding}: the Promise gave ${describe(task)}, not a SocketTask${why}`);
      },
      (err: unknown) => failed(err === undefined || err === null ? `${binding}: rejected with no reason` : err),
    );
  } else {
    // Later, like any platform callback: the manager has registered its listeners by then.
    setTimeout(() => failed(`${binding}: connectSocket returned ${describe(result)}, not a SocketTask${why}`), 0);
  }
  return pending;
}

/**
 * A SocketTask handed out before the platform's task exists. Listeners registered now are
 * registered on the real task, in order, the moment it arrives; a `close()` before then
 * closes it on arrival, so no socket outlives the manager's interest.
 */
export class PendingTask implements SocketTaskLike {
  private _task: SocketTaskLike | undefined;
  private _failed = false;
  private _closeWith: CloseOption | undefined;
  private _waiting: Array<(task: SocketTaskLike) => void> = [];

  resolve(task: SocketTaskLike): void {
    if (this._failed || this._task) return;
    this._task = task;
    const waiting = this._waiting;
    this._waiting = [];
    for (const register of waiting) register(task);
    if (this._closeWith) task.close(this._closeWith);
  }

  reject(): void {
    this._failed = true;
    this._waiting = [];
    const closing = this._closeWith;
    this._closeWith = undefined;
    if (closing) later(closing.fail, { errMsg: ERR_CLOSE_NOT_CONNECTED });
  }

  send(option: SendOption): void {
    if (this._task) return this._task.send(option);
    later(option.fail, { errMsg: ERR_SEND_NOT_CONNECTED });
  }

  close(option: CloseOption): void {
    if (this._task) return this._task.close(option);
    if (this._failed || this._closeWith) return later(option.fail, { errMsg: ERR_CLOSE_NOT_CONNECTED });
    this._closeWith = option;
  }

  onOpen(fn: Parameters<SocketTaskLike['onOpen']>[0]): void {
    this._register((t) => t.onOpen(fn));
  }
  onClose(fn: Parameters<SocketTaskLike['onClose']>[0]): void {
    this._register((t) => t.onClose(fn));
  }
  onError(fn: Parameters<SocketTaskLike['onError']>[0]): void {
    this._register((t) => t.onError(fn));
  }
  onMessage(fn: Parameters<SocketTaskLike['onMessage']>[0]): void {
    this._register((t) => t.onMessage(fn));
  }

  private _register(add: (task: SocketTaskLike) => void): void {
    if (this._task) add(this._task);
    else if (!this._failed) this._waiting.push(add);
  }
}

export function later<T>(fn: Callback<T> | undefined, res: T): void {
  if (fn) setTimeout(() => fn(res), 0);
}

/** A close code as wx gives it: a number (Douyin sends strings; some builds send none → 1006). */
export function closeCode(code: unknown): number {
  const n = typeof code === 'number' ? code : typeof code === 'string' && code !== '' ? Number(code) : NaN;
  return Number.isInteger(n) ? n : 1006;
}

/** The platform's network and app events, relayed as wx shapes. */
export interface EventShapes {
  /** A network change as `{ isConnected, networkType }`. */
  network?: (res: unknown) => NetworkStatus;
  /** getNetworkType's answer as `{ networkType }` ('none' when offline). */
  networkType?: (res: unknown) => { networkType: string };
}

/**
 * A `wx`-like object for the manager's network/app listeners, calling the platform's
 * own `on*`/`off*`/`getNetworkType` (whichever exist). `off*` always gets the very
 * function `on*` registered, never nothing: on Alipay `off*()` with no argument removes
 * every listener in the app, not just ours.
 */
export function platformEvents(platform: object, shapes: EventShapes = {}): WxLike {
  const p = platform as Record<string, AnyFn | undefined>;
  const out: Record<string, AnyFn> = {};
  const pair = (on: string, off: string, shape?: (res: unknown) => unknown): void => {
    if (typeof p[on] !== 'function') return;
    const wrappers = new Map<AnyFn, AnyFn>();
    out[on] = (fn: AnyFn) => {
      let registered = fn;
      if (shape) {
        registered = (res: unknown) => fn(shape(res));
        wrappers.set(fn, registered);
      }
      quiet((p[on] as AnyFn).call(platform, registered));
    };
    if (typeof p[off] !== 'function') return;
    out[off] = (fn?: AnyFn) => {
      if (typeof fn !== 'function') return;
      const registered = wrappers.get(fn) || fn;
      wrappers.delete(fn);
      quiet((p[off] as AnyFn).call(platform, registered));
    };
  };
  pair('onNetworkStatusChange', 'offNetworkStatusChange', shapes.network);
  pair('onAppShow', 'offAppShow');
  pair('onAppHide', 'offAppHide');
  if (typeof p.getNetworkType === 'function') {
    const shape = shapes.networkType;
    out.getNetworkType = (option: { success?: Callback<{ networkType: string }>; fail?: Callback }) => {
      quiet((p.getNetworkType as AnyFn).call(platform, {
        success: (res: unknown) => option.success && option.success(shape ? shape(res) : res as { networkType: string }),
        fail: (res: unknown) => option.fail && option.fail({ errMsg: errMsgOf(res, 'getNetworkType', 'failed') }),
      }));
    };
  }
  return out as WxLike;
}

/** Per-task patches over a wx-shaped task: everything not patched is the platform's own method. */
export function patchTask(native: SocketTaskLike, patch: Partial<SocketTaskLike>): SocketTaskLike {
  return {
    send: patch.send || ((o) => native.send(o)),
    close: patch.close || ((o) => native.close(o)),
    onOpen: patch.onOpen || ((fn) => native.onOpen(fn)),
    onClose: patch.onClose || ((fn) => native.onClose(fn)),
    onError: patch.onError || ((fn) => native.onError(fn)),
    onMessage: patch.onMessage || ((fn) => native.onMessage(fn)),
  };
}

export interface WxShapedOptions {
  /** Extra fields for the platform's connectSocket (uni's `complete`, Alipay's `multiple`). */
  extra?: Record<string, unknown>;
  /** The platform's failure → errMsg (fatal ones via `fatalErrMsg`). @default errMsgOf */
  failMsg?: (res: unknown) => string;
  /** Wraps the platform's task; identity when its shapes are wx's. */
  wrap?: (native: SocketTaskLike) => SocketTaskLike;
  /** Network/app shapes when they are not wx's. */
  events?: EventShapes;
  /** `false`: pass no success/fail (the platform returns a Promise and reports through it). */
  callbacks?: false;
  /** Said after "connectSocket returned X, not a SocketTask" (a likely cause on this platform). */
  noTaskHint?: string;
}

/** A binding for a platform whose connectSocket is wx-like (returns a task, or a Promise of one). */
export function wxShaped(binding: string, platform: unknown, options: WxShapedOptions = {}): PlatformBinding {
  checkPlatform(binding, platform, 'connectSocket');
  const p = platform as { connectSocket: AnyFn };
  const failMsg = options.failMsg || ((res: unknown) => errMsgOf(res, 'connectSocket', 'connect failed'));
  const wrap = options.wrap || ((t: SocketTaskLike) => t);
  const connectSocket: ConnectSocket = (option) => {
    const userFail = option.fail;
    let settled = false;
    // Once: some platforms (Taro) both call `fail` and reject their Promise.
    const fail = (res: unknown): void => {
      if (settled) return;
      settled = true;
      if (userFail) userFail({ errMsg: failMsg(res) });
    };
    const native = Object.assign({}, option, options.extra, { fail });
    if (options.callbacks === false) {
      delete native.success;
      delete (native as { fail?: unknown }).fail;
    }
    let result: unknown;
    try {
      result = p.connectSocket(native);
    } catch (err) {
      setTimeout(() => fail(err), 0);
      const pending = new PendingTask();
      pending.reject();
      return pending;
    }
    return adoptTask(binding, result, fail, wrap, options.noTaskHint);
  };
  return { connectSocket, wx: platformEvents(p, options.events) };
}
