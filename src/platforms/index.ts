/** `wx-socket-manager/platforms`: one binding per platform, each `(platform) => { connectSocket, wx }`. */
export { fromWx } from './wx';
export type { WxShapedPlatform } from './wx';
export { fromQQ } from './qq';
export { fromTaro } from './taro';
export type { TaroPlatform } from './taro';
export { fromUni } from './uni';
export { fromAlipay, toBase64, fromBase64 } from './alipay';
export type { AlipayPlatform } from './alipay';
export { fromDouyin } from './douyin';
export { fromBaidu } from './baidu';
export { fromBrowser, ERR_NO_HEADERS } from './browser';
export type { BrowserPlatform, BrowserWebSocket } from './browser';
export type { PlatformBinding } from './shared';
