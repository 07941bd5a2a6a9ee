/**
 * Session protocol v1 (PROTOCOL.md): the frames, close codes and constants both sides of the
 * wire share. The client (src/session), the server (src/server), the dev server and the
 * conformance kit import them from here; nothing here imports anything.
 */

export type WelcomeReason = 'new' | 'unknown' | 'expired' | 'overflow' | 'forbidden';

export interface HelloFrame { t: 'hello'; v: 1; sid: string | null; rx: number }
export interface WelcomeFrame { t: 'welcome'; v: 1; sid: string; resumed: boolean; rx: number; ttl: number; reason?: WelcomeReason }
/** `r` (server → client only): the room it was published to, `"user"` for a message sent to the user; absent for a direct send. */
export interface MsgFrame { t: 'msg'; s: number; id: string; d: string; b?: 1; r?: string }
/** Server → client: unsequenced, delivered only if the link is up now; never acked, buffered or resent. */
export interface VolatileFrame { t: 'volatile'; d: string; b?: 1; r?: string }
export interface AckFrame { t: 'ack'; a: number }
export interface ErrorFrame { t: 'error'; code: number; message: string }
export type Frame = HelloFrame | WelcomeFrame | MsgFrame | VolatileFrame | AckFrame | ErrorFrame;
/** What `parseFrame` returns for anything that is not a valid frame: close with 4400. */
export interface InvalidFrame { t: 'invalid'; message: string }

/** The protocol version `hello` and `welcome` carry. */
export const PROTOCOL_VERSION = 1;

/** Close codes of the protocol (PROTOCOL.md "Frames"). */
export const CLOSE_PROTOCOL = 4400;
export const CLOSE_UNAUTHENTICATED = 4401;
export const CLOSE_TAKEN_OVER = 4409;
export const CLOSE_TOO_MANY_SESSIONS = 4429;
/** Standard codes the protocol gives a meaning: the server failed (1011), restarted or lost the session (1012), is overloaded (1013). */
export const CLOSE_SERVER_ERROR = 1011;
export const CLOSE_SERVICE_RESTART = 1012;
export const CLOSE_TRY_AGAIN_LATER = 1013;

/**
 * Recorded messages after which a receiver acks at once instead of waiting for `ackDelay`,
 * so a sender with a bounded window is never stalled on the timer (both sides use it).
 */
export const ACK_EVERY = 64;

/** The room a message sent to a user carries in `r` (PROTOCOL.md "Rooms and users"). */
export const USER_ROOM = 'user';

/** The plain heartbeat texts a session link carries beside its JSON frames (never JSON, never sequenced). */
export const HEARTBEAT_PING = 'ping';
export const HEARTBEAT_PONG = 'pong';
