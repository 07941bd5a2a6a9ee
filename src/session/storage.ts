/**
 * Where a session keeps `{sid, rx, next s, unacked}` across a kill: nothing, the wx storage,
 * or any synchronous key/value store of JSON text. Reads `wx` only when asked, never at import.
 */
import { typeError } from '../errors';

/** A synchronous store of JSON text, like `wx.getStorageSync`/`setStorageSync`/`removeStorageSync`. */
export interface SessionStorage {
  get(key: string): string | null | undefined;
  set(key: string, value: string): void;
  remove(key: string): void;
}

interface WxStorage {
  getStorageSync(key: string): unknown;
  setStorageSync(key: string, value: string): void;
  removeStorageSync(key: string): void;
}

// Module-scoped, so it never clashes with miniprogram-api-typings' global `wx`.
declare const wx: WxStorage | undefined;

/** What the `storage` option may be (checked with the other options). */
export const isStorageOption = (v: unknown): boolean => v === false || v === 'wx'
  || (!!v && typeof (v as SessionStorage).get === 'function' && typeof (v as SessionStorage).set === 'function' && typeof (v as SessionStorage).remove === 'function');

/** The store for a valid `storage` option, or undefined when off. 'wx' with no wx global is a TypeError naming the option. */
export function openStorage(option: false | 'wx' | SessionStorage): SessionStorage | undefined {
  if (option !== 'wx') return option || undefined;
  const w = typeof wx === 'undefined' ? undefined : wx;
  if (!w || typeof w.getStorageSync !== 'function') throw typeError('option "storage": \'wx\' needs the wx global');
  return {
    get: (key) => {
      const v = w.getStorageSync(key);
      return typeof v === 'string' ? v : undefined;
    },
    set: (key, value) => w.setStorageSync(key, value),
    remove: (key) => w.removeStorageSync(key),
  };
}

/** An unacknowledged message as stored: `[id, d]`, or `[id, d, 1]` for base64 of a binary payload. */
export type StoredMessage = [id: string, d: string, b?: 1];

/** A session's state as it survives a kill. */
export interface StoredSession {
  sid: string | null;
  /** Highest contiguous server seq handed to the app. */
  rx: number;
  /** Seq of the next message sent. */
  next: number;
  unacked: StoredMessage[];
}

/** The JSON text kept under the storage key: `{ sid, rx, s, u }` (the names a stored session has always had). */
export function encodeSession(sid: string | null, rx: number, next: number, unacked: StoredMessage[]): string {
  return JSON.stringify({ sid, rx, s: next, u: unacked });
}

/** The stored text read back; `null` when nothing is stored; `undefined` when what is stored is not valid. */
export function decodeSession(text: string | null | undefined): StoredSession | null | undefined {
  let v: { sid?: unknown; rx?: unknown; s?: unknown; u?: unknown } | null;
  try {
    v = JSON.parse(text || 'null');
  } catch {
    return undefined;
  }
  if (!v) return null;
  const u = v.u;
  const valid = (v.sid === null || typeof v.sid === 'string') && isCount(v.rx) && isCount(v.s) && Array.isArray(u) && u.length < v.s
    && u.every((x) => Array.isArray(x) && typeof x[0] === 'string' && typeof x[1] === 'string');
  if (!valid) return undefined;
  return { sid: v.sid as string | null, rx: v.rx as number, next: v.s as number, unacked: (u as unknown[][]).map((x) => (x[2] === 1 ? [x[0], x[1], 1] : [x[0], x[1]]) as StoredMessage) };
}

function isCount(n: unknown): n is number {
  return typeof n === 'number' && n >= 0 && n % 1 === 0;
}
