/**
 * What every SocketTask implementation here shares (the Node adapter and the testing fake):
 * wx's listener registration and wx's own errMsg texts (the close-code rule is
 * `isValidCloseCode` in reconnect-policy, shared with the manager).
 */
import type { SocketData, SocketTaskLike, WxCallbackResult } from '../types';

export const ERR_SEND_NOT_CONNECTED = 'sendSocketMessage:fail WebSocket is not connected';
export const ERR_CLOSE_NOT_CONNECTED = 'closeSocket:fail WebSocket is not connected';
export const ERR_CLOSE_CODE = 'closeSocket:fail The code must be either 1000, or between 3000 and 4999';

export type Fn<T> = (res: T) => void;
export type OpenResult = { header?: Record<string, string>; profile?: unknown };
export type CloseResult = { code: number; reason: string };

export abstract class SocketTaskBase implements Pick<SocketTaskLike, 'onOpen' | 'onClose' | 'onError' | 'onMessage'> {
  protected listeners = {
    open: [] as Array<Fn<OpenResult>>,
    close: [] as Array<Fn<CloseResult>>,
    error: [] as Array<Fn<WxCallbackResult>>,
    message: [] as Array<Fn<{ data: SocketData }>>,
  };

  onOpen(fn: Fn<OpenResult>): void {
    this.listeners.open.push(fn);
  }
  onClose(fn: Fn<CloseResult>): void {
    this.listeners.close.push(fn);
  }
  onError(fn: Fn<WxCallbackResult>): void {
    this.listeners.error.push(fn);
  }
  onMessage(fn: Fn<{ data: SocketData }>): void {
    this.listeners.message.push(fn);
  }

  protected emit<K extends keyof SocketTaskBase['listeners']>(event: K, res: Parameters<SocketTaskBase['listeners'][K][number]>[0]): void {
    for (const fn of this.listeners[event] as Array<Fn<typeof res>>) fn(res);
  }
}

/** Calls `fn` on a later macrotask, as platforms call back. */
export function later<T>(fn: Fn<T> | undefined, res: T): void {
  if (fn) setTimeout(() => fn(res), 0);
}

/** A listener list without `fn`; with no `fn` at all, empty (wx's and Alipay's `off*()`). */
export function remove<T>(list: T[], fn: unknown): T[] {
  if (fn === undefined) return [];
  const i = list.indexOf(fn as T);
  return i < 0 ? list : list.slice(0, i).concat(list.slice(i + 1));
}
