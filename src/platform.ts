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

/** What the platform's events mean to the manager. */
export interface WatchHooks {
  /** Offline: no attempt may be spent. */
  _offline(): void;
  /** Back online, or the app shown: the world changed. */
  _changed(): void;
  /** The app went to the background: nothing may be judged. */
  _background(): void;
}

/**
 * Network and app state, from the platform's network and show/hide events while watching (the
 * manager watches unless `closed`). Where `off*` is missing (old base libraries) a released
 * watch's handlers are muted instead.
 */
export class PlatformWatch {
  _online = true;
  _hidden = false;
  /** While watching: what releases each listener. */
  private _release: Array<() => void> | undefined;
  private readonly _options: Pick<ResolvedOptions, 'watchNetwork' | 'watchApp' | 'wx'>;
  private readonly _hooks: WatchHooks;

  constructor(options: Pick<ResolvedOptions, 'watchNetwork' | 'watchApp' | 'wx'>, hooks: WatchHooks) {
    this._options = options;
    this._hooks = hooks;
  }

  _start(): void {
    if (this._release) return;
    const release: Array<() => void> = (this._release = []);
    const { watchNetwork, watchApp, wx: target } = this._options;
    if (!target) return;
    const live = (): boolean => this._release === release;
    const listen = <T>(on: ((fn: (res: T) => void) => void) | undefined, off: ((fn: (res: T) => void) => void) | undefined, handler: (res: T) => void): void => {
      if (typeof on !== 'function') return;
      const fn = (res: T): void => {
        if (live()) handler(res);
      };
      on.call(target, fn);
      if (typeof off === 'function') release.push(() => off.call(target, fn));
    };
    if (watchNetwork) {
      let heard = false;
      listen(target.onNetworkStatusChange, target.offNetworkStatusChange, (res) => {
        heard = true;
        this._network(res);
      });
      // Changes are only heard while listening: ask once for the state we may have missed.
      // A change event heard before the answer is newer than it, so the answer is then dropped.
      if (typeof target.getNetworkType === 'function') {
        target.getNetworkType({
          success: (res) => live() && !heard && res && this._network({ isConnected: res.networkType !== 'none' }, true),
          fail: noop,
        });
      }
    }
    if (watchApp) {
      listen(target.onAppShow, target.offAppShow, () => {
        this._hidden = false;
        this._hooks._changed();
      });
      listen(target.onAppHide, target.offAppHide, () => {
        this._hidden = true;
        this._hooks._background();
      });
    }
  }

  _stop(): void {
    const release = this._release;
    this._release = undefined;
    if (release) for (const fn of release) fn();
    // Not listening any more: what we knew goes stale (re-learned on the next start).
    this._online = true;
    this._hidden = false;
  }

  /** `query`: the one-off answer of getNetworkType (only a change of what we believed counts). */
  private _network(res: NetworkStatus, query?: boolean): void {
    const online = !!(res && res.isConnected);
    if (query && online === this._online) return;
    this._online = online;
    if (online) this._hooks._changed();
    else this._hooks._offline();
  }
}
