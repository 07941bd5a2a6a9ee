/** SocketSession against the real session server (createSessionServer) on 127.0.0.1. */
import type { WxSocketManager } from '../../src';
import type { ServerSession } from '../../src/server';
import { SocketSession } from '../../src/session';
import { nodeSocket, sessionServer, stopAll } from '../support/session-helpers';

const made: Array<() => void> = [];
afterEach(async () => {
  made.splice(0).forEach((f) => f());
  await stopAll();
});

function client(port: number): { socket: WxSocketManager; session: SocketSession; got: string[] } {
  const socket = nodeSocket(port);
  const session = new SocketSession(socket);
  const got: string[] = [];
  session.on('message', (m) => got.push(m as string));
  made.push(() => socket.destroy());
  return { socket, session, got };
}

test('both directions arrive exactly once and in order across a dropped link, against the real session server', async () => {
  const server = await sessionServer();
  const sessions: ServerSession[] = [];
  const serverGot: string[] = [];
  server.on('session', (s) => {
    sessions.push(s);
    s.on('message', (d) => void serverGot.push(d as string));
  });
  const c = client(server.port);
  c.socket.connect();
  const sent = [c.session.send('c1'), c.session.send('c2')];
  await Promise.all(sent);
  expect(serverGot).toEqual(['c1', 'c2']);
  const id = c.session.sessionId!;
  await server.send(id, 's1');
  expect(c.got).toEqual(['s1']);
  c.socket.reconnect();
  const more = [server.send(id, 's2'), server.send(id, 's3'), c.session.send('c3')];
  await Promise.all(more);
  expect(c.got).toEqual(['s1', 's2', 's3']);
  expect(serverGot).toEqual(['c1', 'c2', 'c3']);
  expect(c.session.sessionId).toBe(id);
  expect(c.session.unacked).toBe(0);
});
