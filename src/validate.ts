/**
 * One way to check options, for every part of the package (the manager, the session, the
 * Node adapter, the server): a table of rules, each `[default, is it valid?, what it must be]`,
 * and one message style, `[wx-socket-manager] option "reconnect.interval" must be a number of ms > 0`.
 */
import { typeError } from './errors';
import type { SocketTaskLike } from './types';

/** `[default, is it valid?, what it must be]`. */
export type Rule = [unknown, (value: unknown) => boolean, string];
export type Rules = Record<string, Rule>;

const isNumber = (v: unknown): v is number => typeof v === 'number';

// Comparisons are false for NaN, so `v < Infinity` also rejects it.
/** A time in ms: finite and > 0. */
export const time = (fallback?: number): Rule => [fallback, (v) => isNumber(v) && v > 0 && v < Infinity, 'a number of ms > 0'];
/** A finite number ≥ `min`. */
export const atLeast = (min: number, fallback?: number): Rule => [fallback, (v) => isNumber(v) && v >= min && v < Infinity, `a number ≥ ${min}`];
/** An integer ≥ `min` (`Infinity % 1` is NaN: refused). */
export const integer = (min: number, fallback?: number): Rule => [fallback, (v) => isNumber(v) && v % 1 === 0 && v >= min, `an integer ≥ ${min}`];
export const text = (fallback?: string): Rule => [fallback, (v) => typeof v === 'string' && v !== '', 'a non-empty string'];
export const flag = (fallback?: boolean): Rule => [fallback, (v) => typeof v === 'boolean', 'true or false'];
export const func = (what = 'a function'): Rule => [undefined, (v) => typeof v === 'function', what];

/** `option "name" must be what`, as a TypeError. */
export function optionError(name: string, what: string): TypeError {
  return typeError(`option "${name}" must be ${what}`);
}

/**
 * `given` checked against `rules`: a key the table does not know, or a value its rule refuses,
 * is a TypeError naming the option (`prefix` + key); a missing (undefined) value takes the
 * rule's default. Returns every key of the table.
 */
export function readOptions(given: object, rules: Rules, prefix = ''): Record<string, unknown> {
  const known = Object.keys(rules);
  const values = given as Record<string, unknown>;
  for (const key of Object.keys(values)) {
    if (known.indexOf(key) < 0) throw typeError(`option "${prefix}${key}" is unknown (known: ${known.join(', ')})`);
  }
  const out: Record<string, unknown> = {};
  for (const key of known) {
    const [fallback, valid, what] = rules[key] as Rule;
    const v = values[key];
    if (v !== undefined && !valid(v)) throw optionError(prefix + key, what);
    out[key] = v === undefined ? fallback : v;
  }
  return out;
}

/** A plain object (not null, not an array). */
export function isObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `Number`, `ArrayBuffer` (of any realm), `Uint8Array`, `Null`… */
export function kindOf(value: unknown): string {
  return Object.prototype.toString.call(value).slice(8, -1);
}

/** What a frame may carry: a string or an ArrayBuffer (of any realm). */
export function isSocketData(value: unknown): value is string | ArrayBuffer {
  return typeof value === 'string' || kindOf(value) === 'ArrayBuffer';
}

/** A SocketTask: every method the manager calls is there. */
export function isTaskLike(value: unknown): value is SocketTaskLike {
  if (typeof value !== 'object' || value === null) return false;
  const t = value as Record<string, unknown>;
  return ['send', 'close', 'onOpen', 'onClose', 'onError', 'onMessage'].every((k) => typeof t[k] === 'function');
}
