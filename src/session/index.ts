export { SocketSession } from './session';
export type {
  SessionMessageMeta,
  SessionVolatileMeta,
  SocketSessionEventName,
  SocketSessionEvents,
  SocketSessionMeta,
  SocketSessionOptions,
  SocketSessionStats,
} from './session';
export type { SessionStorage } from './storage';
