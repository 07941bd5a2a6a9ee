/**
 * Rule 2's bindings and rule 7: a hello naming a session it may not resume (unknown, another
 * user's, expired, rolled back) gets a NEW session that never sees the old one's messages.
 */
import { Skip, expectThat } from '../verdicts';
import type { Check, CheckContext } from '../check';
import type { Probe } from '../probe';
import type { WelcomeFrame } from '../../protocol';
import { isMsg } from '../frames';
import { echo, echoOf, expectOpen, newSession, push, pushed, sleep, unknownSid } from './common';

const NEW_SESSION = (reason: string, old: string): string => `"welcome" with resumed:false, reason "${reason}", a NEW sid (not ${old}) and rx 0`;
const isNewSession = (w: WelcomeFrame, reason: string, old: string): boolean => !w.resumed && w.reason === reason && w.sid !== old && w.rx === 0;

const unknown: Check = {
  id: 'rule2.unknown',
  rule: 'Rule 2 Session ids',
  title: 'a "hello" naming an unknown session gets a NEW session (resumed:false, reason "unknown")',
  session: true,
  needs: ['rule1.welcome-first'],
  async run(ctx) {
    const p = await ctx.open();
    const sid = unknownSid();
    const w = await p.hello(sid, 0, ctx.options.timeout);
    expectThat(isNewSession(w, 'unknown', sid), NEW_SESSION('unknown', sid), () => p.seen());
  },
};

const forbidden: Check = {
  id: 'rule2.forbidden',
  rule: 'Rule 2 Session ids',
  title: 'a "hello" naming another user\'s session gets a NEW session (reason "forbidden") and never sees the old one\'s messages; the owner still resumes it',
  session: true,
  needs: ['contract'],
  async run(ctx) {
    if (!ctx.options.headersB && !ctx.options.urlB) throw new Skip('needs a second user: pass --header-b K:V (or --url-b URL) with another user\'s credentials');
    const { p: a, w } = await newSession(ctx);
    const tag = ctx.tag();
    a.msg(1, tag);
    await echo(ctx, a, tag);
    a.kill();
    await a.waitClose(ctx.options.timeout);
    const b = await ctx.open('b');
    const wb = await b.hello(w.sid, 0, ctx.options.timeout);
    expectThat(isNewSession(wb, 'forbidden', w.sid), `${NEW_SESSION('forbidden', w.sid)} (are --header-b / --url-b really another user?)`, () => b.seen());
    await sleep(Math.min(ctx.options.watch, ctx.options.ackDelay + ctx.options.slack));
    expectThat(!b.frames.some(echoOf(tag)), 'none of the other user\'s messages on this link', () => b.seen());
    const owner = await ctx.open();
    const wa = await owner.hello(w.sid, 0, ctx.options.timeout);
    expectThat(wa.resumed && wa.sid === w.sid, 'the owner still resumes it afterwards (resumed:true): a forbidden hello changes nothing', () => owner.seen());
    await echo(ctx, owner, tag);
  },
};

const expired: Check = {
  id: 'rule2.expired',
  rule: 'Rule 2 + Clarification Expired sessions',
  title: 'a session without a link for longer than its ttl answers "expired" (for at least another ttl): a NEW session',
  session: true,
  background: true,
  needs: ['rule1.welcome-first'],
  async run(ctx) {
    const { p, w } = await newSession(ctx);
    const wait = Math.ceil(w.ttl * 1.5);
    if (wait > ctx.options.maxWait) {
      throw new Skip(`the server's ttl is ${w.ttl} ms: judging it takes a ${wait} ms wait, above --max-wait ${ctx.options.maxWait} (run it against a server with a shorter session ttl, or raise --max-wait)`);
    }
    await p.end();
    await sleep(wait);
    const q = await ctx.open();
    const again = await q.hello(w.sid, 0, ctx.options.timeout);
    expectThat(isNewSession(again, 'expired', w.sid), `${NEW_SESSION('expired', w.sid)}, 1.5 × ttl after the link closed`, () => q.seen());
    return `ttl ${w.ttl} ms, asked after ${wait} ms`;
  },
};

const rollback: Check = {
  id: 'clar.rollback',
  rule: 'Clarification Rollback',
  title: 'a "hello" whose rx is above what the server ever sent (its store lost state) gets resumed:false, reason "unknown", a NEW session — never a 4400',
  session: true,
  needs: ['contract'],
  async run(ctx) {
    const { p, w } = await newSession(ctx);
    const from = push(p, 1, 2);
    await pushed(ctx, p, 2, from);
    p.kill();
    await p.waitClose(ctx.options.timeout);
    const q = await ctx.open();
    const rx = p.lastS + 1000;
    const again = await q.hello(w.sid, rx, ctx.options.timeout).catch(() => undefined);
    expectThat(!!again && isNewSession(again, 'unknown', w.sid), `${NEW_SESSION('unknown', w.sid)} for "rx":${rx} (the server sent ${p.lastS})`, () => q.seen());
    await usable(ctx, q);
  },
};

/** The new session takes client seq 1 and answers it: the lost session's numbers are gone. */
async function usable(ctx: CheckContext, q: Probe): Promise<void> {
  const tag = ctx.tag();
  const from = q.frames.length;
  q.msg(1, tag);
  const m = await echo(ctx, q, tag, from);
  expectOpen(q, `client seq 1 accepted by the new session (echoed as s ${m.s})`, from);
}

const lost: Check = {
  id: 'rule7.lost',
  rule: 'Rule 7 Lost session',
  title: 'after resumed:false both sides restart their sequences at 1: the server\'s first msg is s 1 and it takes client s 1',
  session: true,
  needs: ['contract'],
  async run(ctx) {
    const { p } = await newSession(ctx);
    for (let s = 1; s <= 3; s++) p.msg(s, ctx.tag());
    await p.waitFor((i) => i.frame?.t === 'ack' && i.frame.a >= 3, 'an ack of the 3 messages', ctx.options.timeout);
    p.kill();
    const q = await ctx.open();
    const sid = unknownSid();
    // A client whose session the server lost: it had delivered 3 server messages and sent 3.
    const w = await q.hello(sid, 3, ctx.options.timeout);
    expectThat(isNewSession(w, 'unknown', sid), NEW_SESSION('unknown', sid), () => q.seen());
    await usable(ctx, q);
    const first = q.frames.find(isMsg);
    expectThat(first?.frame.s === 1, 'the new session\'s first "msg" has s 1', () => q.seen());
  },
};

export const LOST_CHECKS: Check[] = [unknown, forbidden, rollback, lost];

/**
 * Runs beside the last checks, after every check that makes many sessions: a session ended to
 * make room for newer ones (maxSessionsPerUser) may rightly answer "unknown" a ttl later.
 */
export const EXPIRY_CHECK: Check = expired;
