/**
 * What every SocketTask implementation here shares (the Node adapter and the testing fake):
 * wx's listener registration. (wx's own errMsg texts are in platforms/shared, with the
 * bindings; the close-code rule is `isValidCloseCode` in reconnect-policy, shared with the manager.)
 */
import type { SocketData, SocketTaskLike, WxCallbackResult } from '../types';

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

/** A listener list without `fn`; with no `fn` at all, empty (wx's and Alipay's `off*()`). */
export function remove<T>(list: T[], fn: unknown): T[] {
  if (fn === undefined) return [];
  const i = list.indexOf(fn as T);
  return i < 0 ? list : list.slice(0, i).concat(list.slice(i + 1));
}
