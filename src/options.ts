/** Defaults and validation, from one table: every bad option is a TypeError naming it. */
import { typeError } from './errors';
import type {
  CloseInfo,
  ConnectSocket,
  HeartbeatOptions,
  Provider,
  QueueOptions,
  ReconnectOptions,
  WxLike,
  WxSocketOptions,
} from './types';

/** [default, is it valid?, what it must be]. */
type Rule = [unknown, (value: unknown) => boolean, string];

const num = (v: unknown): v is number => typeof v === 'number';
// Comparisons are false for NaN, so `v > 0 && v < Infinity` also rejects it.
const TIME = (fallback: number): Rule => [fallback, (v) => num(v) && v > 0 && v < Infinity, 'a number of ms > 0'];
const TEXT = (fallback: string): Rule => [fallback, (v) => typeof v === 'string' && v !== '', 'a non-empty string'];
const FLAG: Rule = [true, (v) => typeof v === 'boolean', 'true or false'];
const integerFrom = (min: number, fallback: number): Rule => [fallback, (v) => num(v) && v % 1 === 0 && v >= min, `an integer ≥ ${min}`];

const SECTIONS = {
  reconnect: {
    maxAttempts: integerFrom(0, 12),
    interval: TIME(5000),
    factor: [1, (v) => num(v) && v >= 1 && v < Infinity, 'a number ≥ 1'] as Rule,
    maxInterval: TIME(30000),
    jitter: [0, (v) => num(v) && v >= 0 && v <= 1, 'a number from 0 to 1'] as Rule,
  },
  heartbeat: { interval: TIME(10000), timeout: TIME(10000), ping: TEXT('ping'), pong: TEXT('pong') },
  queue: { max: integerFrom(1, 100) },
};
type SectionName = keyof typeof SECTIONS;

const defaultsOf = (name: SectionName): Record<string, unknown> => {
  const rules = SECTIONS[name] as Record<string, Rule>;
  const out: Record<string, unknown> = {};
  for (const key in rules) out[key] = (rules[key] as Rule)[0];
  return Object.freeze(out);
};

/** The defaults of every option, deeply frozen: changing them is a TypeError in strict mode. */
export const DEFAULTS: {
  readonly connectTimeout: number;
  readonly reconnect: Readonly<ReconnectOptions>;
  readonly heartbeat: Readonly<HeartbeatOptions>;
  readonly queue: Readonly<QueueOptions>;
  readonly watchNetwork: boolean;
  readonly watchApp: boolean;
} = Object.freeze({
  connectTimeout: 10000,
  reconnect: defaultsOf('reconnect') as unknown as ReconnectOptions,
  heartbeat: defaultsOf('heartbeat') as unknown as HeartbeatOptions,
  queue: defaultsOf('queue') as unknown as QueueOptions,
  watchNetwork: true,
  watchApp: true,
});

export interface ResolvedOptions {
  url: Provider<string>;
  header: Provider<Record<string, string>> | undefined;
  protocols: string[] | undefined;
  connectTimeout: number;
  reconnect: ReconnectOptions | false;
  heartbeat: HeartbeatOptions | false;
  queue: QueueOptions | false;
  shouldReconnect: ((close: CloseInfo) => boolean) | undefined;
  watchNetwork: boolean;
  watchApp: boolean;
  connectSocket: ConnectSocket;
  wx: WxLike | undefined;
}

const OPTION_KEYS = [
  'url', 'header', 'protocols', 'connectTimeout', 'reconnect', 'heartbeat', 'queue',
  'shouldReconnect', 'watchNetwork', 'watchApp', 'connectSocket', 'wx',
];

const bad = (name: string, what: string): TypeError => typeError(`option "${name}" must be ${what}`);

export function resolveOptions(options: WxSocketOptions, globalWx: WxLike | undefined): ResolvedOptions {
  if (!isObject(options)) throw typeError('options must be an object');
  checkKeys(options, OPTION_KEYS, '');
  const o = options as unknown as Record<string, unknown>;
  const pick = (name: string, rule: Rule): unknown => {
    const value = o[name];
    if (value === undefined) return rule[0];
    if (!rule[1](value)) throw bad(name, rule[2]);
    return value;
  };

  const { url, header, protocols } = options;
  if (url === undefined) throw typeError('option "url" is required');
  if (typeof url !== 'function') checkUrl(url, 'option "url"');
  if (header !== undefined && typeof header !== 'function') checkHeader(header, 'option "header"');
  pick('protocols', [undefined, (v) => Array.isArray(v) && v.every((p) => typeof p === 'string' && p !== ''), 'an array of non-empty strings']);
  const wx = pick('wx', [globalWx, isObject, 'an object like wx']) as WxLike | undefined;
  let connectSocket = options.connectSocket;
  if (connectSocket === undefined) {
    if (!wx || typeof wx.connectSocket !== 'function') throw typeError('no connectSocket: no wx global; pass option "connectSocket"');
    // Looked up on every attempt, so a platform function replaced later (a test kit) is used.
    const platform = wx as Required<Pick<WxLike, 'connectSocket'>>;
    connectSocket = (option) => platform.connectSocket(option);
  } else if (typeof connectSocket !== 'function') throw bad('connectSocket', 'a function like wx.connectSocket');
  // A binding whose platform cannot send handshake headers says so (fromBrowser).
  const noHeaders = (connectSocket as { noHeaders?: unknown }).noHeaders;
  if (header !== undefined && typeof noHeaders === 'string') throw typeError(`option "header": ${noHeaders}`);
  return {
    url,
    header,
    protocols,
    connectTimeout: pick('connectTimeout', TIME(DEFAULTS.connectTimeout)) as number,
    reconnect: section(o.reconnect, 'reconnect') as ReconnectOptions | false,
    heartbeat: section(o.heartbeat, 'heartbeat') as HeartbeatOptions | false,
    queue: section(o.queue, 'queue') as QueueOptions | false,
    shouldReconnect: pick('shouldReconnect', [undefined, (v) => typeof v === 'function', 'a function']) as ResolvedOptions['shouldReconnect'],
    watchNetwork: pick('watchNetwork', FLAG) as boolean,
    watchApp: pick('watchApp', FLAG) as boolean,
    connectSocket,
    wx,
  };
}

/** `false` → off; `undefined`/`true` → defaults; an object → each key checked against its rule. */
function section(value: unknown, name: SectionName): Record<string, unknown> | false {
  if (value === false) return false;
  if (value !== undefined && value !== true && !isObject(value)) throw bad(name, 'false, true or an object');
  const rules = SECTIONS[name] as Record<string, Rule>;
  const given = (isObject(value) ? value : {}) as Record<string, unknown>;
  checkKeys(given, Object.keys(rules), `${name}.`);
  const out: Record<string, unknown> = {};
  for (const key in rules) {
    const [fallback, valid, what] = rules[key] as Rule;
    const v = given[key];
    if (v !== undefined && !valid(v)) throw bad(`${name}.${key}`, what);
    out[key] = v === undefined ? fallback : v;
  }
  // maxInterval defaults to the larger of 30000 and interval.
  if (name === 'reconnect' && given.maxInterval === undefined) out.maxInterval = Math.max(out.maxInterval as number, out.interval as number);
  return out;
}

function checkKeys(value: object, known: string[], prefix: string): void {
  for (const key of Object.keys(value)) {
    if (known.indexOf(key) < 0) throw typeError(`option "${prefix}${key}" is unknown (known: ${known.join(', ')})`);
  }
}

/** Throws naming `what` unless `url` is a ws:// or wss:// URL. Never echoes the URL: it may hold a token. */
export function checkUrl(url: unknown, what: string): asserts url is string {
  if (typeof url !== 'string' || !/^wss?:\/\/[^/?#\s]/i.test(url)) throw typeError(`${what} must be a ws:// or wss:// URL with a host`);
}

export function checkHeader(header: unknown, what: string): asserts header is Record<string, string> {
  if (!isObject(header) || Object.keys(header).some((key) => typeof (header as Record<string, unknown>)[key] !== 'string')) {
    throw typeError(`${what} must be an object of strings`);
  }
}

function isObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
