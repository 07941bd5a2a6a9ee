/** Session ids (PROTOCOL.md rule 2): issued by the server, ≥ 128 random bits, base64url. */
import { randomBytes } from 'crypto';

/** A new session id: 128 random bits, base64url (22 characters). */
export const newSessionId = (): string => randomBytes(16).toString('base64url');

/** Whether `id` could be one the server issued; anything else is unknown without asking a store. */
export const isSessionId = (id: string): boolean => /^[A-Za-z0-9_-]{1,64}$/.test(id);

