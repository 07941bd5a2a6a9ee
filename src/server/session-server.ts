/**
 * `createSessionServer(options)`: the session protocol on `ws` (an optional peer dependency).
 * Only glue lives here: HTTP upgrade, `authenticate`, 401, ws events → a `Link`.
 */
import http from 'http';
import { randomBytes } from 'crypto';
import type { AddressInfo } from 'net';
import type { Duplex } from 'stream';
import type { WebSocket, WebSocketServer } from 'ws';
import { requireWs } from '../shared/require-ws';
import { typeError } from '../errors';
import { SessionHub } from './hub';
import type { Presence, SessionServerEvents } from './hub';
import type { Link, Transport } from './link';
import { memoryStore } from './memory-store';
import type { SessionStore } from './store';
import type { ServerSession } from './server-session';

export interface SessionServerOptions {
  /** Attach to this HTTP server's upgrades instead of listening on a port. */
  server?: http.Server;
  /** Port to listen on when no `server` is given; 0 picks a free one. @default 0 */
  port?: number;
  /** @default '127.0.0.1' */
  host?: string;
  /** Only upgrades to this path are served (others get 404). @default any path */
  path?: string;
  /** Where sessions live. @default memoryStore() (closed with the server) */
  store?: SessionStore;
  /** Runs on every upgrade: a user id, or false to refuse with HTTP 401. @default every client is user "anonymous" */
  authenticate?: (request: http.IncomingMessage) => unknown;
  /** How long a session without a link is kept, in ms. @default 120000 */
  sessionTtl?: number;
  /** Unacknowledged server messages per session; beyond it send() rejects OVERFLOW. @default 1000 */
  maxBuffered?: number;
  /** A link silent for longer than this (no frame, not even ping) is closed, in ms. @default 30000 */
  idleTimeout?: number;
  /** Largest inbound frame in bytes; a bigger one closes its link (1009). @default 1048576 */
  maxPayload?: number;
  /** Acks go out within this many ms of recording a message. @default 50 */
  ackDelay?: number;
  /** This node's name in a shared store (must differ between nodes). @default random */
  node?: string;
}

export interface SessionServer {
  /** Resolves when listening. */
  readonly ready: Promise<void>;
  /** The bound port (after `ready`), when the server listens on its own. */
  readonly port: number;
  readonly node: string;
  on<K extends keyof SessionServerEvents>(event: K, listener: (payload: SessionServerEvents[K]) => void): () => void;
  off<K extends keyof SessionServerEvents>(event: K, listener: (payload: SessionServerEvents[K]) => void): void;
  /** Sends to a session on whichever node holds it; resolves on the client's ack. Never throws. */
  send(sessionId: string, data: string | ArrayBuffer | ArrayBufferView): Promise<void>;
  /** Sessions this node serves now or served lately. */
  session(sessionId: string): ServerSession | undefined;
  /** Closes every link (1001) and stops listening; a store it made itself is closed too. */
  close(): Promise<void>;
}

export type { Presence, SessionServerEvents };

export const SESSION_DEFAULTS = Object.freeze({
  host: '127.0.0.1',
  sessionTtl: 120000,
  maxBuffered: 1000,
  idleTimeout: 30000,
  maxPayload: 1024 * 1024,
  ackDelay: 50,
});

const positive = (name: string, value: number | undefined, fallback: number, integer = false): number => {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value))) {
    throw typeError(`option "${name}" must be a ${integer ? 'whole ' : ''}number > 0`);
  }
  return value;
};

export function createSessionServer(options: SessionServerOptions = {}): SessionServer {
  const ws = loadWs();
  const limits = {
    sessionTtl: positive('sessionTtl', options.sessionTtl, SESSION_DEFAULTS.sessionTtl),
    maxBuffered: positive('maxBuffered', options.maxBuffered, SESSION_DEFAULTS.maxBuffered, true),
    idleTimeout: positive('idleTimeout', options.idleTimeout, SESSION_DEFAULTS.idleTimeout),
    ackDelay: options.ackDelay === 0 ? 0 : positive('ackDelay', options.ackDelay, SESSION_DEFAULTS.ackDelay),
  };
  const maxPayload = positive('maxPayload', options.maxPayload, SESSION_DEFAULTS.maxPayload, true);
  const ownStore = !options.store;
  const store = options.store ?? memoryStore();
  const node = options.node ?? randomBytes(6).toString('base64url');
  const hub = new SessionHub({ store, node, ...limits });
  const authenticate = options.authenticate;
  const wss: WebSocketServer = new ws.WebSocketServer({ noServer: true, maxPayload, perMessageDeflate: false });
  const httpServer = options.server ?? http.createServer((_req, res) => res.writeHead(426).end('WebSocket only'));

  const refuse = (socket: Duplex, status: string): void => {
    socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  };
  const onUpgrade = (req: http.IncomingMessage, socket: Duplex, head: Buffer): void => {
    if (options.path !== undefined && (req.url ?? '').split('?')[0] !== options.path) {
      // Someone else's upgrade on a shared server: leave it to them.
      if (options.server) return;
      return refuse(socket, '404 Not Found');
    }
    // Until ws takes the socket over, a reset while authenticate runs must not crash the process.
    socket.on('error', ignore);
    void (async () => {
      let user: unknown;
      try {
        user = authenticate ? await authenticate(req) : 'anonymous';
      } catch (err) {
        hub.failed(err);
        return refuse(socket, '500 Internal Server Error');
      }
      if (user === false || user === undefined || user === null) return refuse(socket, '401 Unauthorized');
      if (socket.destroyed) return;
      socket.off('error', ignore);
      wss.handleUpgrade(req, socket, head, (socketWs) => bindWs(hub, socketWs, String(user)));
    })();
  };
  httpServer.on('upgrade', onUpgrade);

  let port = 0;
  const ready = (async () => {
    await hub.start();
    if (options.server) {
      const address = options.server.address();
      if (address && typeof address === 'object') port = address.port;
      return;
    }
    await new Promise<void>((resolve, reject) => {
      httpServer.once('error', reject);
      httpServer.listen(options.port ?? 0, options.host ?? SESSION_DEFAULTS.host, () => {
        httpServer.off('error', reject);
        port = (httpServer.address() as AddressInfo).port;
        resolve();
      });
    });
  })();

  let closing: Promise<void> | undefined;
  return {
    ready,
    get port() {
      return port;
    },
    node,
    on: (event, listener) => hub.events.on(event, listener),
    off: (event, listener) => hub.events.off(event, listener),
    send: (sessionId, data) => hub.send(sessionId, data),
    session: (sessionId) => hub.sessionById(sessionId),
    close() {
      closing ??= (async () => {
        await ready.catch(() => undefined);
        httpServer.off('upgrade', onUpgrade);
        await hub.close();
        for (const client of wss.clients) client.terminate();
        wss.close();
        if (!options.server) {
          httpServer.closeAllConnections?.();
          await new Promise<void>((resolve) => httpServer.close(() => resolve()));
        }
        if (ownStore) await store.close();
      })();
      return closing;
    },
  };
}

/** The Transport over one `ws` socket (a class, not closures: thousands of idle links each hold one). */
class WsTransport implements Transport {
  constructor(private readonly ws: WebSocket) {}
  send(text: string): void {
    if (this.ws.readyState === 1) this.ws.send(text);
  }
  close(code: number, reason: string): void {
    const ws = this.ws;
    ws.close(code, reason);
    // A dead peer never answers the closing handshake.
    setTimeout(() => ws.terminate(), 2000).unref();
  }
  pause(): void {
    this.ws.pause();
  }
  resume(): void {
    this.ws.resume();
  }
}

function ignore(): void {}

/** Wires one `ws` socket to a new link of `hub`; returns the link (feed it a frame already read with `link.text`). */
export function bindWs(hub: SessionHub, socketWs: WebSocket, user: string): Link {
  const link = hub.attach(new WsTransport(socketWs), user);
  socketWs.on('message', (data, isBinary) => (isBinary ? link.binary() : link.text(data.toString())));
  socketWs.on('close', () => link.closed());
  socketWs.on('error', ignore);
  return link;
}

function loadWs(): typeof import('ws') {
  return requireWs('wx-socket-manager/server') as typeof import('ws');
}
