/**
 * `session.stats`: exactly what each number counts (see SocketSessionStats), the server played
 * by hand on the fake platform, with fake timers.
 */
import { tick } from '../support/helpers';
import { frames, hello, m, memoryStorage, msg, newLink, RECONNECT, serve, started, welcome } from '../support/session-fake';

beforeEach(() => jest.useFakeTimers({ now: 0 }));
afterEach(() => jest.useRealTimers());

test('unacked is the messages the server has not acknowledged yet', () => {
  const s = started();
  welcome(s.wx.lastTask, 'S1', false, 0, 'new');
  void s.session.send('a');
  void s.session.send('b');
  void s.session.send('c');
  expect(s.session.stats).toEqual({ unacked: 3, resent: 0, resyncs: 0 });
  serve(s.wx.lastTask, { t: 'ack', a: 2 });
  expect(s.session.stats.unacked).toBe(1);
  expect(s.session.stats.unacked).toBe(s.session.unacked);
});

test('resent counts messages an earlier link had carried, written again on a resume; never one first written there', () => {
  const s = started();
  welcome(s.wx.lastTask, 'S1', false, 0, 'new');
  void s.session.send('a');
  void s.session.send('b');
  void s.session.send('c');
  s.wx.lastTask.serverClose(1006, '');
  void s.session.send('sent while down'); // first written on the next link: not a resend
  tick(RECONNECT);
  s.wx.lastTask.serverOpen();
  welcome(s.wx.lastTask, 'S1', true, 1); // the server had a; b and c go again
  expect(frames(s.wx.lastTask)).toEqual([hello('S1', 0), m(2, 'b'), m(3, 'c'), m(4, 'sent while down')]);
  expect(s.session.stats).toEqual({ unacked: 3, resent: 2, resyncs: 0 }); // a was acknowledged by the welcome
  const again = newLink(s);
  welcome(again, 'S1', true, 1);
  expect(frames(again)).toHaveLength(4);
  expect(s.session.stats.resent).toBe(5);
});

test('resyncs counts resync events; what a resync sends again as new messages counts as resent', () => {
  const s = started();
  welcome(s.wx.lastTask, 'S1', false, 0, 'new');
  void s.session.send('x');
  msg(s.wx.lastTask, 1, 'a');
  welcome(newLink(s), 'S2', false, 0, 'expired');
  expect(s.events).toEqual(['message:a', 'resync:expired']);
  expect(s.session.stats).toEqual({ unacked: 1, resent: 1, resyncs: 1 });
  welcome(newLink(s), 'S3', false, 0, 'unknown');
  expect(s.session.stats).toEqual({ unacked: 1, resent: 2, resyncs: 2 });
});

test('a message restored from storage was carried by the killed app: sending it again is a resend', () => {
  const storage = memoryStorage();
  const first = started({ storage });
  welcome(first.wx.lastTask, 'S1', false, 0, 'new');
  void first.session.send('before the kill');
  const restarted = started({ storage });
  expect(restarted.session.stats).toEqual({ unacked: 1, resent: 0, resyncs: 0 });
  welcome(restarted.wx.lastTask, 'S1', true, 0);
  expect(frames(restarted.wx.lastTask)).toEqual([hello('S1', 0), m(1, 'before the kill')]);
  expect(restarted.session.stats).toEqual({ unacked: 1, resent: 1, resyncs: 0 });
});
