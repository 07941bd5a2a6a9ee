/**
 * All public types of wx-socket-manager in one place.
 *
 * The platform types are structural subsets of `WechatMiniprogram.*` so that
 * `wx.connectSocket` fits them, while Node users need no mini-program typings.
 */
import type { SocketError } from './errors';

/** `idle` → never started; `connecting` → first attempt; `open`; `reconnecting` → lost, retrying (also while paused offline); `closed` → closed on purpose; `failed` → gave up. */
export type SocketState = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'closed' | 'failed';

/** What a frame can carry. */
export type SocketData = string | ArrayBuffer;

/** The result every wx callback receives. */
export interface WxCallbackResult {
  errMsg: string;
}

/** Subset of `WechatMiniprogram.ConnectSocketOption` that the manager passes. */
export interface ConnectSocketOption {
  url: string;
  header?: Record<string, string>;
  protocols?: string[];
  timeout?: number;
  success?: (res: WxCallbackResult) => void;
  fail?: (res: WxCallbackResult) => void;
}

/** Subset of `WechatMiniprogram.SocketTask`. It has no `off*` and no `readyState`. */
export interface SocketTaskLike {
  send(option: {
    data: SocketData;
    success?: (res: WxCallbackResult) => void;
    fail?: (res: WxCallbackResult) => void;
  }): void;
  close(option: {
    code?: number;
    reason?: string;
    success?: (res: WxCallbackResult) => void;
    fail?: (res: WxCallbackResult) => void;
  }): void;
  onOpen(listener: (res: { header?: Record<string, string>; profile?: unknown }) => void): void;
  onClose(listener: (res: { code: number; reason: string }) => void): void;
  onError(listener: (res: WxCallbackResult) => void): void;
  onMessage(listener: (res: { data: SocketData }) => void): void;
}

/** The shape of `wx.connectSocket`. */
export type ConnectSocket = (option: ConnectSocketOption) => SocketTaskLike;

export interface NetworkStatus {
  isConnected: boolean;
  networkType?: string;
}

/**
 * The parts of the `wx` global the manager may use. Every member is optional.
 * `off*` take `OffListener`: wx's own typings give off* listeners a different result type
 * than on* (miniprogram-api-typings#268); `any` here is the one type both sides fit.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type OffListener = (res: any) => void;

export interface WxLike {
  connectSocket?: ConnectSocket;
  getNetworkType?(option: { success?: (res: { networkType: string }) => void; fail?: (res: WxCallbackResult) => void }): void;
  onNetworkStatusChange?(listener: (res: NetworkStatus) => void): void;
  offNetworkStatusChange?(listener?: OffListener): void;
  onAppShow?(listener: (res?: unknown) => void): void;
  offAppShow?(listener?: OffListener): void;
  onAppHide?(listener: (res?: unknown) => void): void;
  offAppHide?(listener?: OffListener): void;
}

/** A value, or a function (possibly async) called before every attempt. */
export type Provider<T> = T | (() => T | Promise<T>);

export interface ReconnectOptions {
  /** Attempts after a loss before giving up (`failed`). Resets on every open. @default 12 */
  maxAttempts: number;
  /** Delay before attempt 1, in ms (the first attempt after a loss waits too). @default 5000 */
  interval: number;
  /** Growth per attempt: delay n = interval·factor^(n-1). @default 1 */
  factor: number;
  /** Upper bound of a delay, in ms. @default max(30000, interval) */
  maxInterval: number;
  /** Spread each delay by ±jitter (0..1) to avoid a thundering herd. @default 0 */
  jitter: number;
}

export interface HeartbeatOptions {
  /** Silence (nothing received) after which `ping` is sent, in ms. @default 10000 */
  interval: number;
  /** Time after a ping with nothing received before the link is declared dead, in ms. @default 10000 */
  timeout: number;
  /** Text frame sent as a ping. @default 'ping' */
  ping: string;
  /** Text frame the server answers with; never delivered to `message` listeners. @default 'pong' */
  pong: string;
}

export interface QueueOptions {
  /** Messages held while not open; the next one is refused with `QUEUE_FULL`. @default 100 */
  max: number;
}

export interface CloseInfo {
  code: number;
  reason: string;
}

export interface WxSocketOptions {
  /** `ws://` or `wss://` URL, or a function called before EVERY attempt (fresh tokens). */
  url: Provider<string>;
  /** Handshake headers, or a function called before every attempt. Never logged. */
  header?: Provider<Record<string, string>>;
  /** Sub-protocols passed to `connectSocket`. */
  protocols?: string[];
  /** An attempt not open by then counts as failed (also passed as `timeout`), in ms. @default 10000 */
  connectTimeout?: number;
  /** `false`: never reconnect. `true` or a partial object: defaults merged in. @default { maxAttempts: 12, interval: 5000, factor: 1, maxInterval: 30000, jitter: 0 } */
  reconnect?: boolean | Partial<ReconnectOptions>;
  /** `false`: no heartbeat. @default { interval: 10000, timeout: 10000, ping: 'ping', pong: 'pong' } */
  heartbeat?: boolean | Partial<HeartbeatOptions>;
  /** `false`: `send()` rejects with `NOT_OPEN` unless open. @default { max: 100 } */
  queue?: boolean | Partial<QueueOptions>;
  /** Asked for every lost link; return `false` to stay `closed`. @default () => true */
  shouldReconnect?: (close: CloseInfo) => boolean;
  /** Pause while offline, retry at once when back (`wx.onNetworkStatusChange`). @default true */
  watchNetwork?: boolean;
  /** Skip heartbeat judgement while hidden, re-check on show (`wx.onAppShow`/`onAppHide`). @default true */
  watchApp?: boolean;
  /** Injection point (tests, Node, Taro/uni adapters). @default wx.connectSocket */
  connectSocket?: ConnectSocket;
  /** Where network/app listeners come from (tests, adapters). @default the global `wx`, if any */
  wx?: WxLike;
}

/** Options of `send(data, options)` (an extension). */
export interface SendOptions {
  /** `false`: send only on an open link (else reject `NOT_OPEN`), never queue or requeue this frame. @default true */
  queue?: boolean;
}

/**
 * `socket.stats`: what a page may show or log about the link, counted since the manager was
 * made (never reset). A snapshot: read it again for fresh numbers.
 */
export interface SocketStats {
  /** ms of the last ping → pong (`socket.rtt`); `undefined` before the first pong. */
  rtt: number | undefined;
  /**
   * Links that opened after the first one, whatever brought them back (a loss, `reconnect()`,
   * back online, `connect()` after `close()`): every change to the `open` state but the first
   * (counted when `state` fires, so a `state` listener already sees it).
   */
  reconnects: number;
  /**
   * Frames given to `send()` that the platform reported sent: each resolved `send()` promise.
   * Never the heartbeat's pings, nor the first-frame hook's frame (a session's `hello`).
   */
  sent: number;
  /** Frames handed to `message` listeners: every inbound frame but the heartbeat's pongs. */
  received: number;
  /** Messages waiting in the queue for a link (`socket.queued`). */
  queued: number;
}

/** Event name → payload. `on()` is typed from this map. */
export interface WxSocketEvents {
  open: { attempt: number; header?: Record<string, string> };
  message: SocketData;
  close: { code: number; reason: string; willReconnect: boolean };
  error: SocketError;
  reconnecting: { attempt: number; delay: number };
  'reconnect-failed': { attempts: number };
  state: { state: SocketState; previous: SocketState };
  /** Extension: a pong answered a ping; `rtt` in ms (also in `socket.rtt`). */
  pong: { rtt: number };
}

export type WxSocketEventName = keyof WxSocketEvents;
export type Listener<K extends WxSocketEventName> = (payload: WxSocketEvents[K]) => void;
