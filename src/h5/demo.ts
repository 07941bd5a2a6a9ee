/**
 * The H5 demo page (served by the dev server at /): the mini-program demo's story in a
 * browser — status banner, log, send box, fault buttons. Uses the browser bundle's global.
 * Query options (for tests): ?heartbeat=ms&timeout=ms&retry=ms.
 */
import type * as Bundle from './bundle';

declare const wxSocketManager: typeof Bundle;

const { WxSocketManager, fromBrowser, statusText } = wxSocketManager;
const query = new URLSearchParams(location.search);
const ms = (name: string, fallback: number): number => Number(query.get(name)) || fallback;

const socket = new WxSocketManager({
  url: `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/`,
  ...fromBrowser(globalThis),
  heartbeat: { interval: ms('heartbeat', 10000), timeout: ms('timeout', 10000) },
  reconnect: { interval: ms('retry', 2000), maxAttempts: 30 },
});

const el = (id: string): HTMLElement => document.getElementById(id) as HTMLElement;
const counts = { sent: 0, received: 0 };
/** What the page saw, for people and for the Chromium test. */
const events: string[] = [];

function line(kind: 'in' | 'out' | 'info' | 'error', text: string): void {
  events.push(`${kind}:${text}`);
  const div = document.createElement('div');
  div.className = kind;
  div.textContent = `${new Date().toLocaleTimeString()}  ${text}`;
  const log = el('log');
  log.appendChild(div);
  while (log.childNodes.length > 200) log.removeChild(log.firstChild as ChildNode);
  log.scrollTop = log.scrollHeight;
}

function render(): void {
  const status = el('status');
  status.className = socket.state;
  status.textContent = `${statusText(socket.state, socket.attempt, socket.maxAttempts)} · ${statusText(socket.state, socket.attempt, socket.maxAttempts, 'en')}`;
  el('counters').textContent = `sent ${counts.sent} · received ${counts.received}${socket.queued ? ` · queued ${socket.queued}` : ''}${socket.rtt !== undefined ? ` · rtt ${socket.rtt} ms` : ''}`;
}

socket.on('state', render);
socket.on('pong', render);
socket.on('open', (e) => line('info', e.attempt > 0 ? `reconnected after ${e.attempt} attempt(s)` : 'connected'));
socket.on('close', (e) => line('info', `closed ${e.code}${e.reason ? ` ${e.reason}` : ''}${e.willReconnect ? ', will reconnect' : ''}`));
socket.on('error', (e) => line('error', e.code));
socket.on('message', (data) => {
  counts.received++;
  line('in', typeof data === 'string' ? data : `<${data.byteLength} bytes>`);
  render();
});

function send(text: string): Promise<void> {
  counts.sent++;
  line('out', socket.state === 'open' ? text : `${text} (queued: ${socket.queued + 1})`);
  const sent = socket.send(text).catch((err: Error) => line('error', err.message));
  render();
  return sent;
}

el('send').addEventListener('submit', (e) => {
  e.preventDefault();
  const input = el('draft') as HTMLInputElement;
  const text = input.value.trim();
  input.value = '';
  if (text) void send(text);
});

// Faults go to the dev server's control routes on this same origin: they work while the socket is down.
for (const button of Array.from(document.querySelectorAll<HTMLButtonElement>('#faults button'))) {
  button.addEventListener('click', () => {
    const fault = button.dataset.fault as string;
    line('info', `fault ${fault}`);
    fetch(`/fault/${fault}`).catch((err: Error) => line('error', err.message));
  });
}

window.addEventListener('pagehide', () => socket.onUnload());
socket.onLoad();
render();

(globalThis as { demo?: unknown }).demo = { socket, events, send };
