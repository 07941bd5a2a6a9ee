/**
 * The protocol for one link (PROTOCOL.md, server side), knowing nothing of `ws`: text frames
 * in, frames and closes out through a `Transport` (the outbox bounds what is written), state
 * through the `SessionStore`. Frames of one link are handled strictly in order even though
 * store calls are async.
 */
import {
  ACK_EVERY, CLOSE_PROTOCOL, CLOSE_SERVER_ERROR, CLOSE_SERVICE_RESTART, CLOSE_TAKEN_OVER, CLOSE_TOO_MANY_SESSIONS, CLOSE_TRY_AGAIN_LATER,
  HEARTBEAT_PING, HEARTBEAT_PONG, classify, decodePayload, encodeAck, encodeError, encodeWelcome, parseFrameFast,
} from '../protocol';
import type { HelloFrame, MsgFrame } from '../protocol';
import { catchUp, greet, replace } from './handshake';
import type { ServerObserver } from './metrics/observer';
import type { Limits } from './options';
import { InboundQueue } from './inbound';
import { Outbox } from './outbox';
import type { OutboxOwner, Transport } from './outbox';
import type { ServerSession, SessionLink } from './server-session';
import { storeFailed } from './store';
import type { Fenced, SessionState, SessionStore, StoredMessage } from './store';

/** What the glue feeds a link: the transport's inbound frames and its end. */
export interface LinkInput {
  /** An inbound text frame. */
  text(data: string): void;
  /** An inbound binary frame (not part of the protocol: 4400). */
  binary(): void;
  /** The transport is gone (closed by either side), with the close code it reported (none: 1006). */
  closed(code?: number): void;
}

/** What a link needs from the server core around it (private to the core). */
export interface LinkHost {
  readonly store: SessionStore;
  readonly node: string;
  readonly limits: Limits;
  readonly observer: ServerObserver;
  /** Whether to answer this `ping` (the dev server's "nopong" fault says no). */
  answerPing(): boolean;
  /** The node's handle on a session, made (and announced) on first use. */
  session(state: SessionState, resumed: boolean): ServerSession;
  acked(id: string, a: number): void;
  online(session: ServerSession, online: boolean): void;
  /** For the server's `error` event. */
  failed(err: unknown): void;
  dropped(link: Link): void;
}

export class Link implements LinkInput, SessionLink, OutboxOwner {
  lastSeen = Date.now();
  private readonly opened = this.lastSeen;
  private state: 'hello' | 'welcoming' | 'open' | 'closed' = 'hello';
  /** The code this server closed the link with (undefined: the peer or the network ended it). */
  private endCode: number | undefined;
  private gone = false;
  private ss: ServerSession | undefined;
  private fence = 0;
  private readonly out: Outbox;
  private readonly inbound: InboundQueue;
  /** Highest client seq recorded in the store: what acks say. */
  private recorded = 0;
  private recording = false;
  private ackSent = 0;
  private ackTimer: ReturnType<typeof setTimeout> | undefined;
  /** Highest server seq the client acknowledged on this link. */
  private clientAck = 0;

  constructor(private readonly host: LinkHost, readonly transport: Transport, readonly user: string) {
    this.out = new Outbox(transport, this, host.limits.maxLinkBuffer, host.limits.idleTimeout);
    this.inbound = new InboundQueue({ handle: (t) => this.handle(t), isClosed: () => this.isClosed(), failed: (err) => this.failed(err) }, transport, host.limits.maxLinkBuffer);
  }

  get store(): SessionStore {
    return this.host.store;
  }

  get claimFence(): number {
    return this.fence;
  }

  // ---- LinkInput ----

  text(text: string): void {
    if (this.state === 'closed') return;
    this.lastSeen = Date.now();
    if (text === HEARTBEAT_PING) return void (this.host.answerPing() && this.out.write(HEARTBEAT_PONG, true));
    if (text === HEARTBEAT_PONG) return;
    this.inbound.push(text);
  }

  binary(): void {
    this.fail('binary frames are not part of the session protocol');
  }

  closed(code?: number): void {
    if (this.gone) return;
    this.gone = true;
    const ss = this.ss;
    this.end();
    this.ss = undefined;
    this.host.dropped(this);
    this.host.observer.linkEnded(this.endCode ?? code ?? 1006);
    if (ss && ss.link === this) {
      ss.setLink(null);
      this.host.online(ss, false);
      this.host.store.release(ss.id, this.fence, this.host.limits.sessionTtl).catch((err) => this.host.failed(storeFailed(err)));
    }
  }

  // ---- SessionLink ----

  close(code: number, reason: string): void {
    if (this.state === 'closed') return;
    this.endCode = code;
    this.end();
    this.transport.close(code, reason);
  }

  idle(): Promise<void> {
    return this.inbound.idle();
  }

  pull(s: number): void {
    this.out.pull(s);
  }

  offer(m: StoredMessage, tail?: string): void {
    this.out.offer(m, tail);
  }

  heard(m: StoredMessage, tail: string): void {
    this.out.heard(m, tail);
  }

  volatile(text: string): boolean {
    return this.state === 'open' && this.out.write(text);
  }

  // ---- OutboxOwner ----

  wrote(s: number): void {
    this.host.observer.serverMessage(this.ss!.wrote(s));
  }

  isOpen(): boolean {
    return this.state === 'open';
  }

  clientAcked(): number {
    return this.clientAck;
  }

  drained(): void {
    if (this.recorded > this.ackSent) this.sendAck();
  }

  /** The peer stopped reading: closed 1013, and gone at once (its session released) — it will not read the close either. */
  stuck(): void {
    this.close(CLOSE_TRY_AGAIN_LATER, 'not reading');
    this.closed();
  }

  failed(err: unknown): void {
    this.broke(storeFailed(err));
  }

  /** The store lost what this link knew (eviction, a flush, a rollback): unless a newer claim won, the session is forgotten and the client resyncs once. */
  lost(why: string): void {
    const ss = this.ss;
    if (this.state === 'closed' || !ss) return;
    void this.host.store.received(ss.id, this.fence, this.recorded).then(
      (verdict) => this.refused(verdict === 'stale' ? 'stale' : 'gone', why),
      (err: unknown) => this.failed(err),
    );
  }

  // ---- for the core's sweep ----

  /** True when the link has not said hello within `helloTimeout`; it is then closed 4400. */
  helloOverdue(now: number): boolean {
    if (this.state !== 'hello' || now - this.opened <= this.host.limits.helloTimeout) return false;
    this.fail(`no hello within ${this.host.limits.helloTimeout} ms`);
    return true;
  }

  // ---- inbound frames, in order ----

  private end(): void {
    this.state = 'closed';
    this.inbound.clear();
    if (this.ackTimer) clearTimeout(this.ackTimer);
    this.ackTimer = undefined;
    this.out.stop();
  }

  /** One frame; a promise when the next frame must wait for it. */
  private handle(text: string): Promise<void> | undefined {
    const f = parseFrameFast(text);
    switch (f.t) {
      case 'msg':
        return this.message(f);
      case 'ack':
        if (this.state !== 'open') return this.fail('ack before welcome');
        if (f.a > this.out.sent) return this.fail(`ack ${f.a} is above what was sent (${this.out.sent})`);
        if (f.a > this.clientAck) {
          this.clientAck = f.a;
          void this.storeAck(f.a);
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

  private message(f: MsgFrame): Promise<void> | undefined {
    const ss = this.ss;
    if (this.state !== 'open' || !ss) return this.fail('msg before welcome');
    // Rooms are server state: a client names none (PROTOCOL.md "Rooms and users").
    if (f.r !== undefined) return this.fail('msg "r" is sent by servers only');
    const verdict = classify(f.s, ss.handled);
    this.host.observer.clientMessage(verdict);
    if (verdict === 'duplicate') return this.scheduleAck();
    if (verdict === 'gap') return this.fail(`gap in "s": expected ${ss.handled + 1}, got ${f.s}`);
    const pending = ss.deliver(decodePayload(f.d, f.b), { seq: f.s, id: f.id });
    if (!pending) return void this.taken(ss, f.s);
    return pending.then(
      () => this.taken(ss, f.s),
      (err: unknown) => this.broke(err, 'message handler failed'),
    );
  }

  // ---- the handshake ----

  private async hello(f: HelloFrame): Promise<void> {
    const { store, node, limits } = this.host;
    const greeting = await greet(store, f, this.user, node, limits.sessionTtl, limits.maxSessionsPerUser);
    if (!greeting.ok) return this.refuse(CLOSE_TOO_MANY_SESSIONS, 'too many sessions', `this user has ${limits.maxSessionsPerUser} sessions, each with a live link (maxSessionsPerUser)`);
    const { session: state, reason } = greeting;
    this.fence = state.fence;
    if (this.state === 'closed') return store.release(state.id, state.fence, limits.sessionTtl);
    const ss = this.host.session(state, !reason);
    if (!(await replace(ss, this, limits.handoverTimeout))) return this.close(CLOSE_TAKEN_OVER, 'session taken over');
    if (!reason) {
      const verdict = await catchUp(store, ss, state, f.rx);
      if (verdict !== 'ok') return void this.refused(verdict, 'resuming');
      if (f.rx > state.acked) this.host.acked(state.id, f.rx);
    }
    // (a method call: the awaits above may have closed the link)
    if (this.isClosed()) return store.release(state.id, this.fence, limits.sessionTtl);
    this.ss = ss;
    this.recorded = this.ackSent = ss.handled; // the welcome's rx acknowledges as much
    this.clientAck = reason ? 0 : f.rx;
    ss.setLink(this);
    this.state = 'open';
    this.host.observer.welcomed(reason);
    const welcomed = this.out.write(encodeWelcome(state.id, !reason, ss.handled, limits.sessionTtl, reason));
    this.host.online(ss, true);
    if (!welcomed) return this.stuck();
    this.out.start(state.id, this.clientAck, state.seq);
  }

  // ---- recording client messages, acknowledging server ones ----

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
        const verdict = await this.host.store.received(ss.id, this.fence, upTo);
        if (verdict !== 'ok') return void this.refused(verdict, 'recording');
        this.recorded = upTo;
        this.scheduleAck();
      }
    } catch (err) {
      this.failed(err);
    } finally {
      this.recording = false;
    }
  }

  /**
   * The store forgets what the client acknowledged (a lower ack answered late is a no-op), then
   * the sends resolve: a send made the moment they do finds their room free in the buffer, and
   * never overflows because the store had not heard of the ack yet.
   */
  private async storeAck(a: number): Promise<void> {
    const id = this.ss!.id;
    try {
      const verdict = await this.host.store.ack(id, this.fence, a);
      if (verdict === 'ok') this.host.acked(id, a);
      else this.refused(verdict, `acknowledging ${a}`);
    } catch (err) {
      this.failed(err);
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
    } else if (!this.ackTimer) {
      this.ackTimer = setTimeout(() => {
        this.ackTimer = undefined;
        if (this.state === 'open') this.sendAck();
      }, this.host.limits.ackDelay);
    }
    return undefined;
  }

  private sendAck(): void {
    if (this.out.write(encodeAck(this.recorded))) this.ackSent = this.recorded;
  }

  // ---- endings ----

  private isClosed(): boolean {
    return this.state === 'closed';
  }

  /** A write the store refused: a newer claim won (4409), or the store lost the session (forgotten; 1012). */
  private refused(verdict: Exclude<Fenced, 'ok'>, what: string): false {
    const ss = this.ss;
    if (verdict === 'stale') this.close(CLOSE_TAKEN_OVER, 'session taken over');
    else if (this.state !== 'closed') {
      if (ss) this.host.store.release(ss.id, this.fence, 0).catch((err) => this.host.failed(storeFailed(err)));
      this.host.failed(storeFailed(new Error(`the store lost session ${ss ? ss.id : ''} while linked (${what})`)));
      this.close(CLOSE_SERVICE_RESTART, 'session lost');
    }
    return false;
  }

  /** The server failed (the store, or the app's handler): close 1011; nothing unrecorded was acknowledged, so the client sends it again. */
  private broke(err: unknown, reason = 'server error'): void {
    if (this.state === 'closed') return;
    this.host.failed(err);
    this.close(CLOSE_SERVER_ERROR, reason);
  }

  /** Error frame, then close with `code`. */
  private refuse(code: number, reason: string, message: string): undefined {
    if (this.state === 'closed') return undefined;
    this.out.write(encodeError(code, message));
    this.close(code, reason);
    return undefined;
  }

  /** Error frame, then close 4400. */
  private fail(message: string): undefined {
    return this.refuse(CLOSE_PROTOCOL, 'protocol error', message);
  }
}
