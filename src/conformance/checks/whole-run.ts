/** Judged over every link of the run: what each check's own frames showed, whatever the check was about. */
import { expectThat } from '../verdicts';
import type { Check } from '../check';
import { show } from '../frames';
import type { Probe } from '../probe';

const wellFormed: Check = {
  id: 'frames.valid',
  rule: 'Frames',
  title: 'every frame the server sent on a session link in this run is a valid protocol frame (JSON with "t") or the plain "pong"',
  session: true,
  needs: ['rule1.welcome-first'],
  async run(ctx) {
    const bad = ctx.history.flatMap((p) => p.frames.slice(p.sessionFrom ?? p.frames.length).filter((i) => i.invalid).map((i) => `[${p.label}] ${show(i.text)} — ${i.invalid}`));
    expectThat(bad.length === 0, 'valid frames only', () => bad.slice(0, 12).join('\n'));
    return `${ctx.history.reduce((n, p) => n + p.frames.length, 0)} frames on ${ctx.history.length} links`;
  },
};

const stream: Check = {
  id: 'rules.stream',
  rule: 'Rules 1, 3, 4 (server → client)',
  title: 'on every link of this run, each "msg" came after "welcome" and was the next s after the hello\'s rx: no repeat, no gap',
  session: true,
  needs: ['rule1.welcome-first'],
  async run(ctx) {
    const broken = ctx.history.flatMap((p) => p.violations.map((v) => `[${p.label}] ${v}`));
    expectThat(broken.length === 0, 'each msg the next s', () => broken.slice(0, 12).join('\n'));
    const msgs = ctx.history.reduce((n, p) => n + p.frames.filter((i) => i.frame?.t === 'msg').length, 0);
    return `${msgs} msgs on ${ctx.history.length} links`;
  },
};

/** Every close code PROTOCOL.md gives a server (normal, going away, and its own). */
const PROTOCOL_CLOSES = [1000, 1001, 1011, 1012, 1013, 4400, 4401, 4409, 4429];

const closeCodes: Check = {
  id: 'close.codes',
  rule: 'Close codes',
  title: 'every close the server made in this run used a code PROTOCOL.md names (1000, 1001, 1011, 1012, 1013, 4400, 4401, 4409, 4429)',
  session: true,
  needs: ['rule1.welcome-first'],
  async run(ctx) {
    const odd = ctx.history.filter((p) => p.closed && !p.endedByKit && !PROTOCOL_CLOSES.includes(p.closed.code));
    expectThat(odd.length === 0, 'protocol close codes only', () => odd.slice(0, 6).map((p) => p.seen(Math.max(0, p.frames.length - 3))).join('\n'));
  },
};

const takeoverOnly: Check = {
  id: 'close.4409',
  rule: 'Clarification Store trouble is never a takeover',
  title: 'a link is closed 4409 only when a newer link said "hello" for its session: 4409 means exactly one thing',
  session: true,
  needs: ['rule1.welcome-first'],
  async run(ctx) {
    const newer = (p: Probe, sid: string, before: number): boolean => ctx.history.some((q) => q !== p && q.helloSid === sid && q.helloAt !== undefined && q.helloAt <= before);
    const wrong = ctx.history.filter((p) => p.closed?.code === 4409 && !(p.welcome && newer(p, p.welcome.sid, p.closed.time)));
    expectThat(wrong.length === 0, '4409 only after a newer link\'s "hello" for the same session', () => wrong.slice(0, 6).map((p) => p.seen()).join('\n'));
  },
};

export const WHOLE_RUN_CHECKS: Check[] = [wellFormed, stream, closeCodes, takeoverOnly];
