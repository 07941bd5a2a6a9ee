/** The report as text (one line per check, evidence under a FAIL), Markdown (--report) and JSON (--json). */
import type { CheckResult } from './check';
import type { ConformanceReport } from './runner';

const indent = (text: string, pad: string): string => text.split('\n').map((l) => pad + l).join('\n');

export function textHeader(url: string, session: boolean): string {
  return `wx-socket-conformance ${url} — ${session ? 'heartbeat and session protocol v1 (PROTOCOL.md)' : 'heartbeat only (add --session for the session protocol)'}\n\n`;
}

/** One check as text: `PASS  rule — words`, then the evidence (FAIL) or the reason (SKIP). */
export function textLine(r: CheckResult): string {
  const head = `${r.status}  ${r.rule} — ${r.title}`;
  if (r.status === 'PASS') return `${head}${r.note ? ` (${r.note})` : ''}\n`;
  if (r.status === 'SKIP') return `${head}\n      why: ${r.why}\n`;
  return `${head}\n      expected: ${r.evidence!.expected}\n      seen:\n${indent(r.evidence!.seen, '        ')}\n`;
}

export function textSummary(report: ConformanceReport): string {
  const figures = Object.entries(report.figures);
  const lines = figures.length ? `\nFigures\n${figures.map(([k, v]) => `  ${k}: ${v}`).join('\n')}\n` : '';
  const { pass, fail, skip } = report.summary;
  return `${lines}\n${pass} PASS, ${fail} FAIL, ${skip} SKIP in ${(report.ms / 1000).toFixed(1)} s — ${fail === 0 ? 'conforming' : 'NOT conforming'}\n`;
}

export function toText(report: ConformanceReport): string {
  return textHeader(report.url, report.session) + report.checks.map(textLine).join('') + textSummary(report);
}

const FENCE = '`'.repeat(3);
/** Evidence as a Markdown code block (a fence inside it is broken up so it cannot end the block). */
const fence = (text: string): string => [FENCE, text.split(FENCE).join('`\u200b``'), FENCE].join('\n');

export function toMarkdown(report: ConformanceReport): string {
  const { pass, fail, skip } = report.summary;
  const out = [
    `# Conformance report: ${report.url}`,
    '',
    `${report.session ? 'Heartbeat and session protocol v1 (PROTOCOL.md)' : 'Heartbeat only'} · ${report.startedAt} · ${(report.ms / 1000).toFixed(1)} s`,
    '',
    `**${pass} PASS, ${fail} FAIL, ${skip} SKIP** — ${fail === 0 ? 'conforming' : 'not conforming'}`,
    '',
    '| | check | rule |',
    '|---|---|---|',
    ...report.checks.map((r) => `| ${r.status} | \`${r.id}\` | ${r.rule} — ${r.title.replace(/\|/g, '\\|')}${r.note ? ` (${r.note.replace(/\|/g, '\\|')})` : ''} |`),
  ];
  const details = report.checks.filter((r) => r.status !== 'PASS');
  if (details.length) {
    out.push('', '## FAIL and SKIP');
    for (const r of details) {
      out.push('', `### ${r.status} \`${r.id}\` — ${r.rule}`, '', r.title, '');
      if (r.status === 'SKIP') out.push(`Why: ${r.why}`);
      else out.push(`Expected: ${r.evidence!.expected}`, '', 'Seen:', '', fence(r.evidence!.seen));
    }
  }
  const figures = Object.entries(report.figures);
  if (figures.length) out.push('', '## Figures', '', ...figures.map(([k, v]) => `- ${k}: ${v}`));
  return `${out.join('\n')}\n`;
}

export const toJson = (report: ConformanceReport): string => `${JSON.stringify(report, null, 2)}\n`;
