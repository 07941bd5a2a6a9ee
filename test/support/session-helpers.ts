/** A raw `ws` client speaking PROTOCOL.md by hand, and session servers that stop after each test. */
import WebSocket from 'ws';
import { WxSocketManager } from '../../src';
import type { WxSocketOptions } from '../../src';
import { createWsConnectSocket } from '../../src/node';
import { createSessionServer } from '../../src/server';
import type { SessionServer, SessionServerOptions } from '../../src/server';
import { until } from './real-helpers';

export interface Raw {
  ws: WebSocket;
  /** Every text frame received, parsed when it is JSON. */
  frames: Array<Record<string, unknown> | string>;
  /** Resolves with the close code and reason. */
  closed: Promise<{ code: number; reason: string }>;
  send(frame: object | string): void;
  /** Waits for the first frame (after those already taken by earlier calls) matching `pred`. */
  next(pred?: (f: Record<string, unknown> | string) => boolean, ms?: number): Promise<Record<string, unknown> | string>;
  /** The msg frames received, as `s:d` strings. */
  msgs(): string[];
  hello(sid: string | null, rx?: number): Promise<Record<string, unknown>>;
}

const made: Array<{ close(): unknown }> = [];

export async function sessionServer(options: SessionServerOptions = {}): Promise<SessionServer> {
  const server = createSessionServer({ port: 0, host: '127.0.0.1', ...options });
  made.push(server);
  await server.ready;
  return server;
}

export async function raw(port: number, headers: Record<string, string> = { 'x-user': 'alice' }, path = ''): Promise<Raw> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}${path}`, { headers, perMessageDeflate: false });
  made.push({ close: () => ws.terminate() });
  const frames: Raw['frames'] = [];
  let taken = 0;
  ws.on('message', (data) => {
    const text = data.toString();
    try {
      frames.push(JSON.parse(text) as Record<string, unknown>);
    } catch {
      frames.push(text);
    }
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  const r: Raw = {
    ws,
    frames,
    closed,
    send: (frame) => ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame)),
    async next(pred = () => true, ms = 3000) {
      let found = -1;
      await until(() => {
        found = frames.findIndex((f, i) => i >= taken && pred(f));
        return found >= 0;
      }, ms, 'a frame');
      taken = found + 1;
      return frames[found]!;
    },
    msgs: () => frames.filter((f): f is Record<string, unknown> => typeof f === 'object' && f.t === 'msg').map((f) => `${f.s}:${f.d}`),
    async hello(sid, rx = 0) {
      r.send({ t: 'hello', v: 1, sid, rx });
      return (await r.next((f) => typeof f === 'object' && f.t === 'welcome')) as Record<string, unknown>;
    },
  };
  return r;
}

/** HTTP status of an upgrade the server refused. */
export function refusedStatus(port: number, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}`, { headers });
    ws.on('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.on('open', () => {
      ws.terminate();
      reject(new Error('upgrade was accepted'));
    });
    ws.on('error', () => undefined);
  });
}

export const byUser: SessionServerOptions['authenticate'] = (req) => {
  const user = req.headers['x-user'];
  return typeof user === 'string' && user ? user : false;
};

/** A manager on the Node adapter for a session server on 127.0.0.1:`port`: quick reconnects, no platform watching. */
export function nodeSocket(port: number, options: Partial<WxSocketOptions> = {}): WxSocketManager {
  return new WxSocketManager({
    url: `ws://127.0.0.1:${port}`,
    connectSocket: createWsConnectSocket({ closeTimeout: 200 }),
    watchNetwork: false,
    watchApp: false,
    reconnect: { interval: 50 },
    ...options,
  });
}

/** Stops every server and client a test made (call in afterEach). */
export async function stopAll(): Promise<void> {
  for (const m of made.splice(0).reverse()) await m.close();
}
