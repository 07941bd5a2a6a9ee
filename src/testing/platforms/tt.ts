/** Douyin: wx's shapes, but onClose's `code` is a string; backgrounding closes sockets with 1001. */
import type { FakeSocketTask, FakeWxOptions } from '../fake-wx';
import type { ConnectSocketOption, SocketTaskLike } from '../../types';
import { FakeWxShaped } from './wx-shaped';

export interface FakeTtOptions extends FakeWxOptions {
  /** hideApp() closes every open socket with code "1001", as Douyin does. @default false */
  closeOnHide?: boolean;
}

/** What tt.connectSocket returns: onClose gives `{ code: string, reason, errMsg }`. */
export type FakeTtTask = Omit<SocketTaskLike, 'onClose'> & {
  onClose(fn: (res: { code: string; reason: string; errMsg: string }) => void): void;
  readonly readyState: 0 | 1 | 2 | 3;
};

const READY = { connecting: 0, open: 1, closing: 2, closed: 3 } as const;

export class FakeTt extends FakeWxShaped {
  constructor(readonly ttOptions: FakeTtOptions = {}) {
    super(ttOptions);
  }

  readonly connectSocket = (option: ConnectSocketOption): FakeTtTask => {
    const task = this.engine.connectSocket(option);
    return {
      send: (o) => task.send(o),
      close: (o) => task.close(o),
      onOpen: (fn) => task.onOpen(fn),
      onMessage: (fn) => task.onMessage(fn),
      onError: (fn) => task.onError(fn),
      onClose: (fn) => task.onClose((res) => fn({ code: String(res.code), reason: res.reason, errMsg: 'closeSocket:ok' })),
      get readyState() {
        return READY[task.state];
      },
    };
  };

  override hideApp(): void {
    super.hideApp();
    if (!this.ttOptions.closeOnHide) return;
    for (const task of this.liveTasks()) if (task.state === 'open') task.serverClose(1001, 'app in background');
  }
}

/** A fake `tt` for `fromDouyin(tt)`; drive `lastTask` (a FakeSocketTask) as with createFakeWx(). */
export function createFakeTt(options?: FakeTtOptions): FakeTt {
  return new FakeTt(options);
}

export type { FakeSocketTask };
