/** How the kit reads what a server sends: the shared codec, plus the `volatile` frame and a short printable form. */
import { HEARTBEAT_PING, HEARTBEAT_PONG, isBase64, parseFrame } from '../protocol';
import type { AckFrame, ErrorFrame, MsgFrame, WelcomeFrame } from '../protocol';

export interface VolatileFrame { t: 'volatile'; d: string; b?: 1; r?: string }
export type ServerFrame = WelcomeFrame | MsgFrame | AckFrame | ErrorFrame | VolatileFrame;

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
  if (f.t === 'invalid') return volatileFrame(text) ?? { invalid: f.message };
  if (f.t === 'hello') return { invalid: '"hello" is not sent by servers' };
  const room = (f as { r?: unknown }).r;
  if (f.t === 'msg' && room !== undefined && typeof room !== 'string') return { invalid: 'msg "r" must be a room name' };
  return { frame: f };
}

/** The `volatile` frame, checked here until the shared codec knows it. */
function volatileFrame(text: string): Pick<Inbound, 'frame' | 'invalid'> | undefined {
  let f: Record<string, unknown>;
  try {
    f = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!f || f.t !== 'volatile') return undefined;
  if (typeof f.d !== 'string') return { invalid: 'volatile "d" must be a string' };
  if (f.b !== undefined && (f.b !== 1 || !isBase64(f.d))) return { invalid: 'volatile "b" must be 1 with base64 in "d"' };
  if (f.r !== undefined && typeof f.r !== 'string') return { invalid: 'volatile "r" must be a room name' };
  return { frame: f as unknown as VolatileFrame };
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
