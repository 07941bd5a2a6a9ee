/**
 * One timer per open link. Inbound frames only stamp `lastReceived`; the timer
 * compares against it, so the receive path re-arms nothing.
 */
import type { HeartbeatOptions } from './types';

export interface HeartbeatHooks {
  /** Send the ping frame now. */
  ping(text: string): void;
  /** Nothing arrived within `timeout` after a ping. */
  dead(): void;
  /** A pong answered the ping after `rtt` ms. */
  pong(rtt: number): void;
}

export class Heartbeat {
  private lastReceived = 0;
  /** ms of the last ping → inbound frame round trip. */
  rtt: number | undefined;
  private pingSentAt: number | undefined;
  /** Any frame since the last ping (a flag, not a timestamp: both can share a millisecond). */
  private heard = true;
  private awaitingPong = false;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly options: HeartbeatOptions, private readonly hooks: HeartbeatHooks) {}

  get running(): boolean {
    return this.timer !== undefined;
  }

  /** The link opened: judge silence from now on. */
  start(): void {
    this.lastReceived = Date.now();
    this.pingSentAt = undefined;
    this.heard = true;
    this.arm(this.options.interval);
  }

  /** Check the link at once (app shown, network back). */
  probe(): void {
    this.sendPing(Date.now());
  }

  /** Any inbound frame: proof of life. Returns true when the frame is the pong (not to be delivered). */
  received(data: unknown): boolean {
    const now = Date.now();
    this.lastReceived = now;
    this.heard = true;
    if (data !== this.options.pong) return false;
    if (this.awaitingPong && this.pingSentAt !== undefined) {
      this.rtt = now - this.pingSentAt;
      this.awaitingPong = false;
      this.hooks.pong(this.rtt);
    }
    return true;
  }

  stop(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.pingSentAt = undefined;
    this.awaitingPong = false;
  }

  private readonly tick = (): void => {
    this.timer = undefined;
    const now = Date.now();
    const { interval, timeout } = this.options;
    if (this.pingSentAt !== undefined && !this.heard) {
      const left = this.pingSentAt + timeout - now;
      // Wake at least every `interval`: a frame may have come, and the next ping is due
      // `interval` after it, however long `timeout` is.
      if (left > 0) return this.arm(Math.min(left, interval));
      this.pingSentAt = undefined;
      return this.hooks.dead();
    }
    this.pingSentAt = undefined;
    const silent = now - this.lastReceived;
    if (silent >= interval) this.sendPing(now);
    else this.arm(interval - silent);
  };

  private sendPing(now: number): void {
    this.pingSentAt = now;
    this.heard = false;
    this.awaitingPong = true;
    this.arm(Math.min(this.options.timeout, this.options.interval));
    this.hooks.ping(this.options.ping);
  }

  private arm(ms: number): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = setTimeout(this.tick, ms);
  }
}
