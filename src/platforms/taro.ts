/**
 * Taro 3/4 (`Taro` from '@tarojs/taro'). In mini-program builds `Taro.miniGlobal` is the
 * native wx/qq/tt/swan/my, and the binding talks to it directly: Taro's own
 * `connectSocket` returns a Promise that resolves only after native `success`, so a
 * listener cannot be registered in the same tick (an early `onOpen` would be missed), and
 * on Alipay Taro breaks `multiple: true` tasks (taro#13252).
 * Elsewhere (Taro-H5) the Promise is used: the manager gets a stand-in at once that buffers
 * listeners until the task arrives (a rejection is the attempt's failure; no callbacks are
 * passed, or `fail` would come twice); binary would arrive as Blob (its WebSocket is
 * switched to ArrayBuffer) and `send`/`close` return Promises that reject.
 */
import type { SocketTaskLike } from '../types';
import { fromAlipay } from './alipay';
import type { AlipayPlatform } from './alipay';
import { fromBaidu } from './baidu';
import { fromDouyin } from './douyin';
import { fromQQ } from './qq';
import { checkPlatform, patchTask, quiet, wxShaped } from './shared';
import type { PlatformBinding } from './shared';
import { fromWx } from './wx';
import type { WxShapedPlatform } from './wx';

const NATIVE: Record<string, (platform: WxShapedPlatform & AlipayPlatform) => PlatformBinding> = {
  WEAPP: fromWx,
  QQ: fromQQ,
  TT: fromDouyin,
  SWAN: fromBaidu,
  ALIPAY: fromAlipay,
};

export type TaroPlatform = WxShapedPlatform & {
  getEnv?(): string;
  miniGlobal?: unknown;
};

function taroTask(task: SocketTaskLike): SocketTaskLike {
  const ws = (task as { ws?: { binaryType?: string } }).ws;
  if (ws && typeof ws === 'object' && 'binaryType' in ws) ws.binaryType = 'arraybuffer';
  return patchTask(task, {
    send: (o) => quiet(task.send(o)),
    close: (o) => quiet(task.close(o)),
  });
}

/** `new WxSocketManager({ url, ...fromTaro(Taro) })` */
export function fromTaro(Taro: TaroPlatform): PlatformBinding {
  checkPlatform('fromTaro(Taro)', Taro, 'connectSocket');
  const env = typeof Taro.getEnv === 'function' ? Taro.getEnv() : undefined;
  const native = Taro.miniGlobal as (WxShapedPlatform & AlipayPlatform) | undefined;
  const bind = env === undefined ? undefined : NATIVE[env];
  if (bind && native && typeof native.connectSocket === 'function') return bind(native);
  return wxShaped('fromTaro(Taro)', Taro, { callbacks: false, wrap: taroTask });
}
