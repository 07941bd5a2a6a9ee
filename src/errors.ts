export type SocketErrorCode =
  | 'CONNECT_FAILED'
  | 'CONNECT_TIMEOUT'
  | 'SOCKET_ERROR'
  | 'HEARTBEAT_TIMEOUT'
  | 'PROVIDER_FAILED'
  | 'SEND_FAILED'
  | 'QUEUE_FULL'
  | 'NOT_OPEN'
  | 'CLOSED'
  | 'DOMAIN_NOT_ALLOWED'
  /** Reliable sessions: the server did not acknowledge a message within `deliveryTimeout`. */
  | 'DELIVERY_TIMEOUT'
  /** Reliable sessions: more unacknowledged messages than the session may buffer. */
  | 'OVERFLOW'
  /** Session server: the session store (Redis…) failed; `errMsg` carries its own text. */
  | 'STORE_FAILED'
  /** Session server: a room limit (`maxRoomsPerSession`, `maxMembersPerRoom`) refused a `join`. */
  | 'LIMIT';

/** Every message of the package starts with it. */
export const PREFIX = '[wx-socket-manager]';

/**
 * Every failure the manager reports. `errMsg` keeps the platform's own text.
 * The message reads `[wx-socket-manager] CODE: detail (errMsg)`.
 */
export class SocketError extends Error {
  readonly code: SocketErrorCode;
  readonly errMsg?: string;

  constructor(code: SocketErrorCode, detail?: string, errMsg?: string) {
    super(`${PREFIX} ${code}${detail ? `: ${detail}` : ''}${errMsg ? ` (${errMsg})` : ''}`);
    this.name = 'SocketError';
    this.code = code;
    if (errMsg !== undefined) this.errMsg = errMsg;
  }
}

/** A TypeError whose message names what was wrong. */
export function typeError(message: string): TypeError {
  return new TypeError(`${PREFIX} ${message}`);
}

/** What a thrown value says: an Error's message, or the value as text. */
export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** For a callback or a rejection there is nothing to do about. */
export function noop(): void {}
