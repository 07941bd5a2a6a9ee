export { WxSocketManager } from './socket-manager';
export { SocketError } from './errors';
export type { SocketErrorCode } from './errors';
export { DEFAULTS } from './options';
export { reconnectDelay } from './reconnect-policy';
export { socketBehavior } from './behavior';
export { STATUS_TEXT, statusText } from './status-text';
export type { SocketStatus, SocketStatusData, StatusLang } from './status-text';
export type {
  CloseInfo,
  ConnectSocket,
  ConnectSocketOption,
  HeartbeatOptions,
  Listener,
  NetworkStatus,
  Provider,
  QueueOptions,
  ReconnectOptions,
  SendOptions,
  SocketData,
  SocketState,
  SocketStats,
  SocketTaskLike,
  WxLike,
  WxSocketEventName,
  WxSocketEvents,
  WxSocketOptions,
} from './types';
