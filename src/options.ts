/** Defaults and validation: every bad option is a TypeError naming it. */
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
  reconnect: Object.freeze({ maxAttempts: 12, interval: 5000, factor: 1, maxInterval: 30000, jitter: 0 }),
  heartbeat: Object.freeze({ interval: 10000, timeout: 10000, ping: 'ping', pong: 'pong' }),
  queue: Object.freeze({ max: 100 }),
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

export function resolveOptions(options: WxSocketOptions, globalWx: WxLike | undefined): ResolvedOptions {
  if (!isObject(options)) throw typeError('options must be an object like { url: "wss://…" }');
  checkKeys(options, OPTION_KEYS, '');

  const { url } = options;
  if (typeof url === 'string') checkUrl(url, 'option "url"');
  else if (typeof url !== 'function') throw typeError('option "url" is required: a ws:// or wss:// string, or a function returning one');

  const header = options.header;
  if (header !== undefined && typeof header !== 'function') checkHeader(header, 'option "header"');

  const protocols = options.protocols;
  if (protocols !== undefined && (!Array.isArray(protocols) || !protocols.every((p) => typeof p === 'string' && p !== ''))) {
    throw typeError('option "protocols" must be an array of non-empty strings');
  }

  const wx = options.wx === undefined ? globalWx : options.wx;
  if (wx !== undefined && !isObject(wx)) throw typeError('option "wx" must be an object like the wx global');
  const connectSocket = options.connectSocket ?? wx?.connectSocket;
  if (typeof connectSocket !== 'function') {
    throw typeError(options.connectSocket === undefined
      ? 'no connectSocket: there is no wx global here, so pass option "connectSocket" (e.g. createWsConnectSocket() from wx-socket-manager/node)'
      : 'option "connectSocket" must be a function like wx.connectSocket');
  }

  return {
    url,
    header,
    protocols,
    connectTimeout: time(options.connectTimeout, DEFAULTS.connectTimeout, 'connectTimeout'),
    reconnect: resolveReconnect(options.reconnect),
    heartbeat: resolveHeartbeat(options.heartbeat),
    queue: resolveQueue(options.queue),
    shouldReconnect: optionalFunction(options.shouldReconnect, 'shouldReconnect'),
    watchNetwork: flag(options.watchNetwork, DEFAULTS.watchNetwork, 'watchNetwork'),
    watchApp: flag(options.watchApp, DEFAULTS.watchApp, 'watchApp'),
    connectSocket,
    wx,
  };
}

function resolveReconnect(value: WxSocketOptions['reconnect']): ReconnectOptions | false {
  const given = section(value, 'reconnect', ['maxAttempts', 'interval', 'factor', 'maxInterval', 'jitter']);
  if (!given) return false;
  const d = DEFAULTS.reconnect;
  const maxAttempts = given.maxAttempts ?? d.maxAttempts;
  if (typeof maxAttempts !== 'number' || !Number.isInteger(maxAttempts) || maxAttempts < 0) {
    throw typeError('option "reconnect.maxAttempts" must be a non-negative integer');
  }
  const interval = time(given.interval, d.interval, 'reconnect.interval');
  const factor = given.factor ?? d.factor;
  if (typeof factor !== 'number' || !Number.isFinite(factor) || factor < 1) {
    throw typeError('option "reconnect.factor" must be a finite number ≥ 1');
  }
  const maxInterval = time(given.maxInterval, Math.max(d.maxInterval, interval), 'reconnect.maxInterval');
  const jitter = given.jitter ?? d.jitter;
  if (typeof jitter !== 'number' || !(jitter >= 0 && jitter <= 1)) {
    throw typeError('option "reconnect.jitter" must be a number from 0 to 1');
  }
  return { maxAttempts, interval, factor, maxInterval, jitter };
}

function resolveHeartbeat(value: WxSocketOptions['heartbeat']): HeartbeatOptions | false {
  const given = section(value, 'heartbeat', ['interval', 'timeout', 'ping', 'pong']);
  if (!given) return false;
  const d = DEFAULTS.heartbeat;
  return {
    interval: time(given.interval, d.interval, 'heartbeat.interval'),
    timeout: time(given.timeout, d.timeout, 'heartbeat.timeout'),
    ping: text(given.ping, d.ping, 'heartbeat.ping'),
    pong: text(given.pong, d.pong, 'heartbeat.pong'),
  };
}

function resolveQueue(value: WxSocketOptions['queue']): QueueOptions | false {
  const given = section(value, 'queue', ['max']);
  if (!given) return false;
  const max = given.max ?? DEFAULTS.queue.max;
  if (typeof max !== 'number' || !Number.isInteger(max) || max < 1) {
    throw typeError('option "queue.max" must be an integer ≥ 1');
  }
  return { max };
}

/** `false` → off; `undefined`/`true` → defaults; an object → its keys checked. */
function section<T extends object>(value: boolean | Partial<T> | undefined, name: string, keys: string[]): Partial<T> | false {
  if (value === false) return false;
  if (value === undefined || value === true) return {};
  if (!isObject(value)) throw typeError(`option "${name}" must be false, true or an object`);
  checkKeys(value, keys, `${name}.`);
  return value;
}

function time(value: unknown, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw typeError(`option "${name}" must be a finite number of ms > 0`);
  }
  return value;
}

function text(value: unknown, fallback: string, name: string): string {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || value === '') throw typeError(`option "${name}" must be a non-empty string`);
  return value;
}

function flag(value: unknown, fallback: boolean, name: string): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw typeError(`option "${name}" must be true or false`);
  return value;
}

function optionalFunction<F>(value: F | undefined, name: string): F | undefined {
  if (value !== undefined && typeof value !== 'function') throw typeError(`option "${name}" must be a function`);
  return value;
}

function checkKeys(value: object, known: string[], prefix: string): void {
  for (const key of Object.keys(value)) {
    if (known.indexOf(key) < 0) throw typeError(`option "${prefix}${key}" is unknown (known: ${known.join(', ')})`);
  }
}

/** Throws naming `what` unless `url` is a ws:// or wss:// URL. Never echoes the URL: it may hold a token. */
export function checkUrl(url: unknown, what: string): asserts url is string {
  if (typeof url !== 'string' || url === '') throw typeError(`${what} must be a non-empty ws:// or wss:// URL`);
  if (!/^wss?:\/\/[^/?#\s]/i.test(url)) throw typeError(`${what} must start with ws:// or wss:// and name a host`);
}

export function checkHeader(header: unknown, what: string): asserts header is Record<string, string> {
  if (!isObject(header)) throw typeError(`${what} must be an object of strings`);
  for (const key of Object.keys(header)) {
    if (typeof (header as Record<string, unknown>)[key] !== 'string') {
      throw typeError(`${what} value for "${key}" must be a string`);
    }
  }
}

function isObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
