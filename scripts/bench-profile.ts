/** `--cpu-prof`: where a server process's busy time went, from the V8 .cpuprofile it wrote on exit. */
import fs from 'fs';
import path from 'path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Self time per function (name, file:line), as a share of the busy (not idle) time. */
export function topFunctions(file: string, count = 10): { busyMs: number; top: Array<{ name: string; pct: number }> } {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile;
  const label = new Map<number, string>();
  for (const n of profile.nodes) {
    const f = n.callFrame;
    const where = f.url ? ` ${path.basename(f.url)}:${f.lineNumber + 1}` : '';
    label.set(n.id, `${f.functionName || '(anonymous)'}${where}`);
  }
  const self = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const name = label.get(id) ?? '?';
    self.set(name, (self.get(name) ?? 0) + (profile.timeDeltas[i + 1] ?? 0));
  });
  self.delete('(idle)');
  const busy = [...self.values()].reduce((a, b) => a + b, 0);
  const top = [...self].sort((a, b) => b[1] - a[1]).slice(0, count).map(([name, us]) => ({ name, pct: (us / busy) * 100 }));
  return { busyMs: busy / 1000, top };
}

/** Markdown: the profile's path and its top functions. */
export function profileNote(title: string, file: string | undefined): string {
  if (!file || !fs.existsSync(file)) return `- ${title}: no profile written${file ? ` (${file})` : ''}`;
  const { busyMs, top } = topFunctions(file);
  const list = top.map((t) => `${t.name} ${t.pct.toFixed(1)} %`).join('; ');
  return `- ${title}: \`${path.relative(process.cwd(), file)}\` — busy ${(busyMs / 1000).toFixed(1)} s; self time: ${list}`;
}
