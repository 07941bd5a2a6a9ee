/** WeChat: the manager's own shapes. The binding only adds the garbage/throw guards. */
import type { WxLike } from '../types';
import { wxShaped } from './shared';
import type { PlatformBinding } from './shared';

/** The parts of `wx` (or `qq`) a binding uses; structural, so the platform's own typings fit. */
export type WxShapedPlatform = Pick<WxLike, 'getNetworkType' | 'onNetworkStatusChange' | 'onAppShow' | 'onAppHide'> & {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  connectSocket(option: any): unknown;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  offNetworkStatusChange?(listener?: any): void;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  offAppShow?(listener?: any): void;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  offAppHide?(listener?: any): void;
};

/** `new WxSocketManager({ url, ...fromWx(wx) })` — the same as giving no binding. */
export function fromWx(wx: WxShapedPlatform): PlatformBinding {
  return wxShaped('fromWx(wx)', wx);
}
