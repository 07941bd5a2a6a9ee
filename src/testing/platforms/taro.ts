/**
 * Taro: `Taro.connectSocket` calls the native API at once and returns a Promise of the task,
 * resolved just after native `success`; native `fail` calls `fail` and rejects, and no task
 * is handed back. `h5: true` adds Taro-H5's task: one listener per event (the last one wins),
 * binary as Blob unless `task.ws.binaryType` is 'arraybuffer', and `send`/`close` returning
 * Promises that reject on failure. (No `miniGlobal`: fromTaro uses the Promise path.)
 */
import type { FakeSocketTask, FakeWxOptions } from '../fake-wx';
import type { ConnectSocketOption, SocketData, SocketTaskLike } from '../../types';
import { FakeWxShaped } from './wx-shaped';

export interface FakeTaroOptions extends FakeWxOptions {
  /** Taro-H5's SocketTask. @default false */
  h5?: boolean;
}

/** Taro-H5's task: `ws` is its WebSocket; `send`/`close` return Promises. */
export type FakeTaroH5Task = Omit<SocketTaskLike, 'send' | 'close'> & {
  ws: { binaryType: 'blob' | 'arraybuffer' };
  send(option: Parameters<SocketTaskLike['send']>[0]): Promise<unknown>;
  close(option: Parameters<SocketTaskLike['close']>[0]): Promise<unknown>;
};

export class FakeTaro extends FakeWxShaped {
  constructor(readonly taroOptions: FakeTaroOptions = {}, private readonly env = taroOptions.h5 ? 'WEB' : 'WEAPP') {
    super(taroOptions);
  }

  getEnv(): string {
    return this.env;
  }

  readonly connectSocket = (option: ConnectSocketOption): Promise<FakeSocketTask | FakeTaroH5Task> => new Promise((resolve, reject) => {
    const task: FakeSocketTask = this.engine.connectSocket({
      ...option,
      success: (res) => {
        option.success?.(res);
        resolve(this.taroOptions.h5 ? h5Task(task) : task);
      },
      fail: (res) => {
        option.fail?.(res);
        reject(res);
      },
    });
  });
}

/** A fake `Taro` for `fromTaro(Taro)`; drive `lastTask` as with createFakeWx(). */
export function createFakeTaro(options?: FakeTaroOptions): FakeTaro {
  return new FakeTaro(options);
}

function h5Task(task: FakeSocketTask): FakeTaroH5Task {
  const ws = { binaryType: 'blob' as 'blob' | 'arraybuffer' };
  const only: { message?: (res: { data: SocketData }) => void } = {};
  task.onMessage((res) => {
    const data = typeof res.data === 'string' || ws.binaryType === 'arraybuffer' ? res.data : new Blob([res.data]);
    only.message?.({ data: data as SocketData });
  });
  const promised = (call: (o: { success: (r: unknown) => void; fail: (r: unknown) => void }) => void, option: { success?: (r: never) => void; fail?: (r: never) => void }) =>
    new Promise((resolve, reject) => call({
      success: (r) => {
        option.success?.(r as never);
        resolve(r);
      },
      fail: (r) => {
        option.fail?.(r as never);
        reject(r);
      },
    }));
  let open: ((res: never) => void) | undefined;
  let close: ((res: never) => void) | undefined;
  let error: ((res: never) => void) | undefined;
  task.onOpen((res) => open?.(res as never));
  task.onClose((res) => close?.(res as never));
  task.onError((res) => error?.(res as never));
  return {
    ws,
    send: (o) => promised((cb) => task.send({ data: o.data, ...cb }), o),
    close: (o) => promised((cb) => task.close({ code: o.code, reason: o.reason, ...cb }), o),
    onOpen: (fn) => void (open = fn as never),
    onClose: (fn) => void (close = fn as never),
    onError: (fn) => void (error = fn as never),
    onMessage: (fn) => void (only.message = fn),
  };
}
