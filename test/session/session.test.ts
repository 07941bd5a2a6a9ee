/**
 * SocketSession against the manager on the fake wx platform, the server played by hand:
 * exact frames on the wire, exact deliveries, exact ack timing (fake timers).
 */
import { SocketError } from '../../src';
import { SocketSession } from '../../src/session';
import type { SocketSessionOptions } from '../../src/session';
import type { FakeSocketTask } from '../../src/testing';
import { settle, setup, tick, track } from '../support/helpers';
import { anyId, frames, hello, m, make, memoryStorage, msg, newLink, serve, started, welcome } from '../support/session-fake';

beforeEach(() => jest.useFakeTimers({ now: 0 }));
afterEach(() => jest.useRealTimers());

describe('handshake and resending', () => {
  test('hello is the first frame on every link, carrying the session id and what was delivered', () => {
    const s = started();
    const first = s.wx.lastTask;
    expect(frames(first)).toEqual([hello(null, 0)]);
    welcome(first, 'S1', false, 0, 'new');
    msg(first, 1, 'a');
    msg(first, 2, 'b');
    const second = newLink(s);
    expect(frames(second)).toEqual([hello('S1', 2)]);
    expect(s.session.sessionId).toBe('S1');
    expect(s.events).toEqual(['message:a', 'message:b']);
  });

  test('no msg goes out before welcome; after it the unacknowledged messages follow in order', () => {
    const s = make();
    void s.session.send('a');
    s.socket.connect();
    s.wx.lastTask.serverOpen();
    void s.session.send('b');
    expect(frames(s.wx.lastTask)).toEqual([hello(null, 0)]);
    welcome(s.wx.lastTask, 'S1', false, 0, 'new');
    void s.session.send('c');
    expect(frames(s.wx.lastTask)).toEqual([hello(null, 0), m(1, 'a'), m(2, 'b'), m(3, 'c')]);
    expect(s.session.unacked).toBe(3);
  });

  test('send() resolves when the server acknowledges it; one cumulative ack settles several', async () => {
    const s = started();
    welcome(s.wx.lastTask, 'S1', false, 0, 'new');
    const p = [track(s.session.send('a')), track(s.session.send('b')), track(s.session.send('c'))];
    await settle(0); // the platform confirmed the frames: still not acknowledged
    expect(p.map((x) => x.status)).toEqual(['pending', 'pending', 'pending']);
    serve(s.wx.lastTask, { t: 'ack', a: 2 });
    await settle(0);
    expect(p.map((x) => x.status)).toEqual(['resolved', 'resolved', 'pending']);
    expect(s.session.unacked).toBe(1);
    serve(s.wx.lastTask, { t: 'ack', a: 2 }); // nothing new
    serve(s.wx.lastTask, { t: 'ack', a: 3 });
    await settle(0);
    expect(p.map((x) => x.status)).toEqual(['resolved', 'resolved', 'resolved']);
    expect(s.events).toEqual(['ack:2', 'ack:3']);
  });

  test('a new link resends only what the server has not seen, with the same s and id; a live link never resends', async () => {
    const s = started({ deliveryTimeout: 3600000 });
    welcome(s.wx.lastTask, 'S1', false, 0, 'new');
    const p = [track(s.session.send('a')), track(s.session.send('b')), track(s.session.send('c'))];
    const ids = frames(s.wx.lastTask).slice(1).map((f) => (f as { id: string }).id);
    expect(new Set(ids).size).toBe(3);
    serve(s.wx.lastTask, { t: 'ack', a: 1 });
    tick(10 * 60000); // a quiet live link: nothing is sent again
    expect(frames(s.wx.lastTask)).toHaveLength(4);
    const task = newLink(s);
    welcome(task, 'S1', true, 2); // the server had delivered 2 before the link died
    expect(frames(task)).toEqual([hello('S1', 0), m(3, 'c', ids[2])]);
    await settle(0);
    expect(p.map((x) => x.status)).toEqual(['resolved', 'resolved', 'pending']);
    expect(s.events).toEqual(['ack:1', 'ack:2']);
  });

  test('frames written into a dying link are not requeued by the manager: the next link carries hello first', () => {
    const s = started();
    welcome(s.wx.lastTask, 'S1', false, 0, 'new');
    s.wx.lastTask.die(); // sends vanish
    void s.session.send('lost on the wire');
    s.socket.reconnect();
    s.wx.lastTask.serverOpen();
    expect(frames(s.wx.lastTask)).toEqual([hello('S1', 0)]);
    welcome(s.wx.lastTask, 'S1', true, 0);
    expect(frames(s.wx.lastTask)).toEqual([hello('S1', 0), m(1, 'lost on the wire')]);
  });
});

describe('receiving', () => {
  test('server messages reach the app once and in order; duplicates are dropped and acknowledged again', () => {
    const s = started();
    const task = s.wx.lastTask;
    welcome(task, 'S1', false, 0, 'new');
    msg(task, 1, 'a');
    msg(task, 2, 'b');
    msg(task, 2, 'b');
    msg(task, 1, 'a');
    msg(task, 3, 'c');
    expect(s.events).toEqual(['message:a', 'message:b', 'message:c']);
    tick(50);
    expect(frames(task).slice(1)).toEqual([{ t: 'ack', a: 3 }]);
    msg(task, 3, 'c');
    tick(50);
    expect(frames(task).slice(1)).toEqual([{ t: 'ack', a: 3 }, { t: 'ack', a: 3 }]);
    expect(s.events).toEqual(['message:a', 'message:b', 'message:c']);
  });

  test('one cumulative ack goes out exactly ackDelay after the first unacknowledged delivery', () => {
    const s = started({ ackDelay: 20 });
    const task = s.wx.lastTask;
    welcome(task, 'S1', false, 0, 'new');
    msg(task, 1, 'a');
    tick(10);
    msg(task, 2, 'b');
    tick(9);
    expect(frames(task)).toHaveLength(1);
    tick(1);
    expect(frames(task).slice(1)).toEqual([{ t: 'ack', a: 2 }]);
    msg(task, 3, 'c');
    tick(19);
    expect(frames(task)).toHaveLength(2);
    tick(1);
    expect(frames(task).slice(1)).toEqual([{ t: 'ack', a: 2 }, { t: 'ack', a: 3 }]);
    tick(1000);
    expect(frames(task)).toHaveLength(3);
  });

  test('a burst is acknowledged at once every 64 deliveries, the rest within ackDelay', () => {
    const s = started({ ackDelay: 20 });
    const task = s.wx.lastTask;
    welcome(task, 'S1', false, 0, 'new');
    for (let n = 1; n <= 150; n++) msg(task, n, `m${n}`);
    expect(frames(task).slice(1)).toEqual([{ t: 'ack', a: 64 }, { t: 'ack', a: 128 }]);
    tick(20);
    expect(frames(task).slice(1)).toEqual([{ t: 'ack', a: 64 }, { t: 'ack', a: 128 }, { t: 'ack', a: 150 }]);
    tick(1000);
    expect(frames(task)).toHaveLength(4);
  });

  test('a delivery not yet acknowledged when the link dies is acknowledged by the next hello', () => {
    const s = started();
    welcome(s.wx.lastTask, 'S1', false, 0, 'new');
    msg(s.wx.lastTask, 1, 'a');
    const task = newLink(s);
    tick(1000);
    expect(frames(task)).toEqual([hello('S1', 1)]);
  });

  test('binary payloads travel as base64 with b:1 both ways', () => {
    const s = started();
    const task = s.wx.lastTask;
    welcome(task, 'S1', false, 0, 'new');
    void s.session.send(new Uint8Array([0, 1, 2, 250]).buffer);
    expect(frames(task)[1]).toEqual({ t: 'msg', s: 1, id: anyId, d: 'AAEC+g==', b: 1 });
    serve(task, { t: 'msg', s: 1, id: 'x', d: 'AAEC+g==', b: 1 });
    expect(s.events).toEqual(['message:<0,1,2,250>']);
  });

  test.each([
    ['a gap in s', (t: FakeSocketTask) => msg(t, 3, 'skips 2')],
    ['text that is not JSON', (t: FakeSocketTask) => void t.serverMessage('hi')],
    ['an unknown frame type', (t: FakeSocketTask) => serve(t, { t: 'nope' })],
    ['a binary frame', (t: FakeSocketTask) => void t.serverMessage(new ArrayBuffer(2))],
    ['an ack of a message never sent', (t: FakeSocketTask) => serve(t, { t: 'ack', a: 1 })],
    ['a second welcome', (t: FakeSocketTask) => welcome(t, 'S1', true, 0)],
  ])('%s from the server drops the link; the next hello asks for what is missing', (_name, bad) => {
    const err = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    const s = started();
    const first = s.wx.lastTask;
    welcome(first, 'S1', false, 0, 'new');
    msg(first, 1, 'a');
    bad(first);
    expect(first.closedWith).toBeDefined();
    expect(s.wx.tasks).toHaveLength(2);
    s.wx.lastTask.serverOpen();
    expect(frames(s.wx.lastTask)).toEqual([hello('S1', 1)]);
    expect(s.events).toEqual(['message:a']);
    expect(err).toHaveBeenCalledTimes(1);
    err.mockRestore();
  });

  test('msg or ack before welcome is a protocol error too', () => {
    const err = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    const s = started();
    msg(s.wx.lastTask, 1, 'early');
    expect(s.wx.tasks).toHaveLength(2);
    s.wx.lastTask.serverOpen();
    serve(s.wx.lastTask, { t: 'ack', a: 0 });
    expect(s.wx.tasks).toHaveLength(3);
    expect(s.events).toEqual([]);
    err.mockRestore();
  });

  test('ping/pong strings and error frames are not session frames and change nothing', () => {
    const s = started();
    const task = s.wx.lastTask;
    welcome(task, 'S1', false, 0, 'new');
    task.serverMessage('pong');
    task.serverMessage('ping');
    serve(task, { t: 'error', code: 4400, message: 'bye soon' });
    expect(s.wx.tasks).toHaveLength(1);
    expect(s.socket.state).toBe('open');
  });
});

describe('lost session (resync)', () => {
  test('resumed:false on a resume: one resync, unacknowledged messages resent from s 1 with their original ids, server seq restarts', async () => {
    const s = started();
    welcome(s.wx.lastTask, 'S1', false, 0, 'new');
    const p = [track(s.session.send('x')), track(s.session.send('y')), track(s.session.send('z'))];
    const ids = frames(s.wx.lastTask).slice(1).map((f) => (f as { id: string }).id);
    serve(s.wx.lastTask, { t: 'ack', a: 1 });
    msg(s.wx.lastTask, 1, 'a');
    msg(s.wx.lastTask, 2, 'b');
    const task = newLink(s);
    expect(frames(task)).toEqual([hello('S1', 2)]);
    welcome(task, 'S2', false, 0, 'expired');
    expect(frames(task)).toEqual([hello('S1', 2), m(1, 'y', ids[1]), m(2, 'z', ids[2])]);
    expect(s.session.sessionId).toBe('S2');
    msg(task, 1, 'fresh');
    serve(task, { t: 'ack', a: 2 });
    await settle(0);
    expect(p.map((x) => x.status)).toEqual(['resolved', 'resolved', 'resolved']);
    expect(s.events).toEqual(['ack:1', 'message:a', 'message:b', 'resync:expired', 'message:fresh', 'ack:2']);
    void s.session.send('next');
    expect(frames(task)[3]).toEqual(m(3, 'next'));
  });

  test('the first welcome of a new session is not a resync', () => {
    const s = started();
    welcome(s.wx.lastTask, 'S1', false, 0, 'new');
    expect(s.events).toEqual([]);
  });

  test('a send() from a resync listener goes after the resent messages', () => {
    const s = started();
    welcome(s.wx.lastTask, 'S1', false, 0, 'new');
    void s.session.send('old');
    s.session.on('resync', () => void s.session.send('after resync'));
    const task = newLink(s);
    welcome(task, 'S2', false, 0, 'unknown');
    expect(frames(task).slice(1)).toEqual([m(1, 'old'), m(2, 'after resync')]);
  });
});

describe('bounds, timeouts and closing', () => {
  test('DELIVERY_TIMEOUT rejects a send not acknowledged in time; the message keeps its s and is still delivered', async () => {
    const s = started({ deliveryTimeout: 1000 });
    welcome(s.wx.lastTask, 'S1', false, 0, 'new');
    const a = track(s.session.send('a'));
    tick(500);
    const b = track(s.session.send('b'));
    await settle(499);
    expect([a.status, b.status]).toEqual(['pending', 'pending']);
    await settle(1);
    expect([a.status, b.status]).toEqual(['rejected', 'pending']);
    expect((a.error as SocketError).code).toBe('DELIVERY_TIMEOUT');
    await settle(500);
    expect((b.error as SocketError).code).toBe('DELIVERY_TIMEOUT');
    expect(s.session.unacked).toBe(2);
    const task = newLink(s);
    welcome(task, 'S1', true, 0);
    expect(frames(task).slice(1)).toEqual([m(1, 'a'), m(2, 'b')]);
    serve(task, { t: 'ack', a: 2 });
    expect(s.session.unacked).toBe(0);
    tick(3600000);
    expect(frames(task)).toHaveLength(3);
  });

  test('maxUnacked: the next send() is a rejected QUEUE_FULL, the earlier ones are kept', async () => {
    const s = started({ maxUnacked: 2 });
    welcome(s.wx.lastTask, 'S1', false, 0, 'new');
    const p = [track(s.session.send('a')), track(s.session.send('b')), track(s.session.send('c'))];
    await settle(0);
    expect(p.map((x) => x.status)).toEqual(['pending', 'pending', 'rejected']);
    expect((p[2]!.error as SocketError).code).toBe('QUEUE_FULL');
    serve(s.wx.lastTask, { t: 'ack', a: 1 });
    void s.session.send('d');
    expect(frames(s.wx.lastTask).slice(1)).toEqual([m(1, 'a'), m(2, 'b'), m(3, 'd')]);
    expect(s.session.unacked).toBe(2);
  });

  test('send() never throws: data that is not a string or an ArrayBuffer is a rejected TypeError', async () => {
    const s = started();
    const p = track(s.session.send(42 as unknown as string));
    await settle(0);
    expect(p.error).toBeInstanceOf(TypeError);
    expect(s.session.unacked).toBe(0);
  });

  test('close() rejects what is unacknowledged with CLOSED, removes its stored state and its hello; later sends reject CLOSED', async () => {
    const storage = memoryStorage();
    const s = started({ storage });
    welcome(s.wx.lastTask, 'S1', false, 0, 'new');
    const a = track(s.session.send('a'));
    expect(storage.data.size).toBe(1);
    s.session.close();
    s.session.close();
    const later = track(s.session.send('b'));
    await settle(0);
    expect([(a.error as SocketError).code, (later.error as SocketError).code]).toEqual(['CLOSED', 'CLOSED']);
    expect(storage.data.size).toBe(0);
    expect(s.session.unacked).toBe(0);
    s.socket.reconnect();
    s.wx.lastTask.serverOpen();
    msg(s.wx.lastTask, 1, 'nobody listens');
    expect(s.wx.lastTask.sent).toEqual([]);
    expect(s.events).toEqual([]);
    await settle(0); // the platform's own callbacks
    expect(jest.getTimerCount()).toBe(0);
  });

  test('a message listener that closes the session leaves no ack timer and no later frame', () => {
    const s = started();
    const task = s.wx.lastTask;
    welcome(task, 'S1', false, 0, 'new');
    s.session.on('message', () => s.session.close());
    msg(task, 1, 'last');
    tick(0);
    expect(jest.getTimerCount()).toBe(0);
    tick(1000);
    expect(frames(task)).toHaveLength(1);
    expect(s.events).toEqual(['message:last']);
  });

  test.each([4401, 4409, 4429])('closed by the server with %i: the manager does not reconnect on its own', (code) => {
    const s = started();
    welcome(s.wx.lastTask, 'S1', false, 0, 'new');
    s.wx.lastTask.serverClose(code, '');
    tick(60000);
    expect(s.wx.tasks).toHaveLength(1);
    expect(s.socket.state).toBe('closed');
    expect(s.log.slice(-3)).toEqual(['state:open>reconnecting', `close:${code}::retry`, 'state:reconnecting>closed']);
  });

  test('a session made on a socket already open starts a new link so that hello goes first', () => {
    const s = setup({ heartbeat: false });
    s.socket.connect();
    s.wx.lastTask.serverOpen();
    new SocketSession(s.socket);
    expect(s.wx.tasks).toHaveLength(2);
    s.wx.lastTask.serverOpen();
    expect(frames(s.wx.lastTask)).toEqual([hello(null, 0)]);
  });
});

describe('persistence', () => {
  test('a killed and restarted app resumes the same session from storage', () => {
    const storage = memoryStorage();
    const s = started({ storage });
    welcome(s.wx.lastTask, 'S1', false, 0, 'new');
    msg(s.wx.lastTask, 1, 'a');
    msg(s.wx.lastTask, 2, 'b');
    void s.session.send('x');
    void s.session.send('y');
    serve(s.wx.lastTask, { t: 'ack', a: 1 });
    const yId = (frames(s.wx.lastTask)[2] as { id: string }).id;
    expect(JSON.parse(storage.data.get('wx-socket-session')!)).toEqual({ sid: 'S1', rx: 2, s: 3, u: [[yId, 'y']] });

    // Killed: nothing more runs in the old one. A new app starts with the same storage.
    const again = started({ storage });
    expect(again.session.sessionId).toBe('S1');
    expect(again.session.unacked).toBe(1);
    expect(frames(again.wx.lastTask)).toEqual([hello('S1', 2)]);
    welcome(again.wx.lastTask, 'S1', true, 1);
    msg(again.wx.lastTask, 3, 'c');
    expect(frames(again.wx.lastTask).slice(1)).toEqual([m(2, 'y', yId)]);
    expect(again.events).toEqual(['message:c']);
    void again.session.send('z');
    expect(frames(again.wx.lastTask)[2]).toEqual(m(3, 'z'));
  });

  test('state is saved before a message is handed to the link and after each delivery and ack', () => {
    const storage = memoryStorage();
    const s = started({ storage, storageKey: 'chat' });
    const task = s.wx.lastTask;
    const saves: string[] = [];
    const set = storage.set;
    storage.set = (k, v) => {
      const j = JSON.parse(v) as { rx: number; s: number; u: unknown[] };
      saves.push(`${k} rx:${j.rx} s:${j.s} unacked:${j.u.length} on wire:${task.sent.length}`);
      set(k, v);
    };
    welcome(task, 'S1', false, 0, 'new');
    void s.session.send('x');
    msg(task, 1, 'a');
    serve(task, { t: 'ack', a: 1 });
    expect(saves).toEqual([
      'chat rx:0 s:1 unacked:0 on wire:1', // welcome
      'chat rx:0 s:2 unacked:1 on wire:1', // before msg 1 goes out
      'chat rx:1 s:2 unacked:1 on wire:2', // delivered a
      'chat rx:1 s:2 unacked:0 on wire:2', // acked x
    ]);
  });

  test("storage 'wx' keeps the session under one key with wx's storage calls, read only when used", () => {
    const g = globalThis as { wx?: unknown };
    const kept: Record<string, unknown> = {};
    g.wx = {
      getStorageSync: (k: string) => kept[k] ?? '',
      setStorageSync: (k: string, v: unknown) => void (kept[k] = v),
      removeStorageSync: (k: string) => void delete kept[k],
    };
    try {
      const s = started({ storage: 'wx' });
      welcome(s.wx.lastTask, 'S9', false, 0, 'new');
      expect(Object.keys(kept)).toEqual(['wx-socket-session']);
      expect(JSON.parse(kept['wx-socket-session'] as string)).toEqual({ sid: 'S9', rx: 0, s: 1, u: [] });
      const again = started({ storage: 'wx' });
      expect(frames(again.wx.lastTask)).toEqual([hello('S9', 0)]);
      again.session.close();
      expect(kept).toEqual({});
    } finally {
      delete g.wx;
    }
    expect(() => make({ storage: 'wx' })).toThrow(/option "storage"/);
  });

  test('a stored session that is not valid is reported and a new session starts', () => {
    const err = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    for (const bad of ['{', '{"sid":5,"rx":0,"s":1,"u":[]}', '{"sid":"S","rx":0,"s":1,"u":[["id","d"]]}']) {
      const storage = memoryStorage();
      storage.data.set('wx-socket-session', bad);
      const s = started({ storage });
      expect(frames(s.wx.lastTask)).toEqual([hello(null, 0)]);
      expect(s.session.unacked).toBe(0);
    }
    expect(err).toHaveBeenCalledTimes(3);
    err.mockRestore();
  });
});

describe('bad input', () => {
  test.each([
    [{ maxUnacked: 0 }, 'maxUnacked'],
    [{ maxUnacked: 1.5 }, 'maxUnacked'],
    [{ ackDelay: -1 }, 'ackDelay'],
    [{ ackDelay: NaN }, 'ackDelay'],
    [{ deliveryTimeout: 0 }, 'deliveryTimeout'],
    [{ deliveryTimeout: Infinity }, 'deliveryTimeout'],
    [{ storage: true }, 'storage'],
    [{ storage: { get: () => null } }, 'storage'],
    [{ storageKey: '' }, 'storageKey'],
    [{ retries: 3 }, 'retries'],
  ])('%j throws a TypeError naming %s', (options, name) => {
    expect(() => make(options as SocketSessionOptions)).toThrow(TypeError);
    expect(() => make(options as SocketSessionOptions)).toThrow(`option "${name}"`);
  });

  test('a socket that is not a WxSocketManager, or a second session on one socket, is a TypeError', () => {
    expect(() => new SocketSession({} as never)).toThrow(/socket must be a WxSocketManager/);
    const s = make();
    expect(() => new SocketSession(s.socket)).toThrow(TypeError);
    expect(() => s.session.on('nope' as 'ack', () => undefined)).toThrow(/on\("nope", listener\): unknown event/);
  });
});

describe('server trouble (PROTOCOL.md "Clarifications")', () => {
  test('a resume whose rx is below what the server had acknowledged: one resync, restart at 1 with the original ids, and the next hello asks for a new session', async () => {
    const s = started();
    const first = s.wx.lastTask;
    welcome(first, 'S1', false, 0, 'new');
    const settled: string[] = [];
    for (const d of ['a', 'b', 'c', 'd']) s.session.send(d).then(() => settled.push(d), (e: SocketError) => settled.push(`${d}:${e.code}`));
    serve(first, { t: 'ack', a: 2 });
    await settle();
    const ids = frames(first).slice(1).map((f) => (f as { id: string }).id);
    const second = newLink(s);
    expect(frames(second)).toEqual([hello('S1', 0)]);
    // The store went back: it says it has nothing from us, though it acknowledged 1 and 2.
    welcome(second, 'S1', true, 0);
    expect(s.events).toEqual(['ack:2', 'resync:unknown']);
    expect(s.session.sessionId).toBe(null);
    const third = s.wx.lastTask.serverOpen();
    expect(frames(second)).toEqual([hello('S1', 0)]);
    expect(frames(third)).toEqual([hello(null, 0)]);
    welcome(third, 'S2', false, 0, 'new');
    expect(frames(third).slice(1)).toEqual([m(1, 'c', ids[2]), m(2, 'd', ids[3])]);
    serve(third, { t: 'ack', a: 2 });
    await settle();
    expect(settled).toEqual(['a', 'b', 'c', 'd']);
    expect(s.events).toEqual(['ack:2', 'resync:unknown', 'ack:2']);
  });

  test('a resume whose rx is just below the lowest unacknowledged message is an ordinary resume', () => {
    const s = started();
    const first = s.wx.lastTask;
    welcome(first, 'S1', false, 0, 'new');
    for (const d of ['a', 'b', 'c']) void s.session.send(d);
    serve(first, { t: 'ack', a: 1 });
    const second = newLink(s);
    welcome(second, 'S1', true, 1);
    expect(frames(second).slice(1)).toEqual([m(2, 'b'), m(3, 'c')]);
    expect(s.events).toEqual(['ack:1']);
    expect(s.session.sessionId).toBe('S1');
  });

  test.each([1011, 1012, 1013])('closed by the server with %i (failed, lost the session, overloaded): the session reconnects and resumes as usual', (code) => {
    const s = started();
    welcome(s.wx.lastTask, 'S1', false, 0, 'new');
    msg(s.wx.lastTask, 1, 'a');
    const next = newLink(s, code);
    expect(s.wx.tasks).toHaveLength(2);
    expect(frames(next)).toEqual([hello('S1', 1)]);
  });
});
