/**
 * PROTOCOL.md "Limits (server)" and "store trouble is never a takeover", against a raw `ws`
 * client: per-session bytes, per-user sessions, store failures (STORE_FAILED, 1011), a store
 * that lost the session (1012), and a takeover race.
 */
import WebSocket from 'ws';
import { SocketError } from '../../src';
import { memoryStore } from '../../src/server';
import type { ServerSession, SessionServerOptions, SessionStore, StoreEvent } from '../../src/server';
import { sleep, until } from '../support/real-helpers';
import { byUser, raw, sessionServer, stopAll } from '../support/session-helpers';

afterEach(stopAll);

type F = Record<string, unknown> | string;
const isT = (t: string) => (f: F): boolean => typeof f === 'object' && f.t === t;
const msg = (s: number, d: string, id = `c${s}`): object => ({ t: 'msg', s, id, d });
const code = (e: unknown): string => (e instanceof SocketError ? e.code : String(e));

/** A memoryStore whose calls can be made to fail or to answer as if the session were gone. */
function troubledStore(): { store: SessionStore; trouble: { append?: 'throw' | 'gone'; received?: 'throw' | 'gone' }; inner: SessionStore } {
  const inner = memoryStore();
  const trouble: { append?: 'throw' | 'gone'; received?: 'throw' | 'gone' } = {};
  const oom = (): Error => new Error("OOM command not allowed when used memory > 'maxmemory'.");
  const store: SessionStore = {
    ...inner,
    append: async (id, m, limit) => {
      if (trouble.append === 'throw') throw oom();
      return trouble.append === 'gone' ? { ok: false, reason: 'unknown' } : inner.append(id, m, limit);
    },
    received: async (id, fence, s) => {
      if (trouble.received === 'throw') throw oom();
      return trouble.received === 'gone' ? 'gone' : inner.received(id, fence, s);
    },
  };
  return { store, trouble, inner };
}

async function server(options: SessionServerOptions = {}): Promise<{ sessions: ServerSession[]; got: string[]; errors: unknown[]; port: number; send: (sid: string, d: string) => Promise<void> }> {
  const s = await sessionServer({ authenticate: byUser, ...options });
  const sessions: ServerSession[] = [];
  const got: string[] = [];
  const errors: unknown[] = [];
  s.on('error', (e) => void errors.push(e));
  s.on('session', (ss) => {
    sessions.push(ss);
    ss.on('message', (data, meta) => void got.push(`${meta.seq}:${String(data)}`));
  });
  return { sessions, got, errors, port: s.port, send: (sid, d) => s.send(sid, d) };
}

describe('per-session and per-user limits', () => {
  test('maxBufferedBytes: a send beyond the unacknowledged bytes rejects OVERFLOW at once, an ack makes room, and the next resume says overflow', async () => {
    const { port, send } = await server({ maxBufferedBytes: 1000 });
    const a = await raw(port);
    const { sid } = await a.hello(null);
    const results: string[] = [];
    const track = (p: Promise<void>, name: string): Promise<void> => p.then(() => void results.push(`${name}:ok`), (e: unknown) => void results.push(`${name}:${code(e)}`));
    const first = [track(send(sid as string, 'x'.repeat(400)), '1'), track(send(sid as string, 'y'.repeat(400)), '2')];
    await track(send(sid as string, 'z'.repeat(400)), '3');
    expect(results).toEqual(['3:OVERFLOW']);
    await until(() => a.msgs().length === 2, 3000, 'two msgs');
    a.send({ t: 'ack', a: 2 });
    await Promise.all(first);
    expect(results).toEqual(['3:OVERFLOW', '1:ok', '2:ok']);
    a.ws.terminate();
    const b = await raw(port);
    expect(await b.hello(sid as string, 2)).toMatchObject({ resumed: false, reason: 'overflow' });
  });

  test('maxSessionsPerUser: one more session ends the user\'s least recently seen session without a link — its pending sends reject CLOSED, its resume answers expired', async () => {
    const { port, send } = await server({ maxSessionsPerUser: 2 });
    const first = await raw(port);
    const s1 = (await first.hello(null)).sid as string;
    const second = await raw(port);
    const s2 = (await second.hello(null)).sid as string;
    first.ws.close();
    await first.closed;
    await sleep(20);
    second.ws.close();
    await second.closed;
    const pending = send(s1, 'never delivered').then(() => 'ok', code);
    const bob = await raw(port, { 'x-user': 'bob' });
    expect(await bob.hello(null)).toMatchObject({ reason: 'new' });
    const third = await raw(port);
    expect(await third.hello(null)).toMatchObject({ reason: 'new' });
    expect(await pending).toBe('CLOSED');
    // s2 was seen later than s1: it was kept.
    const back2 = await raw(port);
    expect(await back2.hello(s2)).toMatchObject({ resumed: true, sid: s2 });
    back2.ws.close();
    await back2.closed;
    const back1 = await raw(port);
    expect(await back1.hello(s1)).toMatchObject({ resumed: false, reason: 'expired' });
  });

  test('maxSessionsPerUser: when every session of the user has a live link, the new hello is closed 4429 with an error frame; other users are not affected', async () => {
    const { port } = await server({ maxSessionsPerUser: 2 });
    const live = [await raw(port), await raw(port)];
    for (const c of live) await c.hello(null);
    const extra = await raw(port);
    extra.send({ t: 'hello', v: 1, sid: null, rx: 0 });
    expect(await extra.closed).toEqual({ code: 4429, reason: 'too many sessions' });
    expect(extra.frames).toEqual([{ t: 'error', code: 4429, message: 'this user has 2 sessions, each with a live link (maxSessionsPerUser)' }]);
    expect(live.map((c) => c.ws.readyState)).toEqual([WebSocket.OPEN, WebSocket.OPEN]);
    const bob = await raw(port, { 'x-user': 'bob' });
    expect(await bob.hello(null)).toMatchObject({ reason: 'new' });
  });
});

describe('store trouble is never silent and never a takeover', () => {
  test('a send the store cannot record rejects STORE_FAILED with the store\'s own text in errMsg', async () => {
    const { store, trouble } = troubledStore();
    const { port, send } = await server({ store });
    const c = await raw(port);
    const { sid } = await c.hello(null);
    trouble.append = 'throw';
    const err = (await send(sid as string, 'x').catch((e: unknown) => e)) as SocketError;
    expect(err).toBeInstanceOf(SocketError);
    expect([err.code, err.errMsg]).toEqual(['STORE_FAILED', "OOM command not allowed when used memory > 'maxmemory'."]);
    expect(c.ws.readyState).toBe(WebSocket.OPEN);
  });

  test('a client message the store cannot record closes the link 1011 with nothing acknowledged; the next link records it once', async () => {
    const { store, trouble } = troubledStore();
    const { port, got, errors } = await server({ store });
    const a = await raw(port);
    const { sid } = await a.hello(null);
    trouble.received = 'throw';
    a.send(msg(1, 'keep me'));
    expect(await a.closed).toEqual({ code: 1011, reason: 'server error' });
    expect(a.frames.filter(isT('ack'))).toEqual([]);
    expect(errors.map((e) => [code(e), (e as SocketError).errMsg])).toEqual([['STORE_FAILED', "OOM command not allowed when used memory > 'maxmemory'."]]);
    delete trouble.received;
    const b = await raw(port);
    expect(await b.hello(sid as string)).toMatchObject({ resumed: true, rx: 1 });
    b.send(msg(1, 'keep me'));
    expect(await b.next(isT('ack'))).toEqual({ t: 'ack', a: 1 });
    expect(got).toEqual(['1:keep me']);
  });

  test('a session the store lost while linked (a flush, an eviction) closes 1012, not 4409; the resume answers unknown', async () => {
    const { store, trouble } = troubledStore();
    const { port, errors } = await server({ store });
    const a = await raw(port);
    const { sid } = await a.hello(null);
    trouble.received = 'gone';
    a.send(msg(1, 'x'));
    expect(await a.closed).toEqual({ code: 1012, reason: 'session lost' });
    expect(errors.map(code)).toEqual(['STORE_FAILED']);
    delete trouble.received;
    const b = await raw(port);
    expect(await b.hello(sid as string, 0)).toMatchObject({ resumed: false, reason: 'unknown' });
  });

  test('a send to a linked session the store no longer holds rejects CLOSED and closes the link 1012', async () => {
    const { store, trouble } = troubledStore();
    const { port, send } = await server({ store });
    const a = await raw(port);
    const { sid } = await a.hello(null);
    trouble.append = 'gone';
    expect(await send(sid as string, 'x').then(() => 'ok', code)).toBe('CLOSED');
    expect((await a.closed).code).toBe(1012);
  });

  test('trouble the store finds on its own (an error event) reaches the server\'s error event', async () => {
    const inner = memoryStore();
    const warning = new Error('maxmemory-policy is "allkeys-lru"');
    const store: SessionStore = {
      ...inner,
      subscribe: async (node, listener) => {
        const stop = await inner.subscribe(node, listener);
        setTimeout(() => listener({ type: 'error', error: warning } satisfies StoreEvent), 10);
        return stop;
      },
    };
    const { errors } = await server({ store });
    await until(() => errors.length > 0, 2000, 'error event');
    expect(errors).toEqual([warning]);
    await inner.close();
  });
});

describe('takeovers', () => {
  test('20 links resuming one session at once: exactly one keeps it, every other gets 4409, and it works', async () => {
    const { port, got } = await server();
    const owner = await raw(port);
    const { sid } = await owner.hello(null);
    const racers = await Promise.all(Array.from({ length: 20 }, () => raw(port)));
    for (const r of racers) r.send({ t: 'hello', v: 1, sid, rx: 0 });
    const everyone = [owner, ...racers];
    await until(() => everyone.filter((c) => c.ws.readyState !== WebSocket.OPEN).length === 20, 10000, '20 closes');
    await sleep(200);
    const open = everyone.filter((c) => c.ws.readyState === WebSocket.OPEN);
    expect(open).toHaveLength(1);
    const codes = await Promise.all(everyone.filter((c) => c !== open[0]).map(async (c) => (await c.closed).code));
    expect(new Set(codes)).toEqual(new Set([4409]));
    const winner = open[0]!;
    expect(winner.frames.filter(isT('welcome'))).toEqual([expect.objectContaining({ sid, resumed: true })]);
    winner.send(msg(1, 'only once'));
    expect(await winner.next(isT('ack'))).toEqual({ t: 'ack', a: 1 });
    expect(got).toEqual(['1:only once']);
  });

  test('handoverTimeout bounds how long a takeover waits for the replaced link\'s message handler', async () => {
    const s = await sessionServer({ authenticate: byUser, handoverTimeout: 300 });
    s.on('session', (ss) => ss.on('message', () => new Promise<void>(() => undefined)));
    const a = await raw(s.port);
    const { sid } = await a.hello(null);
    a.send(msg(1, 'stuck'));
    await sleep(50);
    const b = await raw(s.port);
    const t0 = Date.now();
    b.send({ t: 'hello', v: 1, sid, rx: 0 });
    expect(await b.next(isT('welcome'), 5000)).toMatchObject({ resumed: true });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(250);
    expect((await a.closed).code).toBe(4409);
  });
});
