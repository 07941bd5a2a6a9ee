/** Decisions: no timers, no state, no platform (pure but for the app's own shouldReconnect). */
import { PREFIX } from './errors';
import type { CloseInfo, ReconnectOptions } from './types';

/**
 * Delay before reconnect attempt `attempt` (1-based): `interval·factor^(attempt-1)` spread
 * by ±jitter, then capped at `maxInterval` (so no delay ever exceeds it).
 * `random` returns [0, 1); injectable so jitter is testable.
 */
export function reconnectDelay(
  attempt: number,
  policy: Pick<ReconnectOptions, 'interval' | 'factor' | 'maxInterval' | 'jitter'>,
  random: () => number = Math.random,
): number {
  const raw = policy.interval * Math.pow(policy.factor, attempt - 1);
  if (policy.jitter === 0) return Math.min(raw, policy.maxInterval);
  return Math.min(policy.maxInterval, Math.max(0, Math.round(raw * (1 + policy.jitter * (2 * random() - 1)))));
}

/**
 * What a lost link (or a failed attempt) leads to: the next state and, when that is `failed`
 * after attempts, the count `reconnect-failed` reports. `wanted`: shouldReconnect said yes.
 * Offline, nothing is spent: the manager waits in `reconnecting` for the network.
 */
export function afterLoss(
  fatal: boolean,
  wanted: boolean,
  policy: Pick<ReconnectOptions, 'maxAttempts'> | false,
  online: boolean,
  attempt: number,
): [next: 'reconnecting' | 'closed' | 'failed', gaveUp?: number] {
  if (fatal) return ['failed'];
  if (!wanted) return ['closed'];
  if (!policy || policy.maxAttempts === 0) return ['failed', 0];
  if (online && attempt >= policy.maxAttempts) return ['failed', attempt];
  return ['reconnecting'];
}

/** The app's `shouldReconnect` asked about a lost link; missing, or throwing (reported), it says yes. */
export function askShouldReconnect(ask: ((close: CloseInfo) => boolean) | undefined, code: number, reason: string): boolean {
  if (!ask) return true;
  try {
    return ask({ code, reason }) !== false;
  } catch (err) {
    console.error(PREFIX, 'shouldReconnect threw', err);
    return true;
  }
}

/** A connect failure that no retry can cure: the domain is not in the mini-program's allowed list. */
export function isFatalConnectError(errMsg: string | undefined): boolean {
  return errMsg !== undefined && /domain list|合法域名/i.test(errMsg);
}

/** Close codes a client may send (RFC 6455 as enforced by wx). */
export function isValidCloseCode(code: number): boolean {
  return code === 1000 || (Number.isInteger(code) && code >= 3000 && code <= 4999);
}

/** Byte length of `text` in UTF-8 (close reasons are limited to 123 bytes). */
export function utf8Length(text: string): number {
  try {
    return encodeURIComponent(text).replace(/%../g, '_').length;
  } catch {
    // A lone surrogate (URIError): the platform sends it as U+FFFD, 3 bytes; count every unit so.
    return text.length * 3;
  }
}
