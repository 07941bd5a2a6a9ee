/**
 * One dev node: an HTTP server on 127.0.0.1 serving the H5 page (and its favicon), and
 * WebSocket clients (plain echo or reliable sessions, link-mode.ts). Single mode runs one in
 * the process; cluster mode runs one per child process, all on one Redis. The fault proxy
 * stands in front of it; the control routes are answered there, never here.
 */
import http from 'http';
import type { Duplex } from 'stream';
import type * as Ws from 'ws';
import type { WebSocket } from 'ws';
import { requireWs } from '../shared/require-ws';
import { serveH5 } from './h5';
import { requestUrl } from './http-head';
import { serveLink } from './link-mode';
import type { LinkHooks } from './link-mode';
import { closeServer, listen } from './listen';
import type { Log } from './log';

export interface NodeOptions extends LinkHooks {
  log: Log;
  /** A client's close code and reason. */
  onClientClose?(code: number, reason: string): void;
  /** Port on 127.0.0.1; 0 picks a free one. @default 0 */
  port?: number;
  /** Where the built H5 page is. @default dist/h5 */
  h5Root?: string;
  /** Every link goes to the sessions at once (no plain mode). @default false */
  sessionsOnly?: boolean;
}

export interface DevNode {
  readonly port: number;
  /** Plain links old enough to have said `hello` had they meant to (they get plain ticks). */
  plainLinks(): WebSocket[];
  connections(): number;
  /** Closes every client socket with a closing handshake; returns how many. */
  closeAll(code: number, reason: string): number;
  /** Drops every client socket at once. */
  terminateAll(): void;
  close(): Promise<void>;
}

/** The dev user a client names with `?user=` (default "dev"): its sessions are its own. */
export function devUser(url: string | undefined): string | { error: string } {
  const query = requestUrl(url)?.searchParams;
  if (!query) return { error: 'bad request target' };
  const user = query.get('user');
  if (user === null) return 'dev';
  if (user.length < 1 || user.length > 64 || /[\u0000-\u001f\u007f]/.test(user)) return { error: '"user" must be 1-64 characters without control characters' };
  return user;
}

/** Largest frame a client may send (a bigger one closes its link 1009): big enough to test large frames, a bound all the same. */
const MAX_FRAME = 16 * 1024 * 1024;

/** A link says hello right after it opens; until this many ms it gets no plain tick. */
const HELLO_GRACE = 1000;

export async function startDevNode(options: NodeOptions): Promise<DevNode> {
  const { WebSocketServer } = requireWs('wx-socket-manager/dev-server') as typeof Ws;
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: MAX_FRAME });
  const plainSince = new WeakMap<WebSocket, number>();
  let nextId = 1;
  const server = http.createServer((req, res) => {
    res.setHeader('connection', 'close');
    if (!serveH5(req, res, options.h5Root)) res.writeHead(426, { 'content-type': 'text/plain' }).end('WebSocket only (the H5 demo page is at /)');
  });
  server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    const user = devUser(req.url);
    if (typeof user !== 'string') return void socket.end(`HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: ${Buffer.byteLength(user.error)}\r\n\r\n${user.error}`);
    wss.handleUpgrade(req, socket, head, (ws) => {
      const id = nextId++;
      options.log(`open #${id} (${wss.clients.size} live)`);
      if (options.sessionsOnly) options.sessions().attach(ws, user);
      else {
        plainSince.set(ws, Date.now() + HELLO_GRACE);
        serveLink(ws, user, options, (since) => (since === undefined ? plainSince.delete(ws) : plainSince.set(ws, since)));
      }
      ws.on('close', (code, reason) => {
        options.onClientClose?.(code, reason.toString());
        options.log(`close #${id} code ${code} (${wss.clients.size} live)`);
      });
      ws.on('error', () => undefined);
    });
  });
  const port = await listen(server, options.port ?? 0, '127.0.0.1');
  return {
    port,
    plainLinks() {
      const now = Date.now();
      return [...wss.clients].filter((ws) => (plainSince.get(ws) ?? Infinity) <= now);
    },
    connections: () => wss.clients.size,
    closeAll(code, reason) {
      for (const ws of wss.clients) ws.close(code, reason);
      return wss.clients.size;
    },
    terminateAll() {
      for (const ws of wss.clients) ws.terminate();
    },
    async close() {
      for (const ws of wss.clients) ws.terminate();
      await closeServer(server);
      wss.close();
    },
  };
}
