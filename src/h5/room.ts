/**
 * The H5 room page (served by the dev server at /h5/room.html): two panes, two sessions of two
 * dev users, chatting in the dev server's `lobby` (`{"room":"lobby","say":…}` is published to
 * every member). Each pane counts the numbered lines it got from each speaker (delivered, lost,
 * duplicated) and has fault buttons aimed at its own user only, so one pane loses its network
 * while the other chats on. Query: ?a=NAME&b=NAME (users), ?auto=ms (both auto-say from the
 * start), and for tests ?heartbeat=ms&timeout=ms&retry=ms.
 */
import type * as Bundle from './bundle';
import { StreamCount } from './counters';
import { runFault } from './fault-buttons';
import type { Line } from './fault-buttons';

declare const wxSocketManager: typeof Bundle;

const { WxSocketManager, SocketSession, fromBrowser, statusText } = wxSocketManager;
const query = new URLSearchParams(location.search);
const ms = (name: string, fallback: number): number => Number(query.get(name)) || fallback;
const users = [query.get('a') || 'alice', query.get('b') || 'bob'];

/** A line said in the lobby, as the dev server publishes it: `{"room":"lobby","from":user,"say":"user#k"}`. */
function heard(text: string): { from: string; k?: number; say: string } | undefined {
  try {
    const m = JSON.parse(text) as { from?: unknown; say?: unknown };
    if (typeof m.from !== 'string' || typeof m.say !== 'string') return undefined;
    const k = /#(\d+)$/.exec(m.say);
    return { from: m.from, say: m.say, k: k && m.say.startsWith(`${m.from}#`) ? Number(k[1]) : undefined };
  } catch {
    return undefined;
  }
}

const el = <K extends keyof HTMLElementTagNameMap>(tag: K, cls?: string, text?: string): HTMLElementTagNameMap[K] => {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text) e.textContent = text;
  return e;
};

class Pane {
  readonly socket: InstanceType<typeof WxSocketManager>;
  readonly session: InstanceType<typeof SocketSession>;
  /** Numbered lines received from each speaker. */
  readonly counts: Record<string, StreamCount> = {};
  /** What the pane saw, for people and for the Chromium test. */
  readonly events: string[] = [];
  said = 0;
  private auto: ReturnType<typeof setInterval> | undefined;
  private readonly box = el('div', 'pane');
  private readonly status = el('div', 'status');
  private readonly table = el('table');
  private readonly log = el('div', 'log');

  constructor(readonly user: string) {
    for (const u of users) this.counts[u] = new StreamCount(1);
    this.socket = new WxSocketManager({
      url: `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/?user=${encodeURIComponent(user)}`,
      ...fromBrowser(globalThis),
      heartbeat: { interval: ms('heartbeat', 10000), timeout: ms('timeout', 10000) },
      reconnect: { interval: ms('retry', 2000), maxAttempts: 30 },
    });
    this.session = new SocketSession(this.socket);
    this.session.on('message', (data, meta) => this.received(String(data), meta.room));
    this.session.on('resync', (e) => this.line('info', `resync (${e.reason})`));
    this.socket.on('state', () => this.render());
    this.socket.on('open', (e) => this.line('info', e.attempt > 0 ? `reconnected after ${e.attempt} attempt(s)` : 'connected'));
    this.socket.on('close', (e) => this.line('info', `closed ${e.code}${e.willReconnect ? ', will reconnect' : ''}`));
    this.build();
  }

  readonly line: Line = (kind, text) => {
    this.events.push(`${kind}:${text}`);
    const div = el('div', kind, `${new Date().toLocaleTimeString()}  ${text}`);
    this.log.appendChild(div);
    while (this.log.childNodes.length > 200) this.log.removeChild(this.log.firstChild as ChildNode);
    this.log.scrollTop = this.log.scrollHeight;
  };

  say(text = `${this.user}#${++this.said}`): Promise<void> {
    this.line('out', text);
    return this.session.send(JSON.stringify({ room: 'lobby', say: text })).catch((err: Error) => this.line('error', err.message));
  }

  setAuto(every: number | undefined): void {
    if (this.auto !== undefined) clearInterval(this.auto);
    this.auto = every === undefined ? undefined : setInterval(() => void this.say(), every);
    this.render();
  }

  private received(text: string, room: string | undefined): void {
    const h = room === 'lobby' ? heard(text) : undefined;
    if (h?.k !== undefined) this.counts[h.from]?.add(h.k);
    this.line('in', h ? `${h.from}: ${h.say}` : text);
    this.render();
  }

  private render(): void {
    this.status.className = `status ${this.socket.state}`;
    this.status.textContent = `${this.user} · ${statusText(this.socket.state, this.socket.attempt, this.socket.maxAttempts)} · ${statusText(this.socket.state, this.socket.attempt, this.socket.maxAttempts, 'en')}`;
    this.table.innerHTML = '<tr><th>来自 from</th><th>已送达 delivered</th><th>丢失 lost</th><th>重复 duplicated</th></tr>';
    for (const u of users) {
      const c = this.counts[u]!;
      const row = el('tr');
      row.appendChild(el('td', '', u));
      for (const [n, bad] of [[c.delivered, false], [c.lost, c.lost > 0], [c.duplicated, c.duplicated > 0]] as const) row.appendChild(el('td', bad ? 'n bad' : 'n', String(n)));
      this.table.appendChild(row);
    }
    this.box.querySelector('button.auto')?.classList.toggle('on', this.auto !== undefined);
  }

  private build(): void {
    const form = el('form');
    const input = el('input');
    input.placeholder = '说点什么 / say something';
    const auto = el('button', 'auto', '自动 Auto');
    auto.type = 'button';
    auto.addEventListener('click', () => this.setAuto(this.auto === undefined ? ms('auto', 500) : undefined));
    form.append(input, el('button', '', '发送 Send'), auto);
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      if (input.value.trim()) void this.say(input.value.trim());
      input.value = '';
    });
    const faults = el('div', 'faults');
    const aimed: Array<[string, string]> = [[`restart?user=${encodeURIComponent(this.user)}&ms=3000`, '断网 3 秒 · network down'], [`blackhole?user=${encodeURIComponent(this.user)}&ms=4000`, '半开链路 · blackhole']];
    for (const [fault, label] of aimed) {
      const button = el('button', '', label);
      button.dataset.fault = fault;
      button.addEventListener('click', () => void runFault(fault, this.line));
      faults.appendChild(button);
    }
    this.box.append(this.status, this.table, this.log, form, faults);
    document.getElementById('panes')!.appendChild(this.box);
    this.render();
  }
}

const panes = users.map((u) => new Pane(u));
for (const pane of panes) {
  window.addEventListener('pagehide', () => pane.socket.onUnload());
  pane.socket.onLoad();
  if (query.get('auto')) pane.setAuto(ms('auto', 500));
}

(globalThis as { room?: unknown }).room = { panes };
