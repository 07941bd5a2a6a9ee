import { setup, setupOpen, tick } from '../support/helpers';

beforeEach(() => jest.useFakeTimers({ now: 0 }));
afterEach(() => jest.useRealTimers());

function openAt0(options = {}) {
  const s = setupOpen(options);
  s.log.length = 0;
  return s;
}

describe('rule 4 — heartbeat', () => {
  test('defaults: ping at 10 000 ms of silence, judged dead at 20 000 ms', () => {
    const s = openAt0();
    const task = s.wx.lastTask;
    tick(9999);
    expect(task.sent).toEqual([]);
    tick(1);
    expect(task.sent).toEqual(['ping']);
    tick(9999);
    expect(s.socket.state).toBe('open');
    tick(1);
    expect(s.log).toEqual(['error:HEARTBEAT_TIMEOUT', 'state:open>reconnecting', 'close:1006:heartbeat timeout:retry', 'reconnecting:1:5000']);
  });

  test('the dead task is abandoned at once: closed, its onClose never awaited, a new task 5000 ms later', () => {
    const s = openAt0();
    const dead = s.wx.lastTask.die();
    tick(20000);
    expect(dead.closedWith).toEqual({ code: 1000, reason: '' });
    expect(s.socket.state).toBe('reconnecting');
    tick(5000);
    expect(s.wx.tasks).toHaveLength(2);
    expect(s.wx.liveTasks()).toEqual([s.wx.lastTask]);
  });

  test('pong proves life, is not delivered, and measures rtt (pong event)', () => {
    const s = openAt0();
    const pongs: number[] = [];
    s.socket.on('pong', (e) => pongs.push(e.rtt));
    expect(s.socket.rtt).toBeUndefined();
    tick(10000);
    tick(42);
    s.wx.lastTask.serverMessage('pong');
    expect(s.socket.rtt).toBe(42);
    expect(pongs).toEqual([42]);
    tick(19999);
    expect(s.socket.state).toBe('open');
    expect(s.log).toEqual([]);
  });

  test('a server that answers pings keeps the link open indefinitely', () => {
    const s = setupOpen({}, { autoPong: true });
    tick(10 * 60 * 1000);
    expect(s.socket.state).toBe('open');
    // silence counts from each pong (1 ms after its ping): pings at 10 000, 20 001, … → 59 in 10 min
    expect(s.wx.lastTask.sent).toHaveLength(59);
    expect(s.socket.rtt).toBe(1);
  });

  test('any inbound frame proves life and postpones the ping', () => {
    const s = openAt0();
    tick(7000);
    s.wx.lastTask.serverMessage('news');
    tick(9999);
    expect(s.wx.lastTask.sent).toEqual([]);
    tick(1);
    expect(s.wx.lastTask.sent).toEqual(['ping']);
    tick(5000);
    s.wx.lastTask.serverMessage('late news'); // t = 22 000: next ping due at 32 000, judged at 42 000
    tick(19999);
    expect(s.wx.lastTask.sent).toEqual(['ping', 'ping']);
    expect(s.socket.state).toBe('open');
    tick(1);
    expect(s.socket.state).toBe('reconnecting');
  });

  test('a server that keeps talking is never pinged', () => {
    const s = openAt0();
    for (let i = 0; i < 100; i++) {
      tick(3000);
      s.wx.lastTask.serverMessage(`tick ${i}`);
    }
    expect(s.wx.lastTask.sent).toEqual([]);
  });

  test('custom ping/pong texts and times', () => {
    const s = openAt0({ heartbeat: { interval: 1000, timeout: 500, ping: '{"t":"hb"}', pong: '{"t":"hb-ok"}' } });
    tick(1000);
    expect(s.wx.lastTask.sent).toEqual(['{"t":"hb"}']);
    s.wx.lastTask.serverMessage('pong');
    s.wx.lastTask.serverMessage('{"t":"hb-ok"}');
    expect(s.log).toEqual(['message:pong']);
    tick(1000);
    tick(500);
    expect(s.log.slice(-4)).toEqual(['error:HEARTBEAT_TIMEOUT', 'state:open>reconnecting', 'close:1006:heartbeat timeout:retry', 'reconnecting:1:5000']);
  });

  test('a flood of pongs is swallowed; rtt only from a ping', () => {
    const s = openAt0();
    for (let i = 0; i < 1000; i++) s.wx.lastTask.serverMessage('pong');
    expect(s.log).toEqual([]);
    expect(s.socket.rtt).toBeUndefined();
  });

  test('heartbeat: false sends nothing and never judges', () => {
    const s = openAt0({ heartbeat: false });
    tick(10 * 60 * 1000);
    expect(s.wx.lastTask.sent).toEqual([]);
    expect(s.socket.state).toBe('open');
    expect(s.socket.diagnostics.timers).toBe(0);
  });

  test('timeout longer than interval: the next ping goes interval after the last inbound frame', () => {
    const s = setupOpen({ heartbeat: { interval: 50, timeout: 200 } });
    const pingsAt: number[] = [];
    const task = s.wx.lastTask;
    const send = task.send.bind(task);
    task.send = (o) => {
      if (o.data === 'ping') pingsAt.push(Date.now());
      send(o);
    };
    tick(50);
    tick(10);
    task.serverMessage('pong'); // at 60
    tick(50);
    expect(pingsAt).toEqual([50, 110]);
  });

  test('timeout longer than interval: a link that goes silent is judged within interval + timeout of its last frame', () => {
    const s = setupOpen({ heartbeat: { interval: 50, timeout: 200 } });
    tick(60);
    s.wx.lastTask.serverMessage('pong'); // last inbound frame at 60
    s.wx.lastTask.die();
    tick(249);
    expect(s.socket.state).toBe('open');
    tick(1); // 60 + 50 + 200 = 310
    expect(s.log.slice(-4)).toEqual(['error:HEARTBEAT_TIMEOUT', 'state:open>reconnecting', 'close:1006:heartbeat timeout:retry', 'reconnecting:1:5000']);
  });

  test('no timer runs outside open', () => {
    const s = openAt0();
    expect(s.socket.diagnostics.timers).toBe(1);
    s.wx.lastTask.serverClose(1001, '');
    expect(s.socket.diagnostics.timers).toBe(1); // the reconnect timer only
    tick(5000);
    expect(s.socket.diagnostics.timers).toBe(1); // the connect timeout only
    s.socket.close();
    expect(s.socket.diagnostics.timers).toBe(0);
    tick(1); // the fake platform's own callbacks (0 ms timers made during a tick run 1 ms later)
    expect(jest.getTimerCount()).toBe(0);
  });
});

