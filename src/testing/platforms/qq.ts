/** QQ has WeChat's shapes and texts: its fake is a FakeWx. */
import { FakeWx } from '../fake-wx';
import type { FakeWxOptions } from '../fake-wx';

/** A fake `qq` for `fromQQ(qq)`: a FakeWx (drivers: `lastTask.serverOpen()`, `setNetwork()`, …). */
export function createFakeQQ(options?: FakeWxOptions): FakeWx {
  return new FakeWx(options);
}
