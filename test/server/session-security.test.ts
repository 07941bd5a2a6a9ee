/** The session server facing bad clients: refused, closed with a reason, never allowed to grow or leak. */
import WebSocket from 'ws';
import { createSessionServer, memoryStore } from '../../src/server';
import type { SessionStore } from '../../src/server';
import { sleep, until } from '../support/real-helpers';
import { byUser, raw, refusedStatus, sessionServer, stopAll } from '../support/session-helpers';

afterEach(stopAll);

const isT = (t: string) => (f: Record<string, unknown> | string): boolean => typeof f === 'object' && f.t === t;

/** A memoryStore that counts the calls made to it. */
function countingStore(): { store: SessionStore; calls: string[] } {
  const inner = memoryStore();
  const calls: string[] = [];
  const store = new Proxy(inner, {
    get(target, key: keyof SessionStore) {
      const value = target[key];
      if (typeof value !== 'function' || key === 'subscribe' || key === 'close') return value;
      return (...args: unknown[]) => {
        calls.push(String(key));
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { store, calls };
}

describe('session server security and bad input', () => {
  test('an unauthenticated upgrade gets HTTP 401 and touches no session', async () => {
    const { store, calls } = countingStore();
    const server = await sessionServer({ authenticate: byUser, store });
    const sessions: unknown[] = [];
    server.on('session', (s) => sessions.push(s));
    expect(await refusedStatus(server.port, {})).toBe(401);
    expect(await refusedStatus(server.port, { 'x-user': '' })).toBe(401);
    expect(calls).toEqual([]);
    expect(sessions).toEqual([]);
    await store.close();
  });

  test('an async authenticate may refuse too; one that throws gets 500 and the server keeps serving', async () => {
    const server = await sessionServer({
      authenticate: async (req) => {
        if (req.headers['x-user'] === 'boom') throw new Error('auth backend down');
        return req.headers['x-user'] === 'alice' ? 'alice' : false;
      },
    });
    const errors: unknown[] = [];
    server.on('error', (e) => errors.push(e));
    expect(await refusedStatus(server.port, { 'x-user': 'bob' })).toBe(401);
    expect(await refusedStatus(server.port, { 'x-user': 'boom' })).toBe(500);
    expect(errors.map(String)).toEqual(['Error: auth backend down']);
    const c = await raw(server.port);
    expect(await c.hello(null)).toMatchObject({ resumed: false, reason: 'new' });
  });

  test('a hello naming another user\'s session gets a new session (forbidden) and none of the other\'s messages', async () => {
    const server = await sessionServer({ authenticate: byUser });
    const alice = await raw(server.port, { 'x-user': 'alice' });
    const { sid } = await alice.hello(null);
    server.send(sid as string, 'for alice only').catch(() => undefined);
    await until(() => alice.msgs().length === 1, 3000, 'alice\'s message');
    const mallory = await raw(server.port, { 'x-user': 'mallory' });
    const w = await mallory.hello(sid as string, 0);
    expect(w).toMatchObject({ resumed: false, reason: 'forbidden', rx: 0 });
    expect(w.sid).not.toBe(sid);
    await sleep(100);
    expect(mallory.msgs()).toEqual([]);
    // Alice's link is untouched.
    expect(alice.ws.readyState).toBe(WebSocket.OPEN);
    expect(alice.msgs()).toEqual(['1:for alice only']);
  });

  test.each([
    ['malformed JSON', ['{"t":"hello"'], 'frame is not JSON'],
    ['an unknown t', ['{"t":"subscribe"}'], 'unknown frame type "subscribe"'],
    ['v other than 1', ['{"t":"hello","v":2,"sid":null,"rx":0}'], 'unsupported protocol version "v"'],
    ['msg before hello', ['{"t":"msg","s":1,"id":"a","d":"x"}'], 'msg before welcome'],
    ['ack before hello', ['{"t":"ack","a":0}'], 'ack before welcome'],
    ['a gap in s', ['HELLO', '{"t":"msg","s":1,"id":"a","d":"x"}', '{"t":"msg","s":3,"id":"c","d":"x"}'], 'gap in "s": expected 2, got 3'],
    ['a second hello', ['HELLO', '{"t":"hello","v":1,"sid":null,"rx":0}'], 'hello after hello'],
    ['an ack above what was sent', ['HELLO', '{"t":"ack","a":5}'], 'ack 5 is above what was sent (0)'],
    ['a server-only frame', ['{"t":"welcome","v":1,"sid":"x","resumed":true,"rx":0,"ttl":1}'], '"welcome" is not sent by clients'],
    ['a binary frame', [Buffer.from([1, 2, 3])], 'binary frames are not part of the session protocol'],
  ])('%s → error frame, then close 4400', async (_name, frames, message) => {
    const server = await sessionServer({ authenticate: byUser });
    const c = await raw(server.port);
    for (const f of frames) {
      if (f === 'HELLO') await c.hello(null);
      else c.ws.send(f);
    }
    expect(await c.closed).toEqual({ code: 4400, reason: 'protocol error' });
    expect(c.frames.filter(isT('error'))).toEqual([{ t: 'error', code: 4400, message }]);
  });

  // The contract changed (PROTOCOL.md "Clarifications"): an rx above what the store holds means the
  // store lost state (a rollback), not a client error — a new session, announced; it used to be 4400.
  test('a hello whose rx is above what the server ever sent gets a new session (unknown), never 4400; the old one is forgotten', async () => {
    const server = await sessionServer({ authenticate: byUser });
    const a = await raw(server.port);
    const { sid } = await a.hello(null);
    a.ws.close();
    await a.closed;
    const b = await raw(server.port);
    const w = await b.hello(sid as string, 3);
    expect(w).toEqual({ t: 'welcome', v: 1, sid: w.sid, resumed: false, rx: 0, ttl: 120000, reason: 'unknown' });
    expect(w.sid).not.toBe(sid);
    expect(b.ws.readyState).toBe(WebSocket.OPEN);
    const c = await raw(server.port);
    expect(await c.hello(sid as string, 0)).toMatchObject({ resumed: false, reason: 'unknown' });
  });

  test('an oversize frame closes only its own link (1009); the server keeps serving others', async () => {
    const server = await sessionServer({ authenticate: byUser, maxPayload: 1024 });
    const big = await raw(server.port);
    const other = await raw(server.port);
    await big.hello(null);
    await other.hello(null);
    big.send({ t: 'msg', s: 1, id: 'big', d: 'x'.repeat(2000) });
    expect((await big.closed).code).toBe(1009);
    other.send({ t: 'msg', s: 1, id: 'a', d: 'still here' });
    expect(await other.next(isT('ack'))).toEqual({ t: 'ack', a: 1 });
    const late = await raw(server.port);
    expect(await late.hello(null)).toMatchObject({ reason: 'new' });
  });

  test('a flood of hellos on one link makes one session and one close, nothing more', async () => {
    const { store, calls } = countingStore();
    const server = await sessionServer({ authenticate: byUser, store });
    const c = await raw(server.port);
    const hello = JSON.stringify({ t: 'hello', v: 1, sid: null, rx: 0 });
    for (let i = 0; i < 5000; i++) c.ws.send(hello);
    expect((await c.closed).code).toBe(4400);
    expect(calls.filter((k) => k === 'create')).toEqual(['create']);
    expect(c.frames.filter(isT('welcome'))).toHaveLength(1);
    await store.close();
  });

  test('a flood of msgs while the app is slow pauses reading instead of queueing without bound', async () => {
    const server = await sessionServer({ authenticate: byUser });
    let release: () => void = () => undefined;
    const got: number[] = [];
    server.on('session', (ss) =>
      ss.on('message', (_d, meta) => {
        got.push(meta.seq);
        return meta.seq === 1 ? new Promise<void>((r) => (release = r)) : undefined;
      }),
    );
    const c = await raw(server.port);
    await c.hello(null);
    for (let s = 1; s <= 3000; s++) c.send({ t: 'msg', s, id: `m${s}`, d: 'x' });
    await sleep(200);
    expect(got).toEqual([1]);
    release();
    await until(() => got.length === 3000, 20000, 'all messages');
    expect(got).toEqual(Array.from({ length: 3000 }, (_, i) => i + 1));
    // Acks are cumulative (some go out early, every 64 recorded messages); the last covers all.
    expect(await c.next((f) => isT('ack')(f) && (f as { a: number }).a === 3000, 20000)).toEqual({ t: 'ack', a: 3000 });
  });
});

describe('session server setup', () => {
  test('without the ws package, createSessionServer says how to install it', () => {
    jest.isolateModules(() => {
      jest.doMock('ws', () => {
        // What Node's resolver throws when the package is not installed.
        throw Object.assign(new Error("Cannot find module 'ws'"), { code: 'MODULE_NOT_FOUND' });
      });
      const { createSessionServer } = require('../../src/server') as typeof import('../../src/server');
      expect(() => createSessionServer()).toThrow('[wx-socket-manager] wx-socket-manager/server needs the "ws" package: npm install ws');
      jest.dontMock('ws');
    });
  });

  test.each([
    ['sessionTtl', { sessionTtl: 0 }],
    ['maxBuffered', { maxBuffered: 1.5 }],
    ['idleTimeout', { idleTimeout: -1 }],
    ['maxPayload', { maxPayload: Infinity }],
  ])('a bad %s is a TypeError naming it', (name, options) => {
    expect(() => createSessionServer(options)).toThrow(TypeError);
    expect(() => createSessionServer(options)).toThrow(`option "${name}"`);
  });
});
