/**
 * `wx-socket-manager/node`: a `connectSocket` with wx's signature and SocketTask semantics,
 * backed by the `ws` package (an optional peer dependency), so the same manager runs in Node
 * against a real server: integration tests, load tests with many simulated clients.
 */
import { messageOf, typeError } from '../errors';
import { ERR_CLOSE_CODE, ERR_CLOSE_NOT_CONNECTED, ERR_SEND_NOT_CONNECTED } from '../platforms/shared';
import { SocketTaskBase } from '../shared/socket-task-base';
import { isValidCloseCode } from '../reconnect-policy';
import { requireWs } from '../shared/require-ws';
import type { Fn } from '../shared/socket-task-base';
import type { ConnectSocket, ConnectSocketOption, SocketData, SocketTaskLike, WxCallbackResult } from '../types';
import { flag, func, isObject, readOptions, time } from '../validate';
import type { Rules } from '../validate';

export { ERR_CLOSE_CODE, ERR_CLOSE_NOT_CONNECTED, ERR_SEND_NOT_CONNECTED };

export interface WsConnectSocketOptions {
  /** The `ws` WebSocket class. @default require('ws') */
  WebSocket?: unknown;
  /** After close(), a link that has not finished its closing handshake by then is destroyed, in ms. @default 1000 */
  closeTimeout?: number;
  /** Offer permessage-deflate (wx's `perMessageDeflate`). @default false */
  perMessageDeflate?: boolean;
}


/** The part of a `ws` WebSocket the adapter uses. */
interface Ws {
  readyState: number;
  binaryType: string;
  on(event: 'upgrade', fn: (res: { headers: Record<string, string | string[] | undefined> }) => void): void;
  on(event: 'open', fn: () => void): void;
  on(event: 'message', fn: (data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean) => void): void;
  on(event: 'error', fn: (err: Error) => void): void;
  on(event: 'close', fn: (code: number, reason: Buffer) => void): void;
  send(data: SocketData, cb: (err?: Error) => void): void;
  close(code?: number, reason?: string): void;
  terminate(): void;
}
type WsClass = new (url: string, protocols: string[] | undefined, options: Record<string, unknown>) => Ws;

// Shared results: the send path must not allocate one per frame.
const SEND_OK: WxCallbackResult = Object.freeze({ errMsg: 'sendSocketMessage:ok' });
const CONNECTING = 0;
const OPEN = 1;


const OPTIONS: Rules = {
  WebSocket: func('the "ws" WebSocket class'),
  closeTimeout: time(1000),
  perMessageDeflate: flag(false),
};

/** @throws TypeError naming a bad option; Error naming `npm install ws` when `ws` is missing. */
export function createWsConnectSocket(options: WsConnectSocketOptions = {}): ConnectSocket {
  if (!isObject(options)) throw typeError('options must be an object');
  const o = readOptions(options, OPTIONS) as { WebSocket?: WsClass; closeTimeout: number; perMessageDeflate: boolean };
  const WebSocket = o.WebSocket ?? (requireWs('wx-socket-manager/node') as WsClass);
  return (option: ConnectSocketOption): SocketTaskLike => new WsSocketTask(WebSocket, option, o.closeTimeout, o.perMessageDeflate);
}

class WsSocketTask extends SocketTaskBase implements SocketTaskLike {
  private readonly ws: Ws | undefined;
  private header: Record<string, string> = {};
  private closed = false;

  constructor(WebSocket: WsClass, option: ConnectSocketOption, private readonly closeTimeout: number, perMessageDeflate: boolean) {
    super();
    try {
      this.ws = new WebSocket(option.url, option.protocols, {
        headers: option.header,
        handshakeTimeout: option.timeout,
        perMessageDeflate,
      });
    } catch (err) {
      this.closed = true;
      later(option.fail, { errMsg: `connectSocket:fail ${messageOf(err)}` });
      return;
    }
    const ws = this.ws;
    // Buffers for both kinds (ws applies binaryType to text frames too); binary ones become ArrayBuffer.
    ws.binaryType = 'nodebuffer';
    later(option.success, { errMsg: 'connectSocket:ok' });
    ws.on('upgrade', (res) => {
      for (const key of Object.keys(res.headers)) {
        const value = res.headers[key];
        if (value !== undefined) this.header[key] = Array.isArray(value) ? value.join(', ') : value;
      }
    });
    ws.on('open', () => {
      this.emit('open', { header: this.header, profile: {} });
    });
    ws.on('message', (data, isBinary) => {
      const payload: SocketData = isBinary ? toArrayBuffer(data) : data.toString();
      this.emit('message', { data: payload });
    });
    ws.on('error', (err) => {
      if (this.closed) return;
      this.emit('error', { errMsg: err.message });
    });
    ws.on('close', (code, reason) => {
      if (this.closed) return;
      this.closed = true;
      this.emit('close', { code, reason: reason.toString() });
      this.clearListeners();
    });
  }

  send(option: { data: SocketData; success?: Fn<WxCallbackResult>; fail?: Fn<WxCallbackResult> }): void {
    const ws = this.ws;
    if (!ws || ws.readyState !== OPEN) return later(option.fail, { errMsg: ERR_SEND_NOT_CONNECTED });
    const { success, fail } = option;
    ws.send(option.data, (err) => {
      if (err) fail?.({ errMsg: `sendSocketMessage:fail ${err.message}` });
      else if (success) success(SEND_OK);
    });
  }

  close(option: { code?: number; reason?: string; success?: Fn<WxCallbackResult>; fail?: Fn<WxCallbackResult> }): void {
    const ws = this.ws;
    const code = option.code ?? 1000;
    if (!isValidCloseCode(code)) return later(option.fail, { errMsg: ERR_CLOSE_CODE });
    if (!ws || this.closed || ws.readyState > OPEN) return later(option.fail, { errMsg: ERR_CLOSE_NOT_CONNECTED });
    if (ws.readyState === CONNECTING) {
      ws.terminate();
    } else {
      try {
        ws.close(code, option.reason ?? '');
      } catch (err) {
        return later(option.fail, { errMsg: `closeSocket:fail ${messageOf(err)}` });
      }
      // A dead link never finishes the closing handshake: force it after a bounded wait.
      const force = setTimeout(() => ws.terminate(), this.closeTimeout);
      force.unref?.();
      ws.on('close', () => clearTimeout(force));
    }
    later(option.success, { errMsg: 'closeSocket:ok' });
  }

  private clearListeners(): void {
    this.listeners = { open: [], close: [], error: [], message: [] };
  }
}

function toArrayBuffer(data: Buffer | ArrayBuffer | Buffer[]): ArrayBuffer {
  if (data instanceof ArrayBuffer) return data;
  const buf = Array.isArray(data) ? Buffer.concat(data) : data;
  return buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer;
}

function later<T>(fn: Fn<T> | undefined, res: T): void {
  if (fn) setImmediate(() => fn(res));
}
