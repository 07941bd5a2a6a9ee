/** Steps many checks share: a new session, waiting for an echo or a push, a protocol-error close. */
import { randomBytes } from 'crypto';
import { CLOSE_PROTOCOL, encodeTestCommand } from '../../protocol';
import type { MsgFrame, WelcomeFrame } from '../../protocol';
import { expectThat } from '../verdicts';
import type { CheckContext } from '../check';
import { isAck, isError, isMsg } from '../frames';
import type { Inbound } from '../frames';
import type { Probe } from '../probe';

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A session id nobody issued: 128 random bits, base64url. */
export const unknownSid = (): string => randomBytes(16).toString('base64url');

/** A new link that said `hello` with no sid; FAIL unless the server answered a new session. */
export async function newSession(ctx: CheckContext, user: 'a' | 'b' = 'a'): Promise<{ p: Probe; w: WelcomeFrame }> {
  const p = await ctx.open(user);
  const w = await p.hello(null, 0, ctx.options.timeout);
  expectThat(!w.resumed && w.reason === 'new', 'a new session: "welcome" with resumed:false, reason "new"', () => p.seen());
  return { p, w };
}

export const echoOf = (d: string) => (i: Inbound): boolean => isMsg(i) && i.frame.d === d;
export const ackAtLeast = (a: number) => (i: Inbound): boolean => isAck(i) && i.frame.a >= a;

/** Waits for the server's echo of the client message whose data is `tag`. */
export async function echo(ctx: CheckContext, p: Probe, tag: string, from = 0): Promise<MsgFrame> {
  return (await p.waitFor(echoOf(tag), `the echo of "${tag}" (test contract)`, ctx.options.timeout, from)).frame as MsgFrame;
}

/** Sends the test contract's push command as client message `s`; returns the frame index the pushed messages come after. */
export function push(p: Probe, s: number, n: number): number {
  const from = p.frames.length;
  p.msg(s, encodeTestCommand('push', n));
  return from;
}

/** Waits until the pushed messages "1" … "n" (after frame `from`) have all arrived, in order; returns them. */
export async function pushed(ctx: CheckContext, p: Probe, n: number, from: number): Promise<MsgFrame[]> {
  await p.waitFor((i) => isMsg(i) && i.frame.d === String(n), `the test contract's push: messages "1" … "${n}"`, ctx.options.timeout + n, from);
  const got = pushedSince(p, n, from);
  expectThat(got.map((m) => m.d).join() === Array.from({ length: n }, (_, i) => String(i + 1)).join(), `messages "1" … "${n}", each once, in order`, () => p.seen(from));
  return got;
}

/** The msgs carrying "1" … "n" after frame `from`, as received. */
export function pushedSince(p: Probe, n: number, from: number): MsgFrame[] {
  const wanted = new Set(Array.from({ length: n }, (_, i) => String(i + 1)));
  return p.frames.slice(from).filter(isMsg).map((i) => i.frame).filter((m) => wanted.has(m.d));
}

/** FAIL unless the link gets an `error` frame (code 4400) and then close 4400. */
export async function expectProtocolClose(ctx: CheckContext, p: Probe, from: number, cause: string, wait = ctx.options.timeout): Promise<void> {
  const closed = await p.waitClose(wait);
  const error = p.frames.slice(from).find(isError);
  expectThat(
    closed?.code === CLOSE_PROTOCOL && error?.frame.code === CLOSE_PROTOCOL,
    `${cause}: an "error" frame with code ${CLOSE_PROTOCOL}, then close ${CLOSE_PROTOCOL}`,
    () => p.seen(from),
  );
}

/** FAIL if the link was closed (by the server). */
export function expectOpen(p: Probe, what: string, from = 0): void {
  expectThat(!p.closed, `${what}; the link stays open`, () => p.seen(from));
}

/** The test contract's binary echo travels base64 with `b: 1`: the base64 of the tag's bytes. */
export const binaryOf = (tag: string): string => Buffer.from(`${tag}\u0000\u00ff`, 'utf8').toString('base64');
