/**
 * Rooms and users on the real session server (API.md "Third round", PROTOCOL.md "Rooms and
 * users"): SocketSession clients and raw `ws` clients on 127.0.0.1, one node or two sharing a store.
 */
import { Registry } from 'prom-client';
import type { WxSocketManager } from '../../src';
import { memoryStore } from '../../src/server';
import type { ServerSession, SessionServer, SessionServerOptions } from '../../src/server';
import { SocketSession } from '../../src/session';
import type { SessionMessageMeta } from '../../src/session';
import { sleep, until } from '../support/real-helpers';
import { byUser, nodeSocket, raw, sessionServer, stopAll } from '../support/session-helpers';

const made: Array<() => void> = [];
const ignore = (): void => undefined;
afterEach(async () => {
  made.splice(0).forEach((f) => f());
  await stopAll();
});

interface Member {
  socket: WxSocketManager;
  session: SocketSession;
  /** What the app received: `data@room` (no room: a direct send), volatile ones as `~data@room`. */
  got: string[];
  resyncs: string[];
  /** Links opened so far. */
  opens: () => number;
}

function member(port: number, user = 'alice'): Member {
  const socket = nodeSocket(port, { header: { 'x-user': user } });
  const session = new SocketSession(socket);
  const got: string[] = [];
  const resyncs: string[] = [];
  const text = (d: unknown): string => (typeof d === 'string' ? d : `<${new Uint8Array(d as ArrayBuffer).join(',')}>`);
  session.on('message', (d, meta: SessionMessageMeta) => void got.push(meta.room === undefined ? text(d) : `${text(d)}@${meta.room}`));
  session.on('volatile', (d, meta) => void got.push(`~${text(d)}@${meta.room}`));
  session.on('resync', (e) => void resyncs.push(e.reason));
  let opens = 0;
  socket.on('open', () => void opens++);
  made.push(() => socket.destroy());
  socket.connect();
  return { socket, session, got, resyncs, opens: () => opens };
}

/** A server whose app keeps each session's handle by id. */
async function server(options: SessionServerOptions = {}): Promise<{ server: SessionServer; byId: Map<string, ServerSession> }> {
  const s = await sessionServer({ authenticate: byUser, ...options });
  const byId = new Map<string, ServerSession>();
  s.on('session', (ss) => void byId.set(ss.id, ss));
  return { server: s, byId };
}

async function joined(port: number, server: SessionServer, room: string, user = 'alice'): Promise<Member & { id: string }> {
  const m = member(port, user);
  await until(() => m.session.sessionId !== null, 5000, 'welcome');
  await server.join(m.session.sessionId!, room);
  return { ...m, id: m.session.sessionId! };
}

describe('rooms on one node', () => {
  test('a publish reaches every member once with its room; a direct send has none; sendToUser says "user"; each resolves with the sessions it was recorded for', async () => {
    const { server: s } = await server();
    const [a, b] = [await joined(s.port, s, 'order:42', 'alice'), await joined(s.port, s, 'order:42', 'bob')];
    const c = await joined(s.port, s, 'elsewhere', 'alice');
    expect(await s.publish('order:42', 'shipped')).toEqual({ sessions: 2 });
    expect(await s.publish('order:42', new Uint8Array([1, 2]))).toEqual({ sessions: 2 });
    await s.send(a.id, 'just you');
    expect(await s.sendToUser('alice', 'hi alice')).toEqual({ sessions: 2 });
    await until(() => a.got.length === 4 && b.got.length === 2 && c.got.length === 1, 5000, 'deliveries');
    expect(a.got).toEqual(['shipped@order:42', '<1,2>@order:42', 'just you', 'hi alice@user']);
    expect(b.got).toEqual(['shipped@order:42', '<1,2>@order:42']);
    expect(c.got).toEqual(['hi alice@user']);
  });

  test('an empty room and a user with no sessions resolve { sessions: 0 }; members, rooms and online tell who is where', async () => {
    const { server: s, byId } = await server();
    expect(await s.publish('nobody-here', 'x')).toEqual({ sessions: 0 });
    expect(await s.sendToUser('ghost', 'x')).toEqual({ sessions: 0 });
    expect(await s.online('ghost')).toBe(false);
    const a = await joined(s.port, s, 'lobby', 'alice');
    const ss = byId.get(a.id)!;
    await ss.join('直播 #7');
    expect((await ss.rooms()).sort()).toEqual(['lobby', '直播 #7']);
    expect((await s.rooms(a.id)).sort()).toEqual(['lobby', '直播 #7']);
    expect(await s.members('lobby')).toEqual([{ sessionId: a.id, user: 'alice', online: true }]);
    expect(await s.online('alice')).toBe(true);
    await ss.leave('lobby');
    expect(await s.members('lobby')).toEqual([]);
    a.socket.close();
    await until(() => !ss.online, 5000, 'offline');
    expect(await s.members('直播 #7')).toEqual([{ sessionId: a.id, user: 'alice', online: false }]);
    expect(await s.online('alice')).toBe(false);
  });

  test('on the wire a room message is an ordinary msg with "r", in one sequence with direct sends', async () => {
    const { server: s } = await server();
    const c = await raw(s.port, { 'x-user': 'alice' });
    const sid = (await c.hello(null)).sid as string;
    await s.join(sid, 'lobby');
    // Sends resolve on acks, which this client never sends: not awaited (each is recorded when called, in order).
    void s.send(sid, 'd1').catch(ignore);
    void s.publish('lobby', 'p1');
    void s.sendToUser('alice', 'u1');
    void s.send(sid, 'd2').catch(ignore);
    await until(() => c.msgs().length === 4, 3000, 'four messages');
    const msgs = c.frames.filter((f) => typeof f === 'object' && f.t === 'msg') as Array<Record<string, unknown>>;
    expect(msgs.map(({ id: _, ...rest }) => rest)).toEqual([
      { t: 'msg', s: 1, d: 'd1' },
      { t: 'msg', s: 2, d: 'p1', r: 'lobby' },
      { t: 'msg', s: 3, d: 'u1', r: 'user' },
      { t: 'msg', s: 4, d: 'd2' },
    ]);
  });

  test('a client msg carrying "r" is a protocol error (4400): rooms are the server\'s', async () => {
    const { server: s } = await server();
    const c = await raw(s.port);
    await c.hello(null);
    c.send({ t: 'msg', s: 1, id: 'c1', d: 'hi', r: 'lobby' });
    expect(await c.next((f) => typeof f === 'object' && f.t === 'error')).toEqual({ t: 'error', code: 4400, message: 'msg "r" is sent by servers only' });
    expect((await c.closed).code).toBe(4400);
  });

  test('membership survives a resume and ends with the session: join and rooms of an ended session reject CLOSED', async () => {
    const { server: s, byId } = await server({ sessionTtl: 300 });
    const a = await joined(s.port, s, 'lobby');
    a.socket.reconnect();
    await until(() => a.opens() === 2 && byId.get(a.id)!.online, 3000, 'resumed');
    expect(await s.publish('lobby', 'after resume')).toEqual({ sessions: 1 });
    await until(() => a.got.length === 1, 3000, 'delivery');
    a.socket.close();
    await sleep(700);
    await expect(s.rooms(a.id)).rejects.toMatchObject({ code: 'CLOSED' });
    await expect(s.join(a.id, 'lobby')).rejects.toMatchObject({ code: 'CLOSED' });
    await expect(byId.get(a.id)!.join('lobby')).rejects.toMatchObject({ code: 'CLOSED' });
    await expect(s.join('AAAAAAAAAAAAAAAAAAAAAA', 'lobby')).rejects.toMatchObject({ code: 'CLOSED' });
    expect(await s.members('lobby')).toEqual([]);
    expect(await s.publish('lobby', 'nobody')).toEqual({ sessions: 0 });
  });

  test('a member whose buffer is full is not counted and is announced overflow on its resume; the others get every message', async () => {
    const registry = new Registry();
    const { server: s } = await server({ maxBuffered: 3, metrics: registry });
    const ok = await joined(s.port, s, 'lobby', 'bob');
    const slow = raw(s.port, { 'x-user': 'carol' });
    const c = await slow;
    const sid = (await c.hello(null)).sid as string;
    await s.join(sid, 'lobby');
    const counts: number[] = [];
    for (let i = 1; i <= 5; i++) {
      counts.push((await s.publish('lobby', `m${i}`)).sessions);
      // bob reads and acknowledges (within ackDelay); carol never does.
      await until(() => ok.got.length === i, 3000, `m${i}`);
      await sleep(150);
    }
    expect(counts).toEqual([2, 2, 2, 1, 1]);
    expect(await registry.getSingleMetricAsString('wxsm_overflows_total')).toContain('wxsm_overflows_total 2');
    expect(ok.got).toEqual(['m1@lobby', 'm2@lobby', 'm3@lobby', 'm4@lobby', 'm5@lobby']);
    c.ws.terminate();
    const again = await raw(s.port, { 'x-user': 'carol' });
    expect(await again.hello(sid, 0)).toMatchObject({ resumed: false, reason: 'overflow' });
  });

  test('volatile reaches only member links up now, with its room; it is never buffered or replayed', async () => {
    const { server: s, byId } = await server();
    const [a, b] = [await joined(s.port, s, 'live', 'alice'), await joined(s.port, s, 'live', 'bob')];
    b.socket.close();
    await until(() => !byId.get(b.id)!.online, 3000, 'b offline');
    expect(await s.publish('live', 'typing…', { volatile: true })).toEqual({ sessions: 1 });
    expect(await s.publish('live', 'sent')).toEqual({ sessions: 2 });
    await until(() => a.got.length === 2, 3000, 'a got both');
    expect(a.got).toEqual(['~typing…@live', 'sent@live']);
    b.socket.connect();
    await until(() => b.got.length === 1, 3000, 'b resumed');
    await sleep(100);
    expect(b.got).toEqual(['sent@live']);
    expect(b.resyncs).toEqual([]);
  });

  test('a publish repeated with the same id (the handler ran again) reaches nobody twice and resolves as the first did', async () => {
    const { server: s } = await server();
    const a = await joined(s.port, s, 'chat');
    expect(await s.publish('chat', 'hello', { id: 'client-7' })).toEqual({ sessions: 1 });
    expect(await s.publish('chat', 'hello', { id: 'client-7' })).toEqual({ sessions: 1 });
    expect(await s.sendToUser('alice', 'bye', { id: 'client-8' })).toEqual({ sessions: 1 });
    expect(await s.sendToUser('alice', 'bye', { id: 'client-8' })).toEqual({ sessions: 1 });
    await until(() => a.got.length === 2, 3000, 'two');
    await sleep(100);
    expect(a.got).toEqual(['hello@chat', 'bye@user']);
  });
});

describe('rooms across nodes', () => {
  test('two nodes on one store: members linked to either get a publish made on either, in one order with direct sends; volatile reaches both nodes\' links', async () => {
    const store = memoryStore();
    made.push(() => void store.close());
    const [n1, n2] = [await server({ store, node: 'n1' }), await server({ store, node: 'n2' })];
    const a = await joined(n1.server.port, n1.server, 'lobby', 'alice');
    const b = await joined(n2.server.port, n2.server, 'lobby', 'bob');
    await n2.server.send(a.id, 'direct from n2');
    expect(await n1.server.publish('lobby', 'from n1')).toEqual({ sessions: 2 });
    expect(await n2.server.publish('lobby', 'from n2')).toEqual({ sessions: 2 });
    await until(() => a.got.length === 3 && b.got.length === 2, 3000, 'deliveries');
    expect(a.got).toEqual(['direct from n2', 'from n1@lobby', 'from n2@lobby']);
    expect(b.got).toEqual(['from n1@lobby', 'from n2@lobby']);
    // Volatile frames are unsequenced: written at once to the links up now, on every node.
    expect(await n2.server.publish('lobby', 'live', { volatile: true })).toEqual({ sessions: 2 });
    await until(() => a.got.length === 4 && b.got.length === 3, 3000, 'volatile');
    expect([a.got[3], b.got[2]]).toEqual(['~live@lobby', '~live@lobby']);
    expect((await n2.server.members('lobby')).map((m) => m.user).sort()).toEqual(['alice', 'bob']);
  });
});
