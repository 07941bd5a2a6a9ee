import { setup, setupOpen, tick, settle } from '../support/helpers';
import type { Setup } from '../support/helpers';

beforeEach(() => jest.useFakeTimers({ now: 0 }));
afterEach(() => jest.useRealTimers());

/** Offline: reconnecting, no attempt spent for 10 min; back online: one attempt at once, attempt 0. */
function expectPausedUntilOnline(s: Setup): void {
    expect(s.socket.state).toBe('reconnecting');
    tick(10 * 60 * 1000);
    expect(s.wx.tasks).toHaveLength(1);
    expect(s.log.filter((l) => l.startsWith('reconnecting:'))).toEqual([]);
    s.wx.setNetwork(true);
    expect(s.wx.tasks).toHaveLength(2);
    expect(s.socket.attempt).toBe(0);
}

describe('rule 5 — network', () => {
  test('while offline no attempts are spent; back online an attempt starts at once with attempt 0', () => {
    const s = setupOpen();
    s.wx.setNetwork(false);
    s.wx.lastTask.serverClose(1006, '');
    expectPausedUntilOnline(s);
    s.wx.lastTask.serverOpen();
    expect(s.log.slice(-2)).toEqual(['state:reconnecting>open', 'open:0']);
  });

  test('going offline during backoff cancels the pending attempt', () => {
    const s = setupOpen();
    s.wx.lastTask.serverClose(1006, '');
    tick(3000);
    s.wx.setNetwork(false);
    tick(60000);
    expect(s.wx.tasks).toHaveLength(1);
    s.wx.setNetwork(true);
    expect(s.wx.tasks).toHaveLength(2);
  });

  test('offline before connect (learned from getNetworkType): the failing attempt is not counted, none more until back', () => {
    const s = setup();
    s.wx.isConnected = false; // no change event will ever come
    s.socket.connect();
    tick(0); // getNetworkType answers 'none'
    s.wx.lastTask.serverError('connectSocket:fail network is down');
    expectPausedUntilOnline(s);
  });

  test('reconnect() while known offline starts no attempt until back online', () => {
    const s = setup();
    s.socket.connect();
    s.wx.setNetwork(false);
    s.wx.lastTask.serverError('connectSocket:fail network is down');
    s.socket.reconnect();
    expect(s.socket.state).toBe('connecting');
    tick(60000);
    expect(s.wx.tasks).toHaveLength(1);
    s.wx.setNetwork(true);
    expect(s.wx.tasks).toHaveLength(2);
    expect(s.wx.liveTasks()).toHaveLength(1);
  });

  test('network back while nobody listened (closed) is learned again on connect', () => {
    const s = setup();
    s.socket.connect();
    s.wx.setNetwork(false);
    s.socket.close();
    s.wx.isConnected = true; // came back unheard
    s.socket.connect();
    expect(s.wx.tasks).toHaveLength(2);
    tick(0);
    s.wx.lastTask.serverOpen();
    expect(s.socket.state).toBe('open');
  });

  test('back online retries from failed too, never from idle or closed', () => {
    const s = setup({ reconnect: { maxAttempts: 1, interval: 10 } });
    s.wx.setNetwork(false);
    s.wx.setNetwork(true);
    expect(s.wx.tasks).toHaveLength(0); // idle: not even listening
    s.socket.connect();
    s.wx.lastTask.serverError('refused');
    tick(10);
    s.wx.lastTask.serverError('refused');
    expect(s.socket.state).toBe('failed');
    s.wx.setNetwork(true);
    expect(s.socket.state).toBe('reconnecting');
    expect(s.wx.tasks).toHaveLength(3);
    s.socket.close();
    s.wx.setNetwork(true);
    expect(s.wx.tasks).toHaveLength(3);
  });

  test('a network change while open checks the link with an immediate ping', () => {
    const s = setupOpen();
    s.wx.setNetwork(true, '4g');
    expect(s.wx.lastTask.sent).toEqual(['ping']);
    tick(10000);
    expect(s.log).toContain('error:HEARTBEAT_TIMEOUT');
  });

  test('back online while already online (wifi → 4g): a waiting reconnect starts at once, a running attempt is left alone', () => {
    const s = setupOpen();
    s.wx.lastTask.serverClose(1006, '');
    expect(s.log.slice(-1)).toEqual(['reconnecting:1:5000']);
    s.wx.setNetwork(true, '4g'); // waiting: starts now, attempt 0
    expect(s.wx.tasks).toHaveLength(2);
    expect(s.socket.attempt).toBe(0);
    const running = s.wx.lastTask;
    s.wx.setNetwork(true, 'wifi'); // running: left alone
    s.wx.showApp();
    expect(s.wx.tasks).toHaveLength(2);
    expect(running.live).toBe(true);
    running.serverOpen();
    expect(s.socket.state).toBe('open');
  });

  test('watchNetwork: false ignores the network', () => {
    const s = setup({ watchNetwork: false });
    s.socket.connect();
    expect(s.wx.listenerCount()).toBe(2);
    s.wx.setNetwork(false);
    s.wx.lastTask.serverError('x');
    tick(5000);
    expect(s.wx.tasks).toHaveLength(2);
  });
});

describe('rule 6 — app hide/show', () => {
  test('while hidden the heartbeat is not judged; on show an open link is pinged at once', () => {
    const s = setupOpen();
    s.wx.hideApp();
    tick(10 * 60 * 1000);
    expect(s.socket.state).toBe('open');
    expect(s.wx.lastTask.sent).toEqual([]);
    s.wx.showApp();
    expect(s.wx.lastTask.sent).toEqual(['ping']);
    tick(5);
    s.wx.lastTask.serverMessage('pong');
    expect(s.socket.rtt).toBe(5);
    expect(s.socket.state).toBe('open');
  });

  test('on show a dead open link is found within the heartbeat timeout', () => {
    const s = setupOpen();
    s.wx.hideApp();
    s.wx.lastTask.die();
    tick(60000);
    s.wx.showApp();
    tick(10000);
    expect(s.log.slice(-4)).toEqual(['error:HEARTBEAT_TIMEOUT', 'state:open>reconnecting', 'close:1006:heartbeat timeout:retry', 'reconnecting:1:5000']);
  });

  test('on show a lost link is retried at once with attempt 0', () => {
    const s = setupOpen();
    s.wx.hideApp();
    s.wx.lastTask.serverClose(1000, 'interrupted');
    tick(5000);
    s.wx.lastTask.serverError('refused');
    expect(s.socket.attempt).toBe(2);
    s.wx.showApp();
    expect(s.socket.attempt).toBe(0);
    expect(s.wx.tasks).toHaveLength(3);
    expect(s.wx.liveTasks()).toHaveLength(1);
  });

  test('a link that opens while hidden starts its heartbeat on show', () => {
    const s = setup();
    s.socket.connect();
    s.wx.hideApp();
    s.wx.lastTask.serverOpen();
    tick(60000);
    expect(s.wx.lastTask.sent).toEqual([]);
    s.wx.showApp();
    expect(s.wx.lastTask.sent).toEqual(['ping']);
  });

  test('a network change while hidden never starts a probe or a timeout: the probe waits for show', () => {
    const s = setupOpen();
    s.wx.hideApp();
    s.wx.setNetwork(false);
    s.wx.setNetwork(true);
    s.wx.setNetwork(true, '4g');
    tick(10 * 60 * 1000);
    expect(s.socket.state).toBe('open');
    expect(s.wx.lastTask.sent).toEqual([]);
    expect(s.log).not.toContain('error:HEARTBEAT_TIMEOUT');
    s.wx.showApp();
    expect(s.wx.lastTask.sent).toEqual(['ping']);
    s.wx.lastTask.serverMessage('pong');
    tick(10000);
    expect(s.socket.state).toBe('open');
  });

  test('watchApp: false ignores hide/show', () => {
    const s = setup({ watchApp: false });
    s.socket.connect();
    expect(s.wx.listenerCount()).toBe(1);
  });
});

describe('wx listeners', () => {
  test('attached on connect, released by close(), re-attached by a later connect', async () => {
    const s = setup();
    expect(s.wx.listenerCount()).toBe(0);
    s.socket.connect();
    expect(s.wx.listenerCount()).toBe(3);
    s.socket.close();
    expect(s.wx.listenerCount()).toBe(0);
    s.socket.connect();
    expect(s.wx.listenerCount()).toBe(3);
    s.socket.destroy();
    expect(s.wx.listenerCount()).toBe(0);
    await settle(1);
  });

  test('kept while failed (so back-online can retry), released when shouldReconnect says no', () => {
    const s = setup({ reconnect: false, shouldReconnect: (c) => c.code !== 4001 });
    s.socket.connect();
    s.wx.lastTask.serverError('refused');
    expect(s.socket.state).toBe('failed');
    expect(s.wx.listenerCount()).toBe(3);
    s.socket.reconnect();
    s.wx.lastTask.serverOpen();
    s.wx.lastTask.serverClose(4001, 'auth revoked');
    expect(s.socket.state).toBe('closed');
    expect(s.wx.listenerCount()).toBe(0);
  });

  test('an old base library without off* functions: handlers are muted after close', () => {
    const s = setup();
    const wx = s.wx as unknown as Record<string, unknown>;
    wx.offNetworkStatusChange = undefined;
    wx.offAppShow = undefined;
    wx.offAppHide = undefined;
    s.socket.connect();
    s.socket.close();
    s.wx.setNetwork(true);
    s.wx.showApp();
    expect(s.wx.tasks).toHaveLength(1);
    expect(s.socket.state).toBe('closed');
  });
});

describe('page hooks', () => {
  test('arrow-bound: usable as Page({ onLoad: socket.onLoad, onUnload: socket.onUnload })', () => {
    const s = setup();
    const page = { onLoad: s.socket.onLoad, onUnload: s.socket.onUnload };
    page.onLoad.call(undefined);
    s.wx.lastTask.serverOpen();
    expect(s.socket.state).toBe('open');
    page.onUnload.call(undefined);
    expect(s.socket.state).toBe('closed');
  });

  test('the last onUnload closes with 1000: no reconnect, no timer, no wx listener left', () => {
    const s = setup();
    s.socket.onLoad();
    s.wx.lastTask.serverOpen();
    s.socket.onUnload();
    expect(s.wx.lastTask.closedWith).toEqual({ code: 1000, reason: '' });
    expect(s.log.slice(-2)).toEqual(['state:open>closed', 'close:1000::final']);
    expect(s.socket.diagnostics.timers).toBe(0);
    expect(s.wx.listenerCount()).toBe(0);
    tick(60 * 60 * 1000);
    expect(s.wx.tasks).toHaveLength(1);
  });

  test('onUnload during backoff stops for good', () => {
    const s = setup();
    s.socket.onLoad();
    s.wx.lastTask.serverOpen();
    s.wx.lastTask.serverClose(1006, '');
    s.socket.onUnload();
    tick(60000);
    expect(s.wx.tasks).toHaveLength(1);
    expect(s.socket.diagnostics.timers).toBe(0);
  });

  test('two pages sharing one manager keep it open until the last unloads; onLoad again reconnects', () => {
    const s = setup();
    s.socket.onLoad();
    s.wx.lastTask.serverOpen();
    s.socket.onLoad();
    s.socket.onUnload();
    expect(s.socket.state).toBe('open');
    s.socket.onUnload();
    expect(s.socket.state).toBe('closed');
    s.socket.onUnload(); // extra unloads never go below zero
    s.socket.onLoad();
    expect(s.socket.state).toBe('connecting');
    expect(s.wx.tasks).toHaveLength(2);
    s.socket.onUnload();
    expect(s.socket.state).toBe('closed');
  });
});
