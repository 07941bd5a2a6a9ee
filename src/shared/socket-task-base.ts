/**
 * What every SocketTask implementation here shares (the Node adapter and the testing fakes):
 * the listener registration, with wx's payloads unless a platform's own are given (the fake
 * Alipay task). (wx's own errMsg texts are in platforms/shared, with the bindings; the
 * close-code rule is `isValidCloseCode` in reconnect-policy, shared with the manager.)
 */
import type { SocketData, WxCallbackResult } from '../types';

export type Fn<T> = (res: T) => void;
export type OpenResult = { header?: Record<string, string>; profile?: unknown };
export type CloseResult = { code: number; reason: string };

/** Event → what its listeners get. */
export interface TaskPayloads {
  open: unknown;
  close: unknown;
  error: unknown;
  message: unknown;
}

/** wx's SocketTask payloads. */
export interface WxTaskPayloads extends TaskPayloads {
  open: OpenResult;
  close: CloseResult;
  error: WxCallbackResult;
  message: { data: SocketData };
}

type Listeners<P extends TaskPayloads> = { [K in keyof TaskPayloads]: Array<Fn<P[K]>> };

export abstract class SocketTaskBase<P extends TaskPayloads = WxTaskPayloads> {
  protected listeners: Listeners<P> = { open: [], close: [], error: [], message: [] };

  onOpen(fn: Fn<P['open']>): void {
    this.listeners.open.push(fn);
  }
  onClose(fn: Fn<P['close']>): void {
    this.listeners.close.push(fn);
  }
  onError(fn: Fn<P['error']>): void {
    this.listeners.error.push(fn);
  }
  onMessage(fn: Fn<P['message']>): void {
    this.listeners.message.push(fn);
  }

  protected emit<K extends keyof TaskPayloads>(event: K, res: P[K]): void {
    for (const fn of this.listeners[event]) fn(res);
  }
}

/** A listener list without `fn`; with no `fn` at all, empty (wx's and Alipay's `off*()`). */
export function remove<T>(list: T[], fn: unknown): T[] {
  if (fn === undefined) return [];
  const i = list.indexOf(fn as T);
  return i < 0 ? list : list.slice(0, i).concat(list.slice(i + 1));
}

/** The last of `made` (a fake's tasks or sockets), or an Error saying `none`. */
export function lastOf<T>(made: T[], none: string): T {
  const item = made[made.length - 1];
  if (!item) throw new Error(none);
  return item;
}
