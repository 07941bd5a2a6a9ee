/**
 * Where a session keeps `{sid, rx, next s, unacked}` across a kill: nothing, the wx storage,
 * or any synchronous key/value store of JSON text. Reads `wx` only when asked, never at import.
 */

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

/** The store for the `storage` option, or undefined when off. Throws a TypeError naming the option. */
export function openStorage(option: unknown): SessionStorage | undefined {
  if (option === undefined || option === false) return undefined;
  if (option === 'wx') {
    const w = typeof wx === 'undefined' ? undefined : wx;
    if (!w || typeof w.getStorageSync !== 'function') throw new TypeError('[wx-socket-manager] option "storage": \'wx\' needs the wx global');
    return {
      get: (key) => {
        const v = w.getStorageSync(key);
        return typeof v === 'string' ? v : undefined;
      },
      set: (key, value) => w.setStorageSync(key, value),
      remove: (key) => w.removeStorageSync(key),
    };
  }
  const s = option as SessionStorage | null;
  if (!s || typeof s.get !== 'function' || typeof s.set !== 'function' || typeof s.remove !== 'function') {
    throw new TypeError('[wx-socket-manager] option "storage" must be false, \'wx\' or { get, set, remove }');
  }
  return s;
}
