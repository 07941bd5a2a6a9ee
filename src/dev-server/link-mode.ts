/**
 * One client socket of a dev node: plain echo, unless its first frame (pings aside) is a
 * session `hello`, which hands it to the reliable sessions for good.
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

/** A session hello: the first frame is a JSON object whose `t` is "hello" (a bad one is answered 4400 by the session). */
export function isHello(text: string): boolean {
  if (!text.startsWith('{')) return false;
  try {
    const frame = JSON.parse(text) as { t?: unknown } | null;
    return typeof frame === 'object' && frame !== null && frame.t === 'hello';
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
      if (text !== undefined && isHello(text)) {
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

function plainFrame(ws: WebSocket, data: RawData, isBinary: boolean, hooks: LinkHooks): void {
  if (isBinary) return ws.send(data, { binary: true });
  const text = data.toString();
  if (text === HEARTBEAT_PING) return hooks.answerPing() ? ws.send(HEARTBEAT_PONG) : undefined;
  if (hooks.textFault && isFaultText(text)) {
    const reply = hooks.textFault(text);
    if (typeof reply === 'string') return ws.send(reply);
    void reply.then((r) => ws.readyState === ws.OPEN && ws.send(r));
    return;
  }
  hooks.record(text);
  ws.send(text);
}
