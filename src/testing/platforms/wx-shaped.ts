/**
 * Fakes for platforms with wx's shapes (QQ, Baidu, Douyin, uni-app, Taro): a FakeWx does
 * the work (tasks, domain list, network, app), each platform's fake only changes what its
 * platform does differently. Drivers are the FakeWx ones: `lastTask.serverOpen()`, …
 */
import { FakeWx } from '../fake-wx';
import type { FakeSocketTask, FakeWxOptions } from '../fake-wx';
import type { NetworkStatus } from '../../types';

export class FakeWxShaped {
  /** The FakeWx underneath: its tasks are the ones to drive. */
  readonly engine: FakeWx;

  constructor(options: FakeWxOptions = {}) {
    this.engine = new FakeWx(options);
  }

  // ---- the platform's network and app API (wx shapes) ----
  getNetworkType(option: { success?: (res: { networkType: string }) => void }): void {
    this.engine.getNetworkType(option);
  }
  onNetworkStatusChange(fn: (res: NetworkStatus) => void): void {
    this.engine.onNetworkStatusChange(fn);
  }
  offNetworkStatusChange(fn?: (res: never) => void): void {
    this.engine.offNetworkStatusChange(fn);
  }
  onAppShow(fn: (res?: unknown) => void): void {
    this.engine.onAppShow(fn);
  }
  offAppShow(fn?: (res: never) => void): void {
    this.engine.offAppShow(fn);
  }
  onAppHide(fn: (res?: unknown) => void): void {
    this.engine.onAppHide(fn);
  }
  offAppHide(fn?: (res: never) => void): void {
    this.engine.offAppHide(fn);
  }

  // ---- drivers (the FakeWx ones) ----
  /** What getNetworkType answers (set it false before connecting to start "offline"). */
  get isConnected(): boolean {
    return this.engine.isConnected;
  }
  set isConnected(value: boolean) {
    this.engine.isConnected = value;
  }
  /** Every task connectSocket made, oldest first: drive them with serverOpen(), serverMessage(), … */
  get tasks(): FakeSocketTask[] {
    return this.engine.tasks;
  }
  get lastTask(): FakeSocketTask {
    return this.engine.lastTask;
  }
  liveTasks(): FakeSocketTask[] {
    return this.engine.liveTasks();
  }
  setNetwork(isConnected: boolean, networkType?: string): void {
    this.engine.setNetwork(isConnected, networkType);
  }
  hideApp(): void {
    this.engine.hideApp();
  }
  showApp(): void {
    this.engine.showApp();
  }
  listenerCount(): number {
    return this.engine.listenerCount();
  }
  /** Runs the platform callbacks now (see FakeWx.flush). */
  flush(): Promise<void> {
    return this.engine.flush();
  }
}
