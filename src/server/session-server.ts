/**
 * `createSessionServer(options)`: the session protocol on `ws` (an optional peer dependency).
 * Only HTTP glue lives here: the upgrade, `authenticate`, 401/404/500, listening and closing;
 * the protocol is the core's (hub.ts), a socket becomes a link in ws.ts.
 */
import http from 'http';
import type { AddressInfo } from 'net';
import type { Duplex } from 'stream';
import type { WebSocketServer } from 'ws';
import { requireWs } from '../shared/require-ws';
import { SessionHub } from './hub';
import type { Presence, SessionServerEvents } from './hub';
import { SESSION_DEFAULTS, checkServerOptions } from './options';
import type { SessionServerOptions } from './options';
import type { Fanout, PublishOptions, RoomMember } from './rooms';
import type { ServerSession } from './server-session';
import { bindWs } from './ws';

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
  /** Session `sessionId` joins `room` (in the store: every node sees it) until it leaves or ends. Rejects `CLOSED` for an unknown or expired session, `LIMIT` past `maxRoomsPerSession`/`maxMembersPerRoom`. */
  join(sessionId: string, room: string): Promise<void>;
  leave(sessionId: string, room: string): Promise<void>;
  /**
   * Records `data` in the stream of every member of `room`, wherever its link is: resolves
   * `{ sessions: n }` once recorded for n members (not on their acks). A member whose buffer is
   * full is marked overflowed (its next resume says so) and not counted. `{ volatile: true }`:
   * written only to member links up now, never buffered or replayed; n counts them.
   */
  publish(room: string, data: string | ArrayBuffer | ArrayBufferView, options?: PublishOptions): Promise<Fanout>;
  /** Records `data` for every session of `user` (the client's `meta.room` is `'user'`); `{ sessions: 0 }` when the user has none. */
  sendToUser(user: string, data: string | ArrayBuffer | ArrayBufferView, options?: Pick<PublishOptions, 'id'>): Promise<Fanout>;
  /** The room's members, each with whether it has a live link on any node. */
  members(room: string): Promise<RoomMember[]>;
  /** The rooms a session is in; rejects `CLOSED` for an unknown or expired session. */
  rooms(sessionId: string): Promise<string[]>;
  /** Whether any session of `user` has a live link, on any node. */
  online(user: string): Promise<boolean>;
  /** Closes every link (1001) and stops listening; a store it made itself is closed too. */
  close(): Promise<void>;
}

export type { Fanout, Presence, PublishOptions, RoomMember, SessionServerEvents, SessionServerOptions };

export function createSessionServer(options: SessionServerOptions = {}): SessionServer {
  const { core, maxPayload } = checkServerOptions(options);
  const ws = requireWs('wx-socket-manager/server') as typeof import('ws');
  const hub = new SessionHub(core);
  const wss: WebSocketServer = new ws.WebSocketServer({ noServer: true, maxPayload, perMessageDeflate: false });
  const httpServer = options.server ?? ownHttpServer(hub.limits.helloTimeout);
  const onUpgrade = upgrades(hub, wss, options);
  httpServer.on('upgrade', onUpgrade);
  let port = 0;
  const ready = hub.start().then(async () => {
    port = options.server ? boundPort(options.server) : await listen(httpServer, options.port ?? 0, options.host ?? SESSION_DEFAULTS.host);
  });
  let closing: Promise<void> | undefined;
  const shutdown = async (): Promise<void> => {
    await ready.catch(() => undefined);
    httpServer.off('upgrade', onUpgrade);
    await hub.close();
    for (const client of wss.clients) client.terminate();
    wss.close();
    if (!options.server) await closeHttp(httpServer);
  };
  return {
    ready,
    get port() {
      return port;
    },
    node: hub.node,
    on: (event, listener) => hub.on(event, listener),
    off: (event, listener) => hub.off(event, listener),
    send: (sessionId, data) => hub.send(sessionId, data),
    session: (sessionId) => hub.sessionById(sessionId),
    join: hub.join,
    leave: hub.leave,
    publish: hub.publish,
    sendToUser: hub.sendToUser,
    members: hub.members,
    rooms: hub.rooms,
    online: hub.online,
    close: () => (closing ??= shutdown()),
  };
}

/** The upgrade handler: path filter, then `authenticate`, then a link. */
function upgrades(hub: SessionHub, wss: WebSocketServer, options: SessionServerOptions) {
  const { authenticate, path } = options;
  return (req: http.IncomingMessage, socket: Duplex, head: Buffer): void => {
    if (path !== undefined && (req.url ?? '').split('?')[0] !== path) {
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
        hub.report(err);
        return refuse(socket, '500 Internal Server Error');
      }
      if (user === false || user === undefined || user === null) return refuse(socket, '401 Unauthorized');
      if (socket.destroyed) return;
      socket.off('error', ignore);
      wss.handleUpgrade(req, socket, head, (socketWs) => bindWs(hub, socketWs, String(user)));
    })();
  };
}

/**
 * The server's own HTTP server: WebSocket only, and a client that dribbles its upgrade
 * request (slowloris) is cut (408) after `helloTimeout`, like a link that never says hello.
 */
function ownHttpServer(helloTimeout: number): http.Server {
  const server = http.createServer({ connectionsCheckingInterval: Math.min(1000, helloTimeout) }, (_req, res) => res.writeHead(426).end('WebSocket only'));
  server.headersTimeout = helloTimeout;
  server.requestTimeout = helloTimeout;
  return server;
}

function refuse(socket: Duplex, status: string): void {
  socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

function ignore(): void {}

function boundPort(server: http.Server): number {
  const address = server.address();
  return address && typeof address === 'object' ? address.port : 0;
}

function listen(server: http.Server, port: number, host: string): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function closeHttp(server: http.Server): Promise<void> {
  server.closeAllConnections?.();
  return new Promise<void>((resolve) => server.close(() => resolve()));
}
