/**
 * `parseFrame` with a fast path for what a server reads most: `{"t":"ack","a":N}` and
 * `{"t":"msg","s":N,"id":"…","d":"…"}` (with `,"b":1` before the `}` for binary), spelled exactly
 * as the encoders write them and at most FAST_MAX characters long, are matched by one regular
 * expression instead of building a JSON tree (about twice as fast); only a string with escapes
 * goes through `JSON.parse`, alone. Anything else — another frame, other spacing or key order,
 * a leading zero, a control character, an empty id, bad base64, a bad escape — goes to
 * `parseFrame`, so both answer the same for every text (test/server/fast-frame.test.ts compares
 * them). The session client keeps `parseFrame` alone: this file is the server's.
 */
import { isBase64, parseFrame } from './codec';
import type { Frame, InvalidFrame, MsgFrame } from './frames';

const ACK = /^\{"t":"ack","a":(0|[1-9]\d{0,14})\}$/;
/** A JSON string's characters: anything but `"`, `\` and controls, or an escape (checked by JSON.parse). */
const MSG = /^\{"t":"msg","s":([1-9]\d{0,14}),"id":"((?:[^"\\\u0000-\u001f]|\\.)+)","d":"((?:[^"\\\u0000-\u001f]|\\.)*)"(,"b":1)?\}$/;
/** Longer frames go to JSON.parse, which is faster on them (and a regular expression's backtracking stack is bounded). */
const FAST_MAX = 4096;

/** A JSON string's content as matched by MSG, unescaped; undefined when an escape is not JSON. */
function unescaped(raw: string): string | undefined {
  if (raw.indexOf('\\') < 0) return raw;
  try {
    return JSON.parse('"' + raw + '"') as string;
  } catch {
    return undefined;
  }
}

function fastMsg(m: RegExpExecArray): MsgFrame | undefined {
  const id = unescaped(m[2]!);
  const d = unescaped(m[3]!);
  if (id === undefined || d === undefined) return undefined;
  if (m[4] === undefined) return { t: 'msg', s: Number(m[1]), id, d };
  return isBase64(d) ? { t: 'msg', s: Number(m[1]), id, d, b: 1 } : undefined;
}

/** Parses one text frame, as `parseFrame` does; never throws. */
export function parseFrameFast(text: string): Frame | InvalidFrame {
  if (text.length <= FAST_MAX) {
    let m = ACK.exec(text);
    if (m) return { t: 'ack', a: Number(m[1]) };
    m = MSG.exec(text);
    const frame = m && fastMsg(m);
    if (frame) return frame;
  }
  return parseFrame(text);
}
