/** Listeners that call back into the manager mid-event must never leave it half-done. */
import { setup, tick } from '../support/helpers';

beforeEach(() => jest.useFakeTimers({ now: 0 }));
afterEach(() => jest.useRealTimers());

test('close() from an open listener: closed, no heartbeat timer, later listeners see closed', () => {
  const s = setup();
  const seen: string[] = [];
  s.socket.on('open', () => s.socket.close());
  s.socket.on('open', () => seen.push(s.socket.state));
  s.socket.connect();
  s.wx.lastTask.serverOpen();
  expect(s.socket.state).toBe('closed');
  expect(seen).toEqual(['closed']);
  expect(s.socket.diagnostics.timers).toBe(0);
  tick(60000);
  expect(s.wx.tasks).toHaveLength(1);
});

test('close() from an error listener during a heartbeat timeout: no reconnect scheduled', () => {
  const s = setup();
  s.socket.on('error', () => s.socket.close());
  s.socket.connect();
  s.wx.lastTask.serverOpen();
  tick(20000);
  expect(s.socket.state).toBe('closed');
  expect(s.log.filter((l) => l.startsWith('reconnecting'))).toEqual([]);
  expect(s.log.filter((l) => l.startsWith('close'))).toEqual(['close:1000::final']);
  tick(60000);
  expect(s.wx.tasks).toHaveLength(1);
  expect(s.socket.diagnostics.timers).toBe(0);
});

test('reconnect() from a reconnecting listener: one attempt now, no stray timer', () => {
  const s = setup();
  let once = true;
  s.socket.on('reconnecting', () => {
    if (once) {
      once = false;
      s.socket.reconnect();
    }
  });
  s.socket.connect();
  s.wx.lastTask.serverOpen();
  s.wx.lastTask.serverClose(1006, '');
  expect(s.wx.tasks).toHaveLength(2);
  expect(s.socket.state).toBe('connecting');
  expect(s.socket.diagnostics.timers).toBe(1); // the connect timeout only
  s.wx.lastTask.serverOpen();
  tick(5000);
  expect(s.wx.tasks).toHaveLength(2);
});

test('send() from a close listener queues for the next link, in order', () => {
  const s = setup({ heartbeat: false });
  s.socket.on('close', (e) => e.willReconnect && void s.socket.send('from close listener'));
  s.socket.connect();
  s.wx.lastTask.serverOpen();
  s.wx.lastTask.serverClose(1006, '');
  void s.socket.send('after');
  tick(5000);
  s.wx.lastTask.serverOpen();
  expect(s.wx.lastTask.sent).toEqual(['from close listener', 'after']);
});

test('destroy() from a state listener mid-loss stops everything', () => {
  const s = setup();
  s.socket.on('state', (e) => e.state === 'reconnecting' && s.socket.destroy());
  s.socket.connect();
  s.wx.lastTask.serverOpen();
  s.wx.lastTask.serverClose(1006, '');
  expect(s.socket.state).toBe('closed');
  expect(s.socket.diagnostics).toEqual({ timers: 0, listeners: 0, holders: 0, task: false });
  expect(s.wx.listenerCount()).toBe(0);
  tick(60000);
  expect(s.wx.tasks).toHaveLength(1);
});

test('onUnload() from a message listener (page leaves on a server message)', () => {
  const s = setup();
  s.socket.on('message', () => s.socket.onUnload());
  s.socket.onLoad();
  s.wx.lastTask.serverOpen();
  s.wx.lastTask.serverMessage('kick');
  expect(s.socket.state).toBe('closed');
  expect(s.wx.listenerCount()).toBe(0);
});

describe('every link that opened yields exactly one close event', () => {
  test('close() from a state listener that sees reconnecting after a server drop', () => {
    const s = setup();
    s.socket.on('state', (e) => e.state === 'reconnecting' && s.socket.close());
    s.socket.connect();
    s.wx.lastTask.serverOpen();
    s.wx.lastTask.serverClose(1001, 'going away');
    expect(s.log).toEqual([
      'state:idle>connecting', 'state:connecting>open', 'open:0',
      'state:open>reconnecting', 'state:reconnecting>closed', 'close:1001:going away:final',
    ]);
    tick(60000);
    expect(s.wx.tasks).toHaveLength(1);
  });

  test('reconnect() from a state listener during reconnect()', () => {
    const s = setup();
    let once = true;
    s.socket.on('state', (e) => {
      if (e.state === 'connecting' && e.previous === 'open' && once) {
        once = false;
        s.socket.reconnect();
      }
    });
    s.socket.connect();
    s.wx.lastTask.serverOpen();
    s.socket.reconnect();
    expect(s.log.slice(3)).toEqual(['state:open>connecting', 'close:1000::retry']);
    expect(s.wx.tasks).toHaveLength(2);
    expect(s.wx.liveTasks()).toHaveLength(1);
  });

  test('close() from a state listener during reconnect()', () => {
    const s = setup();
    s.socket.on('state', (e) => e.previous === 'open' && s.socket.close(4000, 'bye'));
    s.socket.connect();
    s.wx.lastTask.serverOpen();
    s.socket.reconnect();
    expect(s.log.slice(3)).toEqual(['state:open>connecting', 'state:connecting>closed', 'close:1000::final']);
    expect(s.wx.tasks).toHaveLength(1);
  });

  test('reconnect() from an error listener during a heartbeat timeout', () => {
    const s = setup();
    let once = true;
    s.socket.on('error', () => once && ((once = false), s.socket.reconnect()));
    s.socket.connect();
    s.wx.lastTask.serverOpen();
    tick(20000);
    // Error listeners still see `open`: the link ends as reconnect() ends an open link.
    expect(s.log.filter((l) => l.startsWith('close'))).toEqual(['close:1000::retry']);
    expect(s.wx.tasks).toHaveLength(2);
  });

  test('the order for one loss is error → state → close → reconnecting | reconnect-failed', () => {
    const s = setup({ reconnect: { maxAttempts: 1, interval: 100 } });
    s.socket.connect();
    s.wx.lastTask.serverOpen();
    tick(20000); // heartbeat timeout
    tick(100);
    s.wx.lastTask.serverOpen();
    s.wx.lastTask.serverError('boom');
    tick(100);
    s.wx.lastTask.serverError('refused');
    expect(s.log.slice(3)).toEqual([
      'error:HEARTBEAT_TIMEOUT', 'state:open>reconnecting', 'close:1006:heartbeat timeout:retry', 'reconnecting:1:100',
      'state:reconnecting>open', 'open:1',
      'error:SOCKET_ERROR', 'state:open>reconnecting', 'close:1006:boom:retry', 'reconnecting:1:100',
      'error:CONNECT_FAILED', 'state:reconnecting>failed', 'reconnect-failed:1',
    ]);
  });
});
