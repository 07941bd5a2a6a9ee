/**
 * Installing a fake into the global `wx`, for page modules that use the global (a page built
 * with `new WxSocketManager({ url })` and no injection).
 */
import type { FakeWx } from './fake-wx';

/** The platform calls the manager makes on `wx`: what installFakeWx() puts into it. */
const PLATFORM_KEYS = [
  'connectSocket', 'getNetworkType',
  'onNetworkStatusChange', 'offNetworkStatusChange', 'onAppShow', 'offAppShow', 'onAppHide', 'offAppHide',
] as const;
type PlatformKey = (typeof PLATFORM_KEYS)[number];
/** Where the installed fake lives: on the global, so forwarders copied elsewhere still find it. */
const INSTALLED = Symbol.for('wx-socket-manager/testing: installed fake wx');
const CREATED = Symbol.for('wx-socket-manager/testing: created wx');

/**
 * Puts `fake`'s platform functions (`connectSocket`, `getNetworkType`, the network and
 * show/hide listeners) INTO the global `wx`, creating `wx` if there is none. Everything
 * else already on `wx` stays (miniprogram-simulate's `showToast`, storage, …). Returns the undo.
 *
 * The functions it installs forward to the most recently installed fake, so a manager built
 * once (a page module jest keeps cached) talks to each test's new fake: call it in
 * `beforeEach` with a fresh fake and undo in `afterEach`. They survive miniprogram-simulate
 * being required afterwards (it copies the `wx` it finds). The one ordering rule: a manager
 * reads `wx.connectSocket` when it is constructed, so construct it (require the module that
 * does) after the first installFakeWx(); loadPage() runs the page file when called, so a
 * page loaded in the test body is always in time.
 */
export function installFakeWx(fake: FakeWx): () => void {
  const g = globalThis as { wx?: unknown; [INSTALLED]?: FakeWx; [CREATED]?: object };
  const existing = g.wx;
  const created = existing === null || (typeof existing !== 'object' && typeof existing !== 'function');
  // One object for every install into a wx-less global: a manager that kept it keeps working.
  const target = (created ? (g[CREATED] ??= {}) : existing) as Record<PlatformKey, unknown>;
  if (created) g.wx = target;
  const previousFake = g[INSTALLED];
  g[INSTALLED] = fake;
  const saved = PLATFORM_KEYS.map((key) => Object.getOwnPropertyDescriptor(target, key));
  for (const key of PLATFORM_KEYS) {
    const current = target[key] as Forwarder | undefined;
    const fallback = typeof current === 'function' && current[INSTALLED] ? current[INSTALLED].fallback : current;
    Object.defineProperty(target, key, { value: forwarder(key, fallback), enumerable: true, writable: true, configurable: true });
  }
  let undone = false;
  return () => {
    if (undone) return;
    undone = true;
    if (previousFake) g[INSTALLED] = previousFake;
    else delete g[INSTALLED];
    if (created) {
      if (g.wx !== target) return;
      if (existing === undefined) delete g.wx;
      else g.wx = existing;
      return;
    }
    PLATFORM_KEYS.forEach((key, i) => {
      const descriptor = saved[i];
      if (descriptor) Object.defineProperty(target, key, descriptor);
      else delete target[key];
    });
  };
}

type Forwarder = ((...args: unknown[]) => unknown) & { [INSTALLED]?: { fallback: unknown } };

/** `wx[key]` that calls the installed fake; with none installed, what `wx[key]` was before. */
function forwarder(key: PlatformKey, fallback: unknown): Forwarder {
  const fn: Forwarder = function (this: unknown, ...args: unknown[]): unknown {
    const fake = (globalThis as { [INSTALLED]?: FakeWx })[INSTALLED];
    if (fake) return (fake[key] as (...a: unknown[]) => unknown).apply(fake, args);
    if (typeof fallback === 'function') return (fallback as (...a: unknown[]) => unknown).apply(this, args);
    if (key.startsWith('off')) return undefined;
    throw new Error(`[wx-socket-manager] wx.${key}() was called with no fake wx installed (its installFakeWx() was undone)`);
  };
  fn[INSTALLED] = { fallback };
  return fn;
}
