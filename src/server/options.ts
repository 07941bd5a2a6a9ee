/**
 * The session server's options: their defaults (`SESSION_DEFAULTS`) and every check, in one
 * place. The transport-agnostic core (`SessionHub`) resolves its own; `createSessionServer`
 * adds the HTTP ones. A bad option is a `TypeError` naming it.
 */
import type http from 'http';
import { typeError } from '../errors';
import { isRegistry } from './metrics/prometheus';
import type { MetricsRegistry } from './metrics/prometheus';
import { STORE_METHODS } from './store';
import type { SessionStore } from './store';

/** What the core needs: the store, this node's name and the limits of PROTOCOL.md. */
export interface HubOptions {
  /** Where sessions live. @default memoryStore() (closed with the server) */
  store?: SessionStore;
  /** This node's name in a shared store (must differ between nodes). @default random */
  node?: string;
  /** How long a session without a link is kept, in ms. @default 120000 */
  sessionTtl?: number;
  /** Unacknowledged server messages per session; beyond it send() rejects OVERFLOW. @default 1000 */
  maxBuffered?: number;
  /** Unacknowledged payload bytes per session; beyond it send() rejects OVERFLOW. @default 8388608 (8 MiB) */
  maxBufferedBytes?: number;
  /** Sessions one user may hold: one more ends their least recently seen session without a link; all live → close 4429. @default 20 */
  maxSessionsPerUser?: number;
  /** A link silent for longer than this (no frame, not even ping) is closed (1001), in ms. @default 30000 */
  idleTimeout?: number;
  /** A link that has not sent `hello` by then is closed 4400 (`ping` does not count), in ms. @default 10000 */
  helloTimeout?: number;
  /** Longest wait, on a takeover, for the replaced link's running message handler, in ms. @default 30000 */
  handoverTimeout?: number;
  /**
   * Bytes queued to a link (its peer not reading) above which nothing more is written to it,
   * `pong` included; a link stuck there for `idleTimeout` is closed 1013. @default 1048576 (1 MiB)
   */
  maxLinkBuffer?: number;
  /** Rooms one session may be in; one more `join` rejects `LIMIT`. @default 100 */
  maxRoomsPerSession?: number;
  /** Members one room may hold; one more `join` rejects `LIMIT` (each publish costs one append per member). @default 100000 */
  maxMembersPerRoom?: number;
  /** Acks go out within this many ms of recording a message (0: at once). @default 50 */
  ackDelay?: number;
  /** Asked on every `ping`; false withholds the `pong` (the dev server's fault injection). @default always true */
  answerPing?: () => boolean;
  /**
   * A prom-client `Registry` (prom-client is an optional peer dependency): the server's `wxsm_`
   * series are registered there (docs/metrics.md). @default no metrics (nothing is counted)
   */
  metrics?: MetricsRegistry;
}

export interface SessionServerOptions extends HubOptions {
  /** Attach to this HTTP server's upgrades instead of listening on a port. */
  server?: http.Server;
  /** Port to listen on when no `server` is given; 0 picks a free one. @default 0 */
  port?: number;
  /** @default '127.0.0.1' */
  host?: string;
  /** Only upgrades to this path are served (others get 404). @default any path */
  path?: string;
  /** Runs on every upgrade: a user id, or false to refuse with HTTP 401. @default every client is user "anonymous" */
  authenticate?: (request: http.IncomingMessage) => unknown;
  /** Largest inbound frame in bytes; a bigger one closes its link (1009). @default 1048576 */
  maxPayload?: number;
}

export const SESSION_DEFAULTS = Object.freeze({
  host: '127.0.0.1',
  sessionTtl: 120000,
  maxBuffered: 1000,
  maxBufferedBytes: 8 * 1024 * 1024,
  maxSessionsPerUser: 20,
  idleTimeout: 30000,
  helloTimeout: 10000,
  handoverTimeout: 30000,
  maxLinkBuffer: 1024 * 1024,
  maxPayload: 1024 * 1024,
  maxRoomsPerSession: 100,
  maxMembersPerRoom: 100000,
  ackDelay: 50,
});

/** The core's limits, resolved. */
export type Limits = Required<Pick<HubOptions, 'sessionTtl' | 'maxBuffered' | 'maxBufferedBytes' | 'maxSessionsPerUser' | 'idleTimeout' | 'helloTimeout' | 'handoverTimeout' | 'maxLinkBuffer' | 'maxRoomsPerSession' | 'maxMembersPerRoom' | 'ackDelay'>>;

const CORE_KEYS = ['store', 'node', 'sessionTtl', 'maxBuffered', 'maxBufferedBytes', 'maxSessionsPerUser', 'idleTimeout', 'helloTimeout', 'handoverTimeout', 'maxLinkBuffer', 'maxRoomsPerSession', 'maxMembersPerRoom', 'ackDelay', 'answerPing', 'metrics'];
const SERVER_KEYS = CORE_KEYS.concat(['server', 'port', 'host', 'path', 'authenticate', 'maxPayload']);

/** A number > 0 (a whole one when `whole`), or the default when absent. */
function positive(options: object, name: keyof typeof SESSION_DEFAULTS, whole = false): number {
  const value = (options as Record<string, unknown>)[name];
  if (value === undefined) return SESSION_DEFAULTS[name] as number;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || (whole && !Number.isInteger(value))) {
    throw typeError(`option "${name}" must be a ${whole ? 'whole ' : ''}number > 0`);
  }
  return value;
}

function known(options: object, keys: string[]): void {
  if (options === null || typeof options !== 'object') throw typeError('options must be an object');
  for (const key of Object.keys(options)) if (keys.indexOf(key) < 0) throw typeError(`option "${key}" is unknown (known: ${keys.join(', ')})`);
}

function check(ok: boolean, name: string, what: string): void {
  if (!ok) throw typeError(`option "${name}" must be ${what}`);
}

function resolveLimits(options: HubOptions): Limits {
  const ackDelay = options.ackDelay === 0 ? 0 : positive(options, 'ackDelay');
  return {
    sessionTtl: positive(options, 'sessionTtl'),
    maxBuffered: positive(options, 'maxBuffered', true),
    maxBufferedBytes: positive(options, 'maxBufferedBytes', true),
    maxSessionsPerUser: positive(options, 'maxSessionsPerUser', true),
    idleTimeout: positive(options, 'idleTimeout'),
    helloTimeout: positive(options, 'helloTimeout'),
    handoverTimeout: positive(options, 'handoverTimeout'),
    maxLinkBuffer: positive(options, 'maxLinkBuffer', true),
    maxRoomsPerSession: positive(options, 'maxRoomsPerSession', true),
    maxMembersPerRoom: positive(options, 'maxMembersPerRoom', true),
    ackDelay,
  };
}

/** Checks the core's options (unknown keys included) and returns its limits. */
export function checkCoreOptions(options: HubOptions): Limits {
  known(options, CORE_KEYS);
  const { store, node, answerPing } = options;
  check(store === undefined || (typeof store === 'object' && store !== null && STORE_METHODS.every((m) => typeof (store as unknown as Record<string, unknown>)[m] === 'function')), 'store', `a SessionStore (${STORE_METHODS.join(', ')})`);
  check(node === undefined || (typeof node === 'string' && node.length > 0 && !node.includes('|')), 'node', 'a non-empty string without "|"');
  check(answerPing === undefined || typeof answerPing === 'function', 'answerPing', 'a function');
  check(options.metrics === undefined || isRegistry(options.metrics), 'metrics', 'a prom-client Registry (new Registry() or register from "prom-client")');
  return resolveLimits(options);
}

/** Checks `createSessionServer`'s own (HTTP) options and splits off the core's, which the core checks. */
export function checkServerOptions(options: SessionServerOptions): { core: HubOptions; maxPayload: number } {
  known(options, SERVER_KEYS);
  const { server, port, host, path, authenticate, maxPayload: _, ...core } = options;
  check(server === undefined || (typeof server === 'object' && server !== null && typeof server.on === 'function'), 'server', 'an http.Server');
  check(port === undefined || (Number.isInteger(port) && port >= 0 && port <= 65535), 'port', 'a whole number 0..65535');
  check(host === undefined || (typeof host === 'string' && host.length > 0), 'host', 'a non-empty string');
  check(path === undefined || (typeof path === 'string' && path.startsWith('/')), 'path', 'a string starting with "/"');
  check(authenticate === undefined || typeof authenticate === 'function', 'authenticate', 'a function');
  return { core, maxPayload: positive(options, 'maxPayload', true) };
}
