/**
 * fromBrowser for real: Debian's headless Chromium (driven by puppeteer-core) opens the dev
 * server's H5 demo page on 127.0.0.1, which loads the browser bundle `npm run build` made.
 * Plain mode: the page connects, survives `restart` (pressed on its own button, with no error
 * logged) and `blackhole`, and delivers what was queued while down once, in order (checked on
 * what the server received); its counters show the ticks plain mode lost. Session mode: the
 * same restart with both directions streaming shows 0 lost and 0 duplicated. The room page: two
 * sessions chat in the lobby while faults aimed at one user hit only that pane; both panes get
 * every line once. A screenshot must not be blank.
 */
import fs from 'fs';
import type { Browser, Page } from 'puppeteer-core';
import { startDevServer } from '../../src/dev-server';
import type { DevServer } from '../../src/dev-server';
import { launchChromium, pngColours } from '../support/chromium';
import { sleep, until } from '../support/real-helpers';

const HEARTBEAT = 1000;
const TICK = 150;
const TIMEOUT = 1000;
const RETRY = 300;

let server: DevServer;
let browser: Browser;
let page: Page;
let profile: string;

beforeAll(async () => {
  server = await startDevServer({ port: 0, controlPort: 0, host: '127.0.0.1', tickInterval: TICK, log: false });
  ({ browser, profile } = await launchChromium());
  page = await browser.newPage();
  await page.setViewport({ width: 480, height: 720 });
}, 30000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (profile) fs.rmSync(profile, { recursive: true, force: true });
});

type Count = { delivered: number; lost: number; duplicated: number };
type Demo = {
  socket: { state: string; queued: number };
  session?: { sessionId: string | null; unacked: number };
  events: string[];
  send(text: string): Promise<void>;
  counts: { sent: number; up: Count; down: Count; resyncs: number };
  setAuto(every: number | undefined): void;
};
const state = (): Promise<string> => page.evaluate(() => (globalThis as unknown as { demo: Demo }).demo.socket.state);
const events = (): Promise<string[]> => page.evaluate(() => (globalThis as unknown as { demo: Demo }).demo.events.slice());
const send = (...texts: string[]): Promise<void> => page.evaluate((list: string[]) => {
  const demo = (globalThis as unknown as { demo: Demo }).demo;
  for (const text of list) void demo.send(text);
}, texts);
const waitInPage = (fn: string, ms: number): Promise<unknown> => page.waitForFunction(fn, { timeout: ms, polling: 20 });
const received = (prefix: string): string[] => server.received.filter((t) => t.startsWith(prefix));
const counts = (): Promise<{ up: Count; down: Count; resyncs: number; sent: number }> => page.evaluate(() => {
  const c = (globalThis as unknown as { demo: Demo }).demo.counts;
  const plain = (x: Count): Count => ({ delivered: x.delivered, lost: x.lost, duplicated: x.duplicated });
  return { up: plain(c.up), down: plain(c.down), resyncs: c.resyncs, sent: c.sent };
});
/** The counters table as the user reads it: [delivered, lost, duplicated] per direction. */
const shownCounters = (): Promise<string[][]> => page.evaluate(() => ['up', 'down'].map((d) => ['delivered', 'lost', 'duplicated'].map((w) => document.getElementById(`${d}-${w}`)!.textContent ?? '')));
const errorsSince = async (from: number): Promise<string[]> => (await events()).slice(from).filter((e) => e.startsWith('error:'));

test('the H5 demo page connects in Chromium, survives restart and blackhole, and delivers sends queued while down once, in order', async () => {
  await page.goto(`${server.url.replace(/^ws:/, 'http:')}/?heartbeat=${HEARTBEAT}&timeout=${TIMEOUT}&retry=${RETRY}`);
  await waitInPage('demo.socket.state === "open"', 10000);
  await send('hello');
  await until(() => received('hello').length === 1, 5000, 'hello at the server');

  // restart: the page's own fault button asks the dev server to drop every link and refuse for 2 s.
  await page.waitForSelector('button[data-fault^="restart"]', { timeout: 5000 });
  await waitInPage('demo.counts.down.delivered > 0', 5000); // a tick before the outage, so a gap after it shows
  const beforeRestart = (await events()).length;
  await page.click('button[data-fault^="restart"]');
  await waitInPage('demo.socket.state === "reconnecting"', 5000);
  await send('down-1', 'down-2', 'down-3');
  expect(await page.evaluate(() => (globalThis as unknown as { demo: Demo }).demo.socket.queued)).toBe(3);
  await waitInPage('demo.socket.state === "open"', 15000);
  await until(() => received('down-').length === 3, 5000, 'the queued frames at the server');
  await sleep(200);
  expect(received('down-')).toEqual(['down-1', 'down-2', 'down-3']);
  // The button's own request was answered (no "Failed to fetch"): the restart logged no error at all.
  await waitInPage('demo.events.includes("info:fault restart done")', 5000);
  expect(await errorsSince(beforeRestart)).toEqual([]);
  // Plain mode lost the ticks sent while it was down, and the counters say so.
  await waitInPage('demo.counts.down.lost > 0', 5000);
  expect((await counts()).down.duplicated).toBe(0);

  // blackhole: the link stays "open" but nothing passes. The heartbeat must notice within
  // interval + timeout (plus generous slack for a loaded machine), then a new link is made.
  const before = (await events()).length;
  const t0 = Date.now();
  server.blackhole(20000);
  await waitInPage('demo.events.includes("error:HEARTBEAT_TIMEOUT")', HEARTBEAT + TIMEOUT + 8000);
  const detected = Date.now() - t0;
  await send('after-1', 'after-2');
  await waitInPage('demo.socket.state === "open"', 10000);
  await until(() => received('after-').length === 2, 5000, 'frames queued after the blackhole');
  await sleep(200);
  expect(received('after-')).toEqual(['after-1', 'after-2']);
  expect(received('hello')).toEqual(['hello']);
  expect(detected).toBeLessThanOrEqual(HEARTBEAT + TIMEOUT + 8000);
  expect((await events()).slice(before).filter((e) => e.startsWith('info:closed') || e.startsWith('error:'))).toEqual([
    'error:HEARTBEAT_TIMEOUT',
    'info:closed 1006 heartbeat timeout, will reconnect',
  ]);
  expect(await state()).toBe('open');

  // The page really rendered: the screenshot has the green "connected" banner and more than a few colours.
  const png = Buffer.from(await page.screenshot({ type: 'png' }));
  if (process.env.WXSM_SCREENSHOT) fs.writeFileSync(process.env.WXSM_SCREENSHOT, png);
  const colours = pngColours(png);
  expect(colours.size).toBeGreaterThan(10);
  expect(colours.has('7,193,96')).toBe(true); // #07c160, the open banner
}, 60000);

test('session mode in Chromium: through a restart pressed on the page, both directions show 0 lost and 0 duplicated', async () => {
  await page.goto(`${server.url.replace(/^ws:/, 'http:')}/?mode=session&user=chromium&auto=100&heartbeat=${HEARTBEAT}&timeout=${TIMEOUT}&retry=${RETRY}`);
  await waitInPage('demo.socket.state === "open" && demo.session.sessionId !== null', 10000);
  await waitInPage('demo.counts.up.delivered >= 5 && demo.counts.down.delivered >= 5', 10000);
  expect(server.sessions().map((s) => s.user)).toContain('chromium');
  const beforeRestart = (await events()).length;
  await page.waitForSelector('button[data-fault^="restart"]', { timeout: 5000 });
  await page.click('button[data-fault^="restart"]');
  await waitInPage('demo.socket.state === "reconnecting"', 5000);
  const atRestart = await counts();
  await waitInPage('demo.socket.state === "open"', 15000);
  // Both streams go on after the outage, then the page stops sending and waits for every echo.
  await waitInPage(`demo.counts.up.delivered >= ${atRestart.up.delivered + 10} && demo.counts.down.delivered >= ${atRestart.down.delivered + 10}`, 15000);
  await page.evaluate(() => (globalThis as unknown as { demo: Demo }).demo.setAuto(undefined));
  await waitInPage('demo.counts.up.delivered === demo.counts.sent && demo.session.unacked === 0', 10000);
  const after = await counts();
  expect(after.up).toEqual({ delivered: after.sent, lost: 0, duplicated: 0 });
  expect({ lost: after.down.lost, duplicated: after.down.duplicated, resyncs: after.resyncs }).toEqual({ lost: 0, duplicated: 0, resyncs: 0 });
  const shown = await shownCounters();
  expect(shown.map((row) => row.slice(1))).toEqual([['0', '0'], ['0', '0']]);
  expect(shown[0]![0]).toBe(String(after.sent));
  const since = (await events()).slice(beforeRestart);
  expect(since.filter((e) => e.startsWith('info:closed') || e.startsWith('error:'))).toEqual(['info:closed 1006, will reconnect']);
  expect(since).toContain('info:fault restart done');
}, 60000);

type Pane = {
  user: string;
  said: number;
  events: string[];
  socket: { state: string };
  session: { sessionId: string | null };
  counts: Record<string, Count>;
  setAuto(every: number | undefined): void;
};
const paneCounts = (): Promise<Array<Record<string, Count>>> => page.evaluate(() => (globalThis as unknown as { room: { panes: Pane[] } }).room.panes.map((p) => {
  const out: Record<string, Count> = {};
  for (const [u, c] of Object.entries(p.counts)) out[u] = { delivered: c.delivered, lost: c.lost, duplicated: c.duplicated };
  return out;
}));

test('the room page in Chromium: two sessions chat in the lobby while faults hit only one (its network down, then a half-open link); each pane gets every line of both once, in order', async () => {
  await page.goto(`${server.url.replace(/^ws:/, 'http:')}/h5/room.html?auto=150&heartbeat=${HEARTBEAT}&timeout=${TIMEOUT}&retry=${RETRY}`);
  await waitInPage('room.panes.every((p) => p.socket.state === "open" && p.session.sessionId !== null)', 10000);
  await waitInPage('room.panes.every((p) => p.counts.alice.delivered >= 3 && p.counts.bob.delivered >= 3)', 10000);
  expect(server.sessions().map((s) => s.user)).toEqual(expect.arrayContaining(['alice', 'bob']));
  // bob's network goes down for 3 s (his pane's own button, aimed at him only); alice chats on.
  await page.click('button[data-fault^="restart?user=bob"]');
  await waitInPage('room.panes[1].socket.state === "reconnecting"', 5000);
  const aliceDuring = (await paneCounts())[0]!.alice!.delivered;
  await waitInPage(`room.panes[0].counts.alice.delivered >= ${aliceDuring + 5} && room.panes[0].socket.state === "open"`, 5000);
  await waitInPage('room.panes[1].socket.state === "open"', 15000);
  // Then bob's link goes half-open: his heartbeat finds it, he reconnects; alice is untouched.
  await page.click('button[data-fault^="blackhole?user=bob"]');
  await waitInPage('room.panes[1].events.includes("info:closed 1006, will reconnect")', HEARTBEAT + TIMEOUT + 8000);
  await waitInPage('room.panes[1].socket.state === "open"', 15000);
  await page.evaluate(() => (globalThis as unknown as { room: { panes: Pane[] } }).room.panes.forEach((p) => p.setAuto(undefined)));
  const said = await page.evaluate(() => Object.fromEntries((globalThis as unknown as { room: { panes: Pane[] } }).room.panes.map((p) => [p.user, p.said])));
  await waitInPage(`room.panes.every((p) => p.counts.alice.delivered === ${said.alice} && p.counts.bob.delivered === ${said.bob})`, 20000);
  await sleep(300);
  const none = { lost: 0, duplicated: 0 };
  expect(await paneCounts()).toEqual([
    { alice: { delivered: said.alice, ...none }, bob: { delivered: said.bob, ...none } },
    { alice: { delivered: said.alice, ...none }, bob: { delivered: said.bob, ...none } },
  ]);
  const aliceLinks = await page.evaluate(() => (globalThis as unknown as { room: { panes: Pane[] } }).room.panes[0]!.events.filter((e) => e.startsWith('info:closed') || e.startsWith('info:connected') || e.startsWith('info:reconnected')));
  expect(aliceLinks).toEqual(['info:connected']);
  const png = Buffer.from(await page.screenshot({ type: 'png' }));
  expect(pngColours(png).size).toBeGreaterThan(10);
}, 60000);
