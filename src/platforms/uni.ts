/**
 * uni-app (`uni`): `uni.connectSocket` returns the task ONLY when a callback is passed
 * (otherwise a Promise of the success result), so one always goes along. uni-H5 adds: an
 * onError payload with no errMsg, `fail` called twice for a send on a non-open socket, and
 * onClose without `code` on older builds.
 */
import type { SocketTaskLike } from '../types';
import { noop } from '../errors';
import { closeCode, errMsgOf, patchTask, wxShaped } from './shared';
import type { PlatformBinding } from './shared';
import type { WxShapedPlatform } from './wx';

function uniTask(task: SocketTaskLike): SocketTaskLike {
  return patchTask(task, {
    send: (o) => {
      let failed = false;
      const fail = o.fail;
      task.send({
        data: o.data,
        success: o.success,
        fail: fail && ((res) => {
          if (failed) return;
          failed = true;
          fail({ errMsg: errMsgOf(res, 'sendSocketMessage', 'WebSocket is not connected') });
        }),
      });
    },
    onError: (fn) => task.onError((res) => fn({ errMsg: errMsgOf(res, 'SocketTask.onError', 'WebSocket error') })),
    onClose: (fn) => task.onClose((res) => fn({ code: closeCode(res && res.code), reason: res && typeof res.reason === 'string' ? res.reason : '' })),
  });
}

/** `new WxSocketManager({ url, ...fromUni(uni) })` */
export function fromUni(uni: WxShapedPlatform): PlatformBinding {
  return wxShaped('fromUni(uni)', uni, { extra: { complete: noop }, wrap: uniTask });
}
