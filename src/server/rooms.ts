/**
 * Rooms and users on one node (PROTOCOL.md "Rooms and users"): membership and fan-out live in
 * the store, so every method works on any node whichever node holds a member's link. A
 * published payload is encoded once; each member's frame only gets its own `s` spliced in
 * (`msgWithSeq`), written at once to the links this node holds — other nodes hear the store's
 * doorbells.
 */
import { SocketError } from '../errors';
import { USER_ROOM, encodeVolatile, msgTail } from '../protocol';
import type { Payload } from '../protocol';
import { payloadArg, publishOptions, roomArg, sessionIdArg, userArg } from './args';
import type { PublishOptions } from './args';
import type { Limits } from './options';
import type { ServerSession } from './server-session';
import { storeFailed } from './store';
import type { Audience, NewMessage, SessionStore } from './store';

export type { PublishOptions };

/** A room member as `members()` lists it. */
export interface RoomMember {
  sessionId: string;
  user: string;
  /** Whether it has a live link (on any node). */
  online: boolean;
}

/** What a publish reached: reliable, the sessions it was recorded for; volatile, the live links written to. */
export interface Fanout {
  sessions: number;
}

/** What the rooms need from the node's core. */
export interface RoomsHost {
  readonly store: SessionStore;
  readonly limits: Limits;
  readonly node: string;
  /** This node's handle on a session, if it has one. */
  session(id: string): ServerSession | undefined;
  /** A new unique message id. */
  messageId(): string;
  /** Throws `CLOSED` once the server is closed. */
  ensureOpen(): void;
  /** A publish skipped a member whose buffer was full (it is marked overflowed). */
  overflowed(): void;
}

const closed = (): SocketError => new SocketError('CLOSED', 'no such session (unknown or expired)');

/** A store call whose failure reaches the app as `STORE_FAILED`. */
function stored<T>(p: Promise<T>): Promise<T> {
  return p.catch((err: unknown) => Promise.reject(storeFailed(err)));
}

export class Rooms {
  constructor(private readonly host: RoomsHost) {}

  async join(sessionId: unknown, room: unknown): Promise<void> {
    const [id, name] = [sessionIdArg('join', sessionId), roomArg('join', room)];
    this.host.ensureOpen();
    const { maxRoomsPerSession: rooms, maxMembersPerRoom: members } = this.host.limits;
    const joined = await stored(this.host.store.join(id, name, { rooms, members }));
    if (joined === 'unknown') throw closed();
    if (joined === 'rooms') throw new SocketError('LIMIT', `session is in ${rooms} rooms already (maxRoomsPerSession)`);
    if (joined === 'members') throw new SocketError('LIMIT', `room has ${members} members already (maxMembersPerRoom)`);
  }

  async leave(sessionId: unknown, room: unknown): Promise<void> {
    const [id, name] = [sessionIdArg('leave', sessionId), roomArg('leave', room)];
    this.host.ensureOpen();
    await stored(this.host.store.leave(id, name));
  }

  async rooms(sessionId: unknown): Promise<string[]> {
    const id = sessionIdArg('rooms', sessionId);
    this.host.ensureOpen();
    const rooms = await stored(this.host.store.rooms(id));
    if (!rooms) throw closed();
    return rooms;
  }

  async members(room: unknown): Promise<RoomMember[]> {
    const name = roomArg('members', room);
    this.host.ensureOpen();
    const members = await stored(this.host.store.members({ room: name }));
    return members.map((m) => ({ sessionId: m.id, user: m.user, online: m.node !== null }));
  }

  async online(user: unknown): Promise<boolean> {
    const name = userArg('online', user);
    this.host.ensureOpen();
    const sessions = await stored(this.host.store.members({ user: name }));
    return sessions.some((m) => m.node !== null);
  }

  async publish(room: unknown, data: unknown, options?: unknown): Promise<Fanout> {
    const name = roomArg('publish', room);
    const p = payloadArg('publish', data);
    const o = publishOptions('publish', options, true);
    this.host.ensureOpen();
    if (o.volatile) return { sessions: await stored(this.host.store.volatile(name, encodeVolatile(p.d, p.b, name))) };
    return this.fanout({ room: name }, name, p, o.id);
  }

  async sendToUser(user: unknown, data: unknown, options?: unknown): Promise<Fanout> {
    const name = userArg('sendToUser', user);
    const p = payloadArg('sendToUser', data);
    const o = publishOptions('sendToUser', options, false);
    this.host.ensureOpen();
    return this.fanout({ user: name }, USER_ROOM, p, o.id);
  }

  /** The store's `published` event: the message, encoded once, to the links this node holds. */
  heard(m: NewMessage, to: Array<{ id: string; s: number }>): void {
    const tail = msgTail(m.id, m.d, m.b, m.r);
    for (const { id, s } of to) this.host.session(id)?.link?.heard({ s, id: m.id, d: m.d }, tail);
  }

  /** The store's `volatile` event: its frame to the links this node holds. */
  volatile(ids: string[], text: string): void {
    for (const id of ids) this.host.session(id)?.link?.volatile(text);
  }

  private async fanout(to: Audience, r: string, p: Payload, givenId: string | undefined): Promise<Fanout> {
    const m: NewMessage = { id: givenId ?? this.host.messageId(), d: p.d, r };
    if (p.b) m.b = 1;
    const { maxBuffered: messages, maxBufferedBytes: bytes, sessionTtl } = this.host.limits;
    const done = await stored(this.host.store.publish(to, m, { messages, bytes }, { node: this.host.node, dedupeMs: givenId === undefined ? undefined : sessionTtl }));
    const tail = msgTail(m.id, m.d, m.b, r);
    for (const { id, s } of done.appended) this.host.session(id)?.link?.offer({ s, id: m.id, d: m.d }, tail);
    for (let i = 0; i < done.overflowed.length; i++) this.host.overflowed();
    // A repeat of an earlier publish of this id counts whom that one reached.
    return { sessions: done.appended.length + (done.repeated ?? 0) };
  }
}
