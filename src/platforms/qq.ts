/** QQ: WeChat's shapes and errMsg texts. */
import { wxShaped } from './shared';
import type { PlatformBinding } from './shared';
import type { WxShapedPlatform } from './wx';

/** `new WxSocketManager({ url, ...fromQQ(qq) })` */
export function fromQQ(qq: WxShapedPlatform): PlatformBinding {
  return wxShaped('fromQQ(qq)', qq);
}
