/**
 * Session protocol v1 codec (PROTOCOL.md), shared by the mini-program client, the Node
 * server and the dev server: every inbound frame is parsed and validated here, in one place. ES2015, no Node
 * types, no globals (no Buffer, no atob).
 */
import { fromBase64, toBase64 } from '../encoding/base64';
import type { AckFrame, ErrorFrame, Frame, HelloFrame, InvalidFrame, MsgFrame, VolatileFrame, WelcomeFrame, WelcomeReason } from './frames';
import { PROTOCOL_VERSION } from './frames';

const REASONS = ['new', 'unknown', 'expired', 'overflow', 'forbidden'];

const isSeq = (n: unknown): n is number => typeof n === 'number' && n >= 0 && n <= 9007199254740991 && Math.floor(n) === n;
const invalid = (message: string): InvalidFrame => ({ t: 'invalid', message });

/** 1–200 characters (code points), none of them a control character (C0, DEL, C1); CJK, spaces and `#` are fine. */
const ROOM = /^[^\u0000-\u001f\u007f-\u009f]{1,200}$/u;

/** A room name as PROTOCOL.md allows it (the server checks `join`/`publish` arguments with it too). */
export const isRoomName = (name: unknown): name is string => typeof name === 'string' && ROOM.test(name);

/** What is wrong with the payload fields `d`, `b` and `r` of a `msg` or `volatile`, if anything. */
function payloadProblem(f: Record<string, unknown>): string | undefined {
  if (typeof f.d !== 'string') return '"d" must be a string';
  if (f.b !== undefined && (f.b !== 1 || !isBase64(f.d))) return '"b" must be 1 with base64 in "d"';
  if (f.r !== undefined && !isRoomName(f.r)) return '"r" must be a room name (1–200 characters, no control characters)';
  return undefined;
}

/** Parses one text frame. Never throws: a frame that breaks PROTOCOL.md comes back as `{ t: 'invalid', message }`. */
export function parseFrame(text: string): Frame | InvalidFrame {
  let f: Record<string, unknown>;
  try {
    f = JSON.parse(text);
  } catch (e) {
    return invalid('frame is not JSON');
  }
  if (f === null || typeof f !== 'object' || Array.isArray(f)) return invalid('frame is not a JSON object');
  const t = f.t;
  let problem: string | undefined;
  switch (t) {
    case 'msg':
      if (!isSeq(f.s) || f.s < 1) return invalid('msg "s" must be an integer ≥ 1');
      if (typeof f.id !== 'string' || !f.id) return invalid('msg "id" must be a non-empty string');
      problem = payloadProblem(f);
      return problem ? invalid('msg ' + problem) : (f as unknown as MsgFrame);
    case 'volatile':
      problem = payloadProblem(f);
      return problem ? invalid('volatile ' + problem) : (f as unknown as VolatileFrame);
    case 'ack':
      return isSeq(f.a) ? (f as unknown as AckFrame) : invalid('ack "a" must be an integer ≥ 0');
    case 'hello':
      if (f.v !== PROTOCOL_VERSION) return invalid('unsupported protocol version "v"');
      if (f.sid !== null && (typeof f.sid !== 'string' || !f.sid || f.sid.length > 128)) return invalid('hello "sid" must be null or a session id');
      return isSeq(f.rx) ? (f as unknown as HelloFrame) : invalid('hello "rx" must be an integer ≥ 0');
    case 'welcome':
      if (f.v !== PROTOCOL_VERSION) return invalid('unsupported protocol version "v"');
      if (typeof f.sid !== 'string' || !f.sid) return invalid('welcome "sid" must be a session id');
      if (typeof f.resumed !== 'boolean' || !isSeq(f.rx) || !isSeq(f.ttl)) return invalid('welcome needs "resumed", "rx" and "ttl"');
      if (!f.resumed && REASONS.indexOf(f.reason as string) < 0) return invalid('welcome with resumed:false needs "reason" ' + REASONS.join('|'));
      return f as unknown as WelcomeFrame;
    case 'error':
      return typeof f.code === 'number' && typeof f.message === 'string' ? (f as unknown as ErrorFrame) : invalid('error needs "code" and "message"');
    default:
      return invalid(typeof t === 'string' ? 'unknown frame type "' + t.slice(0, 20) + '"' : 'frame has no "t"');
  }
}

// ---- encoders: field names and order exactly as PROTOCOL.md ----

export const encodeHello = (sid: string | null, rx: number): string => JSON.stringify({ t: 'hello', v: PROTOCOL_VERSION, sid, rx });

export function encodeWelcome(sid: string, resumed: boolean, rx: number, ttl: number, reason?: WelcomeReason): string {
  return JSON.stringify(resumed ? { t: 'welcome', v: PROTOCOL_VERSION, sid, resumed, rx, ttl } : { t: 'welcome', v: PROTOCOL_VERSION, sid, resumed, rx, ttl, reason });
}

/**
 * A `msg` frame without its `s`: `"id":…,"d":…[,"b":1][,"r":…]}`. A message is encoded once this
 * way, however often and to however many links it is written, and given each session's `s` by
 * `msgWithSeq` (concatenated from JSON-encoded strings: no object to build and stringify).
 */
export const msgTail = (id: string, d: string, b?: 1, r?: string): string =>
  '"id":' + JSON.stringify(id) + ',"d":' + JSON.stringify(d) + (b ? ',"b":1' : '') + (r === undefined ? '}' : ',"r":' + JSON.stringify(r) + '}');

/** The whole `msg` frame: `s` spliced in front of a `msgTail`. */
export const msgWithSeq = (s: number, tail: string): string => '{"t":"msg","s":' + s + ',' + tail;

/** `d` is the payload text, or base64 with `b` = 1 (see `encodePayload`); `r` the room (server → client only). */
export const encodeMsg = (s: number, id: string, d: string, b?: 1, r?: string): string => msgWithSeq(s, msgTail(id, d, b, r));

/** A `volatile` frame (server → client). */
export const encodeVolatile = (d: string, b?: 1, r?: string): string => JSON.stringify({ t: 'volatile', d, b, r });

export const encodeAck = (a: number): string => '{"t":"ack","a":' + a + '}';

export const encodeError = (code: number, message: string): string => JSON.stringify({ t: 'error', code, message });

// ---- payloads ----

/** An application payload as it travels in a `msg`: text as is, binary as base64 with `b: 1`. */
export interface Payload { d: string; b?: 1 }

export function encodePayload(data: string | ArrayBuffer | ArrayBufferView): Payload {
  return typeof data === 'string' ? { d: data } : { d: toBase64(data), b: 1 };
}

export function decodePayload(d: string, b?: 1): string | ArrayBuffer {
  return b === 1 ? fromBase64(d) : d;
}

// ---- base64 (RFC 4648 with padding) ----

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export const isBase64 = (text: string): boolean => BASE64.test(text);

export { fromBase64, toBase64 };

// ---- the receiving rule (rule 4), one decision for both sides ----

/** What a receiver whose app has taken every message up to `last` does with message `s`. */
export function classify(s: number, last: number): 'deliver' | 'duplicate' | 'gap' {
  return s === last + 1 ? 'deliver' : s <= last ? 'duplicate' : 'gap';
}
