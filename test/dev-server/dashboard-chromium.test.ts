/**
 * The dashboard for real: a dev cluster of 3 nodes on a redis-server this test starts, 6
 * reliable sessions streaming both ways, and Debian's headless Chromium on GET /dashboard. A
 * scripted outage (new links refused, node 2 killed, every link cut) shows on the page as it
 * happens: the charts gain points, each fault is marked, the links line drops to 0 and comes
 * back to 6 with node 2, and every session gets every echo once, in order. /metrics, read back,
 * has every node's series. The screenshot is saved (.build/dashboard.png; docs/dashboard.png is
 * a copy of one).
 */
import fs from 'fs';
import path from 'path';
import type { Browser, Page } from 'puppeteer-core';
import { WxSocketManager } from '../../src';
import { startDevCluster } from '../../src/dev-server/cluster';
import type { DevCluster } from '../../src/dev-server/cluster';
import type { DevEvent } from '../../src/dev-server/journal';
import type { Columns } from '../../src/h5/dashboard-math';
import { createWsConnectSocket } from '../../src/node';
import { SERIES } from '../../src/server/metrics/series';
import { SocketSession } from '../../src/session';
import { launchChromium, pngColours } from '../support/chromium';
import { httpOf, request } from '../support/http-helpers';
import { scraped } from '../support/metrics-helpers';
import { fromRoot } from '../support/paths';
import { sleep, until } from '../support/real-helpers';
import { bundleForChild, useRedis } from '../support/redis-helpers';

const SESSIONS = 6;
const OUTAGE = 3000;
const redis = useRedis();
const nodeEntry = bundleForChild(fromRoot('src/dev-server/redis-node.ts'));
let cluster: DevCluster;
let browser: Browser;
let profile: string;
let page: Page;
const clients: Array<{ socket: WxSocketManager; session: SocketSession; sent: string[]; echoed: string[] }> = [];

beforeAll(async () => {
  cluster = await startDevCluster({ redis: redis.server().url, nodes: 3, port: 0, controlPort: 0, log: false, nodeEntry });
  ({ browser, profile } = await launchChromium());
  page = await browser.newPage();
  await page.setViewport({ width: 1280, height: 900 });
}, 60000);

afterAll(async () => {
  for (const c of clients) c.socket.destroy();
  await browser?.close();
  await cluster?.close();
  if (profile) fs.rmSync(profile, { recursive: true, force: true });
});

type Dashboard = { samples(): number; columns(): Columns; events(): DevEvent[]; markers(): Record<string, number>; points(): Record<string, number> };
const dash = <T>(what: string): Promise<T> => page.evaluate(`globalThis.dashboard.${what}`) as Promise<T>;
const waitInPage = (fn: string, ms: number): Promise<unknown> => page.waitForFunction(fn, { timeout: ms, polling: 50 });
const post = async (route: string): Promise<number> => (await request(`${cluster.controlUrl}${route}`, 'POST')).status;

function startClient(i: number): void {
  const socket = new WxSocketManager({
    url: `${cluster.url}/?user=viewer${i % 3}`,
    connectSocket: createWsConnectSocket({ closeTimeout: 200 }),
    watchNetwork: false,
    watchApp: false,
    heartbeat: { interval: 500, timeout: 500 },
    reconnect: { interval: 200, maxAttempts: 1000 },
  });
  const client = { socket, session: new SocketSession(socket), sent: [] as string[], echoed: [] as string[] };
  client.session.on('message', (d) => void client.echoed.push(String(d)));
  socket.connect();
  clients.push(client);
}

test('the dashboard follows an outage on the cluster: points grow, faults are marked, links drop to 0 and come back', async () => {
  for (let i = 0; i < SESSIONS; i++) startClient(i);
  await until(() => clients.every((c) => c.session.sessionId !== null), 10000, 'every session welcomed');
  let n = 0;
  const streaming = setInterval(() => {
    for (const c of clients) {
      const text = `c${clients.indexOf(c)}-${++n}`;
      c.sent.push(text);
      c.session.send(text).catch(() => undefined);
    }
  }, 100);
  let before: Record<string, number>;
  try {
    await page.goto(`${httpOf(cluster.url)}/dashboard?every=250&window=120`);
    await waitInPage(`globalThis.dashboard && dashboard.samples() >= 8 && dashboard.columns().linksTotal.at(-1) === ${SESSIONS}`, 15000);
    before = await dash<Record<string, number>>('points()');

    expect([await post(`/fault/refuse?ms=${OUTAGE}`), await post(`/fault/kill?node=2&ms=${OUTAGE}`), await post('/fault/drop')]).toEqual([200, 200, 200]);
    await waitInPage('dashboard.columns().linksTotal.at(-1) === 0', 10000);
    await waitInPage(`dashboard.columns().linksTotal.at(-1) === ${SESSIONS} && dashboard.columns().links['node-2'].at(-1) !== null`, 20000);
    await sleep(1500);
  } finally {
    clearInterval(streaming);
  }
  // Every message the sessions sent comes back once, in order, through the outage.
  await until(() => clients.every((c) => c.session.unacked === 0 && c.echoed.length >= c.sent.length), 20000, 'every echo');
  for (const c of clients) expect(c.echoed).toEqual(c.sent);

  const points = await dash<Record<string, number>>('points()');
  for (const chart of Object.keys(before!)) expect(points[chart]).toBeGreaterThan(before![chart]! + 10);
  const markers = await dash<Record<string, number>>('markers()');
  expect(Object.values(markers).every((m) => m >= 4)).toBe(true);
  const events = (await dash<DevEvent[]>('events()')).map((e) => `${e.kind}:${e.text}`);
  expect(events).toEqual(expect.arrayContaining(['fault:refuse', 'fault:kill node-2', 'fault:drop', 'node:node-2 up']));
  const c = await dash<Columns>('columns()');
  const dropped = c.linksTotal.indexOf(0);
  expect(Math.max(...c.linksTotal.slice(0, dropped))).toBe(SESSIONS);
  expect(c.linksTotal.at(-1)).toBe(SESSIONS);
  // node-2 was down (no series) and came back.
  expect(c.links['node-2']!.slice(dropped).some((x) => x === null)).toBe(true);
  expect(c.resumed.slice(dropped).some((x) => (x ?? 0) > 0)).toBe(true);
  expect(c.in.slice(-4).every((x) => (x ?? 0) > 0) && c.out.slice(-4).every((x) => (x ?? 0) > 0)).toBe(true);

  // /metrics: every node's series, labelled with its node.
  const m = scraped((await request(`${httpOf(cluster.url)}/metrics`, 'GET')).text);
  expect(Object.keys(m.values(SERIES.linksOpen.name)).sort()).toEqual(['node=node-1', 'node=node-2', 'node=node-3']);
  expect(Object.values(m.values(SERIES.linksOpen.name)).reduce((a, b) => a + b, 0)).toBe(SESSIONS);
  const resumed = Object.entries(m.values(SERIES.resumes.name)).filter(([k]) => k.includes('resumed=true')).reduce((a, [, v]) => a + v, 0);
  expect(resumed).toBeGreaterThanOrEqual(SESSIONS);

  const png = Buffer.from(await page.screenshot({ type: 'png', fullPage: true }));
  fs.mkdirSync(fromRoot('.build'), { recursive: true });
  fs.writeFileSync(path.join(fromRoot('.build'), 'dashboard.png'), png);
  const colours = pngColours(png);
  expect(colours.size).toBeGreaterThan(50);
  expect(colours.has('7,193,96')).toBe(true); // the header
  expect(colours.has('230,67,64')).toBe(true); // a fault marker
}, 120000);
