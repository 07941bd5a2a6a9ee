/**
 * Douyin / Toutiao (`tt`): wx's shapes except onClose's `code`, which arrives as a STRING
 * (and is missing before base library 1.81).
 */
import type { SocketTaskLike } from '../types';
import { closeCode, patchTask, wxShaped } from './shared';
import type { PlatformBinding } from './shared';
import type { WxShapedPlatform } from './wx';

/** `new WxSocketManager({ url, ...fromDouyin(tt) })` */
export function fromDouyin(tt: WxShapedPlatform): PlatformBinding {
  return wxShaped('fromDouyin(tt)', tt, {
    wrap: (task: SocketTaskLike) => patchTask(task, {
      onClose: (fn) => task.onClose((res) => fn({ code: closeCode(res && res.code), reason: res && typeof res.reason === 'string' ? res.reason : '' })),
    }),
  });
}
