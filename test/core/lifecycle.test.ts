import { SocketError, WxSocketManager } from '../../src';
import { ERR_SEND_NOT_CONNECTED } from '../../src/testing';
import { setup, setupOpen, tick } from '../support/helpers';

beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

describe('connecting and closing', () => {
  test('a first connect opens with attempt 0, header passed through, events in order', () => {
    const s = setup();
    expect(s.socket.state).toBe('idle');
    const headers: unknown[] = [];
    s.socket.on('open', (e) => headers.push(e.header));
    s.socket.connect();
    expect(s.socket.state).toBe('connecting');
    expect(s.wx.tasks).toHaveLength(1);
    expect(s.wx.lastTask.option).toMatchObject({ url: 'wss://example.test/live', timeout: 10000 });
    s.wx.lastTask.serverOpen({ 'x-server': 'a' });
    expect(s.socket.state).toBe('open');
    expect(s.socket.attempt).toBe(0);
    expect(headers).toEqual([{ 'x-server': 'a' }]);
    expect(s.log).toEqual(['state:idle>connecting', 'state:connecting>open', 'open:0']);
  });

  test('protocols and connectTimeout are passed to connectSocket', () => {
    const s = setup({ protocols: ['chat.v1'], connectTimeout: 3000 });
    s.socket.connect();
    expect(s.wx.lastTask.option).toMatchObject({ protocols: ['chat.v1'], timeout: 3000 });
  });

  test('connect() while connecting, open or reconnecting creates no second task', () => {
    const s = setup();
    s.socket.connect();
    s.socket.connect();
    s.wx.lastTask.serverOpen();
    s.socket.connect();
    s.wx.lastTask.serverClose(1001, 'going away');
    expect(s.socket.state).toBe('reconnecting');
    s.socket.connect();
    expect(s.wx.tasks).toHaveLength(1);
  });

  test('inbound frames reach message listeners, text and binary', () => {
    const s = setupOpen();
    s.wx.lastTask.serverMessage('hello').serverMessage(new ArrayBuffer(3));
    expect(s.log.slice(3)).toEqual(['message:hello', 'message:<3 bytes>']);
  });

  test('close() on an open link: one close event, state closed, task closed with the code, no reconnect ever', () => {
    const s = setupOpen();
    s.socket.close(4000, 'bye');
    s.socket.close(4000, 'bye');
    expect(s.wx.lastTask.closedWith).toEqual({ code: 4000, reason: 'bye' });
    tick(60 * 60 * 1000);
    expect(s.wx.tasks).toHaveLength(1);
    expect(s.log).toEqual(['state:idle>connecting', 'state:connecting>open', 'open:0', 'state:open>closed', 'close:4000:bye:final']);
    expect(s.socket.diagnostics.timers).toBe(0);
    expect(s.wx.listenerCount()).toBe(0);
  });

  test('close() mid-connect abandons the attempt: the late onOpen of that task is ignored', () => {
    const s = setup();
    s.socket.connect();
    const task = s.wx.lastTask;
    s.socket.close();
    task.state = 'connecting'; // the platform opens it anyway
    task.serverOpen();
    expect(s.socket.state).toBe('closed');
    expect(s.log).toEqual(['state:idle>connecting', 'state:connecting>closed']);
  });

  test('close() validates code and reason and leaves the manager untouched', () => {
    const s = setupOpen();
    expect(() => s.socket.close(1001)).toThrow(RangeError);
    expect(() => s.socket.close(1006)).toThrow(/1000 or 3000–4999/);
    expect(() => s.socket.close(5000)).toThrow(RangeError);
    expect(() => s.socket.close(1000, 'x'.repeat(124))).toThrow(/123 UTF-8 bytes/);
    expect(() => s.socket.close(1000, '断'.repeat(42))).toThrow(RangeError);
    expect(() => s.socket.close(1000, '断'.repeat(41))).not.toThrow();
    expect(s.log.filter((l) => l.startsWith('close'))).toEqual(['close:1000:断断断断断断断断断断断断断断断断断断断断断断断断断断断断断断断断断断断断断断断断断:final']);
  });

  test('close() from idle goes to closed; connect() afterwards starts again', () => {
    const s = setup();
    s.socket.close();
    expect(s.socket.state).toBe('closed');
    s.socket.connect();
    s.wx.lastTask.serverOpen();
    expect(s.log).toEqual(['state:idle>closed', 'state:closed>connecting', 'state:connecting>open', 'open:0']);
  });

  test('reconnect() on an open link: close (willReconnect) then a new task, attempt 0', () => {
    const s = setupOpen();
    const first = s.wx.lastTask;
    s.socket.reconnect();
    expect(first.closedWith).toEqual({ code: 1000, reason: '' });
    expect(s.wx.tasks).toHaveLength(2);
    s.wx.lastTask.serverOpen();
    expect(s.log).toEqual([
      'state:idle>connecting', 'state:connecting>open', 'open:0',
      'state:open>connecting', 'close:1000::retry', 'state:connecting>open', 'open:0',
    ]);
    expect(s.wx.liveTasks()).toHaveLength(1);
  });

  test('reconnect() works from closed and from failed', () => {
    const s = setup({ reconnect: false });
    s.socket.connect();
    s.wx.lastTask.serverError('connectSocket:fail network is down');
    expect(s.socket.state).toBe('failed');
    s.socket.reconnect();
    s.wx.lastTask.serverOpen();
    s.socket.close();
    s.socket.reconnect();
    expect(s.socket.state).toBe('connecting');
    expect(s.wx.tasks).toHaveLength(3);
  });

  test('task.close() that throws (some devices) does not break close()', () => {
    const s = setupOpen();
    s.wx.lastTask.close = () => {
      throw new Error('device says no');
    };
    expect(() => s.socket.close()).not.toThrow();
    expect(s.socket.state).toBe('closed');
  });

  test('destroy(): closes, drops listeners; later calls throw or do nothing as documented', () => {
    const s = setupOpen();
    s.socket.destroy();
    expect(s.log.slice(-2)).toEqual(['state:open>closed', 'close:1000::final']);
    expect(s.socket.diagnostics.listeners).toBe(0);
    expect(() => s.socket.connect()).toThrow(/after destroy/);
    expect(() => s.socket.send('x')).toThrow(/after destroy/);
    expect(() => s.socket.reconnect()).toThrow(/after destroy/);
    expect(() => s.socket.onLoad()).toThrow(/after destroy/);
    expect(() => s.socket.on('open', () => undefined)).toThrow(/after destroy/);
    expect(() => s.socket.close()).not.toThrow();
    expect(() => s.socket.onUnload()).not.toThrow();
    expect(() => s.socket.destroy()).not.toThrow();
    expect(s.wx.tasks).toHaveLength(1);
  });
});

describe('events', () => {
  test('a listener that throws does not stop the others nor the manager', () => {
    const s = setup();
    const spy = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    const seen: string[] = [];
    s.socket.on('open', () => {
      throw new Error('boom');
    });
    s.socket.on('open', () => seen.push('second'));
    s.socket.connect();
    s.wx.lastTask.serverOpen();
    expect(seen).toEqual(['second']);
    expect(s.socket.state).toBe('open');
    expect(spy).toHaveBeenCalledTimes(1);
    spy.mockRestore();
  });

  test('on() returns the unsubscribe; off() removes; unknown events and non-functions are TypeErrors', () => {
    const s = setup();
    const got: string[] = [];
    const fn = (m: string | ArrayBuffer) => got.push(String(m));
    const off = s.socket.on('message', fn);
    s.socket.connect();
    s.wx.lastTask.serverOpen().serverMessage('a');
    off();
    s.wx.lastTask.serverMessage('b');
    s.socket.on('message', fn);
    s.socket.off('message', fn);
    s.wx.lastTask.serverMessage('c');
    expect(got).toEqual(['a']);
    expect(() => s.socket.on('nope' as 'open', () => undefined)).toThrow(TypeError);
    expect(() => s.socket.on('open', 'x' as unknown as () => void)).toThrow(/listener function/);
  });

  test('state is emitted on every change and never for a non-change', () => {
    const s = setup();
    s.socket.connect();
    s.socket.connect();
    s.socket.reconnect();
    const states = s.log.filter((l) => l.startsWith('state'));
    expect(states).toEqual(['state:idle>connecting']);
  });

  test('SocketError carries code, errMsg and the prefix', () => {
    const s = setup({ reconnect: false });
    const errors: SocketError[] = [];
    s.socket.on('error', (e) => errors.push(e));
    s.socket.connect();
    s.wx.lastTask.serverError('connectSocket:fail network is down');
    expect(errors[0]).toBeInstanceOf(SocketError);
    expect(errors[0]).toMatchObject({ code: 'CONNECT_FAILED', errMsg: 'connectSocket:fail network is down' });
    expect(errors[0]?.message).toMatch(/^\[wx-socket-manager\] /);
  });
});

describe('platform independence', () => {
  test('no wx global and no connectSocket: TypeError at construction', () => {
    expect(() => new WxSocketManager({ url: 'wss://a.test' })).toThrow(/no connectSocket/);
  });

  test('the global wx is used when present', () => {
    const calls: string[] = [];
    (globalThis as { wx?: unknown }).wx = {
      connectSocket: (o: { url: string }) => {
        calls.push(o.url);
        return { send() {}, close() {}, onOpen() {}, onClose() {}, onError() {}, onMessage() {} };
      },
    };
    try {
      new WxSocketManager({ url: 'wss://a.test' }).connect();
      expect(calls).toEqual(['wss://a.test']);
    } finally {
      delete (globalThis as { wx?: unknown }).wx;
    }
  });

  test('the fake platform fails send on a task that is not open with wx\'s errMsg', () => {
    const s = setup();
    s.socket.connect();
    const results: string[] = [];
    s.wx.lastTask.send({ data: 'x', fail: (r) => results.push(r.errMsg) });
    tick();
    expect(results).toEqual([ERR_SEND_NOT_CONNECTED]);
  });
});
