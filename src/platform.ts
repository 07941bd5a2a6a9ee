/**
 * The only file that touches the `wx` global, and only when asked (never at import), and what
 * the manager knows of the platform: online or not, shown or hidden.
 */
import { noop } from './errors';
import type { ResolvedOptions } from './options';
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

/** What the platform's events mean to the manager. */
export interface WatchHooks {
  /** Offline: no attempt may be spent. */
  _offline(): void;
  /** Back online, or the app shown: the world changed. */
  _changed(): void;
  /** The app went to the background: nothing may be judged. */
  _background(): void;
}

/** Network and app state, from the platform's events while watching (the manager watches unless `closed`). */
export class PlatformWatch {
  _online = true;
  _hidden = false;
  private _unwatch: (() => void) | undefined;
  private readonly _options: Pick<ResolvedOptions, 'watchNetwork' | 'watchApp' | 'wx'>;
  private readonly _hooks: WatchHooks;

  constructor(options: Pick<ResolvedOptions, 'watchNetwork' | 'watchApp' | 'wx'>, hooks: WatchHooks) {
    this._options = options;
    this._hooks = hooks;
  }

  _start(): void {
    if (this._unwatch) return;
    const { watchNetwork, watchApp, wx } = this._options;
    this._unwatch = watchPlatform(wx, {
      network: watchNetwork ? this._network : undefined,
      show: watchApp ? this._shown : undefined,
      hide: watchApp ? this._hide : undefined,
    });
  }

  _stop(): void {
    if (this._unwatch) this._unwatch();
    this._unwatch = undefined;
    // Not listening any more: what we knew goes stale (re-learned on the next start).
    this._online = true;
    this._hidden = false;
  }

  private readonly _network = (res: NetworkStatus, query?: boolean): void => {
    const online = !!(res && res.isConnected);
    if (query && online === this._online) return;
    this._online = online;
    if (online) this._hooks._changed();
    else this._hooks._offline();
  };

  private readonly _shown = (): void => {
    this._hidden = false;
    this._hooks._changed();
  };

  private readonly _hide = (): void => {
    this._hidden = true;
    this._hooks._background();
  };
}
