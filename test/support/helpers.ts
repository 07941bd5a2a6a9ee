import { WxSocketManager } from '../../src';
import type { WxSocketOptions } from '../../src';
import { createFakeWx } from '../../src/testing';
import type { FakeWx, FakeWxOptions } from '../../src/testing';

/** Every event, in order, as one comparable array of short strings. */
export function record(socket: WxSocketManager): string[] {
  const log: string[] = [];
  socket.on('state', (e) => log.push(`state:${e.previous}>${e.state}`));
  socket.on('open', (e) => log.push(`open:${e.attempt}`));
  socket.on('message', (m) => log.push(`message:${typeof m === 'string' ? m : `<${m.byteLength} bytes>`}`));
  socket.on('close', (e) => log.push(`close:${e.code}:${e.reason}:${e.willReconnect ? 'retry' : 'final'}`));
  socket.on('error', (e) => log.push(`error:${e.code}`));
  socket.on('reconnecting', (e) => log.push(`reconnecting:${e.attempt}:${e.delay}`));
  socket.on('reconnect-failed', (e) => log.push(`reconnect-failed:${e.attempts}`));
  return log;
}

export interface Setup {
  socket: WxSocketManager;
  wx: FakeWx;
  log: string[];
}

/** A manager on a fresh fake platform, with every event recorded. */
export function setup(options: Partial<WxSocketOptions> = {}, fake: FakeWxOptions = {}): Setup {
  const wx = createFakeWx(fake);
  const socket = new WxSocketManager({ url: 'wss://example.test/live', wx, ...options });
  return { socket, wx, log: record(socket) };
}

/** Runs the callbacks the fake platform scheduled "on a later macrotask". */
export function tick(ms = 0): void {
  jest.advanceTimersByTime(ms);
}

/** Lets promise callbacks (send results, async providers) run under fake timers. */
export async function settle(ms = 0): Promise<void> {
  await jest.advanceTimersByTimeAsync(ms);
}

/** Settled state of a promise, without waiting for it. */
export function track<T>(promise: Promise<T>): { status: 'pending' | 'resolved' | 'rejected'; error?: unknown } {
  const result: { status: 'pending' | 'resolved' | 'rejected'; error?: unknown } = { status: 'pending' };
  promise.then(
    () => (result.status = 'resolved'),
    (error: unknown) => {
      result.status = 'rejected';
      result.error = error;
    },
  );
  return result;
}

/** Open the manager's current task now. */
export function openNow(s: Setup): void {
  s.wx.lastTask.serverOpen();
}

/** A manager already open on its first task (the log keeps every event from the start). */
export function setupOpen(options: Partial<WxSocketOptions> = {}, fake: FakeWxOptions = {}): Setup {
  const s = setup(options, fake);
  s.socket.connect();
  s.wx.lastTask.serverOpen();
  return s;
}
