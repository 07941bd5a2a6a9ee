/**
 * Browsers, H5 and web-views (`globalThis` with a `WebSocket`): no handshake headers;
 * binary defaults to Blob (switched to ArrayBuffer); `error` is a bare Event, then close
 * 1006; `send` throws while CONNECTING and drops frames silently once CLOSING/CLOSED (both
 * become wx's `fail`, so the manager keeps the frame); network is `online`/`offline`, the
 * app is `visibilitychange`.
 */
import type { ConnectSocket, NetworkStatus, SocketData, SocketTaskLike, WxCallbackResult, WxLike } from '../types';
import { messageOf, noop } from '../errors';
import { checkPlatform, later } from './shared';
import type { Callback, CloseOption, PlatformBinding, SendOption } from './shared';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Handler = (event: any) => void;

/** The parts of a browser WebSocket the binding uses (structural: the DOM's WebSocket fits). */
export interface BrowserWebSocket {
  readonly readyState: number;
  binaryType: string;
  send(data: SocketData): void;
  close(code?: number, reason?: string): void;
  onopen: Handler | null;
  onmessage: Handler | null;
  onerror: Handler | null;
  onclose: Handler | null;
}

interface EventTargetLike {
  addEventListener(type: string, listener: Handler): void;
  removeEventListener(type: string, listener: Handler): void;
}

/** `globalThis`/`window` in a page: a WebSocket constructor, and where present online/offline and visibility events. */
export interface BrowserPlatform {
  WebSocket: new (url: string, protocols?: string | string[]) => BrowserWebSocket;
  addEventListener?: EventTargetLike['addEventListener'];
  removeEventListener?: EventTargetLike['removeEventListener'];
  document?: Partial<EventTargetLike> & { visibilityState?: string; hidden?: boolean };
  navigator?: { onLine?: boolean };
}

export const ERR_NO_HEADERS = 'fromBrowser: browser WebSocket cannot send headers; put the token in the URL';
const OPEN = 1;

/** A WebSocket dressed as a wx SocketTask. */
class BrowserTask implements SocketTaskLike {
  private readonly _listeners = {
    open: [] as Array<Callback<{ header?: Record<string, string> }>>,
    message: [] as Array<Callback<{ data: SocketData }>>,
    error: [] as Array<Callback>,
    close: [] as Array<Callback<{ code: number; reason: string }>>,
  };
  /** Blob frames (if someone switched binaryType back) convert asynchronously: later frames wait behind them. */
  private _converting: Promise<void> | undefined;

  private readonly _ws: BrowserWebSocket;

  constructor(ws: BrowserWebSocket) {
    this._ws = ws;
    ws.binaryType = 'arraybuffer';
    ws.onopen = () => this._emit('open', {});
    ws.onmessage = (event: { data: unknown }) => this._received(event.data);
    ws.onerror = () => this._emit('error', { errMsg: 'WebSocket error (the browser gives no detail; a close follows)' });
    ws.onclose = (event: { code?: unknown; reason?: unknown }) => this._emit('close', {
      code: typeof event.code === 'number' ? event.code : 1006,
      reason: typeof event.reason === 'string' ? event.reason : '',
    });
  }

  send(option: SendOption): void {
    const state = this._ws.readyState;
    if (state !== OPEN) {
      return later(option.fail, { errMsg: `sendSocketMessage:fail WebSocket is not connected (${state === 0 ? 'still connecting' : 'closing or closed'})` });
    }
    try {
      this._ws.send(option.data);
    } catch (err) {
      return later(option.fail, { errMsg: `sendSocketMessage:fail ${messageOf(err)}` });
    }
    // No success callback exists in the browser: a frame `send` accepted while OPEN is sent.
    if (option.success) option.success({ errMsg: 'sendSocketMessage:ok' });
  }

  close(option: CloseOption): void {
    try {
      this._ws.close(option.code === undefined ? 1000 : option.code, option.reason || '');
    } catch (err) {
      return later(option.fail, { errMsg: `closeSocket:fail ${messageOf(err)}` });
    }
    later(option.success, { errMsg: 'closeSocket:ok' });
  }

  onOpen(fn: Callback<{ header?: Record<string, string> }>): void {
    this._listeners.open.push(fn);
  }
  onMessage(fn: Callback<{ data: SocketData }>): void {
    this._listeners.message.push(fn);
  }
  onError(fn: Callback<WxCallbackResult>): void {
    this._listeners.error.push(fn);
  }
  onClose(fn: Callback<{ code: number; reason: string }>): void {
    this._listeners.close.push(fn);
  }

  private _received(data: unknown): void {
    const blob = data as { arrayBuffer?: () => Promise<ArrayBuffer> };
    const isBlob = typeof data === 'object' && data !== null && typeof blob.arrayBuffer === 'function';
    if (!isBlob && !this._converting) return this._emit('message', { data: data as SocketData });
    const previous = this._converting || Promise.resolve();
    const next: Promise<void> = previous
      .then(() => (isBlob ? (blob.arrayBuffer as () => Promise<ArrayBuffer>).call(data) : data as SocketData))
      .then((frame) => this._emit('message', { data: frame }), noop)
      .then(() => {
        if (this._converting === next) this._converting = undefined;
      });
    this._converting = next;
  }

  private _emit<K extends keyof BrowserTask['_listeners']>(event: K, res: Parameters<BrowserTask['_listeners'][K][number]>[0]): void {
    for (const fn of this._listeners[event] as Array<Callback<typeof res>>) fn(res);
  }
}

/** online/offline on the page, visibilitychange on its document, as wx's network/app events. */
function browserEvents(g: BrowserPlatform): WxLike {
  const out: WxLike = {};
  const wrappers = new Map<unknown, Array<[EventTargetLike, string, Handler]>>();
  const listen = (key: unknown, target: Partial<EventTargetLike> | undefined, type: string, handler: Handler): void => {
    if (!target || typeof target.addEventListener !== 'function') return;
    target.addEventListener(type, handler);
    const list = wrappers.get(key) || [];
    list.push([target as EventTargetLike, type, handler]);
    wrappers.set(key, list);
  };
  const unlisten = (key: unknown): void => {
    for (const [target, type, handler] of wrappers.get(key) || []) {
      if (typeof target.removeEventListener === 'function') target.removeEventListener(type, handler);
    }
    wrappers.delete(key);
  };
  if (typeof g.addEventListener === 'function') {
    out.onNetworkStatusChange = (fn: Callback<NetworkStatus>) => {
      listen(fn, g as EventTargetLike, 'online', () => fn({ isConnected: true, networkType: 'unknown' }));
      listen(fn, g as EventTargetLike, 'offline', () => fn({ isConnected: false, networkType: 'none' }));
    };
    out.offNetworkStatusChange = unlisten;
  }
  // `navigator.onLine === true` is no proof of a network, only `false` is proof of none.
  out.getNetworkType = (option) => later(option.success, { networkType: g.navigator && g.navigator.onLine === false ? 'none' : 'unknown' });
  const doc = g.document;
  if (doc && typeof doc.addEventListener === 'function') {
    const hidden = (): boolean => doc.visibilityState === 'hidden' || doc.hidden === true;
    out.onAppShow = (fn) => listen(fn, doc, 'visibilitychange', () => hidden() || fn());
    out.offAppShow = unlisten;
    out.onAppHide = (fn) => listen(fn, doc, 'visibilitychange', () => hidden() && fn());
    out.offAppHide = unlisten;
  }
  return out;
}

/**
 * `new WxSocketManager({ url, ...fromBrowser(globalThis) })` — a token goes in the URL
 * (a `url` function is called before every attempt), never in `header`.
 */
export function fromBrowser(g: BrowserPlatform): PlatformBinding {
  checkPlatform('fromBrowser(globalThis)', g, 'WebSocket');
  const connectSocket: ConnectSocket & { noHeaders?: string } = (option) => {
    const fail = option.fail || noop;
    const refuse = (errMsg: string): SocketTaskLike => {
      const ws: BrowserWebSocket = { readyState: 3, binaryType: 'arraybuffer', send: noop, close: noop, onopen: null, onmessage: null, onerror: null, onclose: null };
      later(fail, { errMsg });
      return new BrowserTask(ws);
    };
    if (option.header && Object.keys(option.header).length > 0) return refuse(`connectSocket:fail ${ERR_NO_HEADERS}`);
    let ws: BrowserWebSocket;
    try {
      ws = option.protocols && option.protocols.length > 0 ? new g.WebSocket(option.url, option.protocols) : new g.WebSocket(option.url);
    } catch (err) {
      return refuse(`connectSocket:fail ${messageOf(err)}`);
    }
    return new BrowserTask(ws);
  };
  // For a manager that checks options at construction: with this connectSocket a `header` is a mistake.
  connectSocket.noHeaders = ERR_NO_HEADERS;
  return { connectSocket, wx: browserEvents(g) };
}
