/**
 * A deterministic fake of the wx socket platform, for tests of the manager and of your pages.
 *
 * Platform calls behave like wx: `connectSocket`, `send` and `close` answer through
 * callbacks on a later macrotask (setTimeout 0, so jest fake timers control them);
 * `send`/`close` on a task that is not open fail with wx's own errMsg. Drivers
 * (`serverOpen`, `serverMessage`, …) are the server acting now and call back at once.
 */
import { ERR_CLOSE_CODE, ERR_CLOSE_NOT_CONNECTED, ERR_SEND_NOT_CONNECTED, SocketTaskBase } from '../shared/socket-task-base';
import { isValidCloseCode } from '../reconnect-policy';
import type { Fn } from '../shared/socket-task-base';
import type {
  ConnectSocketOption,
  NetworkStatus,
  SocketData,
  SocketTaskLike,
  WxCallbackResult,
  WxLike,
} from '../types';

export type FakeTaskState = 'connecting' | 'open' | 'closing' | 'closed';

export { ERR_CLOSE_CODE, ERR_CLOSE_NOT_CONNECTED, ERR_SEND_NOT_CONNECTED };
export const ERR_DOMAIN = 'connectSocket:fail url not in domain list';
export const ERR_MAX_TASKS = 'connectSocket:fail exceed max task count';

export interface FakeWxOptions {
  /** Tasks open by themselves on the next macrotask. @default false */
  autoOpen?: boolean;
  /** Open tasks answer the `ping` text with `pong` by themselves. @default false */
  autoPong?: boolean | { ping: string; pong: string };
  /** Hosts allowed (like the mini-program's domain list); others fail with ERR_DOMAIN. @default any */
  allowedHosts?: string[];
  /** Live tasks allowed at once (wx allows 5). @default 5 */
  maxTasks?: number;
  /**
   * What `close()` does on a task still connecting. Devices differ: some close it, wx often
   * answers `fail` ("WebSocket is not connected") and lets the handshake finish anyway, some
   * throw. @default 'closes'
   */
  closeWhileConnecting?: 'closes' | 'fails' | 'throws';
}

export class FakeSocketTask extends SocketTaskBase implements SocketTaskLike {
  state: FakeTaskState = 'connecting';
  /** Frames the client sent while open, in order. */
  readonly sent: SocketData[] = [];
  /** What the client passed to close(), if it did. */
  closedWith: { code?: number; reason?: string } | undefined;
  /** Dead network: sends vanish, nothing arrives, close() never yields onClose. */
  dead = false;

  constructor(readonly option: ConnectSocketOption, private readonly wx: FakeWx) {
    super();
  }

  get url(): string {
    return this.option.url;
  }

  // ---- the SocketTask API (listeners come from SocketTaskBase) ----
  send(option: { data: SocketData; success?: Fn<WxCallbackResult>; fail?: Fn<WxCallbackResult> }): void {
    if (this.state !== 'open') return later(option.fail, { errMsg: ERR_SEND_NOT_CONNECTED });
    if (!this.dead) {
      this.sent.push(option.data);
      const pong = this.wx.autoPongFor(option.data);
      if (pong !== undefined) setTimeout(() => this.state === 'open' && !this.dead && this.serverMessage(pong), 0);
    }
    later(option.success, { errMsg: 'sendSocketMessage:ok' });
  }

  close(option: { code?: number; reason?: string; success?: Fn<WxCallbackResult>; fail?: Fn<WxCallbackResult> }): void {
    const code = option.code ?? 1000;
    if (!isValidCloseCode(code)) return later(option.fail, { errMsg: ERR_CLOSE_CODE });
    if (this.state === 'closed' || this.state === 'closing') return later(option.fail, { errMsg: ERR_CLOSE_NOT_CONNECTED });
    if (this.state === 'connecting') {
      const mode = this.wx.options.closeWhileConnecting;
      if (mode === 'throws') throw new Error(ERR_CLOSE_NOT_CONNECTED);
      if (mode === 'fails') return later(option.fail, { errMsg: ERR_CLOSE_NOT_CONNECTED });
    }
    this.closedWith = { code: option.code, reason: option.reason };
    this.state = 'closing';
    later(option.success, { errMsg: 'closeSocket:ok' });
    if (!this.dead) setTimeout(() => this.finish(code, option.reason ?? ''), 0);
  }

  // ---- drivers: the server (or network) acting now ----
  serverOpen(header: Record<string, string> = {}): this {
    if (this.state !== 'connecting') throw new Error(`fake task: serverOpen() while ${this.state}`);
    this.state = 'open';
    this.emit('open', { header, profile: {} });
    return this;
  }

  serverMessage(data: SocketData): this {
    if (this.state !== 'open') throw new Error(`fake task: serverMessage() while ${this.state}`);
    this.emit('message', { data });
    return this;
  }

  serverClose(code = 1000, reason = ''): this {
    this.finish(code, reason);
    return this;
  }

  serverError(errMsg = 'Timed out connecting to server.'): this {
    this.emit('error', { errMsg });
    return this;
  }

  /** The network dies silently: like a blackhole, nothing more happens on this task. */
  die(): this {
    this.dead = true;
    return this;
  }

  /** connectSocket's own `fail` callback (e.g. the domain list). */
  connectFail(errMsg: string): this {
    this.state = 'closed';
    this.option.fail?.({ errMsg });
    return this;
  }

  get live(): boolean {
    return this.state === 'connecting' || this.state === 'open';
  }

  private finish(code: number, reason: string): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.emit('close', { code, reason });
  }
}

export class FakeWx implements WxLike {
  readonly tasks: FakeSocketTask[] = [];
  isConnected = true;
  private readonly listeners = {
    network: [] as Array<Fn<NetworkStatus>>,
    show: [] as Array<(res?: unknown) => void>,
    hide: [] as Array<(res?: unknown) => void>,
  };

  constructor(readonly options: FakeWxOptions = {}) {}

  readonly connectSocket = (option: ConnectSocketOption): FakeSocketTask => {
    const task = new FakeSocketTask(option, this);
    const host = /^wss?:\/\/([^/:?#]+)/i.exec(option.url)?.[1];
    const allowed = this.options.allowedHosts;
    let failure: string | undefined;
    if (!host) failure = 'connectSocket:fail invalid url';
    else if (allowed && allowed.indexOf(host) < 0) failure = ERR_DOMAIN;
    else if (this.liveTasks().length >= (this.options.maxTasks ?? 5)) failure = ERR_MAX_TASKS;
    this.tasks.push(task);
    if (failure !== undefined) {
      const errMsg = failure;
      task.state = 'closed';
      setTimeout(() => option.fail?.({ errMsg }), 0);
      return task;
    }
    setTimeout(() => option.success?.({ errMsg: 'connectSocket:ok' }), 0);
    if (this.options.autoOpen) setTimeout(() => task.state === 'connecting' && !task.dead && task.serverOpen(), 0);
    return task;
  };

  getNetworkType(option: { success?: (res: { networkType: string }) => void }): void {
    const networkType = this.isConnected ? 'wifi' : 'none';
    later(option.success, { networkType, errMsg: 'getNetworkType:ok' });
  }
  onNetworkStatusChange(fn: Fn<NetworkStatus>): void {
    this.listeners.network.push(fn);
  }
  offNetworkStatusChange(fn?: (res: never) => void): void {
    this.listeners.network = remove(this.listeners.network, fn);
  }
  onAppShow(fn: (res?: unknown) => void): void {
    this.listeners.show.push(fn);
  }
  offAppShow(fn?: (res: never) => void): void {
    this.listeners.show = remove(this.listeners.show, fn);
  }
  onAppHide(fn: (res?: unknown) => void): void {
    this.listeners.hide.push(fn);
  }
  offAppHide(fn?: (res: never) => void): void {
    this.listeners.hide = remove(this.listeners.hide, fn);
  }

  // ---- drivers ----
  /** The last task connectSocket returned. */
  get lastTask(): FakeSocketTask {
    const task = this.tasks[this.tasks.length - 1];
    if (!task) throw new Error('fake wx: connectSocket has not been called');
    return task;
  }

  /** Tasks neither closed nor asked to close. */
  liveTasks(): FakeSocketTask[] {
    return this.tasks.filter((t) => t.live);
  }

  setNetwork(isConnected: boolean, networkType = isConnected ? 'wifi' : 'none'): void {
    this.isConnected = isConnected;
    for (const fn of this.listeners.network.slice()) fn({ isConnected, networkType });
  }

  hideApp(): void {
    for (const fn of this.listeners.hide.slice()) fn();
  }

  showApp(): void {
    for (const fn of this.listeners.show.slice()) fn({});
  }

  /** Network and app listeners currently registered. */
  listenerCount(): number {
    return this.listeners.network.length + this.listeners.show.length + this.listeners.hide.length;
  }

  /** @internal the pong an open task answers `data` with, if autoPong is on. */
  autoPongFor(data: SocketData): string | undefined {
    const auto = this.options.autoPong;
    if (!auto) return undefined;
    const pair = auto === true ? { ping: 'ping', pong: 'pong' } : auto;
    return data === pair.ping ? pair.pong : undefined;
  }
}

/**
 * A seedable random source (mulberry32) returning [0, 1): pass it where randomness is
 * injectable, e.g. `reconnectDelay(n, policy, seededRandom(42))`, to make jitter reproducible.
 */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A fresh fake platform. Pass it as `{ wx: fake }` (or install it as the global `wx`). */
export function createFakeWx(options?: FakeWxOptions): FakeWx {
  return new FakeWx(options);
}

/** Sets `globalThis.wx` to `fake` for code that reads the global; returns the undo. */
export function installFakeWx(fake: FakeWx): () => void {
  const g = globalThis as { wx?: unknown };
  const had = Object.prototype.hasOwnProperty.call(g, 'wx');
  const before = g.wx;
  g.wx = fake;
  return () => {
    if (had) g.wx = before;
    else delete g.wx;
  };
}

function later<T>(fn: Fn<T> | undefined, res: T): void {
  if (fn) setTimeout(() => fn(res), 0);
}

function remove<T>(list: T[], fn: unknown): T[] {
  if (fn === undefined) return [];
  const i = list.indexOf(fn as T);
  return i < 0 ? list : list.slice(0, i).concat(list.slice(i + 1));
}
