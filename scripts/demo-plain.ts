/**
 * The demo's plain-manager acts (steps 1–7): the demo page connects, measures its RTT, lives
 * through a server restart, a half-open link and a server gone for good, is retried by the
 * user, and leaves nothing behind on onUnload. Each step checks what it promises.
 */
import type { DevServer } from 'wx-socket-manager/dev-server';
import { check, section, until } from './demo-console';
import type { DemoPage } from './demo-page';
import { sleep } from './wait';

/** What the summary reports of the plain acts. */
export interface PlainFigures {
  detection: number;
  recovery: number;
}

export async function connectAndPing(demo: DemoPage): Promise<void> {
  section('1. The page loads: connect');
  demo.page.instance.onLoad();
  check(await until(() => demo.socket.state === 'open', 'connecting'), 'connected on onLoad');

  section('2. A quiet link: ping/pong rounds measure the RTT');
  demo.printPongs = true;
  check(await until(() => demo.pongs.length >= 3, 'three ping/pong rounds', 5000), `3 ping/pong rounds, RTT ${demo.pongs.slice(0, 3).join(' / ')} ms`);
  demo.printPongs = false;
}

export async function serverRestart(demo: DemoPage, server: DevServer): Promise<void> {
  section('3. The server restarts (1 s down) while the page keeps sending one message every 50 ms');
  const { socket, at } = demo;
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
    demo.send(text);
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
}

export async function halfOpen(demo: DemoPage, server: DevServer): Promise<PlainFigures> {
  section('4. A half-open link: the network silently drops everything (blackhole)');
  const { socket, at } = demo;
  await until(() => socket.state === 'open', 'open');
  const silentSince = demo.lastFrameAt();
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
  demo.send('echo over the new link');
  const echoed = (): boolean => (demo.page.data.lines as Array<{ text: string }>).some((l) => l.text === 'echo over the new link' && server.received.includes(l.text));
  check(await until(echoed, 'the echo', 3000), 'echo over the new link received');
  return { detection, recovery };
}

/** Steps 5–7: the 12 attempts run out, the user retries, the page unloads. */
export async function giveUpRetryLeave(demo: DemoPage, server: DevServer): Promise<void> {
  const { socket } = demo;
  section('5. The server goes down for good: refused until the 12 attempts run out');
  const attemptsBefore = demo.attempts();
  server.restart(60000);
  check(await until(() => socket.state === 'failed', 'attempts to run out', 15000), 'state failed after the attempts ran out');
  check(demo.attempts() - attemptsBefore === 12, `exactly 12 connection attempts (${demo.attempts() - attemptsBefore})`);
  check(demo.banner() === '连接失败 [重试]', `the banner shows "${demo.banner()}"`);

  section('6. The server is back; the user taps 重试');
  server.refuse(0);
  demo.page.querySelector('#status')?.querySelector('.socket-status__retry')?.dispatchEvent('tap');
  check(await until(() => socket.state === 'open', 'the retry'), `reconnected by the retry button (banner: ${demo.banner()})`);

  section('7. The user leaves the page: onUnload');
  demo.page.instance.onUnload();
  demo.page.detach();
  await sleep(300);
  const d = socket.diagnostics;
  check(socket.state === 'closed', 'state closed');
  const leftListeners = d.listeners - demo.ownListeners; // the timeline's own listeners are not the page's
  check(d.timers === 0 && leftListeners === 0 && !d.task, `nothing left behind by the page (timers ${d.timers}, listeners ${leftListeners}, live task ${d.task})`);
  check(server.connections() === 0 || (await until(() => server.connections() === 0, 'the server to see the close', 2000)), 'the server has no connection left');
  await sleep(600);
  check(demo.attempts() === attemptsBefore + 12 + 1, 'no reconnect after onUnload');
}
