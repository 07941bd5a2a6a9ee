/** What any server behind the manager's heartbeat must do: accept the link and answer `ping` with `pong`. */
import { performance } from 'perf_hooks';
import { HEARTBEAT_PING } from '../../protocol';
import { Mismatch } from '../verdicts';
import type { Check, CheckContext } from '../check';
import { isMsg, isPong } from '../frames';
import { newSession, push } from './common';

const connect: Check = {
  id: 'connect',
  rule: 'Link',
  title: 'the server accepts a WebSocket upgrade with the --header credentials',
  session: false,
  async run(ctx) {
    try {
      await ctx.open();
    } catch (err) {
      throw new Mismatch('an open WebSocket link', (err as Error).message);
    }
  },
};

const LATENCY_SAMPLES = 100;

const pingFirst: Check = {
  id: 'heartbeat.first',
  rule: 'Heartbeat',
  title: 'a plain "ping" is answered with a plain "pong", before anything else',
  session: false,
  needs: ['connect'],
  async run(ctx) {
    const p = await ctx.open();
    p.send(HEARTBEAT_PING);
    await p.waitFor(isPong, 'the text "pong" answering the first frame "ping"', ctx.options.timeout);
    // ping → pong times, one at a time (stopped early on a slow link, before a session server's helloTimeout)
    const rtts: number[] = [];
    const started = Date.now();
    while (rtts.length < LATENCY_SAMPLES && Date.now() - started < ctx.options.helloTimeout / 2) {
      const from = p.frames.length;
      const t = performance.now();
      p.send(HEARTBEAT_PING);
      await p.waitFor(isPong, 'a "pong" for each "ping"', ctx.options.timeout, from);
      rtts.push(performance.now() - t);
    }
    const [p50, p99] = [percentile(rtts, 50), percentile(rtts, 99)];
    ctx.figure('ping → pong p50 (ms)', round(p50));
    ctx.figure('ping → pong p99 (ms)', round(p99));
    return `p50 ${round(p50)} ms, p99 ${round(p99)} ms over ${rtts.length} pings`;
  },
};

const FLOOD = 100;

const pingBusy: Check = {
  id: 'heartbeat.busy',
  rule: 'Heartbeat',
  title: 'a "ping" is answered on a busy link too (the pong is not held behind other traffic)',
  session: false,
  needs: ['heartbeat.first'],
  run: (ctx) => (ctx.options.session ? busySession(ctx) : busyPlain(ctx)),
};

/** Any server: pings sent back to back are each answered. */
async function busyPlain(ctx: CheckContext): Promise<string> {
  const p = await ctx.open();
  for (let i = 0; i < FLOOD; i++) p.send(HEARTBEAT_PING);
  await p.waitFor(() => p.frames.filter(isPong).length >= FLOOD, `${FLOOD} "pong"s for ${FLOOD} "ping"s sent back to back`, ctx.options.timeout);
  return `${FLOOD} pings back to back, ${FLOOD} pongs`;
}

/** A session server: a ping sent right behind a push of hundreds of messages is answered while they flow. */
async function busySession(ctx: CheckContext): Promise<string> {
  const { p } = await newSession(ctx);
  const n = Math.min(500, Math.floor(ctx.options.maxBuffered / 2));
  const from = push(p, 1, n);
  p.send(HEARTBEAT_PING);
  const pong = await p.waitFor(isPong, `a "pong" for the "ping" sent right after pushing ${n} messages`, ctx.options.timeout, from);
  const before = p.frames.slice(from, p.frames.indexOf(pong)).filter(isMsg).length;
  return `pong after ${before} of ${n} pushed messages`;
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

const round = (ms: number): number => Math.round(ms * 100) / 100;

export const HEARTBEAT_CHECKS: Check[] = [connect, pingFirst, pingBusy];
