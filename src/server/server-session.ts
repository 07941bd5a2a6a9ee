/** The app's handle on one session, on the node serving it. */
import { Emitter } from '../emitter';
import type { StoredMessage } from './store';

/** Where a client message sits in its session: `seq` (client seq) and the client's `id`, for idempotent apps. */
export interface MessageMeta {
  seq: number;
  id: string;
}
export type SessionData = string | ArrayBuffer;
export type MessageListener = (data: SessionData, meta: MessageMeta) => void | Promise<unknown>;

/** What a session's handle asks of the node serving it (the core implements it). */
export interface SessionOps {
  send(id: string, data: unknown): Promise<void>;
  join(id: string, room: string): Promise<void>;
  leave(id: string, room: string): Promise<void>;
  rooms(id: string): Promise<string[]>;
}

export interface ServerSessionEvents {
  online: undefined;
  offline: undefined;
}

/** What a session holds of the link attached to it on this node (the link module implements it). */
export interface SessionLink {
  /** `Date.now()` of the link's last inbound frame. */
  readonly lastSeen: number;
  /** The fence of the store claim the link holds. */
  readonly claimFence: number;
  close(code: number, reason: string): void;
  /** Resolves when no frame of the link is being handled. */
  idle(): Promise<void>;
  /** Doorbell: server seq `s` exists. */
  pull(s: number): void;
  /** A message this node just appended; `tail`: its frame encoded once for many sessions, but for `s`. */
  offer(m: StoredMessage, tail?: string): void;
  /** A message another node appended (its data came with the doorbell): written at once when next, else pulled from the store. */
  heard(m: StoredMessage, tail: string): void;
  /** Writes a `volatile` frame if the link is open (welcomed) and its peer reads; true when written. */
  volatile(text: string): boolean;
}

export class ServerSession {
  /** Highest client seq the app has taken on this node (recorded in the store soon after). */
  /** @internal */ handled = 0;
  /** @internal */ link: SessionLink | null = null;
  /** @internal */ seen = 0;
  /** @internal Highest server seq written to any of its links on this node. */
  written = 0;
  /** @internal Highest claim fence this node has heard of: a link holding a lower one has lost the session. */
  fence = 0;
  private events: Emitter<ServerSessionEvents> | undefined;
  private listeners: MessageListener[] = [];

  /** @internal */
  constructor(
    readonly id: string,
    readonly user: string,
    /** Whether this node first served it on a resume (false: a new session). */
    readonly resumed: boolean,
    private readonly ops: SessionOps,
  ) {}

  /** Whether a link is attached on this node. */
  get online(): boolean {
    return this.link !== null;
  }

  /** `Date.now()` of the last frame (heartbeat included) from the client. */
  get lastSeen(): number {
    return this.link ? this.link.lastSeen : this.seen;
  }

  /** Sends to the client; resolves when the client acknowledged it. Never throws: rejects with `OVERFLOW` beyond `maxBuffered`. */
  send(data: string | ArrayBuffer | ArrayBufferView): Promise<void> {
    return this.ops.send(this.id, data);
  }

  /** Joins `room` (membership lives in the store, on every node, until the session ends); `server.join(session.id, room)`. */
  join(room: string): Promise<void> {
    return this.ops.join(this.id, room);
  }

  /** Leaves `room`; `server.leave(session.id, room)`. */
  leave(room: string): Promise<void> {
    return this.ops.leave(this.id, room);
  }

  /** The rooms it is in; rejects `CLOSED` once the session has ended. */
  rooms(): Promise<string[]> {
    return this.ops.rooms(this.id);
  }

  /**
   * Each client message once, in order. The next one waits until this listener returned or
   * its promise resolved; only then is the message recorded and acknowledged. A listener that
   * throws or rejects leaves the message unrecorded: the link closes (1011) and the client
   * sends it again on its next link.
   */
  on(event: 'message', listener: MessageListener): () => void;
  on(event: 'online' | 'offline', listener: () => void): () => void;
  on(event: 'message' | 'online' | 'offline', listener: MessageListener | (() => void)): () => void {
    if (event !== 'message') return (this.events ??= new Emitter()).on(event, listener as () => void);
    this.listeners = this.listeners.concat(listener as MessageListener);
    return () => this.off('message', listener as MessageListener);
  }

  off(event: 'message', listener: MessageListener): void;
  off(event: 'online' | 'offline', listener: () => void): void;
  off(event: 'message' | 'online' | 'offline', listener: MessageListener | (() => void)): void {
    if (event !== 'message') return this.events?.off(event, listener as () => void);
    this.listeners = this.listeners.filter((l) => l !== listener);
  }

  /** @internal Hands a message to the listeners: a promise when one of them returned one. */
  deliver(data: SessionData, meta: MessageMeta): Promise<unknown> | undefined {
    const list = this.listeners;
    let waits: Array<Promise<unknown>> | undefined;
    for (let i = 0; i < list.length; i++) {
      let r: unknown;
      try {
        r = list[i]!(data, meta);
      } catch (err) {
        return Promise.reject(err);
      }
      if (r && typeof (r as Promise<unknown>).then === 'function') (waits ??= []).push(r as Promise<unknown>);
    }
    return waits && (waits.length === 1 ? waits[0] : Promise.all(waits));
  }

  /** @internal Server seq `s` was written to a link: true the first time on this node, false when written again (a resend). */
  wrote(s: number): boolean {
    if (s <= this.written) return false;
    this.written = s;
    return true;
  }

  /** @internal */
  setLink(link: SessionLink | null): void {
    if (link === this.link) return;
    const was = this.link;
    if (was) this.seen = was.lastSeen;
    this.link = link;
    if (!was !== !link) this.events?.emit(link ? 'online' : 'offline', undefined);
  }
}
