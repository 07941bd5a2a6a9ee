/** How the kit reads what a server sends: the shared codec, and a short printable form for evidence. */
import { HEARTBEAT_PING, HEARTBEAT_PONG, parseFrame } from '../protocol';
import type { AckFrame, ErrorFrame, MsgFrame, VolatileFrame, WelcomeFrame } from '../protocol';

export type ServerFrame = WelcomeFrame | MsgFrame | VolatileFrame | AckFrame | ErrorFrame;

/** One text frame a probe received: `frame` when it is a valid server frame, `invalid` says why not. */
export interface Inbound {
  /** ms since the probe's link opened. */
  at: number;
  text: string;
  frame?: ServerFrame;
  invalid?: string;
}

/** Reads one text frame from a server: plain heartbeat texts, valid server frames, or why it is invalid. */
export function readServerFrame(text: string): Pick<Inbound, 'frame' | 'invalid'> {
  if (text === HEARTBEAT_PONG) return {};
  if (text === HEARTBEAT_PING) return { invalid: 'a server does not send "ping" (the client pings, the server answers "pong")' };
  const f = parseFrame(text);
  if (f.t === 'invalid') return { invalid: f.message };
  if (f.t === 'hello') return { invalid: '"hello" is not sent by servers' };
  return { frame: f };
}

export const isMsg = (i: Inbound): i is Inbound & { frame: MsgFrame } => i.frame?.t === 'msg';
export const isAck = (i: Inbound): i is Inbound & { frame: AckFrame } => i.frame?.t === 'ack';
export const isError = (i: Inbound): i is Inbound & { frame: ErrorFrame } => i.frame?.t === 'error';
export const isVolatile = (i: Inbound): i is Inbound & { frame: VolatileFrame } => i.frame?.t === 'volatile';
export const isPong = (i: Inbound): boolean => i.text === HEARTBEAT_PONG;

/** A frame as evidence: its text, cut short. */
export function show(text: string, max = 140): string {
  return text.length > max ? `${text.slice(0, max)}…(${text.length} chars)` : text;
}
