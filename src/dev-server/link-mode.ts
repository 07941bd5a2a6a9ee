/**
 * One client socket of a dev node: plain echo, unless its first frame (pings aside) is a
 * session frame (`hello`), which hands it to the reliable sessions for good.
 *
 * Plain: "ping" → "pong" (unless the nopong fault is on), text and binary echoed, and with
 * --text-faults a "fault:<name> [args]" text runs that fault (answered "fault-ok:<name>").
 */
import type { RawData, WebSocket } from 'ws';
import { HEARTBEAT_PING, HEARTBEAT_PONG } from '../protocol';
import { isFaultText } from './faults';
import type { DevSessions } from './sessions';

export interface LinkHooks {
  sessions(): DevSessions;
  answerPing(): boolean;
  /** Runs a `fault:` text and gives the reply; undefined: such texts are ordinary data. */
  textFault?: (text: string) => string | Promise<string>;
  /** Every text a client sent as data (pings and obeyed fault commands excluded). */
  record(text: string): void;
}

const SESSION_FRAMES: unknown[] = ['hello', 'msg', 'ack'];

/**
 * Whether a first frame asks for the session protocol: a JSON object whose `t` is "hello" — or
 * "msg"/"ack", sent before any hello, which the session answers 4400 as PROTOCOL.md says (as it
 * does a bad hello).
 */
export function isSessionFrame(text: string): boolean {
  if (!text.startsWith('{')) return false;
  try {
    const frame = JSON.parse(text) as { t?: unknown } | null;
    return typeof frame === 'object' && frame !== null && SESSION_FRAMES.includes(frame.t);
  } catch {
    return false;
  }
}

/**
 * Serves `ws` for `user`. `plainFrom` is told when the link counts as plain (from then on it
 * gets plain ticks), or undefined when it became a session link.
 */
export function serveLink(ws: WebSocket, user: string, hooks: LinkHooks, plainFrom: (since: number | undefined) => void): void {
  let mode: 'first' | 'plain' | 'session' = 'first';
  ws.on('message', (data, isBinary) => {
    if (mode === 'session') return;
    if (mode === 'first') {
      const text = isBinary ? undefined : data.toString();
      if (text === HEARTBEAT_PING) return plainFrame(ws, data, false, hooks);
      if (text !== undefined && isSessionFrame(text)) {
        mode = 'session';
        plainFrom(undefined);
        return hooks.sessions().attach(ws, user, text);
      }
      mode = 'plain';
      plainFrom(0);
    }
    plainFrame(ws, data, isBinary, hooks);
  });
}

/** Bytes that may wait to be written to a plain link: a peer that does not read is cut beyond it. */
export const MAX_LINK_BUFFER = 32 * 1024 * 1024;

/**
 * Writes to a plain link, unless its peer has stopped reading: then nothing more is queued,
 * the link is closed 1013 (try again later) and cut a moment later, as it will not read that either.
 */
export function sendPlain(ws: WebSocket, data: RawData | string, binary = false): void {
  if (ws.readyState !== ws.OPEN) return;
  const size = typeof data === 'string' ? Buffer.byteLength(data) : Array.isArray(data) ? data.reduce((n, b) => n + b.length, 0) : data.byteLength;
  if (ws.bufferedAmount + size <= MAX_LINK_BUFFER) return ws.send(data, { binary });
  ws.close(1013, 'not reading');
  setTimeout(() => ws.terminate(), 1000).unref();
}

function plainFrame(ws: WebSocket, data: RawData, isBinary: boolean, hooks: LinkHooks): void {
  if (isBinary) return sendPlain(ws, data, true);
  const text = data.toString();
  if (text === HEARTBEAT_PING) return hooks.answerPing() ? sendPlain(ws, HEARTBEAT_PONG) : undefined;
  if (hooks.textFault && isFaultText(text)) {
    const reply = hooks.textFault(text);
    if (typeof reply === 'string') return sendPlain(ws, reply);
    void reply.then((r) => sendPlain(ws, r));
    return;
  }
  hooks.record(text);
  sendPlain(ws, text);
}
