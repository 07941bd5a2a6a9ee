/** Rule 3 (resume: only above rx, only on a new link) and rule 6 (takeover). */
import { CLOSE_TAKEN_OVER } from '../../protocol';
import type { MsgFrame } from '../../protocol';
import { expectThat } from '../verdicts';
import type { Check } from '../check';
import { isMsg, show } from '../frames';
import { ackAtLeast, echo, expectOpen, newSession, push, pushed, sleep } from './common';

const PUSH = 6;

const resumeServer: Check = {
  id: 'rule3.resume',
  rule: 'Rule 3 Resume',
  title: 'after "welcome" the server sends again, in order, every message above the hello\'s rx (same s, id and data), and none at or below it',
  session: true,
  needs: ['contract'],
  async run(ctx) {
    const { p, w } = await newSession(ctx);
    const got = await pushed(ctx, p, PUSH, push(p, 1, PUSH));
    const before = p.frames.filter(isMsg).map((i) => i.frame);
    const last = p.lastS;
    // The client says it delivered everything up to the third pushed message.
    const rx = got[2]!.s;
    p.kill();
    const q = await ctx.open();
    const again = await q.hello(w.sid, rx, ctx.options.timeout);
    expectThat(again.resumed && again.sid === w.sid, `"welcome" resumed:true for ${w.sid}`, () => q.seen());
    await q.waitFor((i) => isMsg(i) && i.frame.s >= last, `the messages ${rx + 1} … ${last} sent again`, ctx.options.timeout);
    const resent = q.frames.filter(isMsg).map((i) => i.frame).filter((m) => m.s <= last);
    const want = before.filter((m) => m.s > rx && m.s <= last);
    expectThat(same(resent, want), `exactly s ${rx + 1} … ${last}, in order, each with its first link's id and data`, () => `first link: ${want.map(brief).join(' ')}\nresent:     ${resent.map(brief).join(' ')}`);
    return `resent s ${rx + 1} … ${last} after rx ${rx}`;
  },
};

const brief = (m: MsgFrame): string => `${m.s}:${show(m.id, 24)}:${show(m.d, 24)}`;
const same = (a: MsgFrame[], b: MsgFrame[]): boolean => a.length === b.length && a.every((m, i) => m.s === b[i]!.s && m.id === b[i]!.id && m.d === b[i]!.d && m.b === b[i]!.b);

const resumeClient: Check = {
  id: 'rule3.resume-client',
  rule: 'Rule 3 Resume',
  title: 'the welcome\'s rx is the highest client seq the server delivered; client messages above it, sent again on the new link, are delivered once',
  session: true,
  needs: ['contract'],
  async run(ctx) {
    const { p, w } = await newSession(ctx);
    const tags = [ctx.tag(), ctx.tag(), ctx.tag(), ctx.tag(), ctx.tag()];
    p.msg(1, tags[0]!);
    p.msg(2, tags[1]!);
    await p.waitFor(ackAtLeast(2), 'an ack of client seq 2', ctx.options.ackDelay + ctx.options.slack);
    // Two more, and the link dies while they travel: the server may or may not have them.
    p.msg(3, tags[2]!);
    p.msg(4, tags[3]!);
    p.kill();
    const q = await ctx.open();
    const again = await q.hello(w.sid, p.lastS, ctx.options.timeout);
    expectThat(again.resumed && again.rx >= 2 && again.rx <= 4, '"welcome" resumed:true with rx 2, 3 or 4 (2 were acknowledged, 4 were sent)', () => q.seen());
    for (let s = again.rx + 1; s <= 4; s++) q.msg(s, tags[s - 1]!);
    q.msg(5, tags[4]!);
    await echo(ctx, q, tags[4]!);
    expectOpen(q, 'the messages above the welcome\'s rx taken as the next ones');
    // Each message was echoed by exactly one server message (the same s may arrive on both links).
    const echoes = (tag: string): Set<number> => new Set([...p.frames, ...q.frames].filter(isMsg).filter((i) => i.frame.d === tag).map((i) => i.frame.s));
    const counts = tags.map((t) => echoes(t).size);
    expectThat(counts.every((n) => n === 1), 'client seq 1 … 5 each delivered once (one echo each)', () => `echoes per client seq 1…5: ${counts.join(', ')}\n${p.seen()}\n${q.seen()}`);
    return `welcome rx ${again.rx}; ${4 - again.rx} sent again`;
  },
};

const noLiveResend: Check = {
  id: 'rule3.live',
  rule: 'Rule 3 Resume',
  title: 'messages are sent again ONLY on a new link, never on a live one (even when the client does not ack)',
  session: true,
  needs: ['contract'],
  async run(ctx) {
    const { p } = await newSession(ctx);
    await pushed(ctx, p, 5, push(p, 1, 5));
    const from = p.frames.length;
    const lastBefore = p.lastS;
    const ids = new Set(p.frames.filter(isMsg).map((i) => i.frame.id));
    await sleep(ctx.options.watch);
    const repeats = p.frames.slice(from).filter((i) => isMsg(i) && (i.frame.s <= lastBefore || ids.has(i.frame.id)));
    expectThat(repeats.length === 0 && p.violations.length === 0, `no message sent twice on the live link while it went unacknowledged for ${ctx.options.watch} ms`, () => [...p.violations, p.seen(from)].join('\n'));
  },
};

const takeover: Check = {
  id: 'rule6.takeover',
  rule: 'Rule 6 Takeover',
  title: 'a "hello" for a session that has a live link closes the old link with 4409; the newest link wins',
  session: true,
  needs: ['contract'],
  async run(ctx) {
    const { p, w } = await newSession(ctx);
    const tag = ctx.tag();
    p.msg(1, tag);
    await echo(ctx, p, tag);
    await p.waitFor(ackAtLeast(1), 'an ack of client seq 1', ctx.options.ackDelay + ctx.options.slack);
    const q = await ctx.open();
    const again = await q.hello(w.sid, p.lastS, ctx.options.timeout);
    expectThat(again.resumed && again.sid === w.sid, `the new link resumes ${w.sid} (resumed:true)`, () => q.seen());
    const closed = await p.waitClose(ctx.options.timeout);
    expectThat(closed?.code === CLOSE_TAKEN_OVER, `the old link closed with 4409 within ${ctx.options.timeout} ms`, () => p.seen());
    const next = ctx.tag();
    q.msg(again.rx + 1, next);
    await echo(ctx, q, next);
    expectOpen(q, 'the new link carries the session on');
    return `old link closed ${closed!.code} after ${closed!.at} ms`;
  },
};

export const RESUME_CHECKS: Check[] = [resumeServer, resumeClient, noLiveResend, takeover];
