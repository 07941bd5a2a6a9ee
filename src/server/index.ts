/** `wx-socket-manager/server`: the reliable-session server (PROTOCOL.md) and its stores. */
export { createSessionServer, SESSION_DEFAULTS } from './session-server';
export type { Presence, SessionServer, SessionServerEvents, SessionServerOptions } from './session-server';
export { ServerSession } from './server-session';
export type { MessageListener, MessageMeta, SessionData } from './server-session';
export { memoryStore } from './memory-store';
export type { MemoryStoreOptions } from './memory-store';
export type { Appended, Claim, ClaimFailure, SessionState, SessionStore, StoreEvent, StoredMessage } from './store';
export { redisStore } from './redis-store';
export type { RedisClient, RedisStoreOptions, RedisSubscriber } from './redis-store';
export { SessionHub } from './hub';
export type { HubOptions } from './hub';
export type { LinkHost, Transport } from './link';
