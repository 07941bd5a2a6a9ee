/**
 * The network and show/hide half of a fake platform (`wx`, `my`, …): listener lists with
 * the platform's on/off functions, and the drivers a test uses. `off*()` without a function
 * removes every listener, as the real platforms do (Alipay's quirk, wx's too).
 */
import { remove } from '../shared/socket-task-base';
import type { Fn } from '../shared/socket-task-base';

export interface NetworkLabels<T extends string> {
  online: T;
  offline: T;
}

export class FakeAppEvents<NetworkType extends string = string> {
  /** What getNetworkType answers; change it (with the event) through setNetwork(). */
  isConnected = true;
  private readonly appListeners = {
    network: [] as Array<Fn<{ isConnected: boolean; networkType: NetworkType }>>,
    show: [] as Array<(res?: unknown) => void>,
    hide: [] as Array<(res?: unknown) => void>,
  };

  constructor(private readonly labels: NetworkLabels<NetworkType>, private readonly showPayload: unknown) {}

  /** The network type getNetworkType reports now. */
  protected get networkType(): NetworkType {
    return this.isConnected ? this.labels.online : this.labels.offline;
  }

  onNetworkStatusChange(fn: Fn<{ isConnected: boolean; networkType: NetworkType }>): void {
    this.appListeners.network.push(fn);
  }
  offNetworkStatusChange(fn?: (res: never) => void): void {
    this.appListeners.network = remove(this.appListeners.network, fn);
  }
  onAppShow(fn: (res?: unknown) => void): void {
    this.appListeners.show.push(fn);
  }
  offAppShow(fn?: (res: never) => void): void {
    this.appListeners.show = remove(this.appListeners.show, fn);
  }
  onAppHide(fn: (res?: unknown) => void): void {
    this.appListeners.hide.push(fn);
  }
  offAppHide(fn?: (res: never) => void): void {
    this.appListeners.hide = remove(this.appListeners.hide, fn);
  }

  // ---- drivers ----
  setNetwork(isConnected: boolean, networkType: NetworkType = isConnected ? this.labels.online : this.labels.offline): void {
    this.isConnected = isConnected;
    for (const fn of this.appListeners.network.slice()) fn({ isConnected, networkType });
  }

  hideApp(): void {
    for (const fn of this.appListeners.hide.slice()) fn();
  }

  showApp(): void {
    for (const fn of this.appListeners.show.slice()) fn(this.showPayload);
  }

  /** Network and app listeners currently registered. */
  listenerCount(): number {
    return this.appListeners.network.length + this.appListeners.show.length + this.appListeners.hide.length;
  }
}
