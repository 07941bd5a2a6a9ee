/** `npm run dev-server`: session protocol for clients that say hello, plain echo for the rest. */
import { startDevServer } from '../../src/dev-server';
import type { DevServer } from '../../src/dev-server';
import { sleep, until } from '../support/real-helpers';
import { raw, stopAll } from '../support/session-helpers';

let server: DevServer;
afterEach(async () => {
  await stopAll();
  await server.close();
});

const isT = (t: string) => (f: Record<string, unknown> | string): boolean => typeof f === 'object' && f.t === t;
const ticksOf = (c: { frames: Array<Record<string, unknown> | string> }): number[] =>
  c.frames.filter(isT('msg')).map((f) => JSON.parse((f as { d: string }).d) as { type?: string; n?: number }).filter((d) => d.type === 'tick').map((d) => d.n!);

describe('dev server with sessions', () => {
  test('a hello gets a session whose messages are echoed as session messages; a plain client still gets plain echo', async () => {
    server = await startDevServer({ port: 0, tickInterval: 0, log: false });
    const port = Number(new URL(server.url).port);
    const plain = await raw(port);
    plain.send('hi');
    expect(await plain.next()).toBe('hi');
    const c = await raw(port);
    expect(await c.hello(null)).toMatchObject({ t: 'welcome', resumed: false, reason: 'new' });
    c.send({ t: 'msg', s: 1, id: 'a', d: 'echo me' });
    c.send({ t: 'msg', s: 2, id: 'b', d: 'AAE=', b: 1 });
    expect(await c.next(isT('ack'))).toEqual({ t: 'ack', a: 2 });
    await until(() => c.msgs().length === 2, 3000, 'echoes');
    expect(c.frames.filter(isT('msg')).map((f) => ({ ...(f as object), id: '' }))).toEqual([
      { t: 'msg', s: 1, id: '', d: 'echo me' },
      { t: 'msg', s: 2, id: '', d: 'AAE=', b: 1 },
    ]);
    expect(server.received).toEqual(['hi', 'echo me']);
    expect(server.sessions()).toHaveLength(1);
  });

  test('sessionsOnly: a ping before hello is answered, a plain text is a protocol error (4400), a hello gets its session; bad values are a TypeError', async () => {
    await expect(startDevServer({ port: 0, log: false, sessionsOnly: 'yes' as unknown as boolean })).rejects.toThrow('startDevServer: option "sessionsOnly" must be a boolean');
    server = await startDevServer({ port: 0, tickInterval: 0, log: false, sessionsOnly: true });
    const port = Number(new URL(server.url).port);
    const plain = await raw(port);
    plain.send('ping');
    expect(await plain.next()).toBe('pong');
    plain.send('hi');
    expect((await plain.closed).code).toBe(4400);
    const c = await raw(port);
    expect(await c.hello(null)).toMatchObject({ t: 'welcome', resumed: false, reason: 'new' });
    c.send({ t: 'msg', s: 1, id: 'a', d: 'echo me' });
    await until(() => c.msgs().length === 1, 3000, 'the echo');
    expect(server.received).toEqual(['echo me']);
  });

  test('numbered ticks reach each session with no gap, including those sent while it was offline; a crash shows as one announced jump', async () => {
    server = await startDevServer({ port: 0, tickInterval: 30, log: false });
    const port = Number(new URL(server.url).port);
    const a = await raw(port);
    const { sid } = await a.hello(null);
    await until(() => ticksOf(a).length >= 3, 3000, 'ticks');
    const got = ticksOf(a);
    a.send({ t: 'ack', a: got.length });
    await sleep(20);
    a.ws.terminate();
    await sleep(150);
    const b = await raw(port);
    await b.hello(sid as string, got.length);
    await until(() => ticksOf(b).length >= 6, 3000, 'ticks after resume');
    const all = [...got, ...ticksOf(b)];
    expect(all).toEqual(Array.from({ length: all.length }, (_, i) => all[0]! + i));
    b.send({ t: 'ack', a: ticksOf(b).length + got.length });
    server.crash(50);
    await b.closed;
    await sleep(200);
    const c = await raw(port);
    expect(await c.hello(sid as string, all.length)).toMatchObject({ resumed: false, reason: 'unknown' });
    await until(() => ticksOf(c).length >= 2, 3000, 'ticks after the crash');
    const after = ticksOf(c);
    expect(after[0]).toBeGreaterThan(all[all.length - 1]! + 1);
    expect(after[1]).toBe(after[0]! + 1);
  });

  test('faults work on session links: nopong withholds pongs, fault payloads answer as session messages, crash forgets sessions', async () => {
    server = await startDevServer({ port: 0, tickInterval: 0, log: false, restartDowntime: 50, textFaults: true });
    const port = Number(new URL(server.url).port);
    const c = await raw(port);
    const { sid } = await c.hello(null);
    c.send({ t: 'msg', s: 1, id: 'f', d: 'fault:nopong 300' });
    await until(() => c.msgs().length === 1, 3000, 'fault reply');
    expect(c.msgs()).toEqual(['1:fault-ok:nopong']);
    c.send('ping');
    await sleep(100);
    expect(c.frames).not.toContain('pong');
    expect(server.stats.pongsWithheld).toBe(1);
    server.crash();
    await c.closed;
    await sleep(100);
    const d = await raw(port);
    expect(await d.hello(sid as string, 1)).toMatchObject({ resumed: false, reason: 'unknown' });
  });

  test('the conformance test contract: each message echoed as a new one (same b); a push of N answered with "1".."N" at once, without acks, and not echoed', async () => {
    server = await startDevServer({ port: 0, tickInterval: 0, log: false });
    const c = await raw(Number(new URL(server.url).port));
    await c.hello(null);
    c.send({ t: 'msg', s: 1, id: 'a', d: 'text' });
    c.send({ t: 'msg', s: 2, id: 'b', d: 'AAE=', b: 1 });
    c.send({ t: 'msg', s: 3, id: 'c', d: JSON.stringify({ conformance: 'push', n: 500 }) });
    c.send({ t: 'msg', s: 4, id: 'd', d: JSON.stringify({ conformance: 'push', n: 0 }) });
    c.send({ t: 'msg', s: 5, id: 'e', d: JSON.stringify({ conformance: 'push', n: 10001 }) });
    c.send({ t: 'msg', s: 6, id: 'f', d: 'after' });
    // The client acks nothing: all 500 come anyway (they were handed to send at once).
    await until(() => c.msgs().length === 504, 10000, 'the echoes and the pushed messages');
    const msgs = c.frames.filter(isT('msg')) as Array<{ s: number; d: string; b?: number }>;
    expect(msgs.map((m) => m.s)).toEqual(Array.from({ length: 504 }, (_, i) => i + 1));
    expect(msgs.map((m) => (m.b ? `b:${m.d}` : m.d))).toEqual([
      'text',
      'b:AAE=',
      ...Array.from({ length: 500 }, (_, i) => String(i + 1)),
      '{"conformance":"push","n":10001}',
      'after',
    ]);
    await sleep(100);
    expect(c.msgs()).toHaveLength(504);
  });

  test('a first frame that is a session frame out of order (msg before hello, hello v2) is answered 4400 with an error frame, as PROTOCOL.md says', async () => {
    server = await startDevServer({ port: 0, tickInterval: 0, log: false });
    const port = Number(new URL(server.url).port);
    for (const first of [{ t: 'msg', s: 1, id: 'a', d: 'early' }, { t: 'hello', v: 2, sid: null, rx: 0 }]) {
      const c = await raw(port);
      c.send('ping');
      expect(await c.next()).toBe('pong');
      c.send(first);
      expect(await c.next(isT('error'))).toMatchObject({ t: 'error', code: 4400 });
      expect((await c.closed).code).toBe(4400);
    }
    expect(server.received).toEqual([]);
  });
});

describe('dev server lobby', () => {
  const said = (c: { frames: Array<Record<string, unknown> | string> }): string[] =>
    c.frames.filter(isT('msg')).filter((f) => (f as { r?: string }).r === 'lobby').map((f) => (f as { d: string }).d);

  test('every session joins "lobby"; {"room":"lobby","say":…} reaches every member once as a room message from its user, and is not echoed', async () => {
    server = await startDevServer({ port: 0, tickInterval: 0, log: false });
    const port = Number(new URL(server.url).port);
    const [a, b] = [await raw(port, {}, '/?user=alice'), await raw(port, {}, '/?user=bob')];
    await a.hello(null);
    await b.hello(null);
    await sleep(50);
    a.send({ t: 'msg', s: 1, id: 'a1', d: JSON.stringify({ room: 'lobby', say: '你好 #1' }) });
    b.send({ t: 'msg', s: 1, id: 'b1', d: JSON.stringify({ room: 'lobby', say: 'hi' }) });
    b.send({ t: 'msg', s: 2, id: 'b2', d: JSON.stringify({ room: 'other', say: 'echoed' }) });
    await until(() => said(a).length === 2 && said(b).length === 2 && b.msgs().length === 3, 3000, 'the lobby');
    const lines = ['{"room":"lobby","from":"alice","say":"你好 #1"}', '{"room":"lobby","from":"bob","say":"hi"}'];
    expect(said(a)).toEqual(lines);
    expect(said(b)).toEqual(lines);
    expect(a.msgs()).toHaveLength(2);
    expect(b.frames.filter(isT('msg')).filter((f) => (f as { r?: string }).r === undefined).map((f) => (f as { d: string }).d)).toEqual(['{"room":"other","say":"echoed"}']);
  });

  test('restart and blackhole aimed at one user cut only that user\'s links; the other keeps its link', async () => {
    server = await startDevServer({ port: 0, tickInterval: 0, log: false });
    const port = Number(new URL(server.url).port);
    const [a, b] = [await raw(port, {}, '/?user=alice'), await raw(port, {}, '/?user=bob')];
    await a.hello(null);
    await b.hello(null);
    server.restart(500, 'bob');
    await b.closed;
    const refused = await raw(port, {}, '/?user=bob').then(() => 'accepted', () => 'refused');
    expect(refused).toBe('refused');
    a.send('ping');
    expect(await a.next((f) => f === 'pong')).toBe('pong');
    await sleep(600);
    const again = await raw(port, {}, '/?user=bob');
    await again.hello(null);
    server.blackhole(300, 'alice');
    again.send('ping');
    expect(await again.next((f) => f === 'pong')).toBe('pong');
    expect(await a.closed).toMatchObject({ code: 1006 });
  });
});
