/**
 * A deterministic fake of the wx socket platform, for tests of the manager and of your pages.
 *
 * Platform calls behave like wx: `connectSocket`, `send` and `close` answer through
 * callbacks on a later macrotask (setTimeout 0, so jest fake timers control them, and
 * `await fake.flush()` runs them at once); `send`/`close` on a task that is not open fail
 * with wx's own errMsg. Drivers (`serverOpen`, `serverMessage`, …) are the server acting
 * now and call back at once.
 */
import { FakeAppEvents } from './app-events';
import { ERR_CLOSE_CODE, ERR_CLOSE_NOT_CONNECTED, ERR_SEND_NOT_CONNECTED, SocketTaskBase } from '../shared/socket-task-base';
import { isValidCloseCode } from '../reconnect-policy';
import type { Fn } from '../shared/socket-task-base';
import type {
  ConnectSocketOption,
  SocketData,
  SocketTaskLike,
  WxCallbackResult,
  WxLike,
} from '../types';

export { loadPage } from './page';
export { socketStatusComponent } from './components';
export type { LoadPageOptions, PageDefinition, PageInstance, PageState, TestPage } from './page';

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
    if (this.state !== 'open') return this.wx.later(option.fail, { errMsg: ERR_SEND_NOT_CONNECTED });
    if (!this.dead) {
      this.sent.push(option.data);
      const pong = this.wx.autoPongFor(option.data);
      if (pong !== undefined) this.wx.later(() => this.state === 'open' && !this.dead && this.serverMessage(pong), undefined);
    }
    this.wx.later(option.success, { errMsg: 'sendSocketMessage:ok' });
  }

  close(option: { code?: number; reason?: string; success?: Fn<WxCallbackResult>; fail?: Fn<WxCallbackResult> }): void {
    const code = option.code ?? 1000;
    if (!isValidCloseCode(code)) return this.wx.later(option.fail, { errMsg: ERR_CLOSE_CODE });
    if (this.state === 'closed' || this.state === 'closing') return this.wx.later(option.fail, { errMsg: ERR_CLOSE_NOT_CONNECTED });
    if (this.state === 'connecting') {
      const mode = this.wx.options.closeWhileConnecting;
      if (mode === 'throws') throw new Error(ERR_CLOSE_NOT_CONNECTED);
      if (mode === 'fails') return this.wx.later(option.fail, { errMsg: ERR_CLOSE_NOT_CONNECTED });
    }
    this.closedWith = { code: option.code, reason: option.reason };
    this.state = 'closing';
    this.wx.later(option.success, { errMsg: 'closeSocket:ok' });
    if (!this.dead) this.wx.later(() => this.finish(code, option.reason ?? ''), undefined);
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

export class FakeWx extends FakeAppEvents implements WxLike {
  /** Every task connectSocket returned, in order (failed ones included). */
  readonly tasks: FakeSocketTask[] = [];
  private readonly pending = new Set<Job>();

  constructor(readonly options: FakeWxOptions = {}) {
    super({ online: 'wifi', offline: 'none' }, {});
  }

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
      this.later(option.fail, { errMsg });
      return task;
    }
    this.later(option.success, { errMsg: 'connectSocket:ok' });
    if (this.options.autoOpen) this.later(() => task.state === 'connecting' && !task.dead && task.serverOpen(), undefined);
    return task;
  };

  getNetworkType(option: { success?: (res: { networkType: string }) => void }): void {
    this.later(option.success, { networkType: this.networkType, errMsg: 'getNetworkType:ok' });
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


  /**
   * Runs, now, every platform callback the fake has scheduled (connect/send/close results,
   * `autoOpen`, `autoPong` replies, getNetworkType), and the promise callbacks they lead to
   * (a function `url` or `header`, `send()` results), until nothing is left; bounded.
   * Works the same with jest fake timers and real ones, and never moves the clock: the
   * manager's own timers (heartbeat, reconnect delay) still wait for
   * `jest.advanceTimersByTime()`. Rejects if callbacks keep scheduling more after 100 rounds.
   */
  async flush(): Promise<void> {
    for (let round = 0; round < FLUSH_ROUNDS; round++) {
      await microtasks();
      if (this.pending.size === 0) return;
      for (const job of Array.from(this.pending)) this.run(job);
    }
    throw new Error(`[wx-socket-manager] fake wx: flush() still had platform callbacks to run after ${FLUSH_ROUNDS} rounds`);
  }

  /** @internal Calls `fn(res)` on a later macrotask, or earlier from flush(): once either way. */
  later<T>(fn: Fn<T> | undefined, res: T): void {
    if (!fn) return;
    const job: Job = { run: () => fn(res), timer: undefined };
    job.timer = setTimeout(() => this.run(job), 0);
    this.pending.add(job);
  }

  private run(job: Job): void {
    if (!this.pending.delete(job)) return;
    clearTimeout(job.timer);
    job.run();
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

/** The platform calls the manager makes on `wx`: what installFakeWx() puts into it. */
const PLATFORM_KEYS = [
  'connectSocket', 'getNetworkType',
  'onNetworkStatusChange', 'offNetworkStatusChange', 'onAppShow', 'offAppShow', 'onAppHide', 'offAppHide',
] as const;
type PlatformKey = (typeof PLATFORM_KEYS)[number];
/** Where the installed fake lives: on the global, so forwarders copied elsewhere still find it. */
const INSTALLED = Symbol.for('wx-socket-manager/testing: installed fake wx');
const CREATED = Symbol.for('wx-socket-manager/testing: created wx');

/**
 * Puts `fake`'s platform functions (`connectSocket`, `getNetworkType`, the network and
 * show/hide listeners) INTO the global `wx`, creating `wx` if there is none. Everything
 * else already on `wx` stays (miniprogram-simulate's `showToast`, storage, …). Returns the undo.
 *
 * The functions it installs forward to the most recently installed fake, so a manager built
 * once (a page module jest keeps cached) talks to each test's new fake: call it in
 * `beforeEach` with a fresh fake and undo in `afterEach`. They survive miniprogram-simulate
 * being required afterwards (it copies the `wx` it finds). The one ordering rule: a manager
 * reads `wx.connectSocket` when it is constructed, so construct it (require the module that
 * does) after the first installFakeWx(); loadPage() runs the page file when called, so a
 * page loaded in the test body is always in time.
 */
export function installFakeWx(fake: FakeWx): () => void {
  const g = globalThis as { wx?: unknown; [INSTALLED]?: FakeWx; [CREATED]?: object };
  const existing = g.wx;
  const created = existing === null || (typeof existing !== 'object' && typeof existing !== 'function');
  // One object for every install into a wx-less global: a manager that kept it keeps working.
  const target = (created ? (g[CREATED] ??= {}) : existing) as Record<PlatformKey, unknown>;
  if (created) g.wx = target;
  const previousFake = g[INSTALLED];
  g[INSTALLED] = fake;
  const saved = PLATFORM_KEYS.map((key) => Object.getOwnPropertyDescriptor(target, key));
  for (const key of PLATFORM_KEYS) {
    const current = target[key] as Forwarder | undefined;
    const fallback = typeof current === 'function' && current[INSTALLED] ? current[INSTALLED].fallback : current;
    Object.defineProperty(target, key, { value: forwarder(key, fallback), enumerable: true, writable: true, configurable: true });
  }
  let undone = false;
  return () => {
    if (undone) return;
    undone = true;
    if (previousFake) g[INSTALLED] = previousFake;
    else delete g[INSTALLED];
    if (created) {
      if (g.wx !== target) return;
      if (existing === undefined) delete g.wx;
      else g.wx = existing;
      return;
    }
    PLATFORM_KEYS.forEach((key, i) => {
      const descriptor = saved[i];
      if (descriptor) Object.defineProperty(target, key, descriptor);
      else delete target[key];
    });
  };
}

type Forwarder = ((...args: unknown[]) => unknown) & { [INSTALLED]?: { fallback: unknown } };

/** `wx[key]` that calls the installed fake; with none installed, what `wx[key]` was before. */
function forwarder(key: PlatformKey, fallback: unknown): Forwarder {
  const fn: Forwarder = function (this: unknown, ...args: unknown[]): unknown {
    const fake = (globalThis as { [INSTALLED]?: FakeWx })[INSTALLED];
    if (fake) return (fake[key] as (...a: unknown[]) => unknown).apply(fake, args);
    if (typeof fallback === 'function') return (fallback as (...a: unknown[]) => unknown).apply(this, args);
    if (key.startsWith('off')) return undefined;
    throw new Error(`[wx-socket-manager] wx.${key}() was called with no fake wx installed (its installFakeWx() was undone)`);
  };
  fn[INSTALLED] = { fallback };
  return fn;
}

interface Job {
  run(): void;
  timer: ReturnType<typeof setTimeout> | undefined;
}

const FLUSH_ROUNDS = 100;
/** Promise callbacks chained this deep settle within one flush round. */
const MICROTASK_TURNS = 50;

async function microtasks(): Promise<void> {
  for (let i = 0; i < MICROTASK_TURNS; i++) await Promise.resolve();
}

// Fakes of the other platforms (Taro, uni-app, Alipay, Douyin, QQ, Baidu, the browser).
export * from './platforms';
