/** Fakes of the other platforms, for `wx-socket-manager/platforms` bindings and your page tests. */
export { FakeWxShaped } from './wx-shaped';
export { createFakeQQ } from './qq';
export { FakeSwan, createFakeSwan } from './swan';
export { FakeTt, createFakeTt } from './tt';
export type { FakeTtOptions, FakeTtTask } from './tt';
export { FakeUni, createFakeUni } from './uni';
export type { FakeUniOptions } from './uni';
export { FakeTaro, createFakeTaro } from './taro';
export type { FakeTaroOptions, FakeTaroH5Task } from './taro';
export {
  FakeMy,
  FakeMyTask,
  createFakeMy,
  MY_ERR_BAD_URL,
  MY_ERR_DOMAIN,
  MY_ERR_NETWORK,
  MY_ERR_NOT_OPEN,
  MY_ERR_WSS_ONLY,
} from './my';
export type { FakeMyOptions, MyFailure } from './my';
export { FakeBrowser, FakeBrowserSocket, createFakeBrowser } from './browser';
