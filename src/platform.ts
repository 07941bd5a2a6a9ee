/** The only file that touches the `wx` global, and only when asked (never at import). */
import type { NetworkStatus, WxLike } from './types';

// Module-scoped, so it never clashes with miniprogram-api-typings' global `wx`.
declare const wx: WxLike | undefined;

export function globalWx(): WxLike | undefined {
  return typeof wx === 'undefined' || wx === null ? undefined : wx;
}

export interface PlatformHandlers {
  /** `query` is true for the one-off answer of getNetworkType, false for a change event. */
  network?: (res: NetworkStatus, query?: boolean) => void;
  show?: () => void;
  hide?: () => void;
}

/**
 * Subscribes to network and app events, returning the release function.
 * Where `off*` is missing (old base libraries) the handlers are muted instead.
 */
export function watchPlatform(target: WxLike | undefined, handlers: PlatformHandlers): () => void {
  if (!target) return noop;
  let live = true;
  const releases: Array<() => void> = [];
  const pair = <A extends unknown[]>(
    on: ((fn: (...args: A) => void) => void) | undefined,
    off: ((fn: (...args: A) => void) => void) | undefined,
    handler: ((...args: A) => void) | undefined,
  ): void => {
    if (!handler || typeof on !== 'function') return;
    const fn = (...args: A): void => {
      if (live) handler(...args);
    };
    on.call(target, fn);
    if (typeof off === 'function') releases.push(() => off.call(target, fn));
  };
  const network = handlers.network;
  let heardChange = false;
  pair(target.onNetworkStatusChange, target.offNetworkStatusChange, network && ((res: NetworkStatus) => {
    heardChange = true;
    network(res);
  }));
  // Changes are only heard while listening: ask once for the state we may have missed.
  // A change event heard before the answer is newer than it, so the answer is then dropped.
  if (network && typeof target.getNetworkType === 'function') {
    target.getNetworkType({
      success: (res) => {
        if (live && !heardChange && res) network({ isConnected: res.networkType !== 'none', networkType: res.networkType }, true);
      },
      fail: noop,
    });
  }
  pair(target.onAppShow, target.offAppShow, handlers.show);
  pair(target.onAppHide, target.offAppHide, handlers.hide);
  return () => {
    live = false;
    for (const release of releases) release();
  };
}

function noop(): void {}
