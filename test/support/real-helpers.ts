import { WxSocketManager } from '../../src';
import type { WxSocketOptions } from '../../src';
import { startDevServer } from '../../src/dev-server';
import type { DevServer } from '../../src/dev-server';
import { createWsConnectSocket } from '../../src/node';

/** Resolves when `cond()` holds; rejects after `ms` (every real-network wait is bounded). */
export async function until(cond: () => boolean, ms = 5000, what = 'condition'): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export interface RealSetup {
  server: DevServer;
  socket: WxSocketManager;
  /** Every connectSocket call's time, in ms since the setup. */
  attempts: number[];
  events: Array<{ t: number; e: string }>;
  t0: number;
}

const open: RealSetup[] = [];

/** A dev server on a free 127.0.0.1 port and a manager on the Node adapter pointed at it. */
export async function realSetup(options: Partial<WxSocketOptions> = {}, tickInterval = 0): Promise<RealSetup> {
  const server = await startDevServer({ port: 0, host: '127.0.0.1', tickInterval, textFaults: true, log: false });
  const ws = createWsConnectSocket({ closeTimeout: 200 });
  const t0 = Date.now();
  const attempts: number[] = [];
  const socket = new WxSocketManager({
    url: server.url,
    connectSocket: (o) => {
      attempts.push(Date.now() - t0);
      return ws(o);
    },
    watchNetwork: false,
    watchApp: false,
    ...options,
  });
  const events: Array<{ t: number; e: string }> = [];
  const at = (e: string): number => events.push({ t: Date.now() - t0, e });
  socket.on('state', (e) => at(`state:${e.state}`));
  socket.on('error', (e) => at(`error:${e.code}`));
  socket.on('close', (e) => at(`close:${e.code}`));
  socket.on('open', (e) => at(`open:${e.attempt}`));
  socket.on('reconnect-failed', (e) => at(`reconnect-failed:${e.attempts}`));
  const s = { server, socket, attempts, events, t0 };
  open.push(s);
  return s;
}

/** Closes every manager and server a test made (call in afterEach). */
export async function teardown(): Promise<void> {
  for (const s of open.splice(0)) {
    s.socket.destroy();
    await s.server.close();
  }
}

export function eventTime(s: RealSetup, e: string, after = 0): number | undefined {
  return s.events.find((x) => x.e === e && x.t >= after)?.t;
}
