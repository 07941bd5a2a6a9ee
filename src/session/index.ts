export { SocketSession } from './session';
export type { SocketSessionEventName, SocketSessionEvents, SocketSessionOptions } from './session';
export type { SessionStorage } from './storage';
