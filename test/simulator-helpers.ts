import path from 'path';
import { createFakeWx } from '../src/testing';
import type { FakeWx, FakeWxOptions } from '../src/testing';

export const demoRoot = path.resolve(__dirname, '../demo-miniprogram');
export const componentPath = path.resolve(__dirname, '../miniprogram_npm_src/socket-status/index');

type Storage = Record<string, unknown>;
let current: { fake: FakeWx; storage: Storage } = { fake: createFakeWx(), storage: {} };

/**
 * The `wx` global the simulator and the demo see: it forwards to a fresh fake platform per
 * test. Install it AFTER requiring miniprogram-simulate, which replaces global.wx with stubs.
 */
export function installWx(): void {
  (globalThis as { wx?: unknown }).wx = new Proxy({}, {
    get(_target, key: string) {
      if (key === 'getStorageSync') return (k: string) => current.storage[k] ?? '';
      if (key === 'setStorageSync') return (k: string, v: unknown) => void (current.storage[k] = v);
      const value = (current.fake as unknown as Record<string, unknown>)[key];
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(current.fake) : value;
    },
  });
}

export function freshWx(options: FakeWxOptions = {}, storage: Storage = {}): FakeWx {
  current = { fake: createFakeWx(options), storage };
  return current.fake;
}

/** Text content of the first element matching `selector` inside a simulated component. */
export function textOf(comp: { querySelector(s: string): { dom: { textContent: string | null } } | undefined }, selector: string): string | undefined {
  return comp.querySelector(selector)?.dom.textContent?.trim();
}

/** A parent node to attach a simulated component to (jsdom's document; no DOM lib in tsconfig). */
export function parentNode(): unknown {
  return (globalThis as unknown as { document: { createElement(tag: string): unknown } }).document.createElement('parent-wrapper');
}
