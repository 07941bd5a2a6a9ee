/**
 * The session server against a raw `ws` client that speaks PROTOCOL.md by hand: what a
 * third-party client sees on the wire.
 */
import http from 'http';
import { memoryStore } from '../../src/server';
import type { ServerSession, SessionServer, StoreEvent } from '../../src/server';
import { sleep, until } from '../support/real-helpers';
import { byUser, raw, sessionServer, stopAll } from '../support/session-helpers';

afterEach(stopAll);

type F = Record<string, unknown> | string;
const isT = (t: string) => (f: F): boolean => typeof f === 'object' && f.t === t;
const ignore = (): void => undefined;
const msg = (s: number, d: string, id = `c${s}`): object => ({ t: 'msg', s, id, d });

/** A server that records, per session, what its app received, as `seq:id:data`. */
async function recordingServer(options: Parameters<typeof sessionServer>[0] = {}): Promise<{ server: SessionServer; got: string[]; sessions: ServerSession[] }> {
  const server = await sessionServer({ authenticate: byUser, ...options });
  const got: string[] = [];
  const sessions: ServerSession[] = [];
  server.on('session', (ss) => {
    sessions.push(ss);
    ss.on('message', (data, meta) => void got.push(`${meta.seq}:${meta.id}:${typeof data === 'string' ? data : `<${data.byteLength}>`}`));
  });
  return { server, got, sessions };
}

describe('session protocol, server side', () => {
  test('handshake: a hello without sid gets a new 128-bit session, and the app hears of it first', async () => {
    const { server, sessions } = await recordingServer();
    const c = await raw(server.port);
    c.send('ping');
    expect(await c.next()).toBe('pong');
    const welcome = await c.hello(null);
    expect(welcome).toEqual({ t: 'welcome', v: 1, sid: welcome.sid, resumed: false, rx: 0, ttl: 120000, reason: 'new' });
    expect(Buffer.from(welcome.sid as string, 'base64url').length).toBeGreaterThanOrEqual(16);
    expect(sessions.map((s) => [s.id, s.user, s.resumed, s.online])).toEqual([[welcome.sid, 'alice', false, true]]);
  });

  test('client messages reach the app once, in order, with seq and id; acks are cumulative and come within ackDelay', async () => {
    const { server, got } = await recordingServer();
    const c = await raw(server.port);
    await c.hello(null);
    const t0 = Date.now();
    for (let s = 1; s <= 3; s++) c.send(msg(s, `m${s}`));
    c.send({ t: 'msg', s: 4, id: 'bin', d: 'AAEC', b: 1 });
    expect(await c.next(isT('ack'))).toEqual({ t: 'ack', a: 4 });
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(got).toEqual(['1:c1:m1', '2:c2:m2', '3:c3:m3', '4:bin:<3>']);
    await sleep(120);
    expect(c.frames.filter(isT('ack'))).toEqual([{ t: 'ack', a: 4 }]);
  });

  test('64 or more recorded client messages are acknowledged at once, without waiting for ackDelay', async () => {
    const { server, got } = await recordingServer({ ackDelay: 60000 });
    const c = await raw(server.port);
    await c.hello(null);
    for (let s = 1; s <= 200; s++) c.send(msg(s, `m${s}`));
    // ackDelay is a minute: only an early ack can answer within the wait.
    const first = (await c.next(isT('ack'), 10000)) as { a: number };
    expect(first.a).toBeGreaterThanOrEqual(64);
    await until(() => got.length === 200, 10000, 'all 200');
    await sleep(200);
    const acks = c.frames.filter(isT('ack')).map((f) => (f as { a: number }).a);
    // Each early ack covers at least 64 newly recorded messages (records may come in batches)…
    acks.forEach((a, i) => expect(a - (i > 0 ? acks[i - 1]! : 0)).toBeGreaterThanOrEqual(64));
    // …and what is left, fewer than 64, waits for ackDelay.
    expect(200 - acks[acks.length - 1]!).toBeLessThan(64);
  });

  test('duplicates on a live link are dropped and acknowledged again', async () => {
    const { server, got } = await recordingServer();
    const c = await raw(server.port);
    await c.hello(null);
    c.send(msg(1, 'a'));
    c.send(msg(2, 'b'));
    expect(await c.next(isT('ack'))).toEqual({ t: 'ack', a: 2 });
    c.send(msg(2, 'b'));
    c.send(msg(1, 'a'));
    expect(await c.next(isT('ack'))).toEqual({ t: 'ack', a: 2 });
    expect(got).toEqual(['1:c1:a', '2:c2:b']);
  });

  test('server send() resolves on the client\'s cumulative ack, not before', async () => {
    const { server, sessions } = await recordingServer();
    const c = await raw(server.port);
    await c.hello(null);
    const resolved: number[] = [];
    const sends = [1, 2, 3].map((n) => sessions[0]!.send(`s${n}`).then(() => resolved.push(n)));
    await until(() => c.msgs().length === 3, 3000, 'three msgs');
    expect(c.frames.filter(isT('msg')).map((f) => (f as Record<string, unknown>).s)).toEqual([1, 2, 3]);
    await sleep(100);
    expect(resolved).toEqual([]);
    c.send({ t: 'ack', a: 2 });
    await until(() => resolved.length === 2, 3000, 'two resolved');
    c.send({ t: 'ack', a: 3 });
    await Promise.all(sends);
    expect(resolved).toEqual([1, 2, 3]);
  });

  test('resume on a new link: welcome carries the server rx, then only messages above the client rx, in order; nothing is resent on a live link', async () => {
    const { server, sessions, got } = await recordingServer();
    const a = await raw(server.port);
    const { sid } = await a.hello(null);
    a.send(msg(1, 'up1'));
    a.send(msg(2, 'up2'));
    await a.next(isT('ack'));
    for (let n = 1; n <= 5; n++) sessions[0]!.send(`down${n}`).catch(ignore);
    await until(() => a.msgs().length === 5, 3000, 'five msgs');
    await sleep(100);
    expect(a.msgs()).toEqual(['1:down1', '2:down2', '3:down3', '4:down4', '5:down5']);
    a.ws.terminate();
    await a.closed;
    const b = await raw(server.port);
    const welcome = await b.hello(sid as string, 3);
    expect(welcome).toEqual({ t: 'welcome', v: 1, sid, resumed: true, rx: 2, ttl: 120000 });
    await until(() => b.msgs().length === 2, 3000, 'replay');
    expect(b.msgs()).toEqual(['4:down4', '5:down5']);
    // The client resends what the server had not acknowledged: dropped as duplicates.
    b.send(msg(2, 'up2'));
    b.send(msg(3, 'up3'));
    expect(await b.next(isT('ack'))).toEqual({ t: 'ack', a: 3 });
    expect(got).toEqual(['1:c1:up1', '2:c2:up2', '3:c3:up3']);
    expect(sessions).toHaveLength(1);
  });

  test('a resume whose rx is below what the client already acknowledged is announced as a lost session', async () => {
    const { server, sessions } = await recordingServer();
    const a = await raw(server.port);
    const { sid } = await a.hello(null);
    sessions[0]!.send('one').catch(ignore);
    sessions[0]!.send('two').catch(ignore);
    await until(() => a.msgs().length === 2, 3000, 'two msgs');
    a.send({ t: 'ack', a: 2 });
    await sleep(50);
    a.ws.terminate();
    const b = await raw(server.port);
    const w = await b.hello(sid as string, 1);
    expect(w).toMatchObject({ resumed: false, reason: 'unknown', rx: 0 });
    expect(w.sid).not.toBe(sid);
  });

  test('replay of 1000 buffered messages arrives complete and in order', async () => {
    const { server, sessions } = await recordingServer();
    const a = await raw(server.port);
    const { sid } = await a.hello(null);
    a.ws.terminate();
    await a.closed;
    await until(() => !sessions[0]!.online, 3000, 'offline');
    for (let n = 1; n <= 1000; n++) server.send(sid as string, `d${n}`).catch(ignore);
    const b = await raw(server.port);
    await b.hello(sid as string, 0);
    await until(() => b.msgs().length === 1000, 5000, 'replay');
    expect(b.msgs()).toEqual(Array.from({ length: 1000 }, (_, i) => `${i + 1}:d${i + 1}`));
  });

  test('takeover: a second link for the same session closes the first with 4409 and gets what is unacknowledged', async () => {
    const { server, sessions } = await recordingServer();
    const a = await raw(server.port);
    const { sid } = await a.hello(null);
    sessions[0]!.send('x').catch(ignore);
    await a.next(isT('msg'));
    const b = await raw(server.port);
    expect(await b.hello(sid as string, 0)).toMatchObject({ resumed: true });
    expect(await a.closed).toEqual({ code: 4409, reason: 'session taken over' });
    await until(() => b.msgs().length === 1, 3000, 'replay');
    expect(b.msgs()).toEqual(['1:x']);
  });

  test('the app\'s promise gates recording: no ack and no next message until it resolves', async () => {
    const server = await sessionServer({ authenticate: byUser });
    const got: string[] = [];
    let release: () => void = () => undefined;
    server.on('session', (ss) => {
      ss.on('message', (data) => {
        got.push(data as string);
        if (data === 'slow') return new Promise<void>((r) => (release = r));
        return undefined;
      });
    });
    const c = await raw(server.port);
    await c.hello(null);
    c.send(msg(1, 'slow'));
    c.send(msg(2, 'next'));
    await sleep(150);
    expect(got).toEqual(['slow']);
    expect(c.frames.filter(isT('ack'))).toEqual([]);
    release();
    expect(await c.next(isT('ack'))).toEqual({ t: 'ack', a: 2 });
    expect(got).toEqual(['slow', 'next']);
  });

  test('takeover while the app is still handling a message: the new link waits for it, records it, and drops the resend', async () => {
    const server = await sessionServer({ authenticate: byUser });
    const got: string[] = [];
    let release: () => void = () => undefined;
    server.on('session', (ss) => {
      ss.on('message', (data, meta) => {
        got.push(`${meta.seq}:${String(data)}`);
        return meta.seq === 1 ? new Promise<void>((r) => (release = r)) : undefined;
      });
    });
    const a = await raw(server.port);
    const { sid } = await a.hello(null);
    a.send(msg(1, 'slow'));
    await until(() => got.length === 1, 3000, 'handler running');
    const b = await raw(server.port);
    b.send({ t: 'hello', v: 1, sid, rx: 0 });
    expect((await a.closed).code).toBe(4409);
    await sleep(100);
    expect(b.frames.filter(isT('welcome'))).toEqual([]);
    release();
    expect(await b.next(isT('welcome'))).toMatchObject({ resumed: true, rx: 1 });
    b.send(msg(1, 'slow'));
    b.send(msg(2, 'next'));
    expect(await b.next(isT('ack'))).toEqual({ t: 'ack', a: 2 });
    expect(got).toEqual(['1:slow', '2:next']);
  });

  test('a message handler that throws: the link closes 1011 and the message is handed again on the next link', async () => {
    const server = await sessionServer({ authenticate: byUser });
    const got: string[] = [];
    const errors: unknown[] = [];
    server.on('error', (e) => errors.push(e));
    let fail = true;
    server.on('session', (ss) => {
      ss.on('message', (data, meta) => {
        got.push(`${meta.seq}:${String(data)}`);
        if (fail) {
          fail = false;
          throw new Error('app bug');
        }
      });
    });
    const a = await raw(server.port);
    const { sid } = await a.hello(null);
    a.send(msg(1, 'once'));
    expect((await a.closed).code).toBe(1011);
    const b = await raw(server.port);
    expect(await b.hello(sid as string)).toMatchObject({ resumed: true, rx: 0 });
    b.send(msg(1, 'once'));
    expect(await b.next(isT('ack'))).toEqual({ t: 'ack', a: 1 });
    expect(got).toEqual(['1:once', '1:once']);
    expect(errors.map(String)).toEqual(['Error: app bug']);
  });

  test('ttl: a session gone longer than sessionTtl answers expired, and unknown after another ttl', async () => {
    const store = memoryStore({ sweepInterval: 10 });
    const server = await sessionServer({ authenticate: byUser, store, sessionTtl: 150 });
    const a = await raw(server.port);
    const { sid } = await a.hello(null);
    a.ws.close();
    await a.closed;
    await sleep(250);
    const b = await raw(server.port);
    const w1 = await b.hello(sid as string);
    expect(w1).toMatchObject({ resumed: false, reason: 'expired', rx: 0 });
    expect(w1.sid).not.toBe(sid);
    await sleep(200);
    const c = await raw(server.port);
    expect(await c.hello(sid as string)).toMatchObject({ resumed: false, reason: 'unknown' });
    await store.close();
  });

  test('overflow: send() beyond maxBuffered rejects OVERFLOW at once, pending sends reject, and the next resume says overflow', async () => {
    const { server, sessions } = await recordingServer({ maxBuffered: 3 });
    const a = await raw(server.port);
    const { sid } = await a.hello(null);
    const results: string[] = [];
    const sends = [1, 2, 3, 4].map((n) => sessions[0]!.send(`m${n}`).then(() => results.push(`${n}:ok`), (e: { code: string }) => results.push(`${n}:${e.code}`)));
    await until(() => results.length === 1, 3000, 'overflow');
    expect(results).toEqual(['4:OVERFLOW']);
    a.ws.terminate();
    const b = await raw(server.port);
    const w = await b.hello(sid as string, 0);
    expect(w).toMatchObject({ resumed: false, reason: 'overflow', rx: 0 });
    await Promise.all(sends);
    expect(results).toEqual(['4:OVERFLOW', '1:CLOSED', '2:CLOSED', '3:CLOSED']);
    await sleep(50);
    expect(b.msgs()).toEqual([]);
  });

  test('server.send(sessionId) on another node reaches the link through the shared store and resolves on the ack', async () => {
    const store = memoryStore();
    const n1 = await sessionServer({ authenticate: byUser, store, node: 'n1' });
    const n2 = await sessionServer({ authenticate: byUser, store, node: 'n2' });
    const c = await raw(n1.port);
    const { sid } = await c.hello(null);
    let done = false;
    const sent = n2.send(sid as string, 'from n2').then(() => (done = true));
    await c.next(isT('msg'));
    expect(c.msgs()).toEqual(['1:from n2']);
    await sleep(50);
    expect(done).toBe(false);
    c.send({ t: 'ack', a: 1 });
    await sent;
    // A resume on n2 takes the session over from n1 (4409 there).
    const d = await raw(n2.port);
    expect(await d.hello(sid as string, 1)).toMatchObject({ resumed: true });
    expect((await c.closed).code).toBe(4409);
    await store.close();
  });

  test('a late takeover signal never closes a link made by a newer claim (fences, not arrival order)', async () => {
    const inner = memoryStore();
    // A store whose events arrive 100 ms late, as a slow pub/sub would deliver them.
    const store = { ...inner, subscribe: (node: string, fn: (e: StoreEvent) => void) => inner.subscribe(node, (e) => void setTimeout(() => fn(e), 100)) };
    const n1 = await sessionServer({ authenticate: byUser, store, node: 'n1' });
    const n2 = await sessionServer({ authenticate: byUser, store, node: 'n2' });
    const c1 = await raw(n1.port);
    const { sid } = await c1.hello(null);
    const c2 = await raw(n2.port);
    await c2.hello(sid as string);
    const c3 = await raw(n1.port);
    await c3.hello(sid as string);
    expect((await c1.closed).code).toBe(4409);
    expect((await c2.closed).code).toBe(4409);
    await sleep(200);
    expect(c3.ws.readyState).toBe(1);
    await inner.close();
  });

  test('presence follows the link: online on welcome, offline on close, with lastSeen from the heartbeat', async () => {
    const server = await sessionServer({ authenticate: byUser });
    const seen: string[] = [];
    let last = 0;
    server.on('presence', (p) => {
      seen.push(`${p.user}:${p.online}`);
      last = p.lastSeen;
    });
    let session: ServerSession | undefined;
    server.on('session', (ss) => {
      session = ss;
      ss.on('online', () => seen.push(`session online:${ss.online}`));
      ss.on('offline', () => seen.push(`session offline:${ss.online}`));
    });
    const c = await raw(server.port);
    const t0 = Date.now();
    await c.hello(null);
    await sleep(30);
    c.send('ping');
    await c.next((f) => f === 'pong');
    const pinged = Date.now();
    c.ws.close();
    await until(() => seen.length === 4, 3000, 'offline');
    expect(seen).toEqual(['session online:true', 'alice:true', 'session offline:false', 'alice:false']);
    expect(session!.lastSeen).toBe(last);
    expect(last).toBeGreaterThanOrEqual(t0 + 30);
    expect(last).toBeLessThanOrEqual(pinged);
  });

  test('attached to an existing http.Server on a path: serves that path, leaves other upgrades to their owner', async () => {
    const httpServer = http.createServer((_req, res) => res.end('app'));
    await new Promise<void>((r) => httpServer.listen(0, '127.0.0.1', r));
    const others: string[] = [];
    httpServer.on('upgrade', (req, socket) => {
      if (!req.url?.startsWith('/live')) {
        others.push(req.url ?? '');
        socket.destroy();
      }
    });
    const port = (httpServer.address() as { port: number }).port;
    const server = await sessionServer({ server: httpServer, path: '/live', authenticate: byUser });
    try {
      expect(server.port).toBe(port);
      const c = await raw(port, { 'x-user': 'alice' }, '/live?token=x');
      expect(await c.hello(null)).toMatchObject({ reason: 'new' });
      await expect(raw(port, { 'x-user': 'alice' }, '/elsewhere')).rejects.toThrow();
      expect(others).toEqual(['/elsewhere']);
    } finally {
      await server.close();
      httpServer.closeAllConnections();
      await new Promise((r) => httpServer.close(r));
    }
  });

  test('a link silent for longer than idleTimeout is closed; pings keep it open', async () => {
    const server = await sessionServer({ authenticate: byUser, idleTimeout: 200 });
    const quiet = await raw(server.port);
    const mute = await raw(server.port);
    const chatty = await raw(server.port);
    await quiet.hello(null);
    await chatty.hello(null);
    const timer = setInterval(() => chatty.send('ping'), 50);
    try {
      expect((await quiet.closed).code).toBe(1001);
      expect((await mute.closed).code).toBe(1001);
      expect(chatty.ws.readyState).toBe(1);
    } finally {
      clearInterval(timer);
    }
  });
});
