/**
 * `npm run demo`: the demo page (demo-miniprogram/pages/index) under miniprogram-simulate,
 * its wx.connectSocket backed by real sockets (createWsConnectSocket), against the dev server
 * on a free 127.0.0.1 port, through a scripted outage; then the same outage with a reliable
 * session, and a room chat on a 3-node cluster while a node dies. Exits 0 only if the story held.
 */
import path from 'path';
import { createWsConnectSocket } from 'wx-socket-manager/node';
import { startDevServer } from 'wx-socket-manager/dev-server';
import type { WxSocketManager, WxSocketOptions } from 'wx-socket-manager';
import { roomOutage } from './demo-room';
import { compareOutage } from './demo-session';
import { installDom, resolveMiniprogramNpm } from './miniprogram-env';
import { sleep, until as waitUntil } from './wait';

const demoRoot = path.resolve(__dirname, '../../demo-miniprogram');
const TIMING: Partial<WxSocketOptions> = {
  heartbeat: { interval: 500, timeout: 500 },
  reconnect: { interval: 300, maxAttempts: 12 },
  connectTimeout: 2000,
};
const tty = process.stdout.isTTY === true;
const t0 = Date.now();
const secs = (t = Date.now()): string => `${((t - t0) / 1000).toFixed(2).padStart(6)}s`;
const failures: string[] = [];

function check(ok: boolean, what: string): void {
  if (!ok) failures.push(what);
  say(`${ok ? '  ✔' : '  ✘'} ${what}`);
}

let progress = '';
function say(line: string): void {
  if (progress) process.stdout.write('\r\x1b[K');
  console.log(line);
  if (progress) process.stdout.write(progress);
}

/** Waits (bounded) for `cond`, showing a progress line on a terminal. */
async function until(cond: () => boolean, what: string, ms = 10000): Promise<boolean> {
  const held = await waitUntil(cond, ms, 20, (waited) => {
    if (!tty) return;
    progress = `  … ${what} (${(waited / 1000).toFixed(1)}s)`;
    process.stdout.write(`\r\x1b[K${progress}`);
  });
  if (tty) process.stdout.write('\r\x1b[K');
  progress = '';
  return held;
}

interface SimComp {
  instance: { onLoad(): void; onUnload(): void; onInput(e: { detail: { value: string } }): void; onSend(): void };
  data: Record<string, unknown>;
  querySelector(selector: string): (SimComp & { dom: { textContent: string | null }; dispatchEvent(name: string): void }) | undefined;
  attach(parent: unknown): void;
  detach(): void;
}

async function main(): Promise<void> {
  console.log('wx-socket-manager demo — the demo page under miniprogram-simulate, real sockets, a local fault-injecting server');
  console.log(`Short timings for a quick run: heartbeat ping after 500 ms of silence, dead 500 ms later; reconnect every 300 ms, 12 attempts (defaults: 10 s / 10 s / 5 s / 12).\n`);

  const server = await startDevServer({ port: 0, tickInterval: 0, textFaults: true, log: (line) => say(`         ${line.replace(/^\[dev-server\] \S+ /, 'server · ')}`) });

  installDom();
  resolveMiniprogramNpm(demoRoot);
  const simulate = require('miniprogram-simulate') as {
    load(p: string, tag: string, o: object): string;
    render(id: string): SimComp;
    sleep(ms: number): Promise<void>;
  };
  const storage: Record<string, unknown> = { devServerUrl: server.url, demoTiming: TIMING };
  let attemptsMade = 0;
  const connect = createWsConnectSocket({ closeTimeout: 300 });
  (globalThis as Record<string, unknown>).wx = {
    connectSocket: (o: Parameters<typeof connect>[0]) => (attemptsMade++, connect(o)),
    getStorageSync: (key: string) => storage[key] ?? '',
    setStorageSync: (key: string, value: unknown) => void (storage[key] = value),
  };

  const pageId = simulate.load(path.join(demoRoot, 'pages/index/index'), 'page', {
    rootPath: demoRoot,
    usingComponents: { 'socket-status': '/miniprogram_npm/wx-socket-manager/socket-status/index' },
  });
  const page = simulate.render(pageId);
  const documentRef = (globalThis as unknown as { document: { createElement(t: string): unknown } }).document;
  page.attach(documentRef.createElement('parent-wrapper'));
  const { socket } = require(path.join(demoRoot, 'utils/socket.js')) as { socket: WxSocketManager };
  const banner = (): string => {
    const status = page.querySelector('#status');
    const text = status?.querySelector('.socket-status__text')?.dom.textContent ?? '';
    const retry = status?.querySelector('.socket-status__retry') ? ' [重试]' : '';
    return `${text}${retry}`;
  };

  // The timeline: one line per manager event.
  let lastFrameAt = Date.now();
  const pongs: number[] = [];
  const at: Record<string, number[]> = {};
  const mark = (name: string): number => ((at[name] ??= []).push(Date.now()), Date.now());
  const line = (event: string, detail = ''): void =>
    say(`${secs()}  ${socket.state.padEnd(12)} ${`attempt ${socket.attempt}/${socket.maxAttempts}`.padEnd(14)} ${event.padEnd(16)} ${detail}`);
  // The banner re-renders after our listeners run: show its text on its own line when it changes.
  let shownBanner = '';
  const showBanner = (): void => {
    setImmediate(() => {
      const now = banner();
      if (now !== shownBanner) say(`${secs()}  ${''.padEnd(12)} ${''.padEnd(14)} ${'banner'.padEnd(16)} ${(shownBanner = now)}`);
    });
  };
  let printPongs = false;
  socket.on('state', (e) => (line('state', `${e.previous} → ${e.state}`), showBanner()));
  socket.on('open', (e) => (mark('open'), line('open', `after ${e.attempt} reconnect attempt(s)`)));
  socket.on('close', (e) => (mark('close'), line('close', `code ${e.code}${e.reason ? ` "${e.reason}"` : ''}, ${e.willReconnect ? 'will reconnect' : 'final'}`)));
  socket.on('error', (e) => (mark(e.code), line('error', e.code)));
  socket.on('reconnecting', (e) => (mark('reconnecting'), line('reconnecting', `attempt ${e.attempt} in ${e.delay} ms`), showBanner()));
  socket.on('reconnect-failed', (e) => (mark('reconnect-failed'), line('reconnect-failed', `gave up after ${e.attempts} attempts`), showBanner()));
  socket.on('pong', (e) => {
    lastFrameAt = Date.now();
    pongs.push(e.rtt);
    if (printPongs) line('pong', `RTT ${e.rtt} ms`);
  });
  socket.on('message', () => (lastFrameAt = Date.now()));
  const ownListeners = socket.diagnostics.listeners;

  const section = (title: string): void => say(`\n── ${title}`);
  const sendFromPage = (text: string): void => {
    page.instance.onInput({ detail: { value: text } });
    page.instance.onSend();
  };

  // 1. Connect on onLoad.
  section('1. The page loads: connect');
  page.instance.onLoad();
  check(await until(() => socket.state === 'open', 'connecting'), 'connected on onLoad');

  // 2. Heartbeat.
  section('2. A quiet link: ping/pong rounds measure the RTT');
  printPongs = true;
  check(await until(() => pongs.length >= 3, 'three ping/pong rounds', 5000), `3 ping/pong rounds, RTT ${pongs.slice(0, 3).join(' / ')} ms`);

  // 3. Server restart while the page keeps sending.
  section('3. The server restarts (1 s down) while the page keeps sending one message every 50 ms');
  printPongs = false;
  const total = 40;
  let maxQueued = 0;
  const closesBefore = at.close?.length ?? 0;
  const sentWhileDown: string[] = [];
  const sentIntoDyingLink: string[] = [];
  for (let n = 1; n <= total; n++) {
    if (n === 11) server.restart(1000);
    const text = `msg-${n}`;
    const lossKnown = (at.close?.length ?? 0) > closesBefore;
    if (socket.state !== 'open') sentWhileDown.push(text);
    else if (n >= 11 && !lossKnown) sentIntoDyingLink.push(text);
    sendFromPage(text);
    maxQueued = Math.max(maxQueued, socket.queued);
    await sleep(50);
  }
  const expected = Array.from({ length: total }, (_, i) => `msg-${i + 1}`);
  const delivered = (): string[] => server.received.filter((m) => m.startsWith('msg-'));
  await until(() => sentWhileDown.every((m) => delivered().includes(m)) && delivered().includes(`msg-${total}`), 'the queued messages to arrive', 10000);
  await sleep(200);
  const got = delivered();
  const lostInFlight = expected.filter((m) => !got.includes(m));
  check(maxQueued > 0, `${sentWhileDown.length} messages sent while the link was down were queued (peak ${maxQueued})`);
  check(sentWhileDown.every((m) => got.filter((x) => x === m).length === 1), 'every queued message arrived exactly once');
  check(JSON.stringify(got) === JSON.stringify(expected.filter((m) => got.includes(m))) && new Set(got).size === got.length, 'all arrivals in send order, no duplicates');
  check(lostInFlight.every((m) => sentIntoDyingLink.includes(m)), lostInFlight.length === 0
    ? 'nothing lost'
    : `lost only what was written into the dying link before anyone could know: ${lostInFlight.join(', ')} (the platform had accepted it; only an application-level ack can cover that window)`);

  // 4. Half-open link.
  section('4. A half-open link: the network silently drops everything (blackhole)');
  await until(() => socket.state === 'open', 'open');
  const silentSince = lastFrameAt;
  const blackholeAt = Date.now();
  server.blackhole(20000);
  const detected = await until(() => (at.HEARTBEAT_TIMEOUT?.length ?? 0) > 0, 'the heartbeat to notice', 5000);
  const detectedAt = at.HEARTBEAT_TIMEOUT?.[0] ?? NaN;
  const detection = detectedAt - silentSince;
  check(detected && detection <= 500 + 500 + 100, `dead link detected ${detection} ms after the last frame (${detectedAt - blackholeAt} ms after the blackhole; limit interval + timeout = 1000 ms)`);
  const opensBefore = at.open?.length ?? 0;
  await until(() => (at.open?.length ?? 0) > opensBefore, 'recovery');
  const recovery = (at.open?.[opensBefore] ?? NaN) - detectedAt;
  check(socket.state === 'open', `recovered on a new link ${recovery} ms after detection (reconnect interval 300 ms)`);
  sendFromPage('echo over the new link');
  check(await until(() => (page.data.lines as Array<{ text: string }>).some((l) => l.text === 'echo over the new link' && server.received.includes(l.text)), 'the echo', 3000), 'echo over the new link received');

  // 5. Refusal until attempts run out.
  section('5. The server goes down for good: refused until the 12 attempts run out');
  const attemptsBefore = attemptsMade;
  server.restart(60000);
  check(await until(() => socket.state === 'failed', 'attempts to run out', 15000), 'state failed after the attempts ran out');
  check(attemptsMade - attemptsBefore === 12, `exactly 12 connection attempts (${attemptsMade - attemptsBefore})`);
  check(banner() === '连接失败 [重试]', `the banner shows "${banner()}"`);

  // 6. Manual retry.
  section('6. The server is back; the user taps 重试');
  server.refuse(0);
  page.querySelector('#status')?.querySelector('.socket-status__retry')?.dispatchEvent('tap');
  check(await until(() => socket.state === 'open', 'the retry'), `reconnected by the retry button (banner: ${banner()})`);

  // 7. Unload.
  section('7. The user leaves the page: onUnload');
  page.instance.onUnload();
  page.detach();
  await sleep(300);
  const d = socket.diagnostics;
  check(socket.state === 'closed', 'state closed');
  const leftListeners = d.listeners - ownListeners; // this script's own timeline listeners are not the page's
  check(d.timers === 0 && leftListeners === 0 && !d.task, `nothing left behind by the page (timers ${d.timers}, listeners ${leftListeners}, live task ${d.task})`);
  check(server.connections() === 0 || (await until(() => server.connections() === 0, 'the server to see the close', 2000)), 'the server has no connection left');
  await sleep(600);
  check(attemptsMade === attemptsBefore + 12 + 1, 'no reconnect after onUnload');

  // 8. Reliable sessions.
  section('8. The same kind of outage again (a half-open link while both sides keep talking), plain manager vs reliable session');
  say(`  each run: a message every 50 ms from the client and a tick every 50 ms from the server; the link goes half-open at message 11`);
  check(await compareOutage(say), 'reliable session: 0 lost, 0 duplicated, in order, both directions');

  // 9. Rooms on a cluster.
  section('9. Three sessions chat in a room on a 3-node cluster (one Redis) while a node is killed mid-conversation');
  say(`  the dev cluster (--redis … --nodes 3) on a redis-server started for it; each member says a numbered line in the lobby every 60 ms`);
  check(await roomOutage(say), 'every member got every line of every speaker once, in order: 0 lost, 0 duplicated');

  const sent = page.data.sent as number;
  const fromPage = server.received.filter((m) => m.startsWith('msg-') || m === 'echo over the new link').length;
  console.log(`\nSummary`);
  console.log(`  messages sent by the page   ${sent}`);
  console.log(`  delivered to the server     ${fromPage}`);
  console.log(`  lost                        ${sent - fromPage}${sent > fromPage ? ' (written into the link as the server died: see step 3)' : ''}`);
  console.log(`  dead-link detection         ${detection} ms after the last frame (interval + timeout = 1000 ms)`);
  console.log(`  recovery after detection    ${recovery} ms`);
  console.log(`  total run time              ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  await server.close();
  if (failures.length > 0) {
    console.log(`\nThe story did NOT hold: ${failures.length} check(s) failed:\n  - ${failures.join('\n  - ')}`);
    process.exit(1);
  }
  console.log('\nThe story held: every check passed.');
  process.exit(0);
}

main().catch((err: unknown) => {
  console.error('demo crashed:', err);
  process.exit(1);
});
