/**
 * One timer per open link. Inbound frames only stamp `lastReceived`; the timer
 * compares against it, so the receive path re-arms nothing.
 */
import type { HeartbeatOptions } from './types';

export interface HeartbeatHooks {
  /** Send the ping frame now. */
  _ping(text: string): void;
  /** Nothing arrived within `timeout` after a ping. */
  _dead(): void;
  /** A pong answered the ping after `rtt` ms. */
  _pong(rtt: number): void;
}

export class Heartbeat {
  private _lastReceived = 0;
  /** ms of the last ping → inbound frame round trip. */
  _rtt: number | undefined;
  private _pingSentAt: number | undefined;
  /** Any frame since the last ping (a flag, not a timestamp: both can share a millisecond). */
  private _heard = true;
  private _awaitingPong = false;
  private _timer: ReturnType<typeof setTimeout> | undefined;

  // Plain fields, not parameter properties: the minifier renames `_` members consistently only so.
  private readonly _options: HeartbeatOptions;
  private readonly _hooks: HeartbeatHooks;

  constructor(options: HeartbeatOptions, hooks: HeartbeatHooks) {
    this._options = options;
    this._hooks = hooks;
  }

  get _running(): boolean {
    return this._timer !== undefined;
  }

  /** The link opened: judge silence from now on. */
  _start(): void {
    this._lastReceived = Date.now();
    this._pingSentAt = undefined;
    this._heard = true;
    this._arm(this._options.interval);
  }

  /** Check the link at once (app shown, network back). */
  _probe(): void {
    this._sendPing(Date.now());
  }

  /** Any inbound frame: proof of life. Returns true when the frame is the pong (not to be delivered). */
  _received(data: unknown): boolean {
    const now = Date.now();
    this._lastReceived = now;
    this._heard = true;
    if (data !== this._options.pong) return false;
    if (this._awaitingPong && this._pingSentAt !== undefined) {
      this._rtt = now - this._pingSentAt;
      this._awaitingPong = false;
      this._hooks._pong(this._rtt);
    }
    return true;
  }

  _stop(): void {
    if (this._timer !== undefined) clearTimeout(this._timer);
    this._timer = undefined;
    this._pingSentAt = undefined;
    this._awaitingPong = false;
  }

  private readonly _tick = (): void => {
    this._timer = undefined;
    const now = Date.now();
    const { interval, timeout } = this._options;
    if (this._pingSentAt !== undefined && !this._heard) {
      const left = this._pingSentAt + timeout - now;
      // Wake at least every `interval`: a frame may have come, and the next ping is due
      // `interval` after it, however long `timeout` is.
      if (left > 0) return this._arm(Math.min(left, interval));
      this._pingSentAt = undefined;
      return this._hooks._dead();
    }
    this._pingSentAt = undefined;
    const silent = now - this._lastReceived;
    if (silent >= interval) this._sendPing(now);
    else this._arm(interval - silent);
  };

  private _sendPing(now: number): void {
    this._pingSentAt = now;
    this._heard = false;
    this._awaitingPong = true;
    this._arm(Math.min(this._options.timeout, this._options.interval));
    this._hooks._ping(this._options.ping);
  }

  private _arm(ms: number): void {
    if (this._timer !== undefined) clearTimeout(this._timer);
    this._timer = setTimeout(this._tick, ms);
  }
}
