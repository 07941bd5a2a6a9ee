import { setup, setupOpen, tick, settle } from '../support/helpers';

beforeEach(() => jest.useFakeTimers({ now: 0 }));
afterEach(() => jest.useRealTimers());

/** Opens the manager, then loses the link the way a server restart does. */
function openThenDrop(options = {}) {
  const s = setupOpen(options);
  s.log.length = 0;
  s.wx.lastTask.serverClose(1006, 'abnormal');
  return s;
}

describe('rule 1 — the reconnect lock', () => {
  test('onError then onClose of the same task schedule exactly one attempt', () => {
    const s = setupOpen({ heartbeat: false });
    s.log.length = 0;
    s.wx.lastTask.serverError('network lost').serverClose(1006, '');
    expect(s.log).toEqual(['error:SOCKET_ERROR', 'state:open>reconnecting', 'close:1006:network lost:retry', 'reconnecting:1:5000']);
    tick(5000);
    expect(s.wx.tasks).toHaveLength(2);
    s.wx.lastTask.serverOpen();
    tick(60000);
    expect(s.wx.tasks).toHaveLength(2);
  });

  test('a connect failure reported by both fail and onError counts once', () => {
    const s = setup();
    s.socket.connect();
    const task = s.wx.lastTask;
    task.serverError('Timed out connecting to server.');
    task.connectFail('connectSocket:fail network is down');
    task.serverClose(1006, '');
    expect(s.log).toEqual(['state:idle>connecting', 'error:CONNECT_FAILED', 'state:connecting>reconnecting', 'reconnecting:1:5000']);
  });

  test('never more than one live task, whatever the platform does late', () => {
    const s = openThenDrop();
    for (let i = 0; i < 5; i++) {
      tick(5000);
      const late = s.wx.tasks[0];
      late?.serverError('late');
      expect(s.wx.liveTasks().length).toBeLessThanOrEqual(1);
      s.wx.lastTask.serverError('refused');
    }
    expect(s.wx.tasks).toHaveLength(6);
    expect(s.socket.attempt).toBe(6);
  });
});

describe('rule 2 — stale callbacks are ignored', () => {
  test('an abandoned task that opens later does not change anything', () => {
    const s = setup({ connectTimeout: 1000 }, { closeWhileConnecting: 'fails' });
    s.socket.connect();
    const slow = s.wx.lastTask;
    tick(1000); // abandoned: connect timeout
    expect(s.log).toEqual(['state:idle>connecting', 'error:CONNECT_TIMEOUT', 'state:connecting>reconnecting', 'reconnecting:1:5000']);
    slow.serverOpen();
    slow.serverClose(1000, '');
    expect(s.socket.state).toBe('reconnecting');
    expect(s.log).toHaveLength(4);
    tick(5000);
    s.wx.lastTask.serverOpen();
    expect(s.socket.state).toBe('open');
  });

  for (const mode of ['fails', 'throws'] as const) {
    test(`a task given up while connecting whose close() ${mode} is closed the moment it opens: never two live sockets`, () => {
      const s = setup({ connectTimeout: 1000, reconnect: { interval: 100 } }, { closeWhileConnecting: mode });
      s.socket.connect();
      const slow = s.wx.lastTask;
      tick(1000); // connect timeout: abandoned, but its close() did not take
      expect(slow.state).toBe('connecting');
      tick(100);
      const next = s.wx.lastTask;
      expect(next).not.toBe(slow);
      next.serverOpen();
      slow.serverOpen(); // its handshake completes late
      expect(slow.closedWith).toEqual({ code: 1000, reason: '' });
      tick(0);
      expect(s.wx.liveTasks()).toEqual([next]);
      expect(s.socket.state).toBe('open');
      expect(s.log).toEqual([
        'state:idle>connecting', 'error:CONNECT_TIMEOUT', 'state:connecting>reconnecting', 'reconnecting:1:100',
        'state:reconnecting>open', 'open:1',
      ]);
    });
  }

  test('repeated connect timeouts with close() failing never reach the 5-task cap', () => {
    const s = setup({ connectTimeout: 1000, reconnect: { interval: 100, maxAttempts: 12 } }, { closeWhileConnecting: 'fails' });
    s.socket.connect();
    for (let i = 0; i < 8; i++) {
      const t = s.wx.lastTask;
      tick(1000);
      t.serverOpen(); // each abandoned one opens late and is closed at once
      tick(100);
    }
    expect(s.log.filter((l) => l.startsWith('error:'))).toEqual(Array(8).fill('error:CONNECT_TIMEOUT'));
    s.wx.lastTask.serverOpen();
    tick(0);
    expect(s.wx.liveTasks()).toHaveLength(1);
    expect(s.socket.state).toBe('open');
  });
});

describe('rule 3 — spacing, limit and reset', () => {
  test('defaults: 12 attempts exactly 5000 ms apart, then failed + reconnect-failed', () => {
    const s = openThenDrop();
    const startedAt: number[] = [];
    for (let n = 1; n <= 12; n++) {
      tick(4999);
      expect(s.wx.tasks).toHaveLength(n);
      tick(1);
      expect(s.wx.tasks).toHaveLength(n + 1);
      startedAt.push(Date.now());
      expect(s.socket.attempt).toBe(n);
      s.wx.lastTask.serverError('refused');
    }
    expect(startedAt).toEqual([5000, 10000, 15000, 20000, 25000, 30000, 35000, 40000, 45000, 50000, 55000, 60000]);
    expect(s.socket.state).toBe('failed');
    expect(s.log.slice(-3)).toEqual(['error:CONNECT_FAILED', 'state:reconnecting>failed', 'reconnect-failed:12']);
    expect(s.log.filter((l) => l.startsWith('reconnecting:'))).toEqual(
      Array.from({ length: 12 }, (_, i) => `reconnecting:${i + 1}:5000`),
    );
    tick(10 * 60 * 1000);
    expect(s.wx.tasks).toHaveLength(13);
    expect(s.socket.diagnostics.timers).toBe(0);
  });

  test('the counter resets on every successful open', () => {
    const s = openThenDrop();
    tick(5000);
    s.wx.lastTask.serverError('refused');
    tick(5000);
    expect(s.socket.attempt).toBe(2);
    s.wx.lastTask.serverOpen();
    expect(s.socket.attempt).toBe(0);
    expect(s.log).toContain('open:2');
    s.wx.lastTask.serverClose(1001, 'restart');
    expect(s.log.slice(-1)).toEqual(['reconnecting:1:5000']);
  });

  test('factor and maxInterval shape the delays', () => {
    const s = openThenDrop({ reconnect: { interval: 1000, factor: 2, maxInterval: 5000, maxAttempts: 5 } });
    for (let n = 0; n < 5; n++) {
      tick(60000);
      s.wx.lastTask.serverError('refused');
    }
    expect(s.log.filter((l) => l.startsWith('reconnecting:'))).toEqual([
      'reconnecting:1:1000', 'reconnecting:2:2000', 'reconnecting:3:4000', 'reconnecting:4:5000', 'reconnecting:5:5000',
    ]);
    expect(s.log.slice(-1)).toEqual(['reconnect-failed:5']);
  });

  test('jitter spreads delays within ±jitter', () => {
    const s = openThenDrop({ reconnect: { jitter: 0.5 } });
    const delay = Number(s.log.slice(-1)[0]?.split(':')[2]);
    expect(delay).toBeGreaterThanOrEqual(2500);
    expect(delay).toBeLessThanOrEqual(7500);
  });

  test('reconnect: false — a lost link goes to failed with reconnect-failed {attempts: 0}', () => {
    const s = openThenDrop({ reconnect: false });
    expect(s.log).toEqual(['state:open>failed', 'close:1006:abnormal:final', 'reconnect-failed:0']);
    tick(60000);
    expect(s.wx.tasks).toHaveLength(1);
  });

  test('maxAttempts: 0 behaves like reconnect: false', () => {
    const s = openThenDrop({ reconnect: { maxAttempts: 0 } });
    expect(s.log).toEqual(['state:open>failed', 'close:1006:abnormal:final', 'reconnect-failed:0']);
  });

  test('connect() from failed starts over with attempt 0', () => {
    const s = openThenDrop({ reconnect: { maxAttempts: 1, interval: 100 } });
    tick(100);
    s.wx.lastTask.serverError('refused');
    expect(s.socket.state).toBe('failed');
    s.socket.connect();
    expect(s.socket.attempt).toBe(0);
    expect(s.socket.state).toBe('connecting');
    s.wx.lastTask.serverOpen();
    expect(s.log.slice(-2)).toEqual(['state:connecting>open', 'open:0']);
  });

  test('close() during backoff creates no new task', () => {
    const s = openThenDrop();
    tick(2000);
    s.socket.close();
    tick(60000);
    expect(s.wx.tasks).toHaveLength(1);
    expect(s.log).toEqual(['state:open>reconnecting', 'close:1006:abnormal:retry', 'reconnecting:1:5000', 'state:reconnecting>closed']);
  });
});

describe('connect timeout, shouldReconnect, fatal errors, providers', () => {
  test('an attempt not open within connectTimeout is abandoned and counts as failed', () => {
    const s = setup({ connectTimeout: 2000 });
    s.socket.connect();
    const task = s.wx.lastTask;
    tick(1999);
    expect(s.socket.state).toBe('connecting');
    tick(1);
    expect(task.closedWith).toEqual({ code: 1000, reason: '' });
    expect(s.log).toEqual(['state:idle>connecting', 'error:CONNECT_TIMEOUT', 'state:connecting>reconnecting', 'reconnecting:1:5000']);
  });

  test('shouldReconnect is asked with the close code and can keep it closed (unconfirmed sends rejected CLOSED)', () => {
    const asked: Array<{ code: number; reason: string }> = [];
    const s = setupOpen({ shouldReconnect: (c) => (asked.push(c), c.code !== 4001) });
    s.wx.lastTask.serverClose(4000, 'try again');
    tick(5000);
    s.wx.lastTask.serverOpen();
    const unconfirmed = s.socket.send('never confirmed');
    s.wx.lastTask.serverClose(4001, 'auth revoked');
    expect(asked).toEqual([{ code: 4000, reason: 'try again' }, { code: 4001, reason: 'auth revoked' }]);
    expect(s.socket.state).toBe('closed');
    expect(s.log.slice(-2)).toEqual(['state:open>closed', 'close:4001:auth revoked:final']);
    tick(60000);
    expect(s.wx.tasks).toHaveLength(2);
    return expect(unconfirmed).rejects.toMatchObject({ code: 'CLOSED' });
  });

  test('client-detected losses ask shouldReconnect with 1006', () => {
    const asked: number[] = [];
    const s = setup({ connectTimeout: 100, shouldReconnect: (c) => (asked.push(c.code), true) });
    s.socket.connect();
    tick(100);
    expect(asked).toEqual([1006]);
  });

  test('a throwing shouldReconnect does not stop reconnecting', () => {
    const spy = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    const s = openThenDrop({ shouldReconnect: () => { throw new Error('oops'); } });
    expect(s.socket.state).toBe('reconnecting');
    spy.mockRestore();
  });

  test('rule 7 — domain not in the allowed list fails at once, no attempt spent', () => {
    const s = setup({ url: 'wss://evil.test/x' }, { allowedHosts: ['example.test'] });
    const errors: Array<{ code: string; errMsg?: string }> = [];
    s.socket.on('error', (e) => errors.push({ code: e.code, errMsg: e.errMsg }));
    s.socket.connect();
    tick(0);
    expect(s.socket.state).toBe('failed');
    expect(errors).toEqual([{ code: 'DOMAIN_NOT_ALLOWED', errMsg: 'connectSocket:fail url not in domain list' }]);
    expect(s.log).toEqual(['state:idle>connecting', 'error:DOMAIN_NOT_ALLOWED', 'state:connecting>failed']);
    tick(60000);
    expect(s.wx.tasks).toHaveLength(1);
  });

  test('other connect failures count as attempts', () => {
    const s = setup({}, { maxTasks: 0 });
    s.socket.connect();
    tick(0);
    expect(s.log).toEqual(['state:idle>connecting', 'error:CONNECT_FAILED', 'state:connecting>reconnecting', 'reconnecting:1:5000']);
  });

  test('url and header functions are called before EVERY attempt', async () => {
    let n = 0;
    const s = setup({
      url: () => `wss://example.test/live?token=t${++n}`,
      header: async () => ({ authorization: `Bearer ${n}` }),
    });
    s.socket.connect();
    await settle();
    s.wx.lastTask.serverOpen();
    s.wx.lastTask.serverClose(1001, '');
    await settle(5000);
    expect(s.wx.tasks.map((t) => [t.url, t.option.header])).toEqual([
      ['wss://example.test/live?token=t1', { authorization: 'Bearer 1' }],
      ['wss://example.test/live?token=t2', { authorization: 'Bearer 2' }],
    ]);
  });

  test.each([
    ['throws', () => { throw new Error('no token'); }, /no token/],
    ['rejects', () => Promise.reject(new Error('token server down')), /token server down/],
    ['returns a number', () => 42 as unknown as string, /url\(\) must be a ws:\/\/ or wss:\/\/ URL/],
    ['returns an http URL', () => 'https://example.test', /must be a ws:\/\/ or wss:\/\/ URL/],
  ])('a url provider that %s is a PROVIDER_FAILED attempt, retried', async (_name, url, message) => {
    const s = setup({ url: url as () => string });
    const errors: Error[] = [];
    s.socket.on('error', (e) => errors.push(e));
    s.socket.connect();
    await settle();
    expect(s.wx.tasks).toHaveLength(0);
    expect(s.log).toEqual(['state:idle>connecting', 'error:PROVIDER_FAILED', 'state:connecting>reconnecting', 'reconnecting:1:5000']);
    expect(errors[0]?.message).toMatch(message);
    await settle(5000);
    expect(s.log.slice(-2)).toEqual(['error:PROVIDER_FAILED', 'reconnecting:2:5000']);
  });

  test('a header provider returning a non-string value is PROVIDER_FAILED', async () => {
    const s = setup({ header: () => ({ a: 1 as unknown as string }) });
    s.socket.connect();
    await settle();
    expect(s.log).toContain('error:PROVIDER_FAILED');
  });

  test('a provider that never answers is cut by connectTimeout', async () => {
    const s = setup({ url: () => new Promise<string>(() => undefined), connectTimeout: 500 });
    s.socket.connect();
    await settle(500);
    expect(s.log).toEqual(['state:idle>connecting', 'error:CONNECT_TIMEOUT', 'state:connecting>reconnecting', 'reconnecting:1:5000']);
  });

  test.each([
    ['throws', () => { throw new Error('native crash'); }],
    ['returns garbage', () => ({ nope: true })],
    ['returns undefined', () => undefined],
  ])('a connectSocket that %s is a CONNECT_FAILED attempt', (_name, impl) => {
    const s = setup({ connectSocket: impl as never });
    s.socket.connect();
    expect(s.log).toEqual(['state:idle>connecting', 'error:CONNECT_FAILED', 'state:connecting>reconnecting', 'reconnecting:1:5000']);
  });
});
