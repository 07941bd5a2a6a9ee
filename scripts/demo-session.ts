/**
 * The demo's last act: one outage played twice on real sockets, once with the plain manager
 * and once with a reliable session (`wx-socket-manager/session`), counting what each side lost
 * or got twice, both directions. The outage: the link goes half-open (blackhole) while the
 * client sends a numbered message every 50 ms and the server sends a tick every 50 ms.
 */
import { WxSocketManager } from 'wx-socket-manager';
import type { SocketData } from 'wx-socket-manager';
import { createWsConnectSocket } from 'wx-socket-manager/node';
import { startDevServer } from 'wx-socket-manager/dev-server';
import { SocketSession } from 'wx-socket-manager/session';
import { sleep, until } from './wait';

const EVERY = 50;
const COUNT = 60;
const OUTAGE_AT = 11;

export interface OutageResult {
  sent: number;
  /** client → server */
  up: { lost: number; duplicated: number; outOfOrder: boolean };
  /** server → client ticks */
  down: { lost: number; duplicated: number; outOfOrder: boolean; received: number };
  ms: number;
}

/** Plays the outage once; `session` switches reliable sessions on. */
export async function playOutage(session: boolean): Promise<OutageResult> {
  const t0 = Date.now();
  const server = await startDevServer({ port: 0, tickInterval: EVERY, log: false });
  const socket = new WxSocketManager({
    url: server.url,
    connectSocket: createWsConnectSocket({ closeTimeout: 300 }),
    watchNetwork: false,
    watchApp: false,
    heartbeat: { interval: 500, timeout: 500 },
    reconnect: { interval: 300 },
  });
  const ticks: Array<{ n?: number; time: string }> = [];
  const onTick = (m: SocketData): void => {
    if (typeof m !== 'string' || !m.startsWith('{')) return;
    const t = JSON.parse(m) as { type?: string; n?: number; time: string };
    if (t.type === 'tick') ticks.push(t);
  };
  const s = session ? new SocketSession(socket) : undefined;
  if (s) s.on('message', onTick);
  else socket.on('message', onTick);
  socket.connect();
  await until(() => socket.state === 'open' && (!s || s.sessionId !== null), 5000);

  const send = (text: string): Promise<void> => (s ? s.send(text) : socket.send(text));
  const settled: Array<Promise<unknown>> = [];
  for (let n = 1; n <= COUNT; n++) {
    if (n === OUTAGE_AT) server.blackhole(4000);
    settled.push(send(`msg-${n}`).catch(() => undefined));
    await sleep(EVERY);
  }
  await Promise.all(settled);
  await until(() => socket.state === 'open', 5000);
  await sleep(500); // the last ticks and echoes
  socket.destroy();
  await server.close();

  const got = server.received.filter((m) => m.startsWith('msg-')).map((m) => Number(m.slice(4)));
  const up = count(got, COUNT);
  let down: OutageResult['down'];
  if (session) {
    const nums = ticks.map((t) => t.n as number);
    // Numbered from the session's first tick (the server counts its ticks, not each session's).
    const first = nums[0] ?? 1;
    down = { ...count(nums.map((k) => k - first + 1), (nums[nums.length - 1] ?? 0) - first + 1), received: nums.length };
  } else {
    // Plain ticks carry no number: a gap between two tick times longer than one interval is ticks never seen.
    let lost = 0;
    for (let i = 1; i < ticks.length; i++) lost += Math.max(0, Math.round((Date.parse(ticks[i]!.time) - Date.parse(ticks[i - 1]!.time)) / EVERY) - 1);
    down = { lost, duplicated: 0, outOfOrder: false, received: ticks.length };
  }
  return { sent: COUNT, up, down, ms: Date.now() - t0 };
}

function count(got: number[], upTo: number): { lost: number; duplicated: number; outOfOrder: boolean } {
  const seen = new Set(got);
  let lost = 0;
  for (let k = 1; k <= upTo; k++) if (!seen.has(k)) lost++;
  return { lost, duplicated: got.length - seen.size, outOfOrder: got.some((k, i) => i > 0 && k < got[i - 1]!) };
}

/** Both runs, printed side by side. Returns true when the session run lost and doubled nothing. */
export async function compareOutage(say: (line: string) => void): Promise<boolean> {
  const plain = await playOutage(false);
  const reliable = await playOutage(true);
  const row = (what: string, a: string, b: string): void => say(`  ${what.padEnd(36)} ${a.padEnd(16)} ${b}`);
  row('', 'plain manager', 'reliable session');
  row(`client → server: ${COUNT} messages, lost`, String(plain.up.lost), String(reliable.up.lost));
  row('client → server: duplicated', String(plain.up.duplicated), String(reliable.up.duplicated));
  row('server → client: ticks lost', `${plain.down.lost} (of ${plain.down.received + plain.down.lost})`, `${reliable.down.lost} (of ${reliable.down.received})`);
  row('server → client: ticks duplicated', String(plain.down.duplicated), String(reliable.down.duplicated));
  row('in order', String(!plain.up.outOfOrder), String(!reliable.up.outOfOrder && !reliable.down.outOfOrder));
  row('run time', `${(plain.ms / 1000).toFixed(1)} s`, `${(reliable.ms / 1000).toFixed(1)} s`);
  const r = reliable;
  return r.up.lost === 0 && r.up.duplicated === 0 && r.down.lost === 0 && r.down.duplicated === 0 && !r.up.outOfOrder && !r.down.outOfOrder;
}
