/**
 * One manager shared by the whole demo. The URL is a function, called before every attempt:
 * a real app would fetch a fresh token here. The dev server address can be changed at run
 * time (storage key `devServerUrl`) without rebuilding; the default suits `npm run dev-server`.
 */
import { WxSocketManager } from 'wx-socket-manager';
import type { ConnectSocket, WxLike, WxSocketOptions } from 'wx-socket-manager';

export const DEFAULT_URL = 'ws://127.0.0.1:8090';

/** Short timings for a scripted run (`npm run demo` sets them); defaults otherwise. */
const timing = (wx.getStorageSync('demoTiming') || {}) as Partial<WxSocketOptions>;

export const socket = new WxSocketManager({
  url: () => (wx.getStorageSync('devServerUrl') as string) || DEFAULT_URL,
  ...timing,
});

// Compile-time proof that the real wx fits the manager's platform types.
export const platformFits: [ConnectSocket, WxLike] = [wx.connectSocket, wx];
