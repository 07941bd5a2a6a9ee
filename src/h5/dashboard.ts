/**
 * The dev server's dashboard (GET /dashboard): polls `/dashboard/data`, keeps the last few
 * minutes of samples and draws links, sessions, messages per second each way, ack latency
 * p50/p99, resumes and resyncs, and closes by code — per node in cluster mode — with every
 * fault and node death marked on the charts. Fault buttons as on the H5 page.
 * Query: ?every=ms (poll interval, default 1000), ?window=s (history kept, default 300).
 */
import 'uplot/dist/uPlot.min.css';
import type { DashboardData } from '../dev-server/dashboard-data';
import type { DevEvent } from '../dev-server/journal';
import { Chart, PALETTE } from './dashboard-charts';
import type { Line } from './dashboard-charts';
import { columns } from './dashboard-math';
import type { Columns } from './dashboard-math';
import { showFaultButtons } from './fault-buttons';

const query = new URLSearchParams(location.search);
const every = Math.max(100, Number(query.get('every')) || 1000);
const keep = Math.max(10, Number(query.get('window')) || 300) * 1000;
const el = (id: string): HTMLElement => document.getElementById(id) as HTMLElement;

const samples: DashboardData[] = [];
let events: DevEvent[] = [];
const chart = (id: string, title: string): Chart => new Chart(el(`chart-${id}`), title, () => events);
const charts = {
  links: chart('links', '链路 Links open'),
  sessions: chart('sessions', '会话 Sessions · 在线用户 users online'),
  messages: chart('messages', '消息/秒 Messages per second'),
  latency: chart('latency', '确认延迟 Ack latency (ms)'),
  resumes: chart('resumes', '恢复与重新同步/秒 Resumes & resyncs per second'),
  closes: chart('closes', '关闭/秒 Closes per second, by code'),
};

const color = (i: number): string => PALETTE[i % PALETTE.length]!;

/** Per node lines, and a total when there is more than one node. */
function perNode(byNode: Record<string, Array<number | null>>, total: number[], what: string): { lines: Line[]; ys: Array<Array<number | null>> } {
  const names = Object.keys(byNode);
  const lines: Line[] = names.map((name, i) => ({ label: name, color: color(i) }));
  const ys = names.map((name) => byNode[name]!);
  if (names.length > 1) {
    lines.push({ label: `合计 total ${what}`, color: '#222', dash: [6, 4] });
    ys.push(total);
  }
  return { lines, ys };
}

function draw(c: Columns): void {
  const links = perNode(c.links, c.linksTotal, 'links');
  charts.links.update(c.t, links.lines, links.ys);
  const sessions = perNode(c.sessions, c.sessionsTotal, 'sessions');
  const users = Object.keys(c.sessions).length > 1 ? '在线用户（各节点之和）users online, summed over nodes' : '在线用户 users online';
  charts.sessions.update(c.t, [...sessions.lines, { label: users, color: '#9e9e9e', dash: [2, 3] }], [...sessions.ys, c.users]);
  charts.messages.update(c.t, [
    { label: '上行 in (client→server)', color: color(0) },
    { label: '下行 out (server→client)', color: color(1), dash: [8, 4] },
    { label: '重发 resent', color: color(2), dash: [4, 3] },
  ], [c.in, c.out, c.resent]);
  charts.latency.update(c.t, [{ label: 'p50', color: color(0) }, { label: 'p99', color: '#e64340' }], [c.p50, c.p99]);
  charts.resumes.update(c.t, [
    { label: '恢复 resumed', color: color(1) },
    { label: '重新同步 resync', color: '#e64340' },
    { label: '接管 takeover', color: color(2) },
  ], [c.resumed, c.resyncs, c.takeovers]);
  const codes = Object.keys(c.closes);
  charts.closes.update(c.t, codes.map((code, i) => ({ label: code, color: color(i) })), codes.map((code) => c.closes[code]!));
}

function header(d: DashboardData, c: Columns): void {
  el('nodes').innerHTML = '';
  for (const node of d.nodes) {
    const span = document.createElement('span');
    span.textContent = `${node.name} ${node.alive && node.series ? '●' : '✕ 宕机 down'}`;
    span.className = node.alive && node.series ? 'up' : 'down';
    el('nodes').appendChild(span);
  }
  const last = (xs: number[]): number => xs.at(-1) ?? 0;
  const unacked = d.nodes.reduce((sum, n) => sum + (n.series?.unacked ?? 0), 0);
  el('totals').textContent = `链路 links ${last(c.linksTotal)} · 会话 sessions ${last(c.sessionsTotal)} · 待确认 unacked ${unacked}`;
  const missing = el('missing');
  missing.style.display = d.missing ? 'block' : 'none';
  missing.textContent = d.missing ? `没有指标 No metrics: ${d.missing}` : '';
  el('events').innerHTML = '';
  for (const e of d.events.slice(-12).reverse()) {
    const div = document.createElement('div');
    div.className = e.kind;
    div.textContent = `${new Date(e.t).toLocaleTimeString()}  ${e.kind === 'fault' ? '故障 fault' : '节点 node'}: ${e.text}`;
    el('events').appendChild(div);
  }
}

async function poll(): Promise<void> {
  try {
    const res = await fetch('/dashboard/data', { cache: 'no-store' });
    const d = (await res.json()) as DashboardData;
    samples.push(d);
    while (samples.length > 2 && d.t - samples[0]!.t > keep) samples.shift();
    events = d.events;
    const c = columns(samples);
    draw(c);
    header(d, c);
  } catch (err) {
    el('said').textContent = `故障注入 Faults · 数据暂不可用 data unavailable (${(err as Error).message})`;
  } finally {
    setTimeout(() => void poll(), every);
  }
}

void showFaultButtons(el('faults'), (_kind, text) => void (el('said').textContent = `故障注入 Faults · ${text}`));
window.addEventListener('resize', () => Object.values(charts).forEach((c) => c.resize()));
void poll();

/** What the page shows, for people and for the Chromium test. */
(globalThis as { dashboard?: unknown }).dashboard = {
  samples: () => samples.length,
  columns: () => columns(samples),
  events: () => events.slice(),
  markers: () => Object.fromEntries(Object.entries(charts).map(([k, c]) => [k, c.markersDrawn])),
  points: () => Object.fromEntries(Object.entries(charts).map(([k, c]) => [k, c.points])),
};
