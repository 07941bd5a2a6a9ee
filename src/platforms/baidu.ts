/**
 * Baidu (`swan`): wx's shapes, but failures may come as `{ errCode, errMsg }`, and iOS
 * reports a failed security check (7) or a bad URL/sub-protocol (2): retrying cannot help.
 */
import type { SocketTaskLike } from '../types';
import { errMsgOf, fatalErrMsg, patchTask, wxShaped } from './shared';
import type { PlatformBinding } from './shared';
import type { WxShapedPlatform } from './wx';

const FATAL_CODES = [2, 7];

function baiduFailure(api: string, res: unknown): string {
  const errMsg = errMsgOf(res, api, 'failed');
  const code = typeof res === 'object' && res !== null ? (res as { errCode?: unknown }).errCode : undefined;
  return typeof code === 'number' && FATAL_CODES.indexOf(code) >= 0 ? fatalErrMsg(`${errMsg} (swan errCode ${code})`) : errMsg;
}

/** `new WxSocketManager({ url, ...fromBaidu(swan) })` */
export function fromBaidu(swan: WxShapedPlatform): PlatformBinding {
  return wxShaped('fromBaidu(swan)', swan, {
    failMsg: (res) => baiduFailure('connectSocket', res),
    wrap: (task: SocketTaskLike) => patchTask(task, {
      onError: (fn) => task.onError((res) => fn({ errMsg: baiduFailure('SocketTask.onError', res) })),
    }),
  });
}
