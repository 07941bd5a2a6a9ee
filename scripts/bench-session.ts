/**
 * Bench step "session" (BENCH_ONLY=session): what a reliable session costs.
 * - throughput: acknowledged session sends ÷ plain manager sends, pipelined (a window of
 *   `maxUnacked` messages in flight, never stop-and-wait), paired rounds on loopback;
 * - resume: from a new link's `open` to the last of 1000 messages the server buffered while
 *   the client was away;
 * - size: min+gz of the shipped session entry (the manager is external: it lives in index.js).
 */
import fs from 'fs';
import path from 'path';
import zlib from 'zlib';
import { WebSocketServer } from 'ws';
import { WxSocketManager } from 'wx-socket-manager';
import { createWsConnectSocket } from 'wx-socket-manager/node';
import { createSessionServer } from 'wx-socket-manager/server';
import { SocketSession } from 'wx-socket-manager/session';
import type { Row } from './bench-common';
import { median, until } from './bench-common';

type Rows = Row[];
const root = path.resolve(__dirname, '../..');
const manager = (url: string): WxSocketManager =>
  new WxSocketManager({ url, connectSocket: createWsConnectSocket(), watchNetwork: false, watchApp: false, queue: { max: 100000 } });

export async function sessionBench(rows: Rows, progress: (text: string) => void): Promise<void> {
  await throughput(rows, progress);
  await resume(rows, progress);
  size(rows);
}

const N = 20000;
const ROUNDS = 5;

/** A ws server that counts frames, and a plain manager sending to it. */
async function plainRig(): Promise<{ run(): Promise<number>; close(): Promise<void> }> {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', perMessageDeflate: false });
  await new Promise((r) => wss.once('listening', r));
  let count = 0;
  wss.on('connection', (ws) => ws.on('message', () => count++));
  const plain = manager(`ws://127.0.0.1:${(wss.address() as { port: number }).port}`);
  plain.connect();
  await until(() => plain.state === 'open', 5000);
  return {
    async run() {
      const target = count + N;
      const t = process.hrtime.bigint();
      for (let i = 0; i < N; i++) void plain.send('x');
      await until(() => count >= target, 60000);
      return N / (Number(process.hrtime.bigint() - t) / 1e9);
    },
    async close() {
      plain.destroy();
      await new Promise((r) => wss.close(() => r(undefined)));
    },
  };
}

/** A session server and one session client on it; `count` is what the server's app received. */
async function sessionClient(ackDelay: number, maxUnacked: number): Promise<{ session: SocketSession; count: () => number; close(): Promise<void> }> {
  const server = createSessionServer({ port: 0, ackDelay });
  await server.ready;
  let count = 0;
  server.on('session', (s) => s.on('message', () => void count++));
  const socket = manager(`ws://127.0.0.1:${server.port}`);
  const session = new SocketSession(socket, { maxUnacked });
  socket.connect();
  await until(() => session.sessionId !== null, 5000);
  return { session, count: () => count, close: async () => (socket.destroy(), await server.close()) };
}

/** Acknowledged sends per second: a window of `max` in flight, refilled as acks free it. */
async function runSession(session: SocketSession, max: number): Promise<number> {
  const t = process.hrtime.bigint();
  const pending: Array<Promise<void>> = [];
  for (let i = 0; i < N; i++) {
    if (session.unacked >= max) await pending[i - max];
    pending.push(session.send('x'));
  }
  await Promise.all(pending);
  return N / (Number(process.hrtime.bigint() - t) / 1e9);
}

type Config = { name: string; ackDelay: number; max: number };
/** Paired rounds of session and plain sends, who goes first alternating: medians of ratio and rates. */
async function measureConfig(plain: { run(): Promise<number> }, cfg: Config, progress: (text: string) => void): Promise<{ name: string; ratio: number; rate: number; plainRate: number }> {
  const c = await sessionClient(cfg.ackDelay, cfg.max);
  await plain.run();
  await runSession(c.session, cfg.max); // warm-up
  const ratios: number[] = [];
  const rates: number[] = [];
  const plainRates: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    progress(`session throughput, ${cfg.name}: round ${i + 1}/${ROUNDS}`);
    let p: number;
    let s: number;
    if (i % 2) [p, s] = [await plain.run(), await runSession(c.session, cfg.max)];
    else [s, p] = [await runSession(c.session, cfg.max), await plain.run()];
    ratios.push(s / p);
    rates.push(s);
    plainRates.push(p);
  }
  if (c.count() < N * (ROUNDS + 1)) throw new Error('session bench: the server did not take every message');
  await c.close();
  return { name: cfg.name, ratio: median(ratios), rate: median(rates), plainRate: median(plainRates) };
}

async function throughput(rows: Rows, progress: (text: string) => void): Promise<void> {
  const plain = await plainRig();
  const configs: Config[] = [
    { name: 'defaults (window 1000, server ackDelay 50 ms)', ackDelay: 50, max: 1000 },
    { name: 'window 10000, server ackDelay 50 ms', ackDelay: 50, max: 10000 },
    { name: 'window 1000, server ackDelay 5 ms', ackDelay: 5, max: 1000 },
  ];
  const results = [];
  for (const cfg of configs) results.push(await measureConfig(plain, cfg, progress));
  const k = (x: number): string => `${Math.round(x / 1000)}k/s`;
  const [first, ...rest] = results;
  rows.push([
    '7. Session send, acknowledged ÷ plain manager send (pipelined)',
    `${first!.ratio.toFixed(2)}× with ${first!.name}: ${k(first!.rate)} vs ${k(first!.plainRate)} (median of ${ROUNDS} paired rounds × ${N / 1000}k)`,
    '≥ 0.8',
    first!.ratio >= 0.8 ? 'met' : 'gap: the window drains faster than the server acks (see below)',
  ]);
  for (const r of rest) rows.push([`   ${r.name}`, `${r.ratio.toFixed(2)}× (${k(r.rate)} vs ${k(r.plainRate)})`, '', '']);
  await plain.close();
}

async function resume(rows: Rows, progress: (text: string) => void): Promise<void> {
  const server = createSessionServer({ port: 0 });
  await server.ready;
  const socket = manager(`ws://127.0.0.1:${server.port}`);
  const session = new SocketSession(socket);
  let got = 0;
  let lastAt = 0;
  let openAt = 0;
  session.on('message', () => {
    got++;
    lastAt = Date.now();
  });
  socket.on('open', () => (openAt = Date.now()));
  socket.connect();
  await until(() => session.sessionId !== null, 5000);
  const id = session.sessionId!;
  const times: number[] = [];
  for (let round = 0; round < 7; round++) {
    progress(`session resume round ${round + 1}/7`);
    socket.close();
    await until(() => server.session(id)?.online === false, 5000);
    const before = got;
    const payload = JSON.stringify({ type: 'update', n: 0, text: 'a typical small message' });
    const acked: Array<Promise<void>> = [];
    for (let i = 0; i < 1000; i++) acked.push(server.send(id, payload));
    socket.connect();
    await until(() => got === before + 1000, 10000);
    times.push(lastAt - openAt);
    await Promise.all(acked); // the server's buffer is empty again before the next round
  }
  const m = median(times);
  rows.push(['8. Session resume: new link open → last of 1000 buffered messages delivered', `median ${m} ms, max ${Math.max(...times)} ms (7 rounds, loopback)`, '≤ 100 ms', m <= 100 ? 'met' : 'gap']);
  socket.destroy();
  await server.close();
}

function size(rows: Rows): void {
  const gz = (code: Buffer | string): number => zlib.gzipSync(code, { level: 9 }).length;
  const session = fs.readFileSync(path.join(root, 'miniprogram_npm_src/session.js'));
  const core = fs.readFileSync(path.join(root, 'miniprogram_npm_src/index.js'));
  const onTop = gz(Buffer.concat([core, session])) - gz(core);
  // The shared codec's share: its functions the client uses, bundled alone the same way.
  const esbuild = require('esbuild') as { buildSync(o: object): { outputFiles: Array<{ contents: Uint8Array }> } };
  const codec = esbuild.buildSync({
    stdin: { contents: "export { parseFrame, encodeHello, encodeMsg, encodeAck, encodePayload, decodePayload, classify } from './src/protocol/codec'", resolveDir: root, loader: 'ts' },
    bundle: true, minify: true, write: false, format: 'esm', target: 'es2015', platform: 'neutral',
  }).outputFiles[0]!.contents;
  rows.push([
    '9. Size of wx-socket-manager/session, min+gzip',
    `${gz(session)} B alone (session.js, ${session.length} B min); ${onTop} B on top of the manager when both are loaded; of it the shared protocol codec ≈ ${gz(Buffer.from(codec))} B`,
    '≤ 2000 B on top of the manager',
    onTop <= 2000 ? 'met' : `gap: ${onTop - 2000} B over`,
  ]);
}
