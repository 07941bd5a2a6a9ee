/**
 * `wx-socket-manager/testing`: deterministic fakes of the wx socket platform (and of the other
 * platforms), and helpers to load a page in a test.
 */
export * from './fake-wx';
export { installFakeWx } from './install';
export { seededRandom } from './seeded-random';
export { loadPage } from './page';
export { socketStatusComponent } from './components';
export type { LoadPageOptions, PageDefinition, PageInstance, PageState, TestPage } from './page';
// Fakes of the other platforms (Taro, uni-app, Alipay, Douyin, QQ, Baidu, the browser).
export * from './platforms';
