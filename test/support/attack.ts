/**
 * The security suite's tools: the attack server in a child process, an honest two-way client
 * (SocketSession on the Node adapter) whose every message is checked, and a WebSocket client
 * written by hand over TCP for what no well-behaved client does (never reading, dribbling bytes).
 */
import { fork } from 'child_process';
import type { ChildProcess } from 'child_process';
import crypto from 'crypto';
import net from 'net';
import path from 'path';
import { WxSocketManager } from '../../src';
import { createWsConnectSocket } from '../../src/node';
import { SocketSession } from '../../src/session';
import { bundleForChild } from './redis-helpers';
import { FIXTURES } from './paths';
import { until } from './real-helpers';

export const MB = 1024 * 1024;
/** Every attack asserts the server process stays under this. */
export const RSS_LIMIT = 400 * MB;

export interface Report {
  /** The honest client's messages as the server app took them: `seq:id:data`. */
  got: string[];
  errors: Array<{ code?: string; message: string; errMsg?: string }>;
  errorCount: number;
  /** Rejected echoes (attackers' messages sent back by the app), by code. */
  echoFailures: Record<string, number>;
  /** Rejected sends to the honest client (each retried until delivered), by code. */
  sendFailures: Record<string, number>;
  /** One errMsg per rejection code. */
  errMsgs: Record<string, string>;
  rss: number;
  maxRss: number;
  maxLagMs: number;
  /** Heap in use after a full GC: what the server really holds. */
  heapAfterGc: number;
}

export interface AttackServer {
  port: number;
  child: ChildProcess;
  /** Set when the process ended (an abort, a crash): the test sees it instead of suffering it. */
  exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  /** Users whose links went offline, in order. */
  offline: string[];
  /** Server sends to the honest client, by number, resolved (acknowledged). */
  sent: Set<number>;
  send(n: number): void;
  report(): Promise<Report>;
  stop(): Promise<void>;
}

let bundle: string | undefined;
const running: AttackServer[] = [];

/** Bundles the fixture once per test file (call at the top of the file). */
export function useAttackServers(): void {
  bundle = bundleForChild(path.join(FIXTURES, 'attack-server.ts'));
  afterEach(async () => {
    for (const s of running.splice(0)) await s.stop();
  });
}

export async function attackServer(options: object, env: Record<string, string> = {}): Promise<AttackServer> {
  if (!bundle) throw new Error('useAttackServers() must run at the top of the test file');
  const child = fork(bundle, [], { execArgv: ['--expose-gc'], env: { ...process.env, ...env, OPTIONS: JSON.stringify(options) }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const server: AttackServer = {
    port: 0,
    child,
    exit: undefined,
    offline: [],
    sent: new Set(),
    send: (n) => void child.send({ t: 'send', n }),
    report: () => new Promise<Report>((resolve, reject) => {
      if (server.exit) return reject(new Error(`the attack server died: ${JSON.stringify(server.exit)}`));
      const onReport = (m: { t: string } & Report): void => {
        if (m.t !== 'report') return;
        child.off('message', onReport);
        resolve(m);
      };
      child.on('message', onReport);
      child.send({ t: 'report' });
    }),
    async stop() {
      if (server.exit) return;
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
    },
  };
  running.push(server);
  child.on('exit', (code, signal) => (server.exit = { code, signal }));
  child.on('message', (m: { t: string; port: number; n: number; user: string }) => {
    if (m.t === 'ready') server.port = m.port;
    else if (m.t === 'sent') server.sent.add(m.n);
    else if (m.t === 'offline') server.offline.push(m.user);
  });
  await until(() => server.port > 0 || server.exit !== undefined, 15000, 'the attack server');
  if (server.exit) throw new Error(`the attack server did not start: ${JSON.stringify(server.exit)}`);
  return server;
}

// ---- the honest client ----

export interface Honest {
  session: SocketSession;
  socket: WxSocketManager;
  /** Server messages as its app got them, in order. */
  got: string[];
  resyncs: string[];
  /** Close codes of its links. */
  closes: number[];
  /** Client sends acknowledged by the server, by number. */
  acked: Set<number>;
  rejected: string[];
  stop(): void;
}

const honestOnes: Honest[] = [];
afterEach(() => {
  for (const h of honestOnes.splice(0)) h.stop();
});

export async function honestClient(port: number): Promise<Honest> {
  const socket = new WxSocketManager({
    url: `ws://127.0.0.1:${port}`,
    header: { 'x-user': 'honest' },
    connectSocket: createWsConnectSocket({ closeTimeout: 500 }),
    watchNetwork: false,
    watchApp: false,
    heartbeat: { interval: 1000, timeout: 3000 },
    reconnect: { interval: 100, maxAttempts: 1000, jitter: 0.3 },
    connectTimeout: 3000,
  });
  const session = new SocketSession(socket, { deliveryTimeout: 600000 });
  const h: Honest = { session, socket, got: [], resyncs: [], closes: [], acked: new Set(), rejected: [], stop: () => socket.destroy() };
  session.on('message', (d) => void h.got.push(String(d)));
  session.on('resync', (e) => void h.resyncs.push(e.reason));
  socket.on('close', (e) => void h.closes.push(e.code));
  honestOnes.push(h);
  socket.connect();
  await until(() => session.sessionId !== null, 10000, 'the honest client\'s welcome');
  return h;
}

/**
 * Two-way traffic while `during` runs: the client sends c1..cN and the server app s1..sN, one
 * pair every `every` ms; resolves when every message has arrived (or throws after `ms`).
 */
export async function twoWay(server: AttackServer, h: Honest, n: number, every: number, during: () => Promise<void>, ms = 60000): Promise<void> {
  const traffic = (async () => {
    for (let i = 1; i <= n; i++) {
      h.session.send(`c${i}`).then(() => void h.acked.add(i), (e: { code?: string }) => void h.rejected.push(`c${i}:${e.code}`));
      server.send(i);
      await new Promise((r) => setTimeout(r, every));
    }
  })();
  await during();
  await traffic;
  await until(() => server.exit !== undefined || (h.acked.size === n && server.sent.size === n && new Set(h.got).size === n), ms, 'every message both ways');
}

/** The server app's view of the honest client's messages: data in order, duplicates by id dropped (what an idempotent app keeps). */
export const byId = (got: string[]): { data: string[]; duplicates: number } => {
  const seen = new Set<string>();
  const data: string[] = [];
  for (const line of got) {
    const [, id = '', ...rest] = line.split(':');
    if (seen.has(id)) continue;
    seen.add(id);
    data.push(rest.join(':'));
  }
  return { data, duplicates: got.length - data.length };
};

export const numbered = (prefix: string, n: number): string[] => Array.from({ length: n }, (_, i) => `${prefix}${i + 1}`);

const firsts = (xs: string[]): string[] => [...new Set(xs)];

/**
 * What every attack asserts: the server process is up and stayed under RSS_LIMIT, and the honest
 * client lost nothing. With `lost: 0` nothing was duplicated either, both ways; a lost session
 * (store trouble) is announced by exactly one resync (`lost: 1`, or at most one), after which
 * resent messages may arrive twice (the server app drops them by id; the client app's retried
 * sends by content), in order — never a takeover, never a protocol error.
 */
export async function expectUnharmed(server: AttackServer, h: Honest, n: number, lost: 0 | 1 | 'at most 1' = 0): Promise<Report> {
  const report = await server.report();
  expect(server.exit).toBeUndefined();
  expect(report.maxRss).toBeLessThan(RSS_LIMIT);
  expect(h.rejected).toEqual([]);
  expect(h.closes.filter((c) => c === 4409 || c === 4400 || c === 4429)).toEqual([]);
  // The session keeps the order of what the app appended; sends the app had to retry (rejected, then sent again) are in the app's order.
  const appOrder = (xs: string[]): string[] => (Object.keys(report.sendFailures).length > 0 ? [...xs].sort((x, y) => Number(x.slice(1)) - Number(y.slice(1))) : xs);
  if (lost === 0) {
    expect(appOrder(h.got)).toEqual(numbered('s', n));
    expect(byId(report.got)).toEqual({ data: numbered('c', n), duplicates: 0 });
    expect(report.got.map((line) => Number(line.split(':')[0]))).toEqual(Array.from({ length: n }, (_, i) => i + 1));
    expect(h.resyncs).toEqual([]);
    return report;
  }
  expect(appOrder(firsts(h.got))).toEqual(numbered('s', n));
  expect(byId(report.got).data).toEqual(numbered('c', n));
  if (lost === 1) expect(h.resyncs).toEqual(['unknown']);
  else expect(h.resyncs.length).toBeLessThanOrEqual(1);
  if (h.resyncs.length === 0) expect([h.got.length, report.got.length]).toEqual([n, n]);
  return report;
}

// ---- a WebSocket client by hand ----

export interface RawSocket {
  socket: net.Socket;
  /** Text frames received while reading (`pong` included). */
  texts: string[];
  /** The close code the server sent; 1006 when the connection ended without one. */
  closed: Promise<number>;
  /** The code of the close frame received so far (its handshake answered), if any. */
  closeCode: number | undefined;
  text(data: string): boolean;
  write(bytes: Buffer): boolean;
  stopReading(): void;
  startReading(): void;
}

/** One masked client frame (`opcode` 1: text). */
export function clientFrame(payload: string | Buffer, opcode = 1): Buffer {
  const data = typeof payload === 'string' ? Buffer.from(payload) : payload;
  const len = data.length;
  const head = len < 126 ? Buffer.from([0x80 | opcode, 0x80 | len]) : len < 65536 ? Buffer.from([0x80 | opcode, 0x80 | 126, len >> 8, len & 255]) : Buffer.concat([Buffer.from([0x80 | opcode, 0x80 | 127]), u64(len)]);
  const mask = crypto.randomBytes(4);
  const body = Buffer.alloc(len);
  for (let i = 0; i < len; i++) body[i] = data[i]! ^ mask[i & 3]!;
  return Buffer.concat([head, mask, body]);
}

function u64(n: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(BigInt(n));
  return b;
}

/** The upgrade request a browser would send, as bytes. */
export function upgradeRequest(port: number, user: string): Buffer {
  const key = crypto.randomBytes(16).toString('base64');
  return Buffer.from(`GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\nx-user: ${user}\r\n\r\n`);
}

export const HELLO = JSON.stringify({ t: 'hello', v: 1, sid: null, rx: 0 });

/** A raw link that said hello and got its welcome. */
export async function helloed(port: number, user: string): Promise<RawSocket> {
  const s = await rawSocket(port, user);
  s.text(HELLO);
  await until(() => s.texts.some((t) => t.includes('"welcome"')), 5000, 'welcome');
  return s;
}

/** Connects and upgrades; then frames are parsed as they are read. */
export function rawSocket(port: number, user: string): Promise<RawSocket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let buf = Buffer.alloc(0);
    let upgraded = false;
    let settle!: (code: number) => void;
    const closed = new Promise<number>((r) => (settle = r));
    const raw: RawSocket = {
      socket,
      texts: [],
      closed,
      closeCode: undefined,
      text: (data) => socket.write(clientFrame(data)),
      write: (bytes) => socket.write(bytes),
      stopReading: () => void socket.pause(),
      startReading: () => void socket.resume(),
    };
    socket.on('error', () => undefined);
    socket.on('close', () => {
      settle(raw.closeCode ?? 1006);
      if (!upgraded) reject(new Error('connection closed before the upgrade'));
    });
    socket.on('connect', () => socket.write(upgradeRequest(port, user)));
    socket.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      if (!upgraded) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        if (!buf.subarray(0, 12).toString().includes('101')) return reject(new Error(`upgrade refused: ${buf.subarray(0, end).toString()}`));
        upgraded = true;
        buf = buf.subarray(end + 4);
        resolve(raw);
      }
      for (let f = serverFrame(buf); f; f = serverFrame(buf)) {
        buf = buf.subarray(f.size);
        if (f.opcode === 1) raw.texts.push(f.payload.toString());
        else if (f.opcode === 8 && raw.closeCode === undefined) {
          raw.closeCode = f.payload.length >= 2 ? f.payload.readUInt16BE(0) : 1005;
          socket.write(clientFrame(f.payload.subarray(0, 2), 8));
        }
      }
    });
  });
}

/** One unmasked server frame at the start of `buf`, or undefined until it is complete. */
function serverFrame(buf: Buffer): { opcode: number; payload: Buffer; size: number } | undefined {
  if (buf.length < 2) return undefined;
  let len = buf[1]! & 127;
  let at = 2;
  if (len === 126) {
    if (buf.length < 4) return undefined;
    len = buf.readUInt16BE(2);
    at = 4;
  } else if (len === 127) {
    if (buf.length < 10) return undefined;
    len = Number(buf.readBigUInt64BE(2));
    at = 10;
  }
  if (buf.length < at + len) return undefined;
  return { opcode: buf[0]! & 15, payload: buf.subarray(at, at + len), size: at + len };
}
