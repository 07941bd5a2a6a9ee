/**
 * Rooms and users on the client side of the wire (PROTOCOL.md "Rooms and users"): `r` on a
 * `msg` becomes `meta.room`; a `volatile` frame goes to the app at once and nowhere else; a
 * bad `r` or a bad volatile frame is a protocol error (drop the link, reconnect). The server is
 * played by hand on the fake platform, with fake timers.
 */
import type { SocketData } from '../../src';
import type { SessionMessageMeta, SessionVolatileMeta } from '../../src/session';
import type { FakeSocketTask } from '../../src/testing';
import { tick } from '../support/helpers';
import { frames, hello, make, memoryStorage, newLink, serve, started, welcome } from '../support/session-fake';
import type { S } from '../support/session-fake';

beforeEach(() => jest.useFakeTimers({ now: 0 }));
afterEach(() => jest.useRealTimers());

const text = (data: SocketData): string => (typeof data === 'string' ? data : `<${new Uint8Array(data).join(',')}>`);

/** Every message and volatile delivery with what its listener got, in order. */
function deliveries(s: S): Array<[string, string, SessionMessageMeta | SessionVolatileMeta]> {
  const got: Array<[string, string, SessionMessageMeta | SessionVolatileMeta]> = [];
  s.session.on('message', (data, meta) => got.push(['message', text(data), meta]));
  s.session.on('volatile', (data, meta) => got.push(['volatile', text(data), meta]));
  return got;
}

const roomMsg = (task: FakeSocketTask, s: number, d: string, r?: unknown): void => serve(task, { t: 'msg', s, id: `srv-${s}`, d, r });
const volatile = (task: FakeSocketTask, d: unknown, r?: unknown, b?: unknown): void => serve(task, { t: 'volatile', d, b, r });

describe('messages from rooms', () => {
  test("each message's listener gets its room: the room published to, 'user' for the user, none for a direct send", () => {
    const s = started();
    const got = deliveries(s);
    const task = s.wx.lastTask;
    welcome(task, 'S1', false, 0, 'new');
    roomMsg(task, 1, 'shipped', 'order:42');
    roomMsg(task, 2, 'hi you', 'user');
    roomMsg(task, 3, 'direct');
    roomMsg(task, 4, '弹幕', '直播 #7');
    expect(got).toEqual([
      ['message', 'shipped', { seq: 1, id: 'srv-1', room: 'order:42' }],
      ['message', 'hi you', { seq: 2, id: 'srv-2', room: 'user' }],
      ['message', 'direct', { seq: 3, id: 'srv-3', room: undefined }],
      ['message', '弹幕', { seq: 4, id: 'srv-4', room: '直播 #7' }],
    ]);
    expect(s.events).toEqual(['message:shipped', 'message:hi you', 'message:direct', 'message:弹幕']);
  });

  test('a room message is an ordinary message: a duplicate is dropped and acknowledged again, rx counts it, a resume asks past it', () => {
    const s = started();
    const got = deliveries(s);
    const task = s.wx.lastTask;
    welcome(task, 'S1', false, 0, 'new');
    roomMsg(task, 1, 'a', 'lobby');
    roomMsg(task, 1, 'a', 'lobby');
    roomMsg(task, 2, 'b', 'lobby');
    tick(50);
    expect(frames(task).slice(1)).toEqual([{ t: 'ack', a: 2 }]);
    expect(got.map(([, data]) => data)).toEqual(['a', 'b']);
    expect(frames(newLink(s))).toEqual([hello('S1', 2)]);
  });

  test('a room of 200 characters is a room; the 201st character makes it a protocol error', () => {
    const err = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    const s = started();
    const got = deliveries(s);
    welcome(s.wx.lastTask, 'S1', false, 0, 'new');
    roomMsg(s.wx.lastTask, 1, 'fits', '房'.repeat(200));
    roomMsg(s.wx.lastTask, 2, 'also fits', '😀'.repeat(200)); // 200 characters, 400 UTF-16 units
    expect(got.map(([, data, meta]) => [data, (meta.room as string).length])).toEqual([['fits', 200], ['also fits', 400]]);
    expect(s.wx.tasks).toHaveLength(1);
    roomMsg(s.wx.lastTask, 3, 'too long', '房'.repeat(201));
    expect(s.wx.tasks).toHaveLength(2);
    expect(got).toHaveLength(2);
    expect(err).toHaveBeenCalledTimes(1);
    err.mockRestore();
  });
});

describe('volatile messages', () => {
  test('a volatile frame goes to the app at once, with its room, in order with the messages around it', () => {
    const s = started();
    const got = deliveries(s);
    const task = s.wx.lastTask;
    welcome(task, 'S1', false, 0, 'new');
    roomMsg(task, 1, 'a', 'live:7');
    volatile(task, 'typing…', 'live:7');
    volatile(task, 'AAEC', undefined, 1);
    roomMsg(task, 2, 'b');
    expect(got).toEqual([
      ['message', 'a', { seq: 1, id: 'srv-1', room: 'live:7' }],
      ['volatile', 'typing…', { room: 'live:7' }],
      ['volatile', '<0,1,2>', { room: undefined }],
      ['message', 'b', { seq: 2, id: 'srv-2', room: undefined }],
    ]);
  });

  test('a volatile frame is never acknowledged, never counted in rx and never stored', () => {
    const storage = memoryStorage();
    const s = started({ storage });
    const got = deliveries(s);
    const task = s.wx.lastTask;
    welcome(task, 'S1', false, 0, 'new');
    roomMsg(task, 1, 'a', 'lobby');
    tick(50);
    const stored = storage.data.get('wx-socket-session');
    for (let n = 0; n < 100; n++) volatile(task, `v${n}`, 'lobby'); // more than ACK_EVERY: still no ack
    tick(1000);
    expect(got).toHaveLength(101);
    expect(frames(task).slice(1)).toEqual([{ t: 'ack', a: 1 }]);
    expect(storage.data.get('wx-socket-session')).toBe(stored);
    expect(JSON.parse(stored as string)).toMatchObject({ sid: 'S1', rx: 1 });
    expect(frames(newLink(s))).toEqual([hello('S1', 1)]);
    expect(s.session.stats).toEqual({ unacked: 0, resent: 0, resyncs: 0 });
  });

  test('a volatile frame before welcome is a protocol error: the link is dropped, nothing is delivered', () => {
    const err = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    const s = started();
    const got = deliveries(s);
    volatile(s.wx.lastTask, 'early');
    expect(s.wx.tasks).toHaveLength(2);
    expect(got).toEqual([]);
    expect(err.mock.calls[0]?.[0]).toMatch(/bad frame from the server \(volatile out of place\); reconnecting/);
    err.mockRestore();
  });
});

describe('a bad r or a bad volatile frame drops the link; the next hello asks for what is missing', () => {
  const long = 'r'.repeat(201);
  test.each([
    ['msg with r ""', (t: FakeSocketTask) => roomMsg(t, 2, 'x', '')],
    ['msg with r of 201 characters', (t: FakeSocketTask) => roomMsg(t, 2, 'x', long)],
    ['msg with r a number', (t: FakeSocketTask) => roomMsg(t, 2, 'x', 42)],
    ['msg with r null', (t: FakeSocketTask) => roomMsg(t, 2, 'x', null)],
    ['msg with a newline in r', (t: FakeSocketTask) => roomMsg(t, 2, 'x', 'a\nb')],
    ['msg with NUL in r', (t: FakeSocketTask) => roomMsg(t, 2, 'x', 'a\u0000b')],
    ['msg with ESC in r', (t: FakeSocketTask) => roomMsg(t, 2, 'x', '\u001b[31m')],
    ['msg with a C1 control in r', (t: FakeSocketTask) => roomMsg(t, 2, 'x', 'a\u0085b')],
    ['volatile with no d', (t: FakeSocketTask) => volatile(t, undefined)],
    ['volatile with d a number', (t: FakeSocketTask) => volatile(t, 5)],
    ['volatile with b 2', (t: FakeSocketTask) => volatile(t, 'AAEC', undefined, 2)],
    ['volatile with b 1 and d not base64', (t: FakeSocketTask) => volatile(t, '%%%', undefined, 1)],
    ['volatile with r ""', (t: FakeSocketTask) => volatile(t, 'x', '')],
    ['volatile with r of 201 characters', (t: FakeSocketTask) => volatile(t, 'x', long)],
    ['volatile with DEL in r', (t: FakeSocketTask) => volatile(t, 'x', 'a\u007f')],
  ])('%s', (_name, bad) => {
    const err = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    const s = started();
    const got = deliveries(s);
    const first = s.wx.lastTask;
    welcome(first, 'S1', false, 0, 'new');
    roomMsg(first, 1, 'a', 'lobby');
    bad(first);
    expect(first.closedWith).toBeDefined();
    expect(s.wx.tasks).toHaveLength(2);
    s.wx.lastTask.serverOpen();
    expect(frames(s.wx.lastTask)).toEqual([hello('S1', 1)]);
    expect(got.map(([kind, data]) => `${kind}:${data}`)).toEqual(['message:a']);
    expect(err).toHaveBeenCalledTimes(1);
    err.mockRestore();
  });
});

test('listeners that throw do not stop the others, for volatile messages too', () => {
  const err = jest.spyOn(console, 'error').mockImplementation(() => undefined);
  const s = make();
  const got: string[] = [];
  s.session.on('volatile', () => {
    throw new Error('boom');
  });
  s.session.on('volatile', (data) => got.push(text(data)));
  s.socket.connect();
  s.wx.lastTask.serverOpen();
  welcome(s.wx.lastTask, 'S1', false, 0, 'new');
  volatile(s.wx.lastTask, 'still here');
  expect(got).toEqual(['still here']);
  expect(err).toHaveBeenCalledTimes(1);
  err.mockRestore();
});
