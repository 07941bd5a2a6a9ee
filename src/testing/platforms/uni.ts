/**
 * uni-app: `connectSocket` returns the task only when success/fail/complete is passed
 * (otherwise a Promise of the success result). `h5: true` adds uni-H5's quirks: onError
 * gives `{}` and a send on a non-open socket calls `fail` twice.
 */
import type { FakeSocketTask, FakeWxOptions } from '../fake-wx';
import type { ConnectSocketOption, SocketTaskLike, WxCallbackResult } from '../../types';
import { FakeWxShaped } from './wx-shaped';

export interface FakeUniOptions extends FakeWxOptions {
  /** uni-H5 behaviour. @default false */
  h5?: boolean;
}

type UniConnectOption = ConnectSocketOption & { complete?: (res: WxCallbackResult) => void };

export class FakeUni extends FakeWxShaped {
  constructor(readonly uniOptions: FakeUniOptions = {}) {
    super(uniOptions);
  }

  readonly connectSocket = (option: UniConnectOption): SocketTaskLike | Promise<WxCallbackResult> => {
    const callbacks = !!(option.success || option.fail || option.complete);
    if (!callbacks) {
      return new Promise((resolve, reject) => {
        this.engine.connectSocket({ ...option, success: resolve, fail: reject });
      });
    }
    const complete = option.complete;
    const task = this.engine.connectSocket({
      ...option,
      success: (res) => {
        option.success?.(res);
        complete?.(res);
      },
      fail: (res) => {
        option.fail?.(res);
        complete?.(res);
      },
    });
    return this.uniOptions.h5 ? h5Task(task) : task;
  };
}

function h5Task(task: FakeSocketTask): SocketTaskLike {
  return {
    send: (o) => {
      if (task.state === 'open') return task.send(o);
      const res = { errMsg: 'sendSocketMessage:fail WebSocket is not connected' };
      setTimeout(() => {
        o.fail?.(res);
        o.fail?.(res);
      }, 0);
    },
    close: (o) => task.close(o),
    onOpen: (fn) => task.onOpen(fn),
    onMessage: (fn) => task.onMessage(fn),
    onError: (fn) => task.onError(() => (fn as (res: object) => void)({})),
    onClose: (fn) => task.onClose(fn),
  };
}

/** A fake `uni` for `fromUni(uni)`; drive `lastTask` as with createFakeWx(). */
export function createFakeUni(options?: FakeUniOptions): FakeUni {
  return new FakeUni(options);
}
