/**
 * The checks on what an app hands the server's methods: a bad argument is a `TypeError` naming
 * the method and the argument (or option), before anything is sent or stored.
 */
import { typeError } from '../errors';
import { USER_ROOM, encodePayload, isRoomName } from '../protocol';
import type { Payload } from '../protocol';

/** A lone UTF-16 surrogate: it has no UTF-8 form, so two such names would meet in a store's keys. */
const LONE_SURROGATE = /\p{Cs}/u;

const kind = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v === 'string' ? `a string of ${v.length} characters` : typeof v);

/** `data` as it travels in a `msg`: a string, an ArrayBuffer or a typed array/Buffer. */
export function payloadArg(method: string, data: unknown): Payload {
  if (typeof data !== 'string' && !(data instanceof ArrayBuffer) && !ArrayBuffer.isView(data)) {
    throw typeError(`${method}(): argument "data" must be a string, an ArrayBuffer or a typed array/Buffer, got ${kind(data)}`);
  }
  return encodePayload(data);
}

export function sessionIdArg(method: string, id: unknown): string {
  if (typeof id !== 'string' || id.length === 0) throw typeError(`${method}(): argument "sessionId" must be a non-empty string, got ${kind(id)}`);
  return id;
}

export function userArg(method: string, user: unknown): string {
  if (typeof user !== 'string' || user.length === 0) throw typeError(`${method}(): argument "user" must be a non-empty string (String(user) as authenticate returned it), got ${kind(user)}`);
  return user;
}

/** A room name (PROTOCOL.md): 1–200 characters, no control characters; `"user"` is taken by `sendToUser`. */
export function roomArg(method: string, room: unknown): string {
  if (!isRoomName(room) || LONE_SURROGATE.test(room)) {
    throw typeError(`${method}(): argument "room" must be 1–200 characters with no control characters (newline, NUL, ESC…) or lone surrogates, got ${kind(room)}`);
  }
  if (room === USER_ROOM) throw typeError(`${method}(): argument "room" cannot be "${USER_ROOM}": messages sent with sendToUser carry that name`);
  return room;
}

export interface PublishOptions {
  /** Only to member links up now: never buffered, acknowledged or replayed. @default false */
  volatile?: boolean;
  /**
   * The message's id, as members see it in `meta.id` (1–200 characters). Publishing the same id
   * to the same room (or user) again within `sessionTtl` reaches no session twice: give the id of
   * the client message that asked for the publish, and a handler that runs again after a node
   * died half-way publishes nothing new. @default a new id
   */
  id?: string;
}

export function publishOptions(method: string, options: unknown, allowVolatile: boolean): PublishOptions {
  if (options === undefined) return {};
  if (options === null || typeof options !== 'object') throw typeError(`${method}(): argument "options" must be an object, got ${kind(options)}`);
  const known = allowVolatile ? ['volatile', 'id'] : ['id'];
  for (const key of Object.keys(options)) if (!known.includes(key)) throw typeError(`${method}(): option "${key}" is unknown (known: ${known.join(', ')})`);
  const { volatile, id } = options as PublishOptions;
  if (volatile !== undefined && typeof volatile !== 'boolean') throw typeError(`${method}(): option "volatile" must be true or false, got ${kind(volatile)}`);
  if (id !== undefined && (typeof id !== 'string' || id.length === 0 || id.length > 200)) throw typeError(`${method}(): option "id" must be a string of 1–200 characters, got ${kind(id)}`);
  if (volatile && id !== undefined) throw typeError(`${method}(): option "id" is for reliable publishes; a volatile one is never repeated`);
  return { volatile, id };
}
