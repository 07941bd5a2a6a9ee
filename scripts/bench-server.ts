/**
 * Bench step "server-memory": bytes a session server holds per idle session.
 * The server runs in a child process (so the 10 000 client sockets are not counted); the
 * parent opens the links, says hello on each, and asks the child for its heap after GC.
 * Also measured in-process without sockets: the protocol state alone (Link + ServerSession + store entry).
 */
import { fork } from 'child_process';
import type { ChildProcess } from 'child_process';
import WebSocket from 'ws';
import { createSessionServer, memoryStore, SessionHub } from 'wx-socket-manager/server';
import type { Row } from './bench-common';

const SESSIONS = 10000;

interface Usage { heapUsed: number; rss: number; external: number }

function usage(): Usage {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  gc?.();
  const m = process.memoryUsage();
  return { heapUsed: m.heapUsed, rss: m.rss, external: m.external + m.arrayBuffers };
}

/** Child side: a session server (or, for the baseline, a bare ws server answering each first frame) that reports its memory when asked. */
async function child(plain: boolean): Promise<void> {
  // Every bench client is the one user "anonymous": no per-user session limit here.
  const server = plain ? await bareWs() : createSessionServer({ port: 0, idleTimeout: 600000, maxSessionsPerUser: 1_000_000 });
  await server.ready;
  process.send!({ port: server.port });
  process.on('message', (m: string) => {
    if (m === 'usage') process.send!({ usage: usage() });
    if (m === 'stop') void server.close().then(() => process.exit(0));
  });
}

function ask(proc: ChildProcess, what: 'usage' | 'port'): Promise<Record<string, unknown>> {
  return new Promise((resolve) => {
    const on = (m: Record<string, unknown>): void => {
      if (what in m) {
        proc.off('message', on);
        resolve(m);
      }
    };
    proc.on('message', on);
    if (what === 'usage') proc.send('usage');
  });
}

async function openSessions(port: number, n: number, progress: (text: string) => void): Promise<WebSocket[]> {
  const sockets: WebSocket[] = [];
  const hello = JSON.stringify({ t: 'hello', v: 1, sid: null, rx: 0 });
  for (let i = 0; i < n; i += 250) {
    progress(`server memory: ${i}/${n} sessions`);
    await Promise.all(
      Array.from({ length: Math.min(250, n - i) }, () => new Promise<void>((resolve, reject) => {
        const ws = new WebSocket(`ws://127.0.0.1:${port}`, { perMessageDeflate: false });
        sockets.push(ws);
        ws.once('open', () => ws.send(hello));
        ws.once('message', () => resolve());
        ws.once('error', reject);
      })),
    );
  }
  return sockets;
}

/** Protocol state alone: sessions attached to transports that hold nothing. */
async function stateOnly(n: number): Promise<number> {
  const store = memoryStore();
  const hub = new SessionHub({ store, node: 'bench', idleTimeout: 600000, maxSessionsPerUser: n + 1 });
  await hub.start();
  const hello = JSON.stringify({ t: 'hello', v: 1, sid: null, rx: 0 });
  const transport = { send: (): void => undefined, close: (): void => undefined, buffered: (): number => 0 };
  const links = [];
  const before = usage().heapUsed;
  for (let i = 0; i < n; i++) {
    const link = hub.attach(transport, 'user');
    link.text(hello);
    links.push(link);
  }
  await new Promise((r) => setTimeout(r, 50));
  const per = (usage().heapUsed - before) / n;
  await hub.close();
  await store.close();
  return per;
}

/** Heap, buffers and RSS per link in a child process, after warm-up. */
async function perLink(plain: boolean, progress: (text: string) => void): Promise<{ heap: number; ext: number; rss: number }> {
  const proc = fork(__filename, plain ? ['child', 'plain'] : ['child'], { execArgv: ['--expose-gc'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  try {
    const { port } = (await ask(proc, 'port')) as { port: number };
    // Warm-up: one batch, so code and pools are not counted as per-session cost.
    const warm = await openSessions(port, 250, progress);
    for (const ws of warm) ws.terminate();
    await new Promise((r) => setTimeout(r, 200));
    const before = ((await ask(proc, 'usage')) as { usage: Usage }).usage;
    const sockets = await openSessions(port, SESSIONS, progress);
    await new Promise((r) => setTimeout(r, 300));
    const after = ((await ask(proc, 'usage')) as { usage: Usage }).usage;
    for (const ws of sockets) ws.terminate();
    return { heap: (after.heapUsed - before.heapUsed) / SESSIONS, ext: (after.external - before.external) / SESSIONS, rss: (after.rss - before.rss) / SESSIONS };
  } finally {
    proc.send('stop');
  }
}

export async function serverMemory(rows: Row[], progress: (text: string) => void): Promise<void> {
  const state = await stateOnly(SESSIONS);
  const ours = await perLink(false, progress);
  const bare = await perLink(true, progress);
  const added = ours.heap - bare.heap;
  const B = (n: number): string => `${Math.round(n)} B`;
  rows.push([
    `7. Server memory per idle session (${SESSIONS} sessions, each an open ws link after hello/welcome)`,
    `${B(ours.heap)} JS heap per link, of which a bare ws link is ${B(bare.heap)}: sessions add ${B(added)} (state alone, no socket: ${B(state)}); buffers ${B(ours.ext)}, RSS ${B(ours.rss)}`,
    '≤ 2048 B per session',
    added <= 2048 ? `met (session cost; the ws socket itself is ${B(bare.heap)})` : `gap: ${B(added - 2048)} over`,
  ]);
}

async function bareWs(): Promise<{ ready: Promise<void>; port: number; close(): Promise<void> }> {
  const wss = new WebSocket.Server({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
  await new Promise((r) => wss.once('listening', r));
  wss.on('connection', (ws) => ws.once('message', () => ws.send('{"t":"welcome"}')));
  return { ready: Promise.resolve(), port: (wss.address() as { port: number }).port, close: async () => wss.close() };
}

if (process.argv[2] === 'child') void child(process.argv[3] === 'plain');
