/**
 * `npm run demo`: the demo page (demo-miniprogram/pages/index) under miniprogram-simulate,
 * its wx.connectSocket backed by real sockets (createWsConnectSocket), against the dev server
 * on a free 127.0.0.1 port, through a scripted outage; then the same outage with a reliable
 * session, and a room chat on a 3-node cluster while a node dies. Exits 0 only if the story held.
 */
import { startDevServer } from 'wx-socket-manager/dev-server';
import type { WxSocketOptions } from 'wx-socket-manager';
import { check, elapsed, failed, say, section } from './demo-console';
import { loadDemoPage } from './demo-page';
import { connectAndPing, giveUpRetryLeave, halfOpen, serverRestart } from './demo-plain';
import type { PlainFigures } from './demo-plain';
import { roomOutage } from './demo-room';
import { compareOutage } from './demo-session';

const TIMING: Partial<WxSocketOptions> = {
  heartbeat: { interval: 500, timeout: 500 },
  reconnect: { interval: 300, maxAttempts: 12 },
  connectTimeout: 2000,
};

async function reliableActs(): Promise<void> {
  section('8. The same kind of outage again (a half-open link while both sides keep talking), plain manager vs reliable session');
  say(`  each run: a message every 50 ms from the client and a tick every 50 ms from the server; the link goes half-open at message 11`);
  check(await compareOutage(say), 'reliable session: 0 lost, 0 duplicated, in order, both directions');

  section('9. Three sessions chat in a room on a 3-node cluster (one Redis) while a node is killed mid-conversation');
  say(`  the dev cluster (--redis … --nodes 3) on a redis-server started for it; each member says a numbered line in the lobby every 60 ms`);
  check(await roomOutage(say), 'every member got every line of every speaker once, in order: 0 lost, 0 duplicated');
}

function summary(sent: number, fromPage: number, f: PlainFigures): void {
  console.log(`\nSummary`);
  console.log(`  messages sent by the page   ${sent}`);
  console.log(`  delivered to the server     ${fromPage}`);
  console.log(`  lost                        ${sent - fromPage}${sent > fromPage ? ' (written into the link as the server died: see step 3)' : ''}`);
  console.log(`  dead-link detection         ${f.detection} ms after the last frame (interval + timeout = 1000 ms)`);
  console.log(`  recovery after detection    ${f.recovery} ms`);
  console.log(`  total run time              ${elapsed()} s`);
}

async function main(): Promise<void> {
  console.log('wx-socket-manager demo — the demo page under miniprogram-simulate, real sockets, a local fault-injecting server');
  console.log(`Short timings for a quick run: heartbeat ping after 500 ms of silence, dead 500 ms later; reconnect every 300 ms, 12 attempts (defaults: 10 s / 10 s / 5 s / 12).\n`);
  const server = await startDevServer({ port: 0, tickInterval: 0, textFaults: true, log: (line) => say(`         ${line.replace(/^\[dev-server\] \S+ /, 'server · ')}`) });
  const demo = loadDemoPage(server.url, TIMING);

  await connectAndPing(demo);
  await serverRestart(demo, server);
  const figures = await halfOpen(demo, server);
  await giveUpRetryLeave(demo, server);
  await reliableActs();

  const fromPage = server.received.filter((m) => m.startsWith('msg-') || m === 'echo over the new link').length;
  summary(demo.page.data.sent as number, fromPage, figures);
  await server.close();
  const failures = failed();
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
