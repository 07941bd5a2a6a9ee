/** Type tests for wx-socket-manager/server, checked by `npm run typecheck`. */
import { Registry, register } from 'prom-client';
import type { WebSocket } from 'ws';
import { SESSION_DEFAULTS, SessionHub, bindWs, createSessionServer, memoryStore } from '../../src/server';
import type { Fanout, LinkInput, MessageMeta, Presence, RoomMember, ServerSession, SessionData, SessionStore } from '../../src/server';

export function typeChecks(): void {
  const server = createSessionServer({ port: 0, store: memoryStore(), authenticate: (req) => req.headers['x-user'] ?? false });
  server.on('session', (s: ServerSession) => {
    s.on('message', (data: SessionData, meta: MessageMeta) => void [data, meta.seq, meta.id]);
    s.on('message', async () => undefined);
    s.on('online', () => undefined);
    const sent: Promise<void> = s.send(new Uint8Array([1]));
    void sent;
    // @ts-expect-error only message, online and offline
    s.on('closed', () => undefined);
    // @ts-expect-error numbers are not payloads
    void s.send(42);
  });
  server.on('presence', (p: Presence) => void [p.sessionId, p.user, p.online, p.lastSeen]);
  // Rooms and users.
  const published: Promise<Fanout> = server.publish('order:42', new Uint8Array([1]), { id: 'c-7' });
  const live: Promise<Fanout> = server.publish('live:7', 'typing', { volatile: true });
  const toUser: Promise<Fanout> = server.sendToUser('u1', 'hi', { id: 'c-8' });
  const members: Promise<RoomMember[]> = server.members('order:42');
  const online: Promise<boolean> = server.online('u1');
  const rooms: Promise<string[]> = server.rooms('sid');
  void [published, live, toUser, members, online, rooms, server.join('sid', 'lobby'), server.leave('sid', 'lobby')];
  server.on('session', (s: ServerSession) => void [s.join('lobby'), s.leave('lobby'), s.rooms()]);
  // @ts-expect-error a room name is a string
  void server.publish(42, 'x');
  // @ts-expect-error sendToUser has no volatile option: a user's sessions get every message
  void server.sendToUser('u1', 'x', { volatile: true });
  createSessionServer({ maxRoomsPerSession: 10, maxMembersPerRoom: 5000 });
  // @ts-expect-error no such event
  server.on('connection', () => undefined);
  // @ts-expect-error sessionTtl is a number of ms
  createSessionServer({ sessionTtl: '2m' });
  const store: SessionStore = memoryStore({ sweepInterval: 100 });
  void store;
  const port: number = server.port;
  const ready: Promise<void> = server.ready;
  void [port, ready];
  createSessionServer({ helloTimeout: 5000, maxLinkBuffer: 65536, maxBufferedBytes: 1 << 20, maxSessionsPerUser: 5, handoverTimeout: 1000 });
  // @ts-expect-error maxLinkBuffer is a number of bytes
  createSessionServer({ maxLinkBuffer: '1MB' });
  // Metrics: a prom-client Registry, a new one or the default.
  createSessionServer({ metrics: new Registry() });
  new SessionHub({ metrics: register });
  // @ts-expect-error not a Registry
  createSessionServer({ metrics: true });
  // The core and the ws glue, for a server that accepts its own sockets.
  const hub = new SessionHub({ store, node: 'n1', helloTimeout: 2000 });
  const off: () => void = hub.on('session', (s: ServerSession) => void s.id);
  const link: LinkInput = bindWs(hub, {} as WebSocket, 'alice');
  link.text('ping');
  const limits: number = hub.limits.maxSessionsPerUser + SESSION_DEFAULTS.maxBufferedBytes;
  // @ts-expect-error the host callbacks are private
  hub.acked('id', 1);
  void [off, limits];
}
