/**
 * `wx-socket-manager/dev-server`: a local WebSocket server that injects the faults a phone
 * actually meets. Clients connect through a TCP proxy (fault-proxy.ts), so a "blackhole" is a real
 * half-open link (bytes stop, nothing closes), not a simulated one.
 *
 * Behaviour: "ping" → "pong"; other text and binary frames are echoed; a timestamped tick is
 * broadcast every `tickInterval` ms; text frames "fault:<name> [args]" inject faults.
 *
 * A client whose first frame is a session `hello` (PROTOCOL.md) gets a reliable session
 * instead: each session message is echoed back as a session message, every session gets a
 * numbered tick (`{"type":"tick","n":N,…}`: the server's tick count, so a session sees n, n+1,
 * n+2, … with no gap, also across its offline time; a resync shows as one announced jump), and
 * "fault:…" payloads work the same. Sessions live in a memory store: "crash" forgets them.
 */
import http from 'http';
import net from 'net';
import type * as Ws from 'ws';
import type { WebSocket } from 'ws';
import { requireWs } from '../shared/require-ws';
import { serveH5 } from './h5';
import { startFaultProxy } from './fault-proxy';
import { SessionHub } from '../server/hub';
import type { ServerSession } from '../server/server-session';
import { bindWs } from '../server/ws';
import { memoryStore } from '../server/memory-store';
import type { SessionStore } from '../server/store';
import { parseFrame } from '../protocol';

export interface DevServerOptions {
  /** Port clients connect to (through the fault proxy); 0 picks a free one. @default 8090 */
  port?: number;
  /** @default '127.0.0.1' */
  host?: string;
  /** Port of the HTTP control endpoint; 0 picks a free one. @default port + 1 (0 when port is 0) */
  controlPort?: number;
  /** ms between broadcast ticks; 0: none. @default 3000 */
  tickInterval?: number;
  /** ms a "restart" keeps refusing connections. @default 1000 */
  restartDowntime?: number;
  /** ms a session without a link is kept. @default 120000 */
  sessionTtl?: number;
  /** Where the one-line-per-event log goes; false: silent. @default console.log */
  log?: ((line: string) => void) | false;
}

export interface DevServer {
  /** ws:// URL through the fault proxy. */
  readonly url: string;
  /** http:// URL of the control endpoint (GET /status, /fault/<name>?ms=&code=&reason=). */
  readonly controlUrl: string;
  readonly port: number;
  /** Text frames received from clients, in arrival order (pings and fault commands excluded). */
  readonly received: string[];
  /** Close codes and reasons clients sent, in order. */
  readonly closes: Array<{ code: number; reason: string }>;
  /** Live client connections. */
  connections(): number;
  /** Connections accepted since start. */
  readonly stats: { accepted: number; refused: number; pings: number; pongsWithheld: number };
  /** Drop every connection abruptly and refuse new ones for `downtime` ms. */
  restart(downtime?: number): void;
  /** Existing links stop forwarding bytes (nothing closes) for `ms` ms, then are cut. New links work. */
  blackhole(ms?: number): void;
  /** Refuse new connections for `ms` ms. */
  refuse(ms: number): void;
  /** Stop answering "ping" for `ms` ms. */
  stopPong(ms: number): void;
  /** Close every connection with this code and reason (a proper closing handshake). */
  closeAll(code?: number, reason?: string): void;
  /** A server process restart with the memory store: like `restart`, and every session is forgotten. */
  crash(downtime?: number): void;
  /** The reliable sessions this server holds (clients that said `hello`). */
  sessions(): ServerSession[];
  /** Run a fault by name, as the control endpoint and "fault:" messages do. */
  fault(name: string, args?: { ms?: number; code?: number; reason?: string }): string;
  close(): Promise<void>;
}

export async function startDevServer(options: DevServerOptions = {}): Promise<DevServer> {
  const { WebSocketServer } = requireWs('wx-socket-manager/dev-server') as typeof Ws;
  const host = options.host ?? '127.0.0.1';
  const tickInterval = options.tickInterval ?? 3000;
  const restartDowntime = options.restartDowntime ?? 1000;
  const write = options.log === false ? undefined : options.log ?? ((line: string) => console.log(line));
  const log = (line: string): void => write?.(`[dev-server] ${new Date().toISOString().slice(11, 23)} ${line}`);

  const received: string[] = [];
  const closes: Array<{ code: number; reason: string }> = [];
  const pongs = { pings: 0, pongsWithheld: 0 };
  let pongOffUntil = 0;
  let nextId = 1;

  // ---- the real WebSocket server (upstream, internal port) ----
  // Plain HTTP on the WebSocket port: the H5 demo page at /, and the control routes (same origin for its buttons).
  const upstreamHttp = http.createServer((req, res) => {
    if (serveH5(req, res)) return;
    if (/^\/(status|fault\/)/.test(req.url ?? '')) return controlRoutes(req, res);
    res.writeHead(426).end('WebSocket only');
  });
  // ---- reliable sessions, for clients whose first frame is a hello ----
  const answerPing = (): boolean => {
    pongs.pings++;
    if (Date.now() >= pongOffUntil) return true;
    pongs.pongsWithheld++;
    return false;
  };
  let tickCount = 0;
  const makeHub = (): { hub: SessionHub; store: SessionStore } => {
    const store = memoryStore();
    // The core's defaults and checks (SESSION_DEFAULTS) except a longer idle time for stepping through code.
    const hub = new SessionHub({ store, node: 'dev', sessionTtl: options.sessionTtl, idleTimeout: 60000, answerPing });
    hub.on('session', (ss) => {
      log(`session ${ss.id.slice(0, 6)}… ${ss.resumed ? 'resumed' : 'new'}`);
      ss.on('message', (data) => {
        if (typeof data === 'string' && data.startsWith('fault:')) {
          ss.send(`fault-ok:${runFaultText(data)}`).catch(() => undefined);
          return;
        }
        if (typeof data === 'string') received.push(data);
        ss.send(data).catch(() => undefined);
      });
    });
    return { hub, store };
  };
  let sessions = makeHub();
  await sessions.hub.start();

  const wss = new WebSocketServer({ server: upstreamHttp, perMessageDeflate: false });
  const ids = new WeakMap<WebSocket, number>();
  // Plain ticks skip session links, and links too young to have said hello yet.
  const plainSince = new WeakMap<WebSocket, number>();
  wss.on('connection', (ws) => {
    plainSince.set(ws, Date.now() + 1000);
    const id = nextId++;
    ids.set(ws, id);
    log(`open #${id} (${wss.clients.size} live)`);
    // Plain echo, unless the first frame (pings aside) is a session hello.
    let mode: 'first' | 'plain' | 'session' = 'first';
    ws.on('message', (data, isBinary) => {
      if (mode === 'session') return;
      if (isBinary) {
        if (mode === 'first') plainSince.set(ws, 0);
        mode = 'plain';
        return ws.send(data, { binary: true });
      }
      const text = data.toString();
      if (mode === 'first' && text !== 'ping') {
        const frame = parseFrame(text);
        if (frame.t === 'hello') {
          mode = 'session';
          plainSince.delete(ws);
          bindWs(sessions.hub, ws, 'dev').text(text);
          return;
        }
        mode = 'plain';
        plainSince.set(ws, 0);
      }
      if (text === 'ping') return answerPing() ? ws.send('pong') : undefined;
      if (text.startsWith('fault:')) return ws.send(`fault-ok:${runFaultText(text)}`);
      received.push(text);
      ws.send(text);
    });
    ws.on('close', (code, reason) => {
      closes.push({ code, reason: reason.toString() });
      log(`close #${id} code ${code} (${wss.clients.size} live)`);
    });
    ws.on('error', () => undefined);
  });
  const runFaultText = (text: string): string => {
    const [name = '', ...rest] = text.slice(6).trim().split(' ');
    const n = Number(rest[0]);
    return api.fault(name, name === 'close' ? { code: n, reason: rest.slice(1).join(' ') } : { ms: rest[0] === undefined ? undefined : n });
  };
  await listen(upstreamHttp, 0, '127.0.0.1');
  const upstreamPort = (upstreamHttp.address() as net.AddressInfo).port;

  // ---- the fault proxy clients connect to ----
  const proxy = await startFaultProxy(host, options.port ?? 8090, () => [upstreamPort], log);
  const port = proxy.port;
  const stats = {
    get accepted() {
      return proxy.stats.accepted;
    },
    get refused() {
      return proxy.stats.refused;
    },
    get pings() {
      return pongs.pings;
    },
    get pongsWithheld() {
      return pongs.pongsWithheld;
    },
  };

  // ---- control endpoint ----
  function controlRoutes(req: http.IncomingMessage, res: http.ServerResponse): unknown {
    const u = new URL(req.url ?? '/', 'http://localhost');
    res.setHeader('content-type', 'application/json');
    if (u.pathname === '/status') {
      return res.end(JSON.stringify({ url: api.url, connections: api.connections(), sessions: api.sessions().length, ...stats, received: received.length }));
    }
    const m = /^\/fault\/(\w+)$/.exec(u.pathname);
    if (!m || !m[1]) return res.writeHead(404).end(JSON.stringify({ error: 'try /status or /fault/<restart|crash|blackhole|refuse|nopong|close>' }));
    const num = (k: string): number | undefined => (u.searchParams.has(k) ? Number(u.searchParams.get(k)) : undefined);
    const done = api.fault(m[1], { ms: num('ms'), code: num('code'), reason: u.searchParams.get('reason') ?? undefined });
    res.writeHead(done.startsWith('unknown') ? 400 : 200).end(JSON.stringify({ fault: done }));
  }
  const control = http.createServer(controlRoutes);
  const controlPort = options.controlPort ?? (options.port === 0 ? 0 : port + 1);
  await listen(control, controlPort, host);

  const ticker = tickInterval > 0 ? setInterval(() => {
    const time = new Date().toISOString();
    const tick = JSON.stringify({ type: 'tick', time });
    const now = Date.now();
    for (const ws of wss.clients) if ((plainSince.get(ws) ?? Infinity) <= now) ws.send(tick);
    const sessionTick = JSON.stringify({ type: 'tick', n: ++tickCount, time });
    for (const ss of sessions.hub.sessionList()) ss.send(sessionTick).catch(() => undefined);
  }, tickInterval) : undefined;
  ticker?.unref();

  const dropAll = (): void => {
    proxy.drop();
    for (const ws of wss.clients) ws.terminate();
  };

  const api: DevServer = {
    url: `ws://${host}:${port}`,
    controlUrl: `http://${host}:${(control.address() as net.AddressInfo).port}`,
    port,
    received,
    closes,
    stats,
    connections: () => wss.clients.size,
    restart(downtime = restartDowntime) {
      log(`FAULT restart: dropping ${proxy.links()} connection(s), refusing for ${downtime} ms`);
      proxy.refuseUntil(Date.now() + downtime);
      dropAll();
    },
    blackhole(ms = 30000) {
      log(`FAULT blackhole: ${proxy.links()} link(s) go silent for ${ms} ms`);
      proxy.blackhole(ms, (n) => log(`blackhole over: ${n} silent link(s) cut`));
    },
    refuse(ms) {
      log(`FAULT refuse: new connections refused for ${ms} ms`);
      proxy.refuseUntil(Date.now() + ms);
    },
    stopPong(ms) {
      log(`FAULT nopong: pings unanswered for ${ms} ms`);
      pongOffUntil = Date.now() + ms;
    },
    crash(downtime = restartDowntime) {
      log(`FAULT crash: dropping ${proxy.links()} connection(s), forgetting ${sessions.hub.sessionList().length} session(s), refusing for ${downtime} ms`);
      const old = sessions;
      sessions = makeHub();
      proxy.refuseUntil(Date.now() + downtime);
      dropAll();
      void old.hub.close().then(() => old.store.close());
      void sessions.hub.start();
    },
    sessions: () => sessions.hub.sessionList(),
    closeAll(code = 1000, reason = '') {
      log(`FAULT close: closing ${wss.clients.size} connection(s) with ${code} "${reason}"`);
      for (const ws of wss.clients) ws.close(code, reason);
    },
    fault(name, args = {}) {
      const ms = args.ms !== undefined && Number.isFinite(args.ms) && args.ms >= 0 ? args.ms : undefined;
      switch (name) {
        case 'restart': api.restart(ms); return 'restart';
        case 'crash': api.crash(ms); return 'crash';
        case 'blackhole': api.blackhole(ms); return 'blackhole';
        case 'refuse': api.refuse(ms ?? 5000); return 'refuse';
        case 'nopong': api.stopPong(ms ?? 30000); return 'nopong';
        case 'close': {
          const code = args.code !== undefined && Number.isInteger(args.code) && (args.code === 1000 || (args.code >= 3000 && args.code <= 4999)) ? args.code : 1000;
          api.closeAll(code, (args.reason ?? '').slice(0, 120));
          return 'close';
        }
        default: return `unknown fault "${name}"`;
      }
    },
    async close() {
      if (ticker) clearInterval(ticker);
      await sessions.hub.close();
      await sessions.store.close();
      dropAll();
      await Promise.all([proxy.close(), closeServer(control), closeServer(upstreamHttp)]);
      wss.close();
    },
  };
  log(`listening on ${api.url} (control ${api.controlUrl})`);
  return api;
}

function listen(server: net.Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function closeServer(server: net.Server): Promise<void> {
  return new Promise((resolve) => {
    (server as http.Server).closeAllConnections?.();
    server.close(() => resolve());
  });
}
