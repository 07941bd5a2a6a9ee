/**
 * Alipay / DingTalk (`my`): a SocketTask exists only with `multiple: true`; task events are
 * nested (`{ data: { data, isBuffer } }`); binary travels as base64 with `isBuffer: true`;
 * failures are `{ error, errorMessage }`; network types are uppercase (`NOTREACHABLE`);
 * and `off*()` without an argument removes EVERY listener (the relay always passes ours).
 */
import type { SocketData, SocketTaskLike } from '../types';
import { closeCode, errMsgOf, fatalErrMsg, quiet, wxShaped } from './shared';
import type { Callback, PlatformBinding } from './shared';
import { fromBase64, toBase64 } from '../encoding/base64';

/** connectSocket: 2/4/5 a malformed URL, 20 "ws:// not supported, use wss://". onError: 65 "check the domain is allowed". */
const FATAL_CONNECT = [2, 4, 5, 20];
const FATAL_ERROR = [65];

/** The parts of `my` the binding uses; structural, so @mini-types/alipay's `my` fits. */
export interface AlipayPlatform {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  connectSocket(option: any): unknown;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  getNetworkType?(option?: any): unknown;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  onNetworkStatusChange?(listener: (res: any) => void): void;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  offNetworkStatusChange?(listener?: any): void;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  onAppShow?(listener: (res: any) => void): void;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  offAppShow?(listener?: any): void;
  onAppHide?(listener: () => void): void;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  offAppHide?(listener?: any): void;
}

interface AlipayTask {
  send(option: { data: string; isBuffer?: boolean; success?: Callback<unknown>; fail?: Callback<unknown> }): unknown;
  close(option: { code?: number; reason?: string; success?: Callback<unknown>; fail?: Callback<unknown> }): unknown;
  onOpen(fn: Callback<unknown>): void;
  onClose(fn: Callback<unknown>): void;
  onError(fn: Callback<unknown>): void;
  onMessage(fn: Callback<unknown>): void;
}

/** `{ error, errorMessage }` (at the top or under `data`) as an errMsg; the don't-retry codes marked fatal. */
function alipayFailure(api: string, res: unknown, fatal: number[]): string {
  const r = typeof res === 'object' && res !== null ? res as { error?: unknown; errorMessage?: unknown; data?: unknown } : undefined;
  const inner = r && typeof r.data === 'object' && r.data !== null ? r.data as { error?: unknown; errorMessage?: unknown } : undefined;
  const error = r && r.error !== undefined ? r.error : inner && inner.error;
  const errorMessage = r && r.errorMessage !== undefined ? r.errorMessage : inner && inner.errorMessage;
  const errMsg = errMsgOf(typeof res === 'string' ? res : { errorMessage, error, errMsg: r && (r as { errMsg?: unknown }).errMsg }, api, 'failed');
  return typeof error === 'number' && fatal.indexOf(error) >= 0 ? fatalErrMsg(errMsg) : errMsg;
}

/** The nested payload `{ data: {…} }`, or the payload itself when a client sends it flat. */
function unwrap(res: unknown): Record<string, unknown> {
  if (typeof res !== 'object' || res === null) return {};
  const data = (res as { data?: unknown }).data;
  return typeof data === 'object' && data !== null && !isBuffer(data) ? data as Record<string, unknown> : res as Record<string, unknown>;
}

function isBuffer(value: unknown): value is ArrayBuffer {
  return value instanceof ArrayBuffer || Object.prototype.toString.call(value) === '[object ArrayBuffer]';
}

function alipayTask(task: AlipayTask): SocketTaskLike {
  // The manager passes the same callbacks for every frame of a task: wrap each once, not per frame.
  let success: Callback | undefined;
  let fail: Callback | undefined;
  let wrappedSuccess: Callback<unknown> | undefined;
  let wrappedFail: Callback<unknown> | undefined;
  return {
    send: (o) => {
      if (o.success !== success) {
        const fn = success = o.success;
        wrappedSuccess = fn && (() => fn({ errMsg: 'sendSocketMessage:ok' }));
      }
      if (o.fail !== fail) {
        const fn = fail = o.fail;
        wrappedFail = fn && ((res: unknown) => fn({ errMsg: alipayFailure('sendSocketMessage', res, []) }));
      }
      const binary = typeof o.data !== 'string';
      quiet(task.send({
        data: binary ? toBase64(o.data as ArrayBuffer) : o.data as string,
        isBuffer: binary,
        success: wrappedSuccess,
        fail: wrappedFail,
      }));
    },
    close: (o) => {
      const ok = o.success;
      const bad = o.fail;
      quiet(task.close({
        code: o.code,
        reason: o.reason,
        success: ok && (() => ok({ errMsg: 'closeSocket:ok' })),
        fail: bad && ((res: unknown) => bad({ errMsg: alipayFailure('closeSocket', res, []) })),
      }));
    },
    onOpen: (fn) => task.onOpen(() => fn({})),
    onMessage: (fn) => task.onMessage((res) => {
      const inner = unwrap(res);
      const data = inner.data as SocketData;
      fn({ data: inner.isBuffer === true && typeof data === 'string' ? fromBase64(data) : data });
    }),
    onClose: (fn) => task.onClose((res) => {
      const inner = unwrap(res);
      fn({ code: closeCode(inner.code), reason: typeof inner.reason === 'string' ? inner.reason : '' });
    }),
    onError: (fn) => task.onError((res) => fn({ errMsg: alipayFailure('SocketTask.onError', res, FATAL_ERROR) })),
  };
}

function networkType(type: unknown, available?: unknown): string {
  if (available === false || type === 'NOTREACHABLE' || type === 'NONE') return 'none';
  return typeof type === 'string' ? type.toLowerCase() : 'unknown';
}

/** `new WxSocketManager({ url, ...fromAlipay(my) })` */
export function fromAlipay(my: AlipayPlatform): PlatformBinding {
  return wxShaped('fromAlipay(my)', my, {
    extra: { multiple: true },
    noTaskHint: 'DingTalk and mPaaS have no multiple: true sockets',
    failMsg: (res) => alipayFailure('connectSocket', res, FATAL_CONNECT),
    wrap: (task) => alipayTask(task as unknown as AlipayTask),
    events: {
      network: (res) => {
        const r = (res || {}) as { isConnected?: unknown; networkType?: unknown };
        const type = networkType(r.networkType);
        return { isConnected: typeof r.isConnected === 'boolean' ? r.isConnected : type !== 'none', networkType: type };
      },
      networkType: (res) => {
        const r = (res || {}) as { networkAvailable?: unknown; networkType?: unknown };
        return { networkType: networkType(r.networkType, r.networkAvailable) };
      },
    },
  });
}

export { fromBase64, toBase64 };
