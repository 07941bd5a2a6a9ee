/**
 * One server node's sessions, transport-agnostic: links attach through `attach(transport, user)`;
 * the store's events (doorbell, acks, takeovers, losses) reach the links and pending sends.
 */
import { randomBytes } from 'crypto';
import { Emitter } from '../emitter';
import { SocketError } from '../errors';
import { CLOSE_TAKEN_OVER, encodePayload } from '../protocol';
import { Link } from './link';
import type { LinkHost, Transport } from './link';
import { ServerSession } from './server-session';
import type { SessionState, SessionStore, StoreEvent } from './store';

export interface Presence {
  sessionId: string;
  user: string;
  online: boolean;
  lastSeen: number;
}

export interface SessionServerEvents {
  /** The first time this node serves a session, new or resumed. */
  session: ServerSession;
  presence: Presence;
  /** A message handler or the store failed (the link involved was closed 1011). */
  error: unknown;
}

export interface HubOptions {
  store: SessionStore;
  node: string;
  sessionTtl: number;
  maxBuffered: number;
  idleTimeout: number;
  ackDelay: number;
  /** Asked on every `ping`; false withholds the `pong` (fault injection). @default always true */
  answerPing?: () => boolean;
}

interface Waiter {
  resolve(): void;
  reject(err: Error): void;
}

export class SessionHub implements LinkHost {
  readonly events = new Emitter<SessionServerEvents>();
  readonly store: SessionStore;
  readonly node: string;
  readonly ttl: number;
  readonly ackDelay: number;
  readonly handoverTimeout: number;
  private readonly sessions = new Map<string, ServerSession>();
  private readonly links = new Set<Link>();
  private readonly waiters = new Map<string, Map<number, Waiter>>();
  private readonly idPrefix = randomBytes(6).toString('base64url') + '.';
  private nextId = 0;
  private sweep: ReturnType<typeof setInterval> | undefined;
  private unsubscribe: (() => Promise<void>) | undefined;
  private closed = false;

  constructor(private readonly options: HubOptions) {
    this.store = options.store;
    this.node = options.node;
    this.ttl = options.sessionTtl;
    this.ackDelay = options.ackDelay;
    this.handoverTimeout = options.idleTimeout;
  }

  async start(): Promise<void> {
    this.unsubscribe = await this.store.subscribe(this.node, (e) => this.onStoreEvent(e));
    const every = Math.max(10, Math.min(this.options.idleTimeout, this.ttl) / 4);
    this.sweep = setInterval(() => this.sweepIdle(), every);
    this.sweep.unref();
  }

  attach(transport: Transport, user: string): Link {
    const link = new Link(this, transport, user);
    this.links.add(link);
    return link;
  }

  /** Sends to a session wherever its link is; resolves on the client's ack. Never throws. */
  send = async (id: string, data: unknown): Promise<void> => {
    if (typeof data !== 'string' && !(data instanceof ArrayBuffer) && !ArrayBuffer.isView(data)) {
      throw new TypeError('[wx-socket-manager] send() takes a string, an ArrayBuffer or a typed array/Buffer');
    }
    if (this.closed) throw new SocketError('CLOSED', 'the session server is closed');
    const p = encodePayload(data);
    const m = { id: this.idPrefix + (this.nextId++).toString(36), d: p.d, b: p.b };
    if (!p.b) delete m.b;
    const r = await this.store.append(id, m, this.options.maxBuffered);
    if (!r.ok) {
      throw r.reason === 'overflow'
        ? new SocketError('OVERFLOW', `session has ${this.options.maxBuffered} unacknowledged messages (maxBuffered); its next resume says "overflow"`)
        : new SocketError('CLOSED', 'no such session (unknown or expired)');
    }
    return new Promise<void>((resolve, reject) => {
      let list = this.waiters.get(id);
      if (!list) this.waiters.set(id, (list = new Map()));
      list.set(r.s, { resolve, reject });
      this.sessions.get(id)?.link?.offer({ s: r.s, ...m });
    });
  };

  sessionById(id: string): ServerSession | undefined {
    return this.sessions.get(id);
  }

  /** Sessions this node serves now or served lately. */
  sessionList(): ServerSession[] {
    return [...this.sessions.values()];
  }

  // ---- LinkHost ----

  answerPing(): boolean {
    return this.options.answerPing ? this.options.answerPing() : true;
  }

  session(state: SessionState, resumed: boolean): ServerSession {
    let ss = this.sessions.get(state.id);
    if (!ss) {
      ss = new ServerSession(state.id, state.user, resumed, this.send);
      this.sessions.set(state.id, ss);
      this.events.emit('session', ss);
    }
    return ss;
  }

  acked(id: string, a: number): void {
    const list = this.waiters.get(id);
    if (!list) return;
    for (const [s, w] of list) {
      if (s > a) continue;
      list.delete(s);
      w.resolve();
    }
    if (list.size === 0) this.waiters.delete(id);
  }

  online(ss: ServerSession, online: boolean): void {
    this.events.emit('presence', { sessionId: ss.id, user: ss.user, online, lastSeen: ss.lastSeen });
  }

  failed(err: unknown): void {
    this.events.emit('error', err);
  }

  dropped(link: Link): void {
    this.links.delete(link);
  }

  // ---- store events and time ----

  private onStoreEvent(e: StoreEvent): void {
    switch (e.type) {
      case 'appended':
        this.sessions.get(e.id)?.link?.pull(e.s);
        break;
      case 'acked':
        this.acked(e.id, e.a);
        break;
      case 'taken':
      {
        // Fences, not node names: a late event never closes a link made by a newer claim.
        const link = this.sessions.get(e.id)?.link;
        if (link && link.claimFence < e.fence) link.close(CLOSE_TAKEN_OVER, 'session taken over');
        break;
      }
      case 'lost': {
        this.sessions.get(e.id)?.link?.close(CLOSE_TAKEN_OVER, 'session lost');
        this.sessions.delete(e.id);
        this.rejectAll(e.id, new SocketError('CLOSED', `the session was lost (${e.reason}) before the client acknowledged`));
        break;
      }
    }
  }

  private rejectAll(id: string, err: Error): void {
    const list = this.waiters.get(id);
    this.waiters.delete(id);
    if (list) for (const w of list.values()) w.reject(err);
  }

  private sweepIdle(): void {
    const now = Date.now();
    for (const link of this.links) {
      if (now - link.lastSeen > this.options.idleTimeout) {
        link.close(1001, 'idle timeout');
        link.closed();
      }
    }
    // A session this node no longer serves is forgotten once the store would have expired it.
    for (const [id, ss] of this.sessions) {
      if (!ss.link && now - ss.lastSeen > this.ttl * 2 && !this.waiters.has(id)) this.sessions.delete(id);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.sweep) clearInterval(this.sweep);
    for (const link of [...this.links]) {
      link.close(1001, 'server closing');
      link.closed();
    }
    for (const id of [...this.waiters.keys()]) this.rejectAll(id, new SocketError('CLOSED', 'the session server closed before the client acknowledged'));
    await this.unsubscribe?.();
  }
}
