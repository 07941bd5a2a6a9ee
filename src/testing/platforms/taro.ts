/**
 * Taro (mini-program builds): `Taro.connectSocket` calls the native API at once and returns a
 * Promise of the task, resolved just after native `success`; native `fail` calls `fail` and
 * rejects, and no task is handed back.
 */
import type { FakeSocketTask, FakeWxOptions } from '../index';
import type { ConnectSocketOption } from '../../types';
import { FakeWxShaped } from './wx-shaped';

export class FakeTaro extends FakeWxShaped {
  constructor(options: FakeWxOptions = {}, private readonly env = 'WEAPP') {
    super(options);
  }

  getEnv(): string {
    return this.env;
  }

  readonly connectSocket = (option: ConnectSocketOption): Promise<FakeSocketTask> => new Promise((resolve, reject) => {
    const task: FakeSocketTask = this.engine.connectSocket({
      ...option,
      success: (res) => {
        option.success?.(res);
        resolve(task);
      },
      fail: (res) => {
        option.fail?.(res);
        reject(res);
      },
    });
  });
}

/** A fake `Taro` for `fromTaro(Taro)`; drive `lastTask` as with createFakeWx(). */
export function createFakeTaro(options?: FakeWxOptions): FakeTaro {
  return new FakeTaro(options);
}
