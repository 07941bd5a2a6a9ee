/** The manager's defaults and validation, from one table: every bad option is a TypeError naming it. */
import { PREFIX, typeError } from './errors';
import { isValidCloseCode, utf8Length } from './reconnect-policy';
import type {
  CloseInfo,
  ConnectSocket,
  HeartbeatOptions,
  Provider,
  SendOptions,
  QueueOptions,
  ReconnectOptions,
  WxLike,
  WxSocketOptions,
} from './types';
import { atLeast, flag, func, integer, isObject, isSocketData, kindOf, readOptions, text, time } from './validate';
import type { Rule, Rules } from './validate';

const SECTIONS = {
  reconnect: {
    maxAttempts: integer(0, 12),
    interval: time(5000),
    factor: atLeast(1, 1),
    maxInterval: time(30000),
    jitter: [0, (v) => typeof v === 'number' && v >= 0 && v <= 1, 'a number from 0 to 1'] as Rule,
  },
  heartbeat: { interval: time(10000), timeout: time(10000), ping: text('ping'), pong: text('pong') },
  queue: { max: integer(1, 100) },
};
type SectionName = keyof typeof SECTIONS;

const defaultsOf = (name: SectionName): Record<string, unknown> => {
  const rules: Rules = SECTIONS[name];
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

const WS_URL = 'a ws:// or wss:// URL with a host';
const HEADER = 'an object of strings';
const isWsUrl = (v: unknown): boolean => typeof v === 'string' && /^wss?:\/\/[^/?#\s]/i.test(v);
const isHeader = (v: unknown): boolean => isObject(v) && Object.keys(v).every((key) => typeof (v as Record<string, unknown>)[key] === 'string');
const orFunction = (test: (v: unknown) => boolean) => (v: unknown): boolean => typeof v === 'function' || test(v);
const section: Rule = [undefined, (v) => typeof v === 'boolean' || isObject(v), 'false, true or an object'];

const OPTIONS: Rules = {
  url: [undefined, orFunction(isWsUrl), WS_URL],
  header: [undefined, orFunction(isHeader), HEADER],
  protocols: [undefined, (v) => Array.isArray(v) && v.every((p) => typeof p === 'string' && p !== ''), 'an array of non-empty strings'],
  connectTimeout: time(DEFAULTS.connectTimeout),
  reconnect: section,
  heartbeat: section,
  queue: section,
  shouldReconnect: func(),
  watchNetwork: flag(true),
  watchApp: flag(true),
  connectSocket: func('a function like wx.connectSocket'),
  wx: [undefined, isObject, 'an object like wx'],
};

export function resolveOptions(options: WxSocketOptions, globalWx: WxLike | undefined): ResolvedOptions {
  if (!isObject(options)) throw typeError('options must be an object');
  const o = readOptions(options, OPTIONS);
  if (o.url === undefined) throw typeError('option "url" is required');
  const wx = (o.wx || globalWx) as WxLike | undefined;
  let connectSocket = o.connectSocket as ConnectSocket | undefined;
  if (!connectSocket) {
    if (!wx || typeof wx.connectSocket !== 'function') throw typeError('no connectSocket: no wx global; pass option "connectSocket"');
    // Looked up on every attempt, so a platform function replaced later (a test kit) is used.
    const platform = wx as Required<Pick<WxLike, 'connectSocket'>>;
    connectSocket = (option) => platform.connectSocket(option);
  }
  // A binding whose platform cannot send handshake headers says so (fromBrowser).
  const noHeaders = (connectSocket as { noHeaders?: unknown }).noHeaders;
  if (o.header !== undefined && typeof noHeaders === 'string') throw typeError(`option "header": ${noHeaders}`);
  for (const name in SECTIONS) {
    const value = o[name];
    if (value === false) continue; // off
    // `undefined`/`true` → the defaults; an object → each key checked against its rule.
    const given = (isObject(value) ? value : {}) as Record<string, unknown>;
    const out = readOptions(given, SECTIONS[name as SectionName], `${name}.`);
    // maxInterval defaults to the larger of 30000 and interval.
    if (name === 'reconnect' && given.maxInterval === undefined) out.maxInterval = Math.max(out.maxInterval as number, out.interval as number);
    o[name] = out;
  }
  o.connectSocket = connectSocket;
  o.wx = wx;
  return o as unknown as ResolvedOptions;
}

/**
 * What a `url()`/`header()` provider gave, checked like the options (a TypeError naming the
 * provider). Never echoes the URL: it may hold a token.
 */
export function checkProvided(url: unknown, header: unknown): asserts url is string {
  if (!isWsUrl(url)) throw typeError(`url() must be ${WS_URL}`);
  if (header !== undefined && !isHeader(header)) throw typeError(`header() must be ${HEADER}`);
}

/** `close(code, reason)`'s arguments, checked in any state. */
export function checkClose(code: number, reason: string): void {
  if (!isValidCloseCode(code)) throw new RangeError(`${PREFIX} close code must be 1000 or 3000–4999, got ${String(code)}`);
  if (typeof reason !== 'string') throw typeError('close reason must be a string');
  if (utf8Length(reason) > 123) throw new RangeError(`${PREFIX} close reason must be at most 123 UTF-8 bytes`);
}

/** `send(data, options)`'s arguments; true when the frame must not be queued (`{ queue: false }`). */
export function checkSend(data: unknown, options: SendOptions | undefined): boolean {
  if (!isSocketData(data)) throw typeError(`send() takes a string or an ArrayBuffer, got ${kindOf(data)}`);
  if (options === undefined) return false;
  const o = options as Record<string, unknown>;
  if (!isObject(o) || Object.keys(o).some((k) => k !== 'queue') || (o.queue !== undefined && typeof o.queue !== 'boolean')) {
    throw typeError('send() options must be like { queue: false }');
  }
  return o.queue === false;
}
