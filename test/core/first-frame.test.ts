/** The extension points protocols on top of the manager use (SocketSession's hello and resends). */
import { SocketError } from '../../src';
import { setup, setupOpen, settle, tick, track } from '../support/helpers';

beforeEach(() => jest.useFakeTimers({ now: 0 }));
afterEach(() => jest.useRealTimers());

describe('setFirstFrame: one frame first on every new link', () => {
  test('goes out before queued frames, before state/open listeners, and on every reconnect', () => {
    const s = setup({ heartbeat: false, reconnect: { interval: 100 } });
    let n = 0;
    s.socket.setFirstFrame(() => `hello ${++n}`);
    s.socket.on('state', (e) => e.state === 'open' && void s.socket.send('from a state listener'));
    s.socket.on('open', () => void s.socket.send('from an open listener'));
    void s.socket.send('queued');
    s.socket.connect();
    s.wx.lastTask.serverOpen();
    expect(s.wx.lastTask.sent).toEqual(['hello 1', 'queued', 'from a state listener', 'from an open listener']);
    tick(0); // the platform confirms them
    s.wx.lastTask.serverClose(1006, '');
    tick(100);
    s.wx.lastTask.serverOpen();
    expect(s.wx.lastTask.sent).toEqual(['hello 2', 'from a state listener', 'from an open listener']);
  });

  test('a frame put back after a failed send still comes after the first frame', async () => {
    const s = setupOpen({ heartbeat: false, reconnect: { interval: 100 } });
    s.socket.setFirstFrame(() => 'hello');
    const task = s.wx.lastTask;
    task.send = (o) => o.fail?.({ errMsg: 'sendSocketMessage:fail WebSocket is not connected' });
    const p = track(s.socket.send('unlucky'));
    await settle(0);
    tick(100);
    s.wx.lastTask.serverOpen();
    expect(s.wx.lastTask.sent).toEqual(['hello', 'unlucky']);
    await settle(0);
    expect(p.status).toBe('resolved');
  });

  test('undefined sends nothing; a throwing hook is reported and the link still opens; undefined removes it', () => {
    const s = setup({ heartbeat: false });
    const err = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    s.socket.setFirstFrame(() => undefined);
    s.socket.connect();
    s.wx.lastTask.serverOpen();
    expect(s.wx.lastTask.sent).toEqual([]);
    s.socket.setFirstFrame(undefined);
    s.socket.setFirstFrame(() => {
      throw new Error('no');
    });
    s.socket.reconnect();
    s.wx.lastTask.serverOpen();
    expect(s.socket.state).toBe('open');
    expect(err).toHaveBeenCalledTimes(1);
    err.mockRestore();
  });

  test('a second hook is refused until the first is removed', () => {
    const s = setup();
    const first = (): string => 'a';
    s.socket.setFirstFrame(first);
    s.socket.setFirstFrame(first); // same hook again: fine
    expect(() => s.socket.setFirstFrame(() => 'b')).toThrow(/one function, or undefined/);
    s.socket.setFirstFrame(undefined);
    s.socket.setFirstFrame(() => 'b');
  });
});

describe('send(data, { queue: false })', () => {
  test('sends at once while open; rejects NOT_OPEN otherwise and queues nothing', async () => {
    const s = setup({ heartbeat: false });
    const early = track(s.socket.send('too early', { queue: false }));
    await settle(0);
    expect(early.status).toBe('rejected');
    expect((early.error as SocketError).code).toBe('NOT_OPEN');
    expect(s.socket.queued).toBe(0);
    s.socket.connect();
    s.wx.lastTask.serverOpen();
    const now = track(s.socket.send('now', { queue: false }));
    await settle(0);
    expect(now.status).toBe('resolved');
    expect(s.wx.lastTask.sent).toEqual(['now']);
  });

  test('a frame the platform failed rejects SEND_FAILED and is never requeued; queued frames still are', async () => {
    const s = setupOpen({ heartbeat: false, reconnect: { interval: 100 } });
    const task = s.wx.lastTask;
    task.send = (o) => setTimeout(() => o.fail?.({ errMsg: 'sendSocketMessage:fail WebSocket is not connected' }), 0);
    const direct = track(s.socket.send('direct', { queue: false }));
    const queued = track(s.socket.send('ordinary'));
    await settle(0);
    expect(direct.status).toBe('rejected');
    expect((direct.error as SocketError).code).toBe('SEND_FAILED');
    expect((direct.error as SocketError).errMsg).toBe('sendSocketMessage:fail WebSocket is not connected');
    expect(s.socket.queued).toBe(1);
    tick(100);
    s.wx.lastTask.serverOpen();
    expect(s.wx.lastTask.sent).toEqual(['ordinary']);
    await settle(0);
    expect(queued.status).toBe('resolved');
  });

  test('in closed state it rejects CLOSED like any send', async () => {
    const s = setupOpen();
    s.socket.close();
    const p = track(s.socket.send('x', { queue: false }));
    await settle(0);
    expect((p.error as SocketError).code).toBe('CLOSED');
  });
});
