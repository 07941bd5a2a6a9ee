/** Rule 4 (delivery: duplicates, gaps) and rule 5 (acks) as the server receives the client's messages. */
import { expectThat } from '../verdicts';
import type { Check } from '../check';
import { isAck, isMsg } from '../frames';
import { ackAtLeast, echo, echoOf, expectOpen, expectProtocolClose, newSession, push, pushed, sleep } from './common';

const duplicate: Check = {
  id: 'rule4.duplicate',
  rule: 'Rule 4 Delivery',
  title: 'a duplicate (s ≤ last) on a live link is dropped, but acknowledged again — not a 4400',
  session: true,
  needs: ['contract'],
  async run(ctx) {
    const { p } = await newSession(ctx);
    const [first, second] = [ctx.tag(), ctx.tag()];
    const within = ctx.options.ackDelay + ctx.options.slack;
    p.msg(1, first);
    await echo(ctx, p, first);
    await p.waitFor(ackAtLeast(1), 'an ack of client seq 1', within);
    const from = p.frames.length;
    p.msg(1, first);
    await p.waitFor(ackAtLeast(1), `the duplicate of client seq 1 acknowledged again ("ack" with a ≥ 1 within ackDelay + slack = ${within} ms)`, within, from);
    p.msg(2, second);
    await echo(ctx, p, second, from);
    expectOpen(p, 'the link open after the duplicate', from);
    expectThat(p.frames.filter(echoOf(first)).length === 1, 'the duplicate dropped: one echo of client seq 1', () => p.seen());
  },
};

const gap: Check = {
  id: 'rule4.gap',
  rule: 'Rule 4 Delivery',
  title: 'a gap (s > last + 1) is a protocol error: an "error" frame, then close 4400, and the message is not delivered',
  session: true,
  needs: ['contract'],
  async run(ctx) {
    const { p } = await newSession(ctx);
    const [first, skipped] = [ctx.tag(), ctx.tag()];
    p.msg(1, first);
    await echo(ctx, p, first);
    const from = p.frames.length;
    p.msg(3, skipped);
    await expectProtocolClose(ctx, p, from, 'client seq 3 after 1');
    expectThat(!p.frames.some(echoOf(skipped)), 'client seq 3 not delivered (no echo)', () => p.seen(from));
  },
};

const BURST = 5;

const acks: Check = {
  id: 'rule5.acks',
  rule: 'Rule 5 Acks',
  title: 'the receiver acks with its last delivered seq within ackDelay; acks are cumulative and never go back',
  session: true,
  needs: ['contract'],
  async run(ctx) {
    const { p } = await newSession(ctx);
    const within = ctx.options.ackDelay + ctx.options.slack;
    const from = p.frames.length;
    const sentAt = p.now();
    for (let s = 1; s <= BURST; s++) p.msg(s, ctx.tag());
    const ack = await p.waitFor(ackAtLeast(BURST), `"ack" with a = ${BURST} within ackDelay + slack = ${within} ms of sending ${BURST} messages`, within, from);
    await sleep(ctx.options.ackDelay + 50);
    const seen = p.frames.slice(from).filter(isAck).map((i) => i.frame.a);
    expectThat(seen.every((a, i) => a <= BURST && (i === 0 || a >= seen[i - 1]!)), `acks that never go back and never pass ${BURST}`, () => p.seen(from));
    return `ack ${BURST} after ${ack.at - sentAt} ms (${seen.length} ack frame${seen.length === 1 ? '' : 's'})`;
  },
};

const forget: Check = {
  id: 'rule5.forget',
  rule: 'Rule 5 Acks',
  title: 'a sender forgets messages s ≤ a: acknowledged messages no longer count against maxBuffered (1.6 × maxBuffered messages in two pushes, each acknowledged, then a resume)',
  session: true,
  needs: ['contract'],
  async run(ctx) {
    const { p, w } = await newSession(ctx);
    // 80 %: room for the server's own pushes between the two.
    const n = Math.max(1, Math.floor(ctx.options.maxBuffered * 0.8));
    for (let round = 1; round <= 2; round++) {
      await pushed(ctx, p, n, push(p, round, n));
      p.send({ t: 'ack', a: p.lastS });
      await sleep(ctx.options.ackDelay + 50);
    }
    p.kill();
    const q = await ctx.open();
    const again = await q.hello(w.sid, p.lastS, ctx.options.timeout);
    await sleep(ctx.options.ackDelay + 100);
    expectThat(again.resumed, `resumed:true after 2 × ${n} pushed messages, each acknowledged (not "overflow": --max-buffered is ${ctx.options.maxBuffered})`, () => q.seen());
    expectThat(!q.frames.some((i) => isMsg(i) && i.frame.s <= p.lastS), 'nothing acknowledged sent again', () => q.seen());
  },
};

export const DELIVERY_CHECKS: Check[] = [duplicate, gap, acks, forget];
