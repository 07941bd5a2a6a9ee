/**
 * `socket.stats`: exactly what each number counts (see SocketStats), on the fake platform
 * with fake timers.
 */
import type { SocketStats } from '../../src';
import { settle, setup, setupOpen, tick, track } from '../support/helpers';

beforeEach(() => jest.useFakeTimers({ now: 0 }));
afterEach(() => jest.useRealTimers());

const ZERO: SocketStats = { rtt: undefined, reconnects: 0, sent: 0, received: 0, queued: 0 };

describe('socket.stats', () => {
  test('a new manager has counted nothing', () => {
    expect(setup().socket.stats).toEqual(ZERO);
  });

  test('sent counts each send() the platform confirmed: not the heartbeat pings, not the first-frame hook, not a refused one', async () => {
    const s = setup({ heartbeat: { interval: 1000, timeout: 5000 }, queue: { max: 1 } });
    s.socket.setFirstFrame(() => 'hello');
    void s.socket.send('queued while down');
    const refused = track(s.socket.send('queue full'));
    s.socket.connect();
    s.wx.lastTask.serverOpen();
    expect(s.socket.stats.sent).toBe(0); // handed to the task, not yet confirmed
    await settle(0);
    expect(s.socket.stats.sent).toBe(1);
    void s.socket.send('a');
    void s.socket.send('b');
    await settle(1000); // silent for an interval: a ping goes out
    await settle(0);
    expect(s.wx.lastTask.sent).toEqual(['hello', 'queued while down', 'a', 'b', 'ping']);
    expect(refused.status).toBe('rejected');
    expect(s.socket.stats.sent).toBe(3);
  });

  test('a frame whose platform send failed is counted once, when it finally goes out', async () => {
    const s = setupOpen({ heartbeat: false, reconnect: { interval: 100 } });
    s.wx.lastTask.state = 'closing'; // the platform now fails every send
    const p = track(s.socket.send('x'));
    await settle(0);
    expect(s.socket.stats).toMatchObject({ sent: 0, queued: 1 });
    await settle(100);
    s.wx.lastTask.serverOpen();
    await settle(0);
    expect(p.status).toBe('resolved');
    expect(s.socket.stats).toMatchObject({ sent: 1, queued: 0 });
  });

  test('received counts each message event: never the pong, but the pong text when the heartbeat is off', () => {
    const s = setupOpen({ heartbeat: { interval: 1000, timeout: 1000 } });
    const task = s.wx.lastTask;
    task.serverMessage('a').serverMessage(new ArrayBuffer(3));
    tick(1000);
    task.serverMessage('pong');
    expect(s.socket.stats.received).toBe(2);
    const off = setupOpen({ heartbeat: false });
    off.wx.lastTask.serverMessage('pong').serverMessage('b');
    expect(off.socket.stats.received).toBe(2);
  });

  test('reconnects counts every open after the first, whatever brought the link back', () => {
    const s = setupOpen({ heartbeat: false, reconnect: { interval: 100 } });
    expect(s.socket.stats.reconnects).toBe(0);
    s.wx.lastTask.serverClose(1006); // lost: retried after the delay
    tick(100);
    s.wx.lastTask.serverOpen();
    s.socket.reconnect(); // asked for
    s.wx.lastTask.serverOpen();
    s.socket.close();
    s.socket.connect(); // started again after close()
    s.wx.lastTask.connectFail('connectSocket:fail timeout'); // a failed attempt is no reconnect
    tick(100);
    s.wx.lastTask.serverOpen();
    expect(s.log.filter((e) => e.startsWith('open:'))).toHaveLength(4);
    expect(s.socket.stats.reconnects).toBe(3);
  });

  test('rtt is the last ping → pong and queued the messages waiting, as socket.rtt and socket.queued', () => {
    const s = setupOpen({ heartbeat: { interval: 1000, timeout: 5000 } });
    tick(1000);
    tick(42);
    s.wx.lastTask.serverMessage('pong');
    s.wx.lastTask.serverClose(1006);
    void s.socket.send('1');
    void s.socket.send('2');
    expect(s.socket.stats).toEqual({ rtt: 42, reconnects: 0, sent: 0, received: 0, queued: 2 });
    expect(s.socket.stats.rtt).toBe(s.socket.rtt);
    expect(s.socket.stats.queued).toBe(s.socket.queued);
  });

  test('stats is a snapshot: changing it changes nothing, reading it again gives fresh numbers', () => {
    const s = setupOpen({ heartbeat: false });
    const before = s.socket.stats;
    before.received = 99;
    s.wx.lastTask.serverMessage('x');
    expect(before.received).toBe(99);
    expect(s.socket.stats.received).toBe(1);
  });
});
