/** Type tests for wx-socket-manager/server, checked by `npm run typecheck`. */
import { createSessionServer, memoryStore } from '../../src/server';
import type { MessageMeta, Presence, ServerSession, SessionData, SessionStore } from '../../src/server';

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
  // @ts-expect-error no such event
  server.on('connection', () => undefined);
  // @ts-expect-error sessionTtl is a number of ms
  createSessionServer({ sessionTtl: '2m' });
  const store: SessionStore = memoryStore({ sweepInterval: 100 });
  void store;
  const port: number = server.port;
  const ready: Promise<void> = server.ready;
  void [port, ready];
}
