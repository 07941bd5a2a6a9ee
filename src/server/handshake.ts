/**
 * Which session a `hello` gets (PROTOCOL.md rules 2 and 7, "Clarifications" and "Limits"):
 * the one it names when the store still holds it as the client knows it, else a new one with
 * the reason the welcome carries — or none, when the user's sessions are all live (4429).
 */
import { CLOSE_TAKEN_OVER } from '../protocol';
import type { HelloFrame, WelcomeReason } from '../protocol';
import type { ServerSession, SessionLink } from './server-session';
import type { Fenced, SessionState, SessionStore } from './store';

export type Greeting =
  | { ok: true; session: SessionState; reason?: WelcomeReason }
  /** The user holds `maxSessionsPerUser` sessions and every one has a live link. */
  | { ok: false };

/**
 * A resumed session must agree with the client: its `rx` can be neither above the last server
 * seq (the store lost state: a rollback, a failover) nor below what the client acknowledged
 * (the client lost messages). Either way no replay can close the gap, so the old session is
 * forgotten and the client gets a new one with `unknown`: announced, never a 4400.
 */
export const agrees = (session: SessionState, rx: number): boolean => rx <= session.seq && rx >= session.acked;

export async function greet(store: SessionStore, hello: HelloFrame, user: string, node: string, ttl: number, maxSessions: number): Promise<Greeting> {
  let reason: WelcomeReason = 'new';
  if (hello.sid !== null) {
    const claim = await store.claim(hello.sid, user, node, ttl);
    if (claim.ok && agrees(claim.session, hello.rx)) return { ok: true, session: claim.session };
    if (claim.ok) await store.release(hello.sid, claim.session.fence, 0);
    reason = claim.ok ? 'unknown' : claim.reason;
  }
  const created = await store.create(user, node, ttl, maxSessions);
  return created.ok ? { ok: true, session: created.session, reason } : { ok: false };
}

/**
 * Rule 6 on this node: the session's previous link closes 4409 and its running message handler
 * finishes first (bounded by `handoverTimeout`: a handler that never settles does not block the
 * session). False when a newer claim of the session came first: fences, not arrival order.
 */
export async function replace(ss: ServerSession, link: SessionLink, handoverTimeout: number): Promise<boolean> {
  const old = ss.link;
  if (old && old !== link && old.claimFence < link.claimFence) {
    old.close(CLOSE_TAKEN_OVER, 'session taken over');
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([old.idle(), new Promise((r) => (timer = setTimeout(r, handoverTimeout)))]);
    clearTimeout(timer);
  }
  return ss.fence <= link.claimFence;
}

/** On a resume: what a replaced link handed to the app but had not recorded yet is recorded now, and the hello's `rx` acknowledges. */
export async function catchUp(store: SessionStore, ss: ServerSession, state: SessionState, rx: number): Promise<Fenced> {
  const fence = state.fence;
  if (ss.handled < state.rx) ss.handled = state.rx;
  const recorded = ss.handled > state.rx ? await store.received(state.id, fence, ss.handled) : 'ok';
  return recorded === 'ok' && rx > state.acked ? store.ack(state.id, fence, rx) : recorded;
}
