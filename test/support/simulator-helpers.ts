import path from 'path';
import { createFakeWx, installFakeWx } from '../../src/testing';
import type { FakeWx, FakeWxOptions } from '../../src/testing';
import { fromRoot } from './paths';

export const demoRoot = fromRoot('demo-miniprogram');
export const componentPath = fromRoot('miniprogram_npm_src/socket-status/index');

type Storage = Record<string, unknown>;
let undo: (() => void) | undefined;

/**
 * A fresh fake platform for this test, installed into the global `wx` (miniprogram-simulate's,
 * so require the simulator first), with a storage the demo's url provider can read.
 */
export function freshWx(options: FakeWxOptions = {}, storage: Storage = {}): FakeWx {
  undo?.();
  const fake = createFakeWx(options);
  undo = installFakeWx(fake);
  const wx = (globalThis as unknown as { wx: Record<string, unknown> }).wx;
  wx.getStorageSync = (key: string) => storage[key] ?? '';
  wx.setStorageSync = (key: string, value: unknown) => void (storage[key] = value);
  return fake;
}

/** Text content of the first element matching `selector` inside a simulated component. */
export function textOf(comp: { querySelector(s: string): { dom: { textContent: string | null } } | undefined }, selector: string): string | undefined {
  return comp.querySelector(selector)?.dom.textContent?.trim();
}

/** A parent node to attach a simulated component to (jsdom's document; no DOM lib in tsconfig). */
export function parentNode(): unknown {
  return (globalThis as unknown as { document: { createElement(tag: string): unknown } }).document.createElement('parent-wrapper');
}
