/**
 * fromBrowser for real: Debian's headless Chromium (driven by puppeteer-core) opens the dev
 * server's H5 demo page on 127.0.0.1, which loads the browser bundle `npm run build` made.
 * The page connects, survives `restart` and `blackhole`, and delivers what was queued while
 * down once, in order (checked on what the server received). A screenshot must not be blank.
 */
import { execFileSync } from 'child_process';
import fs from 'fs';
import os from 'os';
import path from 'path';
import zlib from 'zlib';
import puppeteer from 'puppeteer-core';
import type { Browser, Page } from 'puppeteer-core';
import { startDevServer } from '../../src/dev-server';
import type { DevServer } from '../../src/dev-server';
import { sleep, until } from '../support/real-helpers';

const HEARTBEAT = 1000;
const TIMEOUT = 1000;
const RETRY = 300;

function chromiumPath(): string {
  if (process.env.CHROMIUM_PATH) return process.env.CHROMIUM_PATH; // e.g. a Chrome on macOS
  try {
    return execFileSync('sh', ['-c', 'command -v chromium || command -v chromium-browser'], { encoding: 'utf8' }).trim().split('\n')[0] as string;
  } catch {
    throw new Error('Chromium is needed for this test: apt-get install -y chromium (the Debian package; .ci/run installs it)');
  }
}

let server: DevServer;
let browser: Browser;
let page: Page;
let profile: string;

beforeAll(async () => {
  server = await startDevServer({ port: 0, controlPort: 0, host: '127.0.0.1', tickInterval: 0, log: false });
  profile = fs.mkdtempSync(path.join(os.tmpdir(), 'wxsm-chromium-'));
  browser = await puppeteer.launch({
    executablePath: chromiumPath(),
    headless: true,
    userDataDir: profile,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  page = await browser.newPage();
  await page.setViewport({ width: 480, height: 720 });
}, 30000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (profile) fs.rmSync(profile, { recursive: true, force: true });
});

type Demo = { socket: { state: string; queued: number }; events: string[]; send(text: string): Promise<void> };
const state = (): Promise<string> => page.evaluate(() => (globalThis as unknown as { demo: Demo }).demo.socket.state);
const events = (): Promise<string[]> => page.evaluate(() => (globalThis as unknown as { demo: Demo }).demo.events.slice());
const send = (...texts: string[]): Promise<void> => page.evaluate((list: string[]) => {
  const demo = (globalThis as unknown as { demo: Demo }).demo;
  for (const text of list) void demo.send(text);
}, texts);
const waitInPage = (fn: string, ms: number): Promise<unknown> => page.waitForFunction(fn, { timeout: ms, polling: 20 });
const received = (prefix: string): string[] => server.received.filter((t) => t.startsWith(prefix));

test('the H5 demo page connects in Chromium, survives restart and blackhole, and delivers sends queued while down once, in order', async () => {
  await page.goto(`${server.url.replace(/^ws:/, 'http:')}/?heartbeat=${HEARTBEAT}&timeout=${TIMEOUT}&retry=${RETRY}`);
  await waitInPage('demo.socket.state === "open"', 10000);
  await send('hello');
  await until(() => received('hello').length === 1, 5000, 'hello at the server');

  // restart: the page's own fault button asks the dev server to drop every link and refuse for 2 s.
  await page.click('button[data-fault^="restart"]');
  await waitInPage('demo.socket.state === "reconnecting"', 5000);
  await send('down-1', 'down-2', 'down-3');
  expect(await page.evaluate(() => (globalThis as unknown as { demo: Demo }).demo.socket.queued)).toBe(3);
  await waitInPage('demo.socket.state === "open"', 15000);
  await until(() => received('down-').length === 3, 5000, 'the queued frames at the server');
  await sleep(200);
  expect(received('down-')).toEqual(['down-1', 'down-2', 'down-3']);

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

/** Distinct RGB colours of an 8-bit RGB/RGBA, non-interlaced PNG (what Chromium writes). */
function pngColours(png: Buffer): Set<string> {
  let offset = 8;
  let width = 0;
  let height = 0;
  let channels = 0;
  const idat: Buffer[] = [];
  while (offset < png.length) {
    const length = png.readUInt32BE(offset);
    const type = png.toString('latin1', offset + 4, offset + 8);
    const data = png.subarray(offset + 8, offset + 8 + length);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      if (data[8] !== 8 || data[12] !== 0) throw new Error('expected an 8-bit non-interlaced PNG');
      channels = data[9] === 6 ? 4 : data[9] === 2 ? 3 : 0;
      if (!channels) throw new Error(`unexpected PNG colour type ${data[9]}`);
    } else if (type === 'IDAT') idat.push(data);
    offset += 12 + length;
  }
  const raw = zlib.inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  const prev = Buffer.alloc(stride);
  const row = Buffer.alloc(stride);
  const colours = new Set<string>();
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)] as number;
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    for (let x = 0; x < stride; x++) {
      const a = x >= channels ? (row[x - channels] as number) : 0;
      const b = prev[x] as number;
      const c = x >= channels ? (prev[x - channels] as number) : 0;
      const v = line[x] as number;
      let out: number;
      if (filter === 0) out = v;
      else if (filter === 1) out = v + a;
      else if (filter === 2) out = v + b;
      else if (filter === 3) out = v + ((a + b) >> 1);
      else {
        const p = a + b - c;
        const pa = Math.abs(p - a);
        const pb = Math.abs(p - b);
        const pc = Math.abs(p - c);
        out = v + (pa <= pb && pa <= pc ? a : pb <= pc ? b : c);
      }
      row[x] = out & 255;
    }
    for (let x = 0; x < stride; x += channels) colours.add(`${row[x]},${row[x + 1]},${row[x + 2]}`);
    row.copy(prev);
  }
  return colours;
}
