/**
 * The protocol for one link (PROTOCOL.md, server side), knowing nothing of `ws`: text frames
 * in, frames and closes out through a `Transport`, state through the `SessionStore`.
 * Frames of one link are handled strictly in order even though store calls are async.
 */
import { ACK_EVERY, CLOSE_PROTOCOL, CLOSE_TAKEN_OVER, HEARTBEAT_PING, HEARTBEAT_PONG, classify, decodePayload, encodeAck, encodeError, encodeMsg, encodeWelcome, parseFrame } from '../protocol';
import type { HelloFrame, WelcomeReason } from '../protocol';
import type { ServerSession } from './server-session';
import type { SessionState, SessionStore, StoredMessage } from './store';

/** The socket under a link. */
export interface Transport {
  send(text: string): void;
  close(code: number, reason: string): void;
  /** Stop reading inbound frames (backpressure while the app is slow). */
  pause?(): void;
  resume?(): void;
}

/** What a link needs from the server around it. */
export interface LinkHost {
  readonly store: SessionStore;
  readonly node: string;
  readonly ttl: number;
  readonly ackDelay: number;
  /** Longest wait for a replaced link's running message handler. */
  readonly handoverTimeout: number;
  /** Whether to answer this `ping` (the dev server's "nopong" fault says no). */
  answerPing(): boolean;
  /** The node's handle on a session, made (and announced) on first use. */
  session(state: SessionState, resumed: boolean): ServerSession;
  acked(id: string, a: number): void;
  online(session: ServerSession, online: boolean): void;
  failed(err: unknown): void;
  dropped(link: Link): void;
}

const PAGE = 200;
const HIGH_WATER = 1000;
const LOW_WATER = 100;
const done = Promise.resolve();

export class Link {
  lastSeen = Date.now();
  private state: 'hello' | 'welcoming' | 'open' | 'closed' = 'hello';
  private ss: ServerSession | undefined;
  private fence = 0;
  /** Highest server seq written to this link. */
  private sent = 0;
  /** Highest server seq known to exist (doorbells). */
  private known = 0;
  private pumping = false;
  /** Highest client seq recorded in the store: what acks say. */
  private recorded = 0;
  private recording = false;
  private clientAcked = 0;
  private acking = false;
  private ackTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly queue: string[] = [];
  private paused = false;
  private draining: Promise<void> | undefined;
  private busy = false;

  constructor(private readonly host: LinkHost, private readonly transport: Transport, readonly user: string) {}

  get sessionId(): string | undefined {
    return this.ss?.id;
  }

  /** The fence of the claim this link holds. */
  get claimFence(): number {
    return this.fence;
  }

  /** An inbound text frame. `ping` is answered at once, whatever is queued. */
  text(text: string): void {
    if (this.state === 'closed') return;
    this.lastSeen = Date.now();
    if (text === HEARTBEAT_PING) return this.host.answerPing() ? this.transport.send(HEARTBEAT_PONG) : undefined;
    if (text === HEARTBEAT_PONG) return;
    this.queue.push(text);
    if (this.queue.length > HIGH_WATER && !this.paused && this.transport.pause) {
      this.paused = true;
      this.transport.pause();
    }
    if (this.busy) return;
    const draining = this.drain();
    if (this.busy) this.draining = draining;
  }

  binary(): void {
    if (this.state !== 'closed') this.fail('binary frames are not part of the session protocol');
  }

  /** The transport is gone (closed by either side). */
  closed(): void {
    if (this.state === 'closed' && !this.ss) return;
    const ss = this.ss;
    this.end();
    this.ss = undefined;
    this.host.dropped(this);
    if (ss && ss.link === this) {
      ss.setLink(null);
      this.host.online(ss, false);
      this.host.store.release(ss.id, this.fence, this.host.ttl).catch((err) => this.host.failed(err));
    }
  }

  /** Closes the link (takeover, idle, server shutdown). */
  close(code: number, reason: string): void {
    if (this.state === 'closed') return;
    this.end();
    this.transport.close(code, reason);
  }

  /** Resolves when no frame of this link is being handled. */
  idle(): Promise<void> {
    return this.draining ?? done;
  }

  /** Doorbell: server seq `s` exists; send it (and anything before it) in order. */
  pull(s: number): void {
    if (s > this.known) this.known = s;
    if (this.state === 'open' && !this.pumping && this.sent < this.known) void this.pump();
  }

  /** A message this node just appended: written at once when it is the next one. */
  offer(m: StoredMessage): void {
    if (this.state === 'open' && !this.pumping && m.s === this.sent + 1) {
      this.sent = m.s;
      if (m.s > this.known) this.known = m.s;
      this.transport.send(encodeMsg(m.s, m.id, m.d, m.b));
    } else this.pull(m.s);
  }

  private isClosed(): boolean {
    return this.state === 'closed';
  }

  private end(): void {
    this.state = 'closed';
    this.queue.length = 0;
    if (this.ackTimer) clearTimeout(this.ackTimer);
    this.ackTimer = undefined;
  }

  private async drain(): Promise<void> {
    this.busy = true;
    try {
      while (this.queue.length > 0 && this.state !== 'closed') {
        const pending = this.handle(this.queue.shift()!);
        if (pending) await pending;
        if (this.paused && this.queue.length < LOW_WATER) {
          this.paused = false;
          this.transport.resume?.();
        }
      }
    } catch (err) {
      this.host.failed(err);
      this.close(1011, 'server error');
    } finally {
      this.busy = false;
      this.draining = undefined;
    }
  }

  /** One frame; a promise when the next frame must wait for it. */
  private handle(text: string): Promise<void> | undefined {
    const f = parseFrame(text);
    switch (f.t) {
      case 'msg': {
        const ss = this.ss;
        if (this.state !== 'open' || !ss) return this.fail('msg before welcome');
        const verdict = classify(f.s, ss.handled);
        if (verdict === 'duplicate') return this.scheduleAck();
        if (verdict === 'gap') return this.fail(`gap in "s": expected ${ss.handled + 1}, got ${f.s}`);
        const pending = ss.deliver(decodePayload(f.d, f.b), { seq: f.s, id: f.id });
        if (!pending) {
          this.taken(ss, f.s);
          return undefined;
        }
        return pending.then(
          () => this.taken(ss, f.s),
          (err: unknown) => {
            this.host.failed(err);
            this.close(1011, 'message handler failed');
          },
        );
      }
      case 'ack':
        if (this.state !== 'open') return this.fail('ack before welcome');
        if (f.a > this.sent) return this.fail(`ack ${f.a} is above what was sent (${this.sent})`);
        if (f.a > this.clientAcked) {
          this.clientAcked = f.a;
          if (!this.acking) void this.flushAck();
        }
        return undefined;
      case 'hello':
        if (this.state !== 'hello') return this.fail('hello after hello');
        this.state = 'welcoming';
        return this.hello(f);
      case 'invalid':
        return this.fail(f.message);
      default:
        return this.fail(`"${f.t}" is not sent by clients`);
    }
  }

  private async hello(f: HelloFrame): Promise<void> {
    const { store, node, ttl } = this.host;
    let reason: WelcomeReason | undefined;
    let state: SessionState;
    if (f.sid === null) {
      reason = 'new';
      state = await store.create(this.user, node, ttl);
    } else {
      const claim = await store.claim(f.sid, this.user, node, ttl);
      if (claim.ok && f.rx > claim.session.seq) {
        await store.release(f.sid, claim.session.fence, ttl);
        this.fail(`hello "rx" ${f.rx} is above what was ever sent (${claim.session.seq})`);
        return;
      }
      if (claim.ok && f.rx < claim.session.acked) {
        // The client forgot messages it had acknowledged: replaying cannot close that gap, so announce it.
        await store.release(f.sid, claim.session.fence, 0);
        reason = 'unknown';
      } else if (!claim.ok) reason = claim.reason;
      state = claim.ok && !reason ? claim.session : await store.create(this.user, node, ttl);
    }
    if (this.state === 'closed') {
      await store.release(state.id, state.fence, ttl);
      return;
    }
    this.fence = state.fence;
    const ss = this.host.session(state, !reason);
    const old = ss.link;
    if (old && old !== this) {
      old.close(CLOSE_TAKEN_OVER, 'session taken over');
      // Its running message handler finishes first (bounded: a handler that never settles does not block the session).
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([old.idle(), new Promise((r) => (timer = setTimeout(r, this.host.handoverTimeout)))]);
      clearTimeout(timer);
    }
    if (!reason) {
      // A message a replaced link handed to the app but had not recorded yet is recorded now.
      if (ss.handled < state.rx) ss.handled = state.rx;
      if (ss.handled > state.rx && !(await store.received(state.id, this.fence, ss.handled))) return this.takenOver();
      if (f.rx > state.acked && !(await store.ack(state.id, this.fence, f.rx))) return this.takenOver();
      if (f.rx > state.acked) this.host.acked(state.id, f.rx);
      this.sent = f.rx;
      this.clientAcked = f.rx;
    }
    // (a method call: the awaits above may have closed the link)
    if (this.isClosed()) {
      await store.release(state.id, this.fence, ttl);
      return;
    }
    this.ss = ss;
    this.recorded = ss.handled;
    this.ackSent = ss.handled; // the welcome's rx acknowledges as much
    ss.setLink(this);
    this.transport.send(encodeWelcome(state.id, !reason, ss.handled, ttl, reason));
    this.state = 'open';
    this.host.online(ss, true);
    this.pull(state.seq);
  }

  private async pump(): Promise<void> {
    const id = this.ss!.id;
    this.pumping = true;
    try {
      while (this.state === 'open' && this.sent < this.known) {
        const page = await this.host.store.replay(id, this.sent, PAGE);
        let progressed = false;
        for (const m of page) {
          if (this.state !== 'open') return;
          if (m.s !== this.sent + 1) continue;
          this.sent = m.s;
          progressed = true;
          this.transport.send(encodeMsg(m.s, m.id, m.d, m.b));
        }
        if (!progressed) break;
      }
    } catch (err) {
      this.host.failed(err);
      this.close(1011, 'server error');
    } finally {
      this.pumping = false;
    }
  }

  private taken(ss: ServerSession, s: number): void {
    if (s > ss.handled) ss.handled = s;
    if (!this.recording && this.state === 'open') void this.record();
  }

  private async record(): Promise<void> {
    const ss = this.ss!;
    this.recording = true;
    try {
      while (this.state === 'open' && ss.handled > this.recorded) {
        const upTo = ss.handled;
        if (!(await this.host.store.received(ss.id, this.fence, upTo))) return this.takenOver();
        this.recorded = upTo;
        this.scheduleAck();
      }
    } catch (err) {
      this.host.failed(err);
      this.close(1011, 'server error');
    } finally {
      this.recording = false;
    }
  }

  private async flushAck(): Promise<void> {
    const ss = this.ss!;
    this.acking = true;
    try {
      let a = 0;
      while (this.state === 'open' && this.clientAcked > a) {
        a = this.clientAcked;
        if (!(await this.host.store.ack(ss.id, this.fence, a))) return this.takenOver();
        this.host.acked(ss.id, a);
      }
    } catch (err) {
      this.host.failed(err);
      this.close(1011, 'server error');
    } finally {
      this.acking = false;
    }
  }

  /**
   * Acks go out within ackDelay, and at once every ACK_EVERY recorded messages, so a sender
   * with a bounded window (the client's maxUnacked) is never stalled waiting for the timer.
   */
  private scheduleAck(): undefined {
    if (this.state !== 'open') return undefined;
    if (this.recorded - this.ackSent >= ACK_EVERY) {
      if (this.ackTimer) clearTimeout(this.ackTimer);
      this.ackTimer = undefined;
      this.sendAck();
      return undefined;
    }
    if (this.ackTimer) return undefined;
    this.ackTimer = setTimeout(() => {
      this.ackTimer = undefined;
      if (this.state === 'open') this.sendAck();
    }, this.host.ackDelay);
    return undefined;
  }

  private ackSent = 0;

  private sendAck(): void {
    this.ackSent = this.recorded;
    this.transport.send(encodeAck(this.recorded));
  }

  private takenOver(): void {
    this.close(CLOSE_TAKEN_OVER, 'session taken over');
  }

  /** Error frame, then close 4400. */
  private fail(message: string): undefined {
    if (this.state === 'closed') return undefined;
    this.transport.send(encodeError(CLOSE_PROTOCOL, message));
    this.close(CLOSE_PROTOCOL, 'protocol error');
    return undefined;
  }
}
