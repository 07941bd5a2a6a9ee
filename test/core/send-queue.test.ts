import { SocketError } from '../../src';
import { setup, setupOpen, settle, tick, track } from '../support/helpers';

beforeEach(() => jest.useFakeTimers({ now: 0 }));
afterEach(() => jest.useRealTimers());

describe('send()', () => {
  test('while open it goes out at once and resolves when the platform confirms', async () => {
    const s = setupOpen();
    const a = track(s.socket.send('a'));
    const b = track(s.socket.send('b'));
    expect(s.wx.lastTask.sent).toEqual(['a', 'b']); // pipelined, no waiting for confirmations
    expect(a.status).toBe('pending');
    await settle();
    expect([a.status, b.status]).toEqual(['resolved', 'resolved']);
  });

  test('messages sent while not open are queued and flushed in order before open listeners run', async () => {
    const s = setup();
    const seenAtOpen: unknown[] = [];
    s.socket.on('open', () => seenAtOpen.push(s.wx.lastTask.sent.slice()));
    const results = ['1', '2', '3'].map((m) => track(s.socket.send(m)));
    expect(s.socket.queued).toBe(3);
    s.socket.connect();
    expect(s.socket.queued).toBe(3);
    s.wx.lastTask.serverOpen();
    expect(seenAtOpen).toEqual([['1', '2', '3']]);
    void s.socket.send('4');
    expect(s.wx.lastTask.sent).toEqual(['1', '2', '3', '4']);
    await settle();
    expect(results.map((r) => r.status)).toEqual(['resolved', 'resolved', 'resolved']);
    expect(s.socket.queued).toBe(0);
  });

  test('a send from a state listener during open still keeps the order', () => {
    const s = setup();
    void s.socket.send('queued');
    s.socket.on('state', (e) => {
      if (e.state === 'open') void s.socket.send('from listener');
    });
    s.socket.connect();
    s.wx.lastTask.serverOpen();
    expect(s.wx.lastTask.sent).toEqual(['queued', 'from listener']);
  });

  test('overflow refuses the NEW message with QUEUE_FULL and keeps the queued ones', async () => {
    const s = setup({ queue: { max: 2 } });
    const kept = [track(s.socket.send('a')), track(s.socket.send('b'))];
    const refused = track(s.socket.send('c'));
    await settle();
    expect(refused.status).toBe('rejected');
    expect(refused.error).toBeInstanceOf(SocketError);
    expect(refused.error).toMatchObject({ code: 'QUEUE_FULL' });
    expect(s.socket.queued).toBe(2);
    s.socket.connect();
    s.wx.lastTask.serverOpen();
    await settle();
    expect(s.wx.lastTask.sent).toEqual(['a', 'b']);
    expect(kept.map((k) => k.status)).toEqual(['resolved', 'resolved']);
  });

  test('close() rejects what is queued with CLOSED; send() after close rejects CLOSED', async () => {
    const s = setup();
    s.socket.connect();
    const queued = track(s.socket.send('x'));
    s.socket.close();
    const after = track(s.socket.send('y'));
    await settle();
    expect(queued.error).toMatchObject({ code: 'CLOSED' });
    expect(after.error).toMatchObject({ code: 'CLOSED' });
    expect(s.socket.queued).toBe(0);
  });

  test('send() queues in idle, connecting, reconnecting and failed; a later connect delivers', async () => {
    const s = setup({ reconnect: { maxAttempts: 1, interval: 100 } });
    void s.socket.send('idle');
    s.socket.connect();
    void s.socket.send('connecting');
    s.wx.lastTask.serverError('refused');
    void s.socket.send('reconnecting');
    tick(100);
    s.wx.lastTask.serverError('refused');
    expect(s.socket.state).toBe('failed');
    void s.socket.send('failed');
    s.socket.connect();
    s.wx.lastTask.serverOpen();
    expect(s.wx.lastTask.sent).toEqual(['idle', 'connecting', 'reconnecting', 'failed']);
  });

  test('queue: false rejects with NOT_OPEN unless open', async () => {
    const s = setup({ queue: false });
    const r = track(s.socket.send('x'));
    await settle();
    expect(r.error).toMatchObject({ code: 'NOT_OPEN' });
    s.socket.connect();
    s.wx.lastTask.serverOpen();
    const ok = track(s.socket.send('y'));
    await settle();
    expect(ok.status).toBe('resolved');
  });

  test('a frame whose platform send fails goes back to the head and the link is treated as dead', async () => {
    const s = setupOpen({ heartbeat: false });
    const first = s.wx.lastTask;
    // The platform has lost the link but has not told us yet.
    first.state = 'closed';
    const a = track(s.socket.send('a'));
    const b = track(s.socket.send('b'));
    await settle();
    expect(s.log.slice(3)).toEqual(['error:SEND_FAILED', 'state:open>reconnecting', 'close:1006:send failed:retry', 'reconnecting:1:5000']);
    expect(s.socket.queued).toBe(2);
    const c = track(s.socket.send('c'));
    await settle(5000);
    s.wx.lastTask.serverOpen();
    await settle();
    expect(s.wx.lastTask.sent).toEqual(['a', 'b', 'c']);
    expect([a.status, b.status, c.status]).toEqual(['resolved', 'resolved', 'resolved']);
  });

  test('a failed frame goes back to the head even when the queue is full', async () => {
    const s = setupOpen({ heartbeat: false, queue: { max: 1 } });
    s.wx.lastTask.state = 'closed';
    void s.socket.send('a');
    void s.socket.send('b');
    await settle();
    expect(s.socket.queued).toBe(2);
  });

  test('with queue: false a failed frame rejects with SEND_FAILED', async () => {
    const s = setupOpen({ heartbeat: false, queue: false });
    s.wx.lastTask.state = 'closed';
    const a = track(s.socket.send('a'));
    await settle();
    expect(a.error).toMatchObject({ code: 'SEND_FAILED', errMsg: 'sendSocketMessage:fail WebSocket is not connected' });
  });

  test('ArrayBuffer payloads are sent as they are', () => {
    const s = setupOpen();
    const buf = new Uint8Array([1, 2, 3]).buffer;
    void s.socket.send(buf);
    expect(s.wx.lastTask.sent).toEqual([buf]);
  });

  test.each([
    [123, 'Number'], [null, 'Null'], [undefined, 'Undefined'], [{ a: 1 }, 'Object'], [new Uint8Array(2), 'Uint8Array'], [['a'], 'Array'], [new String('boxed'), 'String'],
  ])('send(%p) is a TypeError naming the type and changes nothing', (bad, name) => {
    const s = setup();
    s.socket.connect();
    expect(() => s.socket.send(bad as never)).toThrow(TypeError);
    expect(() => s.socket.send(bad as never)).toThrow(new RegExp(`got ${name}`));
    expect(s.socket.queued).toBe(0);
    expect(s.socket.state).toBe('connecting');
  });
});
