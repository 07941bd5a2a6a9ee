/**
 * The session server's core, transport-agnostic (graphql-ws's `makeServer` is the model): it
 * owns its defaults and validation (options.ts); a transport glue (`bindWs` in ws.ts, or your
 * own) attaches each socket with `attach(transport, user)` and feeds it frames. The store's
 * events (doorbells, acks, takeovers, losses, trouble) reach the links and pending sends here.
 * The callbacks links need form a private host object, not public methods.
 */
import { randomBytes } from 'crypto';
import { Emitter } from '../emitter';
import { SocketError } from '../errors';
import { CLOSE_SERVICE_RESTART, CLOSE_TAKEN_OVER } from '../protocol';
import { payloadArg } from './args';
import { Link } from './link';
import type { LinkHost, LinkInput } from './link';
import { memoryStore } from './memory-store';
import { NO_OBSERVER } from './metrics/observer';
import type { HubGauges, ServerObserver } from './metrics/observer';
import { prometheusObserver } from './metrics/prometheus';
import { checkCoreOptions } from './options';
import type { HubOptions, Limits } from './options';
import type { Transport } from './outbox';
import { PendingSends } from './pending';
import type { Waiter } from './pending';
import { Rooms } from './rooms';
import type { Fanout, PublishOptions, RoomMember } from './rooms';
import { ServerSession } from './server-session';
import type { SessionOps } from './server-session';
import { storeFailed } from './store';
import type { Appended, BufferLimit, NewMessage, SessionState, SessionStore, StoreEvent } from './store';

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
  /**
   * A message handler failed (its link was closed 1011), or the store did: its errors arrive as
   * `SocketError` `STORE_FAILED` with the store's text in `errMsg`, and trouble it found on its
   * own (e.g. Redis's `maxmemory-policy`) as it reported it.
   */
  error: unknown;
}

type Listener<K extends keyof SessionServerEvents> = (payload: SessionServerEvents[K]) => void;

const yes = (): boolean => true;

export class SessionHub {
  readonly node: string;
  readonly limits: Limits;
  /** What one session may hold unacknowledged, as every append says it. */
  private readonly bufferLimit: BufferLimit;
  private readonly store: SessionStore;
  private readonly ownStore: boolean;
  private readonly events = new Emitter<SessionServerEvents>();
  private readonly sessions = new Map<string, ServerSession>();
  private readonly links = new Set<Link>();
  private readonly observer: ServerObserver;
  private readonly pending: PendingSends;
  private readonly host: LinkHost;
  private readonly roomsApi: Rooms;
  private readonly ops: SessionOps;
  private readonly idPrefix = randomBytes(6).toString('base64url') + '.';
  private nextId = 0;
  private sweep: ReturnType<typeof setInterval> | undefined;
  private unsubscribe: (() => Promise<void>) | undefined;
  private unwatch: (() => void) | undefined;
  private closed = false;

  constructor(options: HubOptions = {}) {
    this.limits = checkCoreOptions(options);
    this.bufferLimit = { messages: this.limits.maxBuffered, bytes: this.limits.maxBufferedBytes };
    this.ownStore = !options.store;
    this.observer = options.metrics ? prometheusObserver(options.metrics) : NO_OBSERVER;
    this.store = this.observer.store(options.store ?? memoryStore());
    this.pending = new PendingSends(this.observer);
    this.node = options.node ?? randomBytes(6).toString('base64url');
    this.host = {
      store: this.store,
      node: this.node,
      limits: this.limits,
      observer: this.observer,
      answerPing: options.answerPing ?? yes,
      session: (state, resumed) => this.serve(state, resumed),
      acked: (id, a) => this.pending.acked(id, a),
      online: (ss, online) => this.events.emit('presence', { sessionId: ss.id, user: ss.user, online, lastSeen: ss.lastSeen }),
      failed: (err) => this.report(err),
      dropped: (link) => void this.links.delete(link),
    };
    this.roomsApi = new Rooms({
      store: this.store,
      limits: this.limits,
      node: this.node,
      session: (id) => this.sessions.get(id),
      messageId: () => this.messageId(),
      ensureOpen: () => this.ensureOpen(),
      overflowed: () => this.observer.overflow(),
    });
    this.ops = { send: this.send, join: this.join, leave: this.leave, rooms: this.rooms };
  }

  on<K extends keyof SessionServerEvents>(event: K, listener: Listener<K>): () => void {
    return this.events.on(event, listener);
  }

  off<K extends keyof SessionServerEvents>(event: K, listener: Listener<K>): void {
    this.events.off(event, listener);
  }

  /** Reports a failure of the glue around the core (e.g. `authenticate` threw) on the `error` event. */
  report(err: unknown): void {
    this.events.emit('error', err);
  }

  /** Listens to the store; links may attach before it resolves. */
  async start(): Promise<void> {
    this.unsubscribe = await this.store.subscribe(this.node, (e) => this.onStoreEvent(e));
    this.unwatch = this.observer.watch(this.gauges());
    const { idleTimeout, helloTimeout, sessionTtl } = this.limits;
    this.sweep = setInterval(() => this.sweepLinks(), Math.max(10, Math.min(idleTimeout, helloTimeout, sessionTtl) / 4));
    this.sweep.unref();
  }

  /** A new link over `transport` for `user` (`String(user)` from authenticate): feed it the transport's frames and end. */
  attach(transport: Transport, user: string): LinkInput {
    const link = new Link(this.host, transport, user);
    this.links.add(link);
    this.observer.linkOpened();
    return link;
  }

  /** Sends to a session wherever its link is; resolves on the client's ack. Never throws. */
  send = (id: string, data: unknown): Promise<void> => new Promise<void>((resolve, reject) => {
    const p = payloadArg('send', data);
    this.ensureOpen();
    const mid = this.messageId();
    const m: NewMessage = p.b ? { id: mid, d: p.d, b: p.b } : { id: mid, d: p.d };
    const waiter: Waiter = { resolve, reject, since: this.pending.now() };
    this.store.append(id, m, this.bufferLimit).then((r) => this.appended(id, m, r, waiter), (err: unknown) => reject(storeFailed(err)));
  });

  /** A send's append answered: it waits for the ack and is offered to the link here, or it fails. */
  private appended(id: string, m: NewMessage, r: Appended, waiter: Waiter): void {
    const link = this.sessions.get(id)?.link;
    if (r.ok) {
      this.pending.add(id, r.s, waiter);
      link?.offer(m.b ? { s: r.s, id: m.id, d: m.d, b: m.b } : { s: r.s, id: m.id, d: m.d });
      return;
    }
    if (r.reason === 'overflow') {
      this.observer.overflow();
      const { maxBuffered, maxBufferedBytes } = this.limits;
      return waiter.reject(new SocketError('OVERFLOW', `session has ${maxBuffered} messages or ${maxBufferedBytes} bytes unacknowledged (maxBuffered, maxBufferedBytes); its next resume says "overflow"`));
    }
    // Linked here, yet the store no longer holds it: store trouble, never a takeover.
    link?.close(CLOSE_SERVICE_RESTART, 'session lost');
    waiter.reject(new SocketError('CLOSED', 'no such session (unknown or expired)'));
  }

  // ---- rooms and users (rooms.ts): every one works on any node, through the store ----

  /** Session `sessionId` joins `room` until it leaves or ends; rejects `CLOSED` (no such session) or `LIMIT`. */
  join = (sessionId: string, room: string): Promise<void> => this.roomsApi.join(sessionId, room);
  leave = (sessionId: string, room: string): Promise<void> => this.roomsApi.leave(sessionId, room);
  /** The rooms a session is in; rejects `CLOSED` when it is unknown or expired. */
  rooms = (sessionId: string): Promise<string[]> => this.roomsApi.rooms(sessionId);
  /** Recorded in every member's stream (`{ sessions: n }`: recorded for n); volatile: written to the n member links up now. */
  publish = (room: string, data: string | ArrayBuffer | ArrayBufferView, options?: PublishOptions): Promise<Fanout> => this.roomsApi.publish(room, data, options);
  /** Recorded in the stream of every session of `user` (their `meta.room` is `'user'`). */
  sendToUser = (user: string, data: string | ArrayBuffer | ArrayBufferView, options?: Pick<PublishOptions, 'id'>): Promise<Fanout> => this.roomsApi.sendToUser(user, data, options);
  members = (room: string): Promise<RoomMember[]> => this.roomsApi.members(room);
  /** Whether any session of `user` has a live link, on any node. */
  online = (user: string): Promise<boolean> => this.roomsApi.online(user);

  sessionById(id: string): ServerSession | undefined {
    return this.sessions.get(id);
  }

  /** Sessions this node serves now or served lately. */
  sessionList(): ServerSession[] {
    return [...this.sessions.values()];
  }

  /** Closes every link (1001), rejects unacknowledged sends `CLOSED`, stops listening; a store it made itself is closed too. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.sweep) clearInterval(this.sweep);
    this.unwatch?.();
    for (const link of [...this.links]) {
      link.close(1001, 'server closing');
      link.closed();
    }
    this.pending.closeAll();
    await this.unsubscribe?.();
    if (this.ownStore) await this.store.close();
  }

  // ---- inside ----

  /** What metrics read of this core when scraped. */
  private gauges(): HubGauges {
    const live = (): ServerSession[] => [...this.sessions.values()].filter((ss) => ss.link !== null);
    return {
      links: () => this.links.size,
      sessions: () => live().length,
      users: (into) => live().forEach((ss) => into.add(ss.user)),
      bufferedBytes: () => [...this.links].reduce((sum, link) => sum + link.transport.buffered(), 0),
      unacked: () => this.pending.size,
    };
  }

  private serve(state: SessionState, resumed: boolean): ServerSession {
    let ss = this.sessions.get(state.id);
    if (!ss) {
      ss = new ServerSession(state.id, state.user, resumed, this.ops);
      this.sessions.set(state.id, ss);
      this.events.emit('session', ss);
    }
    if (state.fence > ss.fence) ss.fence = state.fence;
    return ss;
  }

  private onStoreEvent(e: StoreEvent): void {
    if (e.type === 'error') return this.report(e.error);
    if (e.type === 'volatile') return this.roomsApi.volatile(e.ids, e.text);
    if (e.type === 'published') return this.roomsApi.heard(e.m, e.to);
    const ss = this.sessions.get(e.id);
    if (e.type === 'appended') ss?.link?.pull(e.s);
    else if (e.type === 'acked') this.pending.acked(e.id, e.a);
    else if (e.type === 'taken') {
      if (!ss) return;
      if (e.fence > ss.fence) ss.fence = e.fence;
      // Fences, not node names: a late event never closes a link made by a newer claim.
      if (ss.link && ss.link.claimFence < e.fence) ss.link.close(CLOSE_TAKEN_OVER, 'session taken over');
    } else {
      ss?.link?.close(CLOSE_SERVICE_RESTART, 'session lost');
      this.sessions.delete(e.id);
      this.pending.reject(e.id, new SocketError('CLOSED', `the session was lost (${e.reason}) before the client acknowledged`));
    }
  }

  private messageId(): string {
    return this.idPrefix + (this.nextId++).toString(36);
  }

  private ensureOpen(): void {
    if (this.closed) throw new SocketError('CLOSED', 'the session server is closed');
  }

  private sweepLinks(): void {
    const now = Date.now();
    for (const link of this.links) {
      // Dead peers never report their close: the link is dropped now.
      if (link.helloOverdue(now)) link.closed();
      else if (now - link.lastSeen > this.limits.idleTimeout) {
        link.close(1001, 'idle timeout');
        link.closed();
      }
    }
    // A session this node no longer serves is forgotten once the store would have expired it.
    for (const [id, ss] of this.sessions) {
      if (!ss.link && now - ss.lastSeen > this.limits.sessionTtl * 2 && !this.pending.has(id)) this.sessions.delete(id);
    }
  }
}
