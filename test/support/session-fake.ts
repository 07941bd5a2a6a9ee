/**
 * A SocketSession on a manager on the fake wx platform, with the server played by hand
 * (frames written into the fake task), for tests with fake timers.
 */
import type { WxSocketOptions } from '../../src';
import { SocketSession } from '../../src/session';
import type { SessionStorage, SocketSessionOptions } from '../../src/session';
import type { FakeSocketTask } from '../../src/testing';
import { setup, tick } from './helpers';
import type { Setup } from './helpers';

export interface S extends Setup {
  session: SocketSession;
  /** Session events, in order. */
  events: string[];
}

export const RECONNECT = 100;

/** A session on a manager (heartbeat off, reconnect after 100 ms), not yet connected. */
export function make(options: SocketSessionOptions = {}, manager: Partial<WxSocketOptions> = {}): S {
  const s = setup({ heartbeat: false, reconnect: { interval: RECONNECT }, ...manager });
  const session = new SocketSession(s.socket, options);
  const events: string[] = [];
  session.on('message', (m) => events.push(`message:${typeof m === 'string' ? m : `<${new Uint8Array(m).join(',')}>`}`));
  session.on('resync', (e) => events.push(`resync:${e.reason}`));
  session.on('ack', (e) => events.push(`ack:${e.seq}`));
  return { ...s, session, events };
}

/** Connected, first link open, hello sent (no welcome yet). */
export function started(options: SocketSessionOptions = {}, manager: Partial<WxSocketOptions> = {}): S {
  const s = make(options, manager);
  s.socket.connect();
  s.wx.lastTask.serverOpen();
  return s;
}

/** Frames the client wrote on a task, parsed. */
export const frames = (task: FakeSocketTask): unknown[] => task.sent.map((f) => JSON.parse(f as string));
export const serve = (task: FakeSocketTask, frame: object): void => void task.serverMessage(JSON.stringify(frame));
export const welcome = (task: FakeSocketTask, sid: string, resumed: boolean, rx: number, reason?: string): void =>
  serve(task, resumed ? { t: 'welcome', v: 1, sid, resumed, rx, ttl: 120000 } : { t: 'welcome', v: 1, sid, resumed, rx, ttl: 120000, reason });
export const msg = (task: FakeSocketTask, s: number, d: string): void => serve(task, { t: 'msg', s, id: `srv-${s}`, d });
export const hello = (sid: string | null, rx: number): object => ({ t: 'hello', v: 1, sid, rx });
export const anyId = expect.any(String) as unknown as string;
export const m = (s: number, d: string, id = anyId): object => ({ t: 'msg', s, id, d });

/** The link dies; the next one opens after the reconnect delay. Returns the new task. */
export function newLink(s: S, code = 1006): FakeSocketTask {
  s.wx.lastTask.serverClose(code, '');
  tick(RECONNECT);
  return s.wx.lastTask.serverOpen();
}

export function memoryStorage(): SessionStorage & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return { data, get: (k) => data.get(k), set: (k, v) => void data.set(k, v), remove: (k) => void data.delete(k) };
}
