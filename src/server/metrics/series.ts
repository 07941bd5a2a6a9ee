/**
 * The session server's Prometheus series, as data: names (`wxsm_` prefix), types, help texts,
 * labels and buckets. The server (prometheus.ts), the dev server's dashboard and docs/metrics.md
 * all read them from here. Labels stay low-cardinality: never a session id or a user.
 */

export type SeriesType = 'counter' | 'gauge' | 'histogram';

export interface SeriesSpec {
  readonly name: string;
  readonly type: SeriesType;
  readonly help: string;
  readonly labels: readonly string[];
  /** Histograms: upper bounds in seconds. */
  readonly buckets?: readonly number[];
}

const spec = (name: string, type: SeriesType, help: string, labels: readonly string[] = [], buckets?: readonly number[]): SeriesSpec =>
  buckets ? { name, type, help, labels, buckets } : { name, type, help, labels };

/** From send() to the client's ack: a link's round trip plus the client's ack delay, or a whole outage. */
export const ACK_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120] as const;
/** One store call: microseconds in memory, a round trip to Redis. */
export const STORE_BUCKETS = [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1] as const;

export const SERIES = {
  linksOpen: spec('wxsm_links_open', 'gauge', 'WebSocket links attached to the session server on this node, before and after hello'),
  linksOpened: spec('wxsm_links_opened_total', 'counter', 'WebSocket links attached to the session server on this node'),
  sessions: spec('wxsm_sessions', 'gauge', 'Sessions with a live link on this node'),
  sessionsStarted: spec('wxsm_sessions_started_total', 'counter', 'New sessions this node created (a hello without a session, or one that could not resume)'),
  usersOnline: spec('wxsm_users_online', 'gauge', 'Distinct users with a live session link on this node'),
  messages: spec('wxsm_messages_total', 'counter', 'Session messages: in = client messages handed to the app, each once; out = server messages written to a link the first time', ['direction']),
  resends: spec('wxsm_resends_total', 'counter', 'Session messages seen again: in = client messages that arrived again (dropped, acknowledged again); out = server messages written again on a later link', ['direction']),
  unacked: spec('wxsm_sends_unacked', 'gauge', 'send() calls on this node waiting for the client\'s ack'),
  ackLatency: spec('wxsm_ack_latency_seconds', 'histogram', 'From send() to the client\'s ack (what the send() promise waits)', [], ACK_BUCKETS),
  resumes: spec('wxsm_resumes_total', 'counter', 'Hellos naming a session: resumed="true" (reason="none"), or resumed="false" with the welcome\'s reason (the client resyncs)', ['resumed', 'reason']),
  takeovers: spec('wxsm_takeovers_total', 'counter', 'Links closed 4409 because a newer link took their session over'),
  overflows: spec('wxsm_overflows_total', 'counter', 'send() calls rejected OVERFLOW (maxBuffered or maxBufferedBytes unacknowledged)'),
  closes: spec('wxsm_closes_total', 'counter', 'Links ended, by close code (1006: no close frame); 3xxx and 4xxx group codes the protocol does not name', ['code']),
  storeSeconds: spec('wxsm_store_seconds', 'histogram', 'Session store calls, by operation (stores that do I/O: redisStore or your own; memoryStore is not timed)', ['op'], STORE_BUCKETS),
  storeErrors: spec('wxsm_store_errors_total', 'counter', 'Session store calls that failed, by operation (as wxsm_store_seconds)', ['op']),
  bufferedBytes: spec('wxsm_link_buffered_bytes', 'gauge', 'Bytes queued to links on this node: written by the server, not yet taken by the network'),
} as const;

export type SeriesKey = keyof typeof SERIES;

/** Reasons a hello that names a session may get instead of its session (PROTOCOL.md). */
export const RESUME_FAILURES = ['unknown', 'expired', 'forbidden', 'overflow'] as const;

/** Close codes kept as themselves; other codes fall into "3xxx", "4xxx" or "other". */
const NAMED_CODES = new Set([1000, 1001, 1002, 1003, 1005, 1006, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 1015, 4400, 4401, 4409, 4429]);

/** A close code as the `code` label: bounded to a few dozen values whatever clients send. Pure. */
export function closeCodeLabel(code: number): string {
  if (NAMED_CODES.has(code)) return String(code);
  if (code >= 3000 && code <= 3999) return '3xxx';
  if (code >= 4000 && code <= 4999) return '4xxx';
  return 'other';
}
