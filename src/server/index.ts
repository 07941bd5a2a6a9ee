/** `wx-socket-manager/server`: the reliable-session server (PROTOCOL.md) and its stores. */
export { createSessionServer } from './session-server';
export type { SessionServer } from './session-server';
export type { Fanout, PublishOptions, RoomMember } from './rooms';
export { SESSION_DEFAULTS } from './options';
export type { HubOptions, SessionServerOptions } from './options';
export type { MetricsRegistry } from './metrics/prometheus';
export { SessionHub } from './hub';
export type { Presence, SessionServerEvents } from './hub';
export { bindWs } from './ws';
export type { LinkInput } from './link';
export type { Transport } from './outbox';
export { ServerSession } from './server-session';
export type { MessageListener, MessageMeta, SessionData } from './server-session';
export { memoryStore } from './memory-store';
export type { MemoryStoreOptions } from './memory-store';
export type { Appended, Audience, BufferLimit, Claim, ClaimFailure, Created, Fenced, Joined, Member, NewMessage, Published, RoomLimit, SessionState, SessionStore, StoreEvent, StoredMessage } from './store';
export { redisStore } from './redis-store';
export type { RedisClient, RedisStoreOptions, RedisSubscriber } from './redis-store';
