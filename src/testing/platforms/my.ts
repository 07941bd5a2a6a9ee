/**
 * A fake Alipay `my`, with Alipay's quirks: a SocketTask only with `multiple: true`;
 * nested event payloads (`{ data: { data, isBuffer } }`); binary as base64 with
 * `isBuffer: true`; failures `{ error, errorMessage }` and no errMsg; uppercase network
 * types; and `off*()` WITHOUT an argument removing every listener, the app's own included.
 * Callbacks come on a later macrotask (jest fake timers control them); drivers act now.
 */
import type { FakeTaskState } from '../fake-wx';
import { later } from '../../platforms/shared';
import { lastOf, remove, SocketTaskBase } from '../../shared/socket-task-base';
import type { Fn, TaskPayloads } from '../../shared/socket-task-base';
import type { SocketData } from '../../types';
import { FakeAppEvents } from '../app-events';

export interface MyFailure {
  error: number;
  errorMessage: string;
}

export const MY_ERR_NOT_OPEN: MyFailure = { error: 10, errorMessage: 'WebSocket 未连接' };
export const MY_ERR_BAD_URL: MyFailure = { error: 2, errorMessage: '参数错误' };
export const MY_ERR_WSS_ONLY: MyFailure = { error: 20, errorMessage: '请求url不支持ws，请使用wss' };
export const MY_ERR_DOMAIN: MyFailure = { error: 65, errorMessage: '请检查域名是否合法' };
export const MY_ERR_NETWORK: MyFailure = { error: 50, errorMessage: '网络异常' };

export interface FakeMyOptions {
  /** Tasks open by themselves on the next macrotask. @default false */
  autoOpen?: boolean;
  /** Hosts allowed; a task to another host gets onError 65. @default any */
  allowedHosts?: string[];
  /** ws:// fails with error 20, as release builds do. @default false */
  requireWss?: boolean;
}

interface MyConnectOption {
  url: string;
  multiple?: boolean;
  header?: Record<string, string>;
  success?: Fn<{ socketTaskID: string }>;
  fail?: Fn<MyFailure>;
}

let nextId = 1;

/** Alipay hands every task event one object of its own shape (nested or not): the fake passes it as is. */
export class FakeMyTask extends SocketTaskBase<TaskPayloads> {
  state: FakeTaskState = 'connecting';
  readonly socketTaskID = String(nextId++);
  /** Frames the client sent while open, decoded as the server received them (base64 → ArrayBuffer). */
  readonly sent: SocketData[] = [];
  /** Exactly what send() was given. */
  readonly rawSent: Array<{ data: string | ArrayBuffer; isBuffer?: boolean }> = [];
  closedWith: { code?: number; reason?: string } | undefined;
  dead = false;

  constructor(readonly option: MyConnectOption) {
    super();
  }

  get url(): string {
    return this.option.url;
  }

  send(o: { data: string | ArrayBuffer; isBuffer?: boolean; success?: Fn<{ success: boolean }>; fail?: Fn<MyFailure> }): Promise<{ success: boolean }> {
    if (this.state !== 'open') {
      later(o.fail, MY_ERR_NOT_OPEN);
      return Promise.reject(MY_ERR_NOT_OPEN);
    }
    if (!this.dead) {
      this.rawSent.push({ data: o.data, isBuffer: o.isBuffer });
      this.sent.push(o.isBuffer && typeof o.data === 'string' ? bytes(Buffer.from(o.data, 'base64')) : o.data);
    }
    later(o.success, { success: true });
    return Promise.resolve({ success: true });
  }

  close(o: { code?: number; reason?: string; success?: Fn<{ message: string }>; fail?: Fn<MyFailure> } = {}): Promise<{ message: string }> {
    if (this.state === 'closed' || this.state === 'closing') {
      later(o.fail, MY_ERR_NOT_OPEN);
      return Promise.reject(MY_ERR_NOT_OPEN);
    }
    this.closedWith = { code: o.code, reason: o.reason };
    this.state = 'closing';
    later(o.success, { message: 'ok' });
    if (!this.dead) setTimeout(() => this.finish(o.code ?? 1000, o.reason ?? ''), 0);
    return Promise.resolve({ message: 'ok' });
  }

  offOpen(fn?: Fn<unknown>): void {
    this.listeners.open = remove(this.listeners.open, fn);
  }
  offClose(fn?: Fn<unknown>): void {
    this.listeners.close = remove(this.listeners.close, fn);
  }
  offError(fn?: Fn<unknown>): void {
    this.listeners.error = remove(this.listeners.error, fn);
  }
  offMessage(fn?: Fn<unknown>): void {
    this.listeners.message = remove(this.listeners.message, fn);
  }

  // ---- drivers ----
  serverOpen(): this {
    if (this.state !== 'connecting') throw new Error(`fake my task: serverOpen() while ${this.state}`);
    this.state = 'open';
    this.emit('open', { data: { socketTaskID: this.socketTaskID } });
    return this;
  }

  /** Text arrives as is; binary as base64 with `isBuffer: true`, as Alipay delivers it. */
  serverMessage(data: SocketData): this {
    if (this.state !== 'open') throw new Error(`fake my task: serverMessage() while ${this.state}`);
    const binary = typeof data !== 'string';
    const payload = binary ? Buffer.from(new Uint8Array(data)).toString('base64') : data;
    this.emit('message', { data: { data: payload, isBuffer: binary, socketTaskID: this.socketTaskID } });
    return this;
  }

  serverClose(code = 1000, reason = ''): this {
    this.finish(code, reason);
    return this;
  }

  /** onError as Alipay gives it: `{ data: { socketTaskID }, error, errorMessage }` (no errMsg). */
  serverError(failure: MyFailure = MY_ERR_NETWORK): this {
    this.emit('error', { data: { socketTaskID: this.socketTaskID }, ...failure });
    return this;
  }

  die(): this {
    this.dead = true;
    return this;
  }

  /** connectSocket's own `fail`. */
  connectFail(failure: MyFailure): this {
    this.state = 'closed';
    this.option.fail?.(failure);
    return this;
  }

  get live(): boolean {
    return this.state === 'connecting' || this.state === 'open';
  }

  listenerCount(): number {
    return this.listeners.open.length + this.listeners.close.length + this.listeners.error.length + this.listeners.message.length;
  }

  private finish(code: number, reason: string): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.emit('close', { data: { code, reason, socketTaskID: this.socketTaskID } });
  }
}

type NetworkType = 'WIFI' | '4G' | 'NOTREACHABLE';

/** Alipay: `off*()` with no argument removes EVERY listener of the app (FakeAppEvents does so). */
export class FakeMy extends FakeAppEvents<NetworkType> {
  readonly tasks: FakeMyTask[] = [];

  constructor(readonly options: FakeMyOptions = {}) {
    super({ online: 'WIFI', offline: 'NOTREACHABLE' }, { path: 'pages/index/index' });
  }

  /** Without `multiple: true` Alipay uses its single global socket and returns no task. */
  readonly connectSocket = (option: MyConnectOption): FakeMyTask | undefined => {
    if (option.multiple !== true) return undefined;
    const task = new FakeMyTask(option);
    this.tasks.push(task);
    const m = /^(wss?):\/\/([^/:?#]+)/i.exec(option.url);
    const allowed = this.options.allowedHosts;
    let failure: MyFailure | undefined;
    if (!m) failure = MY_ERR_BAD_URL;
    else if (this.options.requireWss && m[1]?.toLowerCase() === 'ws') failure = MY_ERR_WSS_ONLY;
    if (failure) {
      const f = failure;
      task.state = 'closed';
      setTimeout(() => option.fail?.(f), 0);
      return task;
    }
    later(option.success, { socketTaskID: task.socketTaskID });
    if (m && allowed && allowed.indexOf(m[2] as string) < 0) {
      setTimeout(() => task.state === 'connecting' && task.serverError(MY_ERR_DOMAIN).serverClose(1006, ''), 0);
    } else if (this.options.autoOpen) {
      setTimeout(() => task.state === 'connecting' && !task.dead && task.serverOpen(), 0);
    }
    return task;
  };

  getNetworkType(o: { success?: Fn<{ networkAvailable: boolean; networkType: NetworkType }> } = {}): Promise<{ networkAvailable: boolean; networkType: NetworkType }> {
    const res = { networkAvailable: this.isConnected, networkType: this.networkType };
    later(o.success, res);
    return Promise.resolve(res);
  }

  // ---- drivers ----
  get lastTask(): FakeMyTask {
    return lastOf(this.tasks, 'fake my: connectSocket has not been called');
  }

  liveTasks(): FakeMyTask[] {
    return this.tasks.filter((t) => t.live);
  }

}

/** A fake `my` for `fromAlipay(my)`. */
export function createFakeMy(options?: FakeMyOptions): FakeMy {
  return new FakeMy(options);
}

function bytes(buffer: Buffer): ArrayBuffer {
  return buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength) as ArrayBuffer;
}
