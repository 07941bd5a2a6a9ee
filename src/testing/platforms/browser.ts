/**
 * A fake page global for `fromBrowser(fake)`: a `WebSocket` class with the browser's rules
 * (binaryType 'blob' by default, `send` throws while CONNECTING and silently drops once
 * CLOSING/CLOSED, `close(code)` only 1000 or 3000–4999, error then close 1006), `online`/
 * `offline` events and a `document` with `visibilitychange`. Events fire on a later
 * macrotask where the browser's would; drivers act now.
 */
import type { SocketData } from '../../types';
import { lastOf } from '../../shared/socket-task-base';

type Handler = (event: any) => void; // eslint-disable-line @typescript-eslint/no-explicit-any

class FakeEventTarget {
  private handlers = new Map<string, Handler[]>();

  addEventListener(type: string, fn: Handler): void {
    const list = this.handlers.get(type) ?? [];
    if (list.indexOf(fn) < 0) this.handlers.set(type, list.concat(fn));
  }

  removeEventListener(type: string, fn: Handler): void {
    const list = this.handlers.get(type) ?? [];
    this.handlers.set(type, list.filter((h) => h !== fn));
  }

  dispatch(type: string, event: object = { type }): void {
    for (const fn of (this.handlers.get(type) ?? []).slice()) fn(event);
  }

  /** Listeners registered, over every event type. */
  listenerCount(): number {
    let n = 0;
    for (const list of this.handlers.values()) n += list.length;
    return n;
  }
}

export class FakeBrowserSocket extends FakeEventTarget {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSING = 2;
  static readonly CLOSED = 3;
  readonly CONNECTING = 0;
  readonly OPEN = 1;
  readonly CLOSING = 2;
  readonly CLOSED = 3;

  readyState = 0;
  binaryType: 'blob' | 'arraybuffer' = 'blob';
  onopen: Handler | null = null;
  onmessage: Handler | null = null;
  onerror: Handler | null = null;
  onclose: Handler | null = null;
  /** Frames `send` accepted while OPEN, in order (what the server receives). */
  readonly sent: SocketData[] = [];
  /** Frames `send` silently dropped (CLOSING/CLOSED). */
  readonly dropped: SocketData[] = [];
  closedWith: { code?: number; reason?: string } | undefined;
  dead = false;

  constructor(readonly url: string, readonly protocols?: string | string[]) {
    super();
  }

  send(data: SocketData): void {
    if (this.readyState === 0) throw domError('InvalidStateError', "Failed to execute 'send' on 'WebSocket': Still in CONNECTING state.");
    if (this.readyState !== 1) {
      this.dropped.push(data);
      return;
    }
    if (!this.dead) this.sent.push(data);
  }

  close(code?: number, reason = ''): void {
    if (code !== undefined && code !== 1000 && !(Number.isInteger(code) && code >= 3000 && code <= 4999)) {
      throw domError('InvalidAccessError', `Failed to execute 'close' on 'WebSocket': The close code must be either 1000, or between 3000 and 4999. ${code} is neither.`);
    }
    if (this.readyState >= 2) return;
    this.closedWith = { code, reason };
    this.readyState = 2;
    if (!this.dead) setTimeout(() => this.finish(code ?? 1005, reason), 0);
  }

  // ---- drivers ----
  serverOpen(): this {
    if (this.readyState !== 0) throw new Error(`fake WebSocket: serverOpen() in readyState ${this.readyState}`);
    this.readyState = 1;
    this.fire('open', { type: 'open' });
    return this;
  }

  /** Binary arrives as a Blob unless binaryType is 'arraybuffer', as in a browser. */
  serverMessage(data: SocketData): this {
    if (this.readyState !== 1) throw new Error(`fake WebSocket: serverMessage() in readyState ${this.readyState}`);
    const payload = typeof data === 'string' || this.binaryType === 'arraybuffer' ? data : new Blob([data]);
    this.fire('message', { type: 'message', data: payload });
    return this;
  }

  serverClose(code = 1000, reason = ''): this {
    this.finish(code, reason);
    return this;
  }

  /** A failure: a bare `error` Event, then close 1006, as browsers report it. */
  serverError(): this {
    this.fire('error', { type: 'error' });
    this.finish(1006, '');
    return this;
  }

  die(): this {
    this.dead = true;
    return this;
  }

  get live(): boolean {
    return this.readyState <= 1;
  }

  private finish(code: number, reason: string): void {
    if (this.readyState === 3) return;
    this.readyState = 3;
    this.fire('close', { type: 'close', code, reason, wasClean: code !== 1006 });
  }

  private fire(type: 'open' | 'message' | 'error' | 'close', event: object): void {
    const handler = this[`on${type}` as const];
    if (handler) handler(event);
    this.dispatch(type, event);
  }
}

export class FakeBrowser extends FakeEventTarget {
  readonly sockets: FakeBrowserSocket[] = [];
  readonly navigator = { onLine: true };
  readonly document: FakeEventTarget & { visibilityState: 'visible' | 'hidden'; hidden: boolean };
  /** The page's WebSocket class: every instance lands in `sockets`. */
  readonly WebSocket: typeof FakeBrowserSocket;

  constructor() {
    super();
    const doc = new FakeEventTarget() as FakeEventTarget & { visibilityState: 'visible' | 'hidden'; hidden: boolean };
    doc.visibilityState = 'visible';
    doc.hidden = false;
    this.document = doc;
    const sockets = this.sockets;
    this.WebSocket = class extends FakeBrowserSocket {
      constructor(url: string, protocols?: string | string[]) {
        if (!/^wss?:\/\//i.test(url)) throw domError('SyntaxError', `Failed to construct 'WebSocket': The URL's scheme must be either 'ws' or 'wss'.`);
        super(url, protocols);
        sockets.push(this);
      }
    };
  }

  // ---- drivers ----
  get lastSocket(): FakeBrowserSocket {
    return lastOf(this.sockets, 'fake browser: no WebSocket was created');
  }

  liveSockets(): FakeBrowserSocket[] {
    return this.sockets.filter((s) => s.live);
  }

  /** `offline`/`online` on the page, with navigator.onLine to match. */
  setOnline(online: boolean): void {
    this.navigator.onLine = online;
    this.dispatch(online ? 'online' : 'offline');
  }

  hide(): void {
    this.setVisibility('hidden');
  }

  show(): void {
    this.setVisibility('visible');
  }

  /** online/offline and visibilitychange listeners registered. */
  pageListenerCount(): number {
    return this.listenerCount() + this.document.listenerCount();
  }

  private setVisibility(state: 'visible' | 'hidden'): void {
    this.document.visibilityState = state;
    this.document.hidden = state === 'hidden';
    this.document.dispatch('visibilitychange');
  }
}

/** A fake page global for `fromBrowser(fake)`. */
export function createFakeBrowser(): FakeBrowser {
  return new FakeBrowser();
}

function domError(name: string, message: string): Error {
  const err = new Error(message);
  err.name = name;
  return err;
}
