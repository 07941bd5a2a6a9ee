/**
 * Bad input, as a table: each case names the exact error type (and SocketError code) and
 * checks the manager's state, queue and tasks are unchanged afterwards.
 */
import { DEFAULTS, SocketError, WxSocketManager } from '../../src';
import type { WxSocketOptions } from '../../src';
import { createFakeWx } from '../../src/testing';
import { setup, settle, track } from '../support/helpers';

beforeEach(() => jest.useFakeTimers({ now: 0 }));
afterEach(() => jest.useRealTimers());

const wx = createFakeWx();
const base: WxSocketOptions = { url: 'wss://example.test', wx };

describe('options: a TypeError naming the option, at construction', () => {
  test.each<[string, unknown, RegExp]>([
    ['options missing', undefined, /options must be an object/],
    ['url missing', { wx }, /option "url" is required/],
    ['url empty', { ...base, url: '' }, /option "url" must be a ws:\/\/ or wss:\/\/ URL/],
    ['url http://', { ...base, url: 'http://example.test' }, /option "url" must be a ws:\/\/ or wss:\/\/ URL/],
    ['url with no host', { ...base, url: 'wss://' }, /option "url" must be a ws:\/\/ or wss:\/\/ URL with a host/],
    ['url a number', { ...base, url: 42 }, /option "url" must be a ws:\/\/ or wss:\/\/ URL/],
    ['header not an object', { ...base, header: 'a=b' }, /option "header" must be an object/],
    ['header value not a string', { ...base, header: { n: 1 } }, /option "header" must be an object of strings/],
    ['protocols not strings', { ...base, protocols: [1] }, /option "protocols"/],
    ['connectTimeout negative', { ...base, connectTimeout: -1 }, /option "connectTimeout" must be a number of ms > 0/],
    ['connectTimeout Infinity', { ...base, connectTimeout: Infinity }, /option "connectTimeout"/],
    ['connectTimeout 0', { ...base, connectTimeout: 0 }, /option "connectTimeout"/],
    ['reconnect a string', { ...base, reconnect: 'yes' }, /option "reconnect" must be false, true or an object/],
    ['maxAttempts 1.5', { ...base, reconnect: { maxAttempts: 1.5 } }, /option "reconnect.maxAttempts" must be an integer ≥ 0/],
    ['maxAttempts -1', { ...base, reconnect: { maxAttempts: -1 } }, /option "reconnect.maxAttempts"/],
    ['interval NaN', { ...base, reconnect: { interval: NaN } }, /option "reconnect.interval"/],
    ['factor 0.5', { ...base, reconnect: { factor: 0.5 } }, /option "reconnect.factor" must be a number ≥ 1/],
    ['maxInterval negative', { ...base, reconnect: { maxInterval: -5 } }, /option "reconnect.maxInterval"/],
    ['jitter 1.5', { ...base, reconnect: { jitter: 1.5 } }, /option "reconnect.jitter" must be a number from 0 to 1/],
    ['jitter negative', { ...base, reconnect: { jitter: -0.1 } }, /option "reconnect.jitter"/],
    ['reconnect typo key', { ...base, reconnect: { maxAttempt: 3 } }, /option "reconnect.maxAttempt" is unknown/],
    ['heartbeat interval negative', { ...base, heartbeat: { interval: -1 } }, /option "heartbeat.interval"/],
    ['heartbeat timeout Infinity', { ...base, heartbeat: { timeout: Infinity } }, /option "heartbeat.timeout"/],
    ['ping empty', { ...base, heartbeat: { ping: '' } }, /option "heartbeat.ping" must be a non-empty string/],
    ['pong empty', { ...base, heartbeat: { pong: '' } }, /option "heartbeat.pong" must be a non-empty string/],
    ['queue.max 0', { ...base, queue: { max: 0 } }, /option "queue.max" must be an integer ≥ 1/],
    ['queue.max 2.5', { ...base, queue: { max: 2.5 } }, /option "queue.max"/],
    ['shouldReconnect not a function', { ...base, shouldReconnect: true }, /option "shouldReconnect" must be a function/],
    ['watchNetwork a string', { ...base, watchNetwork: 'no' }, /option "watchNetwork" must be true or false/],
    ['watchApp a number', { ...base, watchApp: 0 }, /option "watchApp" must be true or false/],
    ['connectSocket not a function', { ...base, connectSocket: {} }, /option "connectSocket" must be a function/],
    ['unknown option (typo)', { ...base, heartBeat: false }, /option "heartBeat" is unknown/],
    ['wx missing entirely', { url: 'wss://example.test' }, /no connectSocket: no wx global; pass option "connectSocket"/],
  ])('%s', (_name, options, message) => {
    expect(() => new WxSocketManager(options as WxSocketOptions)).toThrow(TypeError);
    expect(() => new WxSocketManager(options as WxSocketOptions)).toThrow(message);
  });

  test('the url is never echoed in an error (it may carry a token)', () => {
    expect(() => new WxSocketManager({ ...base, url: 'https://example.test/?token=SECRET' })).toThrow(/^(?!.*SECRET)/);
    try {
      new WxSocketManager({ ...base, url: 'https://example.test/?token=SECRET' });
    } catch (e) {
      expect(String(e)).not.toContain('SECRET');
    }
  });

  test('valid edge values are accepted', () => {
    expect(() => new WxSocketManager({ ...base, reconnect: { maxAttempts: 0, jitter: 1, factor: 1 }, queue: { max: 1 } })).not.toThrow();
    expect(() => new WxSocketManager({ ...base, reconnect: true, heartbeat: true, queue: true })).not.toThrow();
    expect(() => new WxSocketManager({ ...base, url: () => 'wss://x.test' })).not.toThrow();
  });
});

/** Calls `act` on an open manager holding one queued frame, and proves nothing changed. */
function unchangedAfter(act: (s: ReturnType<typeof setup>) => void): void {
  const s = setup({ heartbeat: false });
  s.socket.connect();
  void s.socket.send('queued');
  s.wx.lastTask.serverOpen();
  const before = { state: s.socket.state, tasks: s.wx.tasks.length, sent: s.wx.lastTask.sent.slice(), log: s.log.length };
  act(s);
  expect({ state: s.socket.state, tasks: s.wx.tasks.length, sent: s.wx.lastTask.sent.slice(), log: s.log.length }).toEqual(before);
}

describe('method calls: exact error, state unchanged', () => {
  test.each<[string, (s: ReturnType<typeof setup>) => void, new (...a: never[]) => Error, RegExp]>([
    ['close(1001)', (s) => s.socket.close(1001), RangeError, /1000 or 3000–4999/],
    ['close(2999)', (s) => s.socket.close(2999), RangeError, /got 2999/],
    ['close(5000)', (s) => s.socket.close(5000), RangeError, /got 5000/],
    ['close(3000.5)', (s) => s.socket.close(3000.5), RangeError, /close code/],
    ['close reason of 124 bytes', (s) => s.socket.close(1000, 'a'.repeat(124)), RangeError, /123 UTF-8 bytes/],
    ['close reason not a string', (s) => s.socket.close(1000, 5 as never), TypeError, /close reason must be a string/],
    ['send(number)', (s) => void s.socket.send(1 as never), TypeError, /got Number/],
    ['send(object)', (s) => void s.socket.send({} as never), TypeError, /got Object/],
    ['send(Uint8Array)', (s) => void s.socket.send(new Uint8Array(1) as never), TypeError, /got Uint8Array/],
    ['on(unknown event)', (s) => s.socket.on('opened' as never, () => undefined), TypeError, /unknown event "opened"/],
    ['on(event, not a function)', (s) => s.socket.on('open', null as never), TypeError, /listener function/],
    ['send(data, null)', (s) => void s.socket.send('x', null as never), TypeError, /send\(\) options must be like \{ queue: false \}/],
    ['send(data, { queue: "no" })', (s) => void s.socket.send('x', { queue: 'no' as never }), TypeError, /send\(\) options must be like \{ queue: false \}/],
    ['send(data, { typo })', (s) => void s.socket.send('x', { qeue: false } as never), TypeError, /send\(\) options must be like \{ queue: false \}/],
    ['setFirstFrame(a string)', (s) => s.socket.setFirstFrame('hello' as never), TypeError, /setFirstFrame\(\) takes one function, or undefined/],
  ])('%s', (_name, act, type, message) => {
    unchangedAfter((s) => {
      expect(() => act(s)).toThrow(type);
      expect(() => act(s)).toThrow(message);
    });
  });
});

describe('providers and platform misbehaving', () => {
  test.each<[string, Partial<WxSocketOptions>, string]>([
    ['url provider throws', { url: () => { throw new Error('x'); } }, 'PROVIDER_FAILED'],
    ['url provider rejects', { url: () => Promise.reject(new Error('x')) }, 'PROVIDER_FAILED'],
    ['url provider returns null', { url: () => null as never }, 'PROVIDER_FAILED'],
    ['url provider returns http://', { url: () => 'http://a.test' }, 'PROVIDER_FAILED'],
    ['header provider returns a string', { header: () => 'x' as never }, 'PROVIDER_FAILED'],
    ['connectSocket throws', { connectSocket: () => { throw new Error('x'); } }, 'CONNECT_FAILED'],
    ['connectSocket returns garbage', { connectSocket: () => 42 as never }, 'CONNECT_FAILED'],
  ])('%s → error %s, counted as an attempt, retried', async (_name, options, code) => {
    const s = setup(options);
    const errors: SocketError[] = [];
    s.socket.on('error', (e) => errors.push(e));
    s.socket.connect();
    await settle();
    expect(errors.map((e) => [e.constructor, e.code])).toEqual([[SocketError, code]]);
    expect(s.socket.state).toBe('reconnecting');
    expect(s.socket.attempt).toBe(1);
  });

  test('a 10 MB frame, binary frames and malformed text are delivered as they are', () => {
    const s = setup();
    const got: Array<string | ArrayBuffer> = [];
    s.socket.on('message', (m) => got.push(m));
    s.socket.connect();
    s.wx.lastTask.serverOpen();
    const big = 'x'.repeat(10 * 1024 * 1024);
    const bin = new Uint8Array([0, 255]).buffer;
    const malformed = '{"unterminated": \ud800';
    s.wx.lastTask.serverMessage(big).serverMessage(bin).serverMessage(malformed);
    expect(got).toHaveLength(3);
    expect((got[0] as string).length).toBe(10 * 1024 * 1024);
    expect(got[1]).toBe(bin);
    expect(got[2]).toBe(malformed);
  });

  test('calls after destroy(): connect/send/reconnect/onLoad/on throw a clear Error', () => {
    const s = setup();
    s.socket.destroy();
    for (const call of [() => s.socket.connect(), () => s.socket.send('x'), () => s.socket.reconnect(), () => s.socket.onLoad(), () => s.socket.on('open', () => undefined)]) {
      expect(call).toThrow(/called after destroy\(\)/);
    }
    expect(s.socket.state).toBe('closed');
  });

  test('a refused send does not disturb the queue', async () => {
    const s = setup({ queue: { max: 1 } });
    const a = track(s.socket.send('a'));
    const b = track(s.socket.send('b'));
    await settle();
    expect([a.status, b.status, s.socket.queued]).toEqual(['pending', 'rejected', 1]);
  });
});

describe('DEFAULTS', () => {
  test('is deeply frozen: changing it is a TypeError and never changes later managers', () => {
    const d = DEFAULTS as unknown as { connectTimeout: number; reconnect: { maxAttempts: number }; heartbeat: { ping: string }; queue: { max: number } };
    expect(() => (d.connectTimeout = 1)).toThrow(TypeError);
    expect(() => (d.reconnect.maxAttempts = 1)).toThrow(TypeError);
    expect(() => (d.heartbeat.ping = 'hi')).toThrow(TypeError);
    expect(() => (d.queue.max = 1)).toThrow(TypeError);
    const later = new WxSocketManager({ url: 'wss://example.test', wx: createFakeWx() });
    expect(later.maxAttempts).toBe(12);
    expect(DEFAULTS).toEqual({
      connectTimeout: 10000,
      reconnect: { maxAttempts: 12, interval: 5000, factor: 1, maxInterval: 30000, jitter: 0 },
      heartbeat: { interval: 10000, timeout: 10000, ping: 'ping', pong: 'pong' },
      queue: { max: 100 },
      watchNetwork: true,
      watchApp: true,
    });
  });
});
