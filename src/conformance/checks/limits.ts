/** Rule 8 (bounds, overflow), `volatile`, and the server's limits (helloTimeout, sessions per user). */
import { CLOSE_TOO_MANY_SESSIONS, HEARTBEAT_PING, encodeHello, encodeTestCommand } from '../../protocol';
import { Skip, expectThat } from '../verdicts';
import type { Check, CheckContext } from '../check';
import { isMsg, isVolatile } from '../frames';
import type { Inbound } from '../frames';
import type { Probe } from '../probe';
import { echoOf, expectOpen, expectProtocolClose, newSession, push, sleep } from './common';

const overflow: Check = {
  id: 'rule8.overflow',
  rule: 'Rule 8 Bounds + Clarification Overflow',
  title: 'beyond maxBuffered unacknowledged messages the session is marked, never dropped silently: its next resume gets resumed:false, reason "overflow"',
  session: true,
  needs: ['contract'],
  async run(ctx) {
    const { p, w } = await newSession(ctx);
    const max = ctx.options.maxBuffered;
    const from = push(p, 1, max + 1);
    const received = await settle(ctx, p, from);
    expectThat(!p.frames.slice(from).some((i) => isMsg(i) && i.frame.d === String(max + 1)), `at most ${max} unacknowledged messages sent (is --max-buffered ${max} the server's maxBuffered?)`, () => `${received} messages received after the push of ${max + 1}`);
    p.kill();
    const q = await ctx.open();
    const again = await q.hello(w.sid, p.lastS, ctx.options.timeout);
    expectThat(!again.resumed && again.reason === 'overflow' && again.sid !== w.sid, `"welcome" resumed:false, reason "overflow", a NEW sid, after pushing ${max + 1} with none acknowledged`, () => `${received} messages received on the first link\n${q.seen()}`);
    return `${received} delivered, then "overflow" on resume`;
  },
};

/** Waits until no msg has arrived for a while (bounded); returns how many arrived after `from`. */
async function settle(ctx: CheckContext, p: Probe, from: number): Promise<number> {
  const count = (): number => p.frames.slice(from).filter(isMsg).length;
  const end = Date.now() + ctx.options.timeout + ctx.options.maxBuffered;
  let last = -1;
  while (count() !== last && Date.now() < end) {
    last = count();
    await sleep(Math.max(300, ctx.options.ackDelay * 2));
  }
  return count();
}

const VOLATILE = 3;
const NUMBERS = ['1', '2', '3'];

const volatile: Check = {
  id: 'clar.volatile',
  rule: 'Frames volatile',
  title: 'a "volatile" frame is delivered if the link is up, never buffered, acked or sent again: a resume replays none',
  session: true,
  needs: ['contract'],
  async run(ctx) {
    const { p, w } = await newSession(ctx);
    const command = encodeTestCommand('volatile', VOLATILE);
    const from = p.frames.length;
    p.msg(1, command);
    const mine = (i: Inbound): boolean => (isVolatile(i) || isMsg(i)) && NUMBERS.includes(i.frame.d);
    const first = await p.waitFor((i) => (isVolatile(i) && mine(i)) || echoOf(command)(i), `${VOLATILE} "volatile" frames (or, from a server that cannot send them, the echo of the command)`, ctx.options.timeout, from);
    if (isMsg(first)) throw new Skip('the server echoed {"conformance":"volatile","n":3}: it has no way to send a volatile frame on request (the optional command of the test contract)');
    const data = (q: Probe): string[] => q.frames.filter(isVolatile).filter(mine).map((i) => i.frame.d);
    await p.waitFor(() => data(p).length >= VOLATILE, `${VOLATILE} "volatile" frames`, ctx.options.timeout, from);
    expectThat(data(p).join() === NUMBERS.join() && !p.frames.some((i) => isMsg(i) && mine(i)), 'volatile frames "1", "2", "3", in order (and no msg "1" … "3")', () => p.seen(from));
    p.kill();
    const q = await ctx.open();
    const again = await q.hello(w.sid, 0, ctx.options.timeout);
    expectThat(again.resumed, 'the session resumed (resumed:true)', () => q.seen());
    await sleep(ctx.options.watch);
    const replayed = q.frames.filter(mine);
    expectThat(replayed.length === 0, 'none of the volatile frames again after a resume with rx 0, as volatile or as msg', () => q.seen());
  },
};

const helloTimeout: Check = {
  id: 'limits.hello-timeout',
  rule: 'Clarification Limits',
  title: 'a link that has not sent "hello" within helloTimeout ("ping" does not count) is closed 4400 with an "error" frame: not before helloTimeout, and by 1.5 × helloTimeout',
  session: true,
  background: true,
  needs: ['rule1.welcome-first'],
  async run(ctx) {
    const limit = ctx.options.helloTimeout;
    // A server may find such links on a periodic sweep: half a helloTimeout late is still in time.
    const wait = Math.ceil(limit * 1.5) + ctx.options.slack;
    if (wait > ctx.options.maxWait) throw new Skip(`judging helloTimeout ${limit} ms takes a ${wait} ms wait, above --max-wait ${ctx.options.maxWait} (pass the server's --hello-timeout, or raise --max-wait)`);
    if (await servesPlainLinks(ctx)) {
      throw new Skip('the server also serves plain links (it echoed a first frame that is not JSON): a link that never says "hello" is a plain link there, which helloTimeout does not cover');
    }
    const p = await ctx.open();
    p.send(HEARTBEAT_PING);
    const pinger = setInterval(() => p.send(HEARTBEAT_PING), Math.max(50, limit / 4));
    try {
      await expectProtocolClose(ctx, p, 0, `a link with pings but no "hello" for ${limit} ms`, wait);
    } finally {
      clearInterval(pinger);
    }
    const at = p.closed!.at;
    expectThat(at >= limit - 100, `the link kept for the whole helloTimeout (${limit} ms)`, () => `closed after ${at} ms`);
    return `closed after ${at} ms`;
  },
};

/** Whether a first frame that is plain text is echoed (a server for plain and session links alike, like the dev server). */
async function servesPlainLinks(ctx: CheckContext): Promise<boolean> {
  const p = await ctx.open();
  const text = `plain ${ctx.tag()}`;
  p.send(text);
  const answer = await p.waitFor((i) => i.text === text, 'an echo', ctx.options.timeout).catch(() => undefined);
  return answer !== undefined;
}

/** Opening this many links to judge maxSessionsPerUser is the most the kit does. */
const MAX_LINKS = 200;

const evicted: Check = {
  id: 'limits.session-evicted',
  rule: 'Clarification Limits',
  title: 'creating more than maxSessionsPerUser sessions ends the user\'s least recently seen session without a link: its resume answers "expired"',
  session: true,
  needs: ['rule1.welcome-first'],
  async run(ctx) {
    const n = linksFor(ctx);
    const { p, w } = await newSession(ctx);
    await p.end();
    for (let i = 0; i < n; i++) await (await newSession(ctx)).p.end();
    const q = await ctx.open();
    const again = await q.hello(w.sid, 0, ctx.options.timeout);
    expectThat(!again.resumed && again.reason === 'expired' && again.sid !== w.sid, `"welcome" resumed:false, reason "expired", after ${n} newer sessions of the same user (--max-sessions ${n})`, () => q.seen());
  },
};

const tooMany: Check = {
  id: 'limits.4429',
  rule: 'Clarification Limits',
  title: 'when all of a user\'s maxSessionsPerUser sessions have a live link, one more "hello" is closed 4429',
  session: true,
  needs: ['rule1.welcome-first'],
  async run(ctx) {
    const n = linksFor(ctx);
    const live: Probe[] = [];
    for (let i = 0; i < n; i++) live.push((await newSession(ctx)).p);
    const extra = await ctx.open();
    extra.send(encodeHello(null, 0));
    const closed = await extra.waitClose(ctx.options.timeout);
    expectThat(closed?.code === CLOSE_TOO_MANY_SESSIONS, `close 4429 for session ${n + 1} of a user whose ${n} sessions are all live (--max-sessions ${n})`, () => extra.seen());
    live.forEach((l, i) => expectOpen(l, `live session ${i + 1} kept`));
  },
};

function linksFor(ctx: CheckContext): number {
  const n = ctx.options.maxSessions;
  if (n > MAX_LINKS) throw new Skip(`judging --max-sessions ${n} takes ${n + 1} links at once; the kit opens at most ${MAX_LINKS}`);
  return n;
}

export const LIMIT_CHECKS: Check[] = [overflow, volatile, evicted, tooMany];

export const HELLO_TIMEOUT_CHECK: Check = helloTimeout;
