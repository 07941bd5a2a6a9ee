/**
 * The H5 demo page (served by the dev server at /): the mini-program demo's story in a
 * browser — status banner, plain or session mode, delivery counters per direction, log, send
 * box, auto-send, fault buttons. Uses the browser bundle's global.
 * Query options: ?mode=plain|session&user=NAME&auto=ms (auto-send from the start), and for
 * tests ?heartbeat=ms&timeout=ms&retry=ms.
 */
import type * as Bundle from './bundle';
import { StreamCount, numbered } from './counters';
import { showFaultButtons } from './fault-buttons';
import type { Line } from './fault-buttons';

declare const wxSocketManager: typeof Bundle;

const { WxSocketManager, SocketSession, fromBrowser, statusText } = wxSocketManager;
const query = new URLSearchParams(location.search);
const ms = (name: string, fallback: number): number => Number(query.get(name)) || fallback;
const mode: 'plain' | 'session' = query.get('mode') === 'session' ? 'session' : 'plain';
const user = query.get('user');

const socket = new WxSocketManager({
  url: `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/${user ? `?user=${encodeURIComponent(user)}` : ''}`,
  ...fromBrowser(globalThis),
  heartbeat: { interval: ms('heartbeat', 10000), timeout: ms('timeout', 10000) },
  reconnect: { interval: ms('retry', 2000), maxAttempts: 30 },
});
const session = mode === 'session' ? new SocketSession(socket) : undefined;

const el = (id: string): HTMLElement => document.getElementById(id) as HTMLElement;
const counts = { sent: 0, up: new StreamCount(1), down: new StreamCount(), resyncs: 0 };
let nextUp = 1;
/** What the page saw, for people and for the Chromium test. */
const events: string[] = [];

const line: Line = (kind, text) => {
  events.push(`${kind}:${text}`);
  const div = document.createElement('div');
  div.className = kind;
  div.textContent = `${new Date().toLocaleTimeString()}  ${text}`;
  const log = el('log');
  log.appendChild(div);
  while (log.childNodes.length > 200) log.removeChild(log.firstChild as ChildNode);
  log.scrollTop = log.scrollHeight;
};

function render(): void {
  const status = el('status');
  status.className = socket.state;
  status.textContent = `${statusText(socket.state, socket.attempt, socket.maxAttempts)} · ${statusText(socket.state, socket.attempt, socket.maxAttempts, 'en')}`;
  for (const dir of ['up', 'down'] as const) {
    for (const what of ['delivered', 'lost', 'duplicated'] as const) {
      const cell = el(`${dir}-${what}`);
      cell.textContent = String(counts[dir][what]);
      cell.className = what !== 'delivered' && counts[dir][what] > 0 ? 'n bad' : 'n';
    }
  }
  const queued = session ? session.unacked : socket.queued;
  el('meta').textContent = `发送 sent ${counts.sent} · ${session ? '未确认 unacked' : '排队 queued'} ${queued}${counts.resyncs ? ` · 重新同步 resyncs ${counts.resyncs}` : ''}${socket.rtt !== undefined ? ` · rtt ${socket.rtt} ms` : ''}`;
}

function received(data: string | ArrayBuffer): void {
  const text = typeof data === 'string' ? data : `<${data.byteLength} bytes>`;
  const n = typeof data === 'string' ? numbered(data) : undefined;
  if (n && 'up' in n) counts.up.add(n.up);
  else if (n) counts.down.add(n.tick);
  line('in', text);
  render();
}

socket.on('state', render);
socket.on('pong', render);
socket.on('open', (e) => line('info', e.attempt > 0 ? `reconnected after ${e.attempt} attempt(s)` : 'connected'));
socket.on('close', (e) => line('info', `closed ${e.code}${e.reason ? ` ${e.reason}` : ''}${e.willReconnect ? ', will reconnect' : ''}`));
// A reconnect attempt refused while the server is down is the story going as planned, not an error.
const RETRIED = ['CONNECT_FAILED', 'CONNECT_TIMEOUT'];
socket.on('error', (e) => (socket.attempt > 0 && RETRIED.includes(e.code) ? line('info', `attempt ${socket.attempt} failed (${e.code}), will retry`) : line('error', e.code)));
if (session) {
  session.on('message', received);
  session.on('ack', render);
  session.on('resync', (e) => {
    counts.resyncs++;
    counts.down.rebase();
    line('info', `session resync (${e.reason}): the server lost the session; counting starts again`);
  });
} else {
  socket.on('message', received);
}

function send(text: string): Promise<void> {
  counts.sent++;
  const waiting = session ? session.unacked : socket.queued;
  line('out', socket.state === 'open' ? text : `${text} (${session ? 'unacked' : 'queued'}: ${waiting + 1})`);
  const sent = (session ? session.send(text) : socket.send(text)).catch((err: Error) => line('error', err.message));
  render();
  return sent;
}

/** The page's numbered message: its echo is how the page knows it was delivered. */
const sendNumbered = (): Promise<void> => send(JSON.stringify({ up: nextUp++ }));

el('send').addEventListener('submit', (e) => {
  e.preventDefault();
  const input = el('draft') as HTMLInputElement;
  const text = input.value.trim();
  input.value = '';
  if (text) void send(text);
});

let auto: ReturnType<typeof setInterval> | undefined;
function setAuto(every: number | undefined): void {
  if (auto !== undefined) clearInterval(auto);
  auto = every === undefined ? undefined : setInterval(() => void sendNumbered(), every);
  el('auto').className = auto === undefined ? '' : 'on';
}
el('auto').addEventListener('click', () => setAuto(auto === undefined ? ms('auto', 500) : undefined));
if (query.get('auto')) setAuto(ms('auto', 500));

for (const m of ['plain', 'session'] as const) {
  const link = el(`mode-${m}`) as HTMLAnchorElement;
  const q = new URLSearchParams(location.search);
  q.set('mode', m);
  link.href = `?${q}`;
  link.className = m === mode ? 'on' : '';
}
el('mode-note').textContent = mode === 'session' ? '恰好一次、按序 exactly once, in order' : '断线时可能丢失 may lose messages across outages';

void showFaultButtons(el('faults'), line).then((status) => {
  if (status.tickInterval === 0) el('no-ticks').textContent = status.mode === 'cluster' ? ' — 集群模式无 tick · no ticks in cluster mode' : ' — 无 tick · no ticks (--tick 0)';
});
window.addEventListener('pagehide', () => socket.onUnload());
socket.onLoad();
render();

(globalThis as { demo?: unknown }).demo = { socket, session, events, send, sendNumbered, counts, setAuto };
