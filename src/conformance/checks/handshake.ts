/** Rule 1 (handshake), the frames and close codes, the test contract, `ping` before `hello`. */
import { HEARTBEAT_PING, encodeTestCommand } from '../../protocol';
import { expectThat } from '../verdicts';
import type { Check } from '../check';
import { isMsg, isPong } from '../frames';
import { binaryOf, echo, echoOf, expectProtocolClose, newSession, push, pushed, sleep } from './common';

const pingBeforeHello: Check = {
  id: 'clar.ping-before-hello',
  rule: 'Clarification ping/pong',
  title: '"ping" / "pong" are answered at any time, before "hello" too; the ping does not count as the first frame',
  session: true,
  needs: ['heartbeat.first'],
  async run(ctx) {
    const p = await ctx.open();
    p.send(HEARTBEAT_PING);
    await p.waitFor(isPong, 'a "pong" for a "ping" sent before "hello"', ctx.options.timeout);
    const w = await p.hello(null, 0, ctx.options.timeout);
    expectThat(!w.resumed, 'a "welcome" for the "hello" that followed the ping', () => p.seen());
    const from = p.frames.length;
    p.send(HEARTBEAT_PING);
    await p.waitFor(isPong, 'a plain "pong" for a "ping" after "welcome"', ctx.options.timeout, from);
  },
};

const welcomeFirst: Check = {
  id: 'rule1.welcome-first',
  rule: 'Rule 1 Handshake',
  title: 'the server answers "hello" with "welcome" before any "msg" (a new session: resumed:false, reason "new", rx 0, a ttl)',
  session: true,
  needs: ['connect'],
  async run(ctx) {
    const p = await ctx.open();
    const w = await p.hello(null, 0, ctx.options.timeout);
    const at = p.frames.findIndex((i) => i.frame?.t === 'welcome');
    expectThat(!p.frames.slice(0, at).some(isMsg), '"welcome" before any "msg"', () => p.seen());
    expectThat(!w.resumed && w.reason === 'new' && w.rx === 0 && w.ttl > 0, '{"t":"welcome","v":1,"sid":…,"resumed":false,"rx":0,"ttl":>0,"reason":"new"}', () => p.seen());
    return `ttl ${w.ttl} ms`;
  },
};

const contract: Check = {
  id: 'contract',
  rule: 'Test contract',
  title: 'each session message is echoed as a new message (same "b"); {"conformance":"push","n":N} is answered with N messages "1" … "N" and not echoed',
  session: true,
  needs: ['rule1.welcome-first'],
  async run(ctx) {
    const { p } = await newSession(ctx);
    const text = ctx.tag();
    const binary = binaryOf(ctx.tag());
    p.msg(1, text);
    p.msg(2, binary, 1);
    const from = push(p, 3, 3);
    const echoText = await echo(ctx, p, text);
    expectThat(echoText.b === undefined, `the echo of a text message without "b"`, () => p.seen());
    const echoBinary = await echo(ctx, p, binary);
    expectThat(echoBinary.b === 1, 'the echo of a binary message ("b":1) with "b":1 and the same base64', () => p.seen());
    await pushed(ctx, p, 3, from);
    await sleep(ctx.options.ackDelay + 50);
    const command = encodeTestCommand('push', 3);
    expectThat(!p.frames.some(echoOf(command)), 'the push command itself not echoed', () => p.seen());
  },
};

const msgBeforeWelcome: Check = {
  id: 'rule1.msg-before-welcome',
  rule: 'Rule 1 Handshake',
  title: 'a "msg" before "welcome" is a protocol error: an "error" frame, then close 4400',
  session: true,
  needs: ['rule1.welcome-first'],
  async run(ctx) {
    const p = await ctx.open();
    const tag = ctx.tag();
    p.msg(1, tag);
    await expectProtocolClose(ctx, p, 0, 'a "msg" as the first frame');
    expectThat(!p.frames.some(echoOf(tag)), 'the message not delivered (no echo)', () => p.seen());
  },
};

/** Sent on a link that has its welcome (a server that also serves plain links may echo them as a first frame). */
const BAD_FRAMES: Array<[string, string]> = [
  ['bad JSON', '{"t":"msg",'],
  ['an unknown "t"', '{"t":"no-such-frame"}'],
];

const closeCodes: Check = {
  id: 'frames.4400',
  rule: 'Close codes',
  title: 'bad JSON and an unknown "t" on a session link, and a first "hello" with "v" ≠ 1, are protocol errors: an "error" frame, then close 4400',
  session: true,
  needs: ['rule1.welcome-first'],
  async run(ctx) {
    for (const [cause, text] of BAD_FRAMES) {
      const { p } = await newSession(ctx);
      const from = p.frames.length;
      p.send(text);
      await expectProtocolClose(ctx, p, from, `${cause} after "welcome" (${text})`);
    }
    const p = await ctx.open();
    p.send(VERSION_2);
    await expectProtocolClose(ctx, p, 0, `a first frame ${VERSION_2}`);
  },
};

const VERSION_2 = '{"t":"hello","v":2,"sid":null,"rx":0}';

const SID_SAMPLES = 12;

const sessionIds: Check = {
  id: 'rule2.sid',
  rule: 'Rule 2 Session ids',
  title: 'session ids are issued by the server: ≥ 128 random bits, base64url',
  session: true,
  needs: ['rule1.welcome-first'],
  async run(ctx) {
    const sids: string[] = [];
    for (let i = 0; i < SID_SAMPLES; i++) {
      const { p, w } = await newSession(ctx);
      sids.push(w.sid);
      await p.end();
    }
    const sample = (): string => sids.slice(0, 4).join('\n');
    expectThat(sids.every((s) => /^[A-Za-z0-9_-]+={0,2}$/.test(s)), 'base64url ids (A–Z a–z 0–9 - _)', sample);
    expectThat(new Set(sids).size === sids.length, `${SID_SAMPLES} different ids for ${SID_SAMPLES} new sessions`, () => sids.join('\n'));
    const bits = sidBits(sids);
    expectThat(bits >= 128, `≥ 128 random bits (estimated from ${SID_SAMPLES} ids: the characters that vary × bits per character)`, () => `about ${bits} bits, e.g.\n${sample()}`);
    return `${sids[0]!.length} characters, about ${bits} random bits`;
  },
};

/**
 * An upper estimate of the random bits in ids: the positions where the samples differ, times
 * the bits a character carries in the smallest alphabet holding them all (digits, hex, base64url).
 */
export function sidBits(sids: string[]): number {
  const all = sids.join('').replace(/[-=]/g, '');
  const perChar = /^[0-9]*$/.test(all) ? Math.log2(10) : /^[0-9a-f]*$/i.test(all) ? 4 : 6;
  const length = Math.min(...sids.map((s) => s.replace(/=+$/, '').length));
  let varying = 0;
  for (let i = 0; i < length; i++) if (new Set(sids.map((s) => s[i])).size > 1) varying++;
  return Math.floor(varying * perChar);
}

export const HANDSHAKE_CHECKS: Check[] = [welcomeFirst, pingBeforeHello, contract, msgBeforeWelcome, closeCodes, sessionIds];
