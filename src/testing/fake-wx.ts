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
import { ERR_CLOSE_CODE, ERR_CLOSE_NOT_CONNECTED, ERR_SEND_NOT_CONNECTED } from '../platforms/shared';
import { lastOf, SocketTaskBase } from '../shared/socket-task-base';
import { isValidCloseCode } from '../reconnect-policy';
import type { Fn } from '../shared/socket-task-base';
import type {
  ConnectSocketOption,
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
    return lastOf(this.tasks, 'fake wx: connectSocket has not been called');
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

/** A fresh fake platform. Pass it as `{ wx: fake }` (or install it as the global `wx`). */
export function createFakeWx(options?: FakeWxOptions): FakeWx {
  return new FakeWx(options);
}
