/** Baidu: wx's shapes; failures carry `errCode` (iOS: 7 security check, 2 bad URL are fatal). */
import type { FakeSocketTask } from '../fake-wx';
import type { ConnectSocketOption } from '../../types';
import { FakeWxShaped } from './wx-shaped';

export class FakeSwan extends FakeWxShaped {
  readonly connectSocket = (option: ConnectSocketOption): FakeSocketTask => this.engine.connectSocket(option);

  /** connectSocket's `fail` as swan gives it: `{ errCode, errMsg }`. */
  connectFail(task: FakeSocketTask, errCode: number, errMsg = `connectSocket:fail errCode ${errCode}`): void {
    task.state = 'closed';
    (task.option.fail as ((res: { errCode: number; errMsg: string }) => void) | undefined)?.({ errCode, errMsg });
  }
}

/** A fake `swan` for `fromBaidu(swan)`. */
export function createFakeSwan(options?: ConstructorParameters<typeof FakeSwan>[0]): FakeSwan {
  return new FakeSwan(options);
}
