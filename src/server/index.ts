/** `wx-socket-manager/server`: the reliable-session server (PROTOCOL.md) and its stores. */
export { memoryStore } from './memory-store';
export type { MemoryStoreOptions } from './memory-store';
export type { Appended, Claim, ClaimFailure, SessionState, SessionStore, StoreEvent, StoredMessage } from './store';
export { redisStore } from './redis-store';
export type { RedisClient, RedisStoreOptions, RedisSubscriber } from './redis-store';
