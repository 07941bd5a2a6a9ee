/** Judged over every link of the run: what each check's own frames showed, whatever the check was about. */
import { expectThat } from '../verdicts';
import type { Check } from '../check';
import { show } from '../frames';

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

export const WHOLE_RUN_CHECKS: Check[] = [wellFormed, stream];
