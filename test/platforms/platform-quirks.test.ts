/**
 * Each platform's own quirks, absorbed by its binding (the shared page story is in
 * platforms.test.ts), and bad input to the bindings.
 */
import { execFileSync } from 'child_process';
import path from 'path';
import { WxSocketManager } from '../../src';
import type { SocketError, WxSocketOptions } from '../../src';
import { fromAlipay, fromBaidu, fromBrowser, fromDouyin, fromQQ, fromTaro, fromUni, fromWx, toBase64, fromBase64 } from '../../src/platforms';
import type { PlatformBinding } from '../../src/platforms';
import {
  createFakeBrowser,
  createFakeMy,
  createFakeQQ,
  createFakeSwan,
  createFakeTaro,
  createFakeTt,
  createFakeUni,
  createFakeWx,
  MY_ERR_NETWORK,
} from '../../src/testing';
import { bytes, frames } from '../support/platform-story';
import { record, settle, tick } from '../support/helpers';
import { ROOT } from '../support/paths';

beforeEach(() => jest.useFakeTimers({ now: 0 }));
afterEach(() => jest.useRealTimers());

const URL = 'wss://example.test/live';

function manager(binding: PlatformBinding, options: Partial<WxSocketOptions> = {}) {
  const socket = new WxSocketManager({ url: URL, ...binding, ...options });
  const errors: SocketError[] = [];
  socket.on('error', (e) => errors.push(e));
  return { socket, log: record(socket), errors };
}

const FIRST_ATTEMPT_FAILED = ['state:idle>connecting', 'error:CONNECT_FAILED', 'state:connecting>reconnecting', 'reconnecting:1:5000'];
const GAVE_UP_AT_ONCE = ['state:idle>connecting', 'error:DOMAIN_NOT_ALLOWED', 'state:connecting>failed'];

describe('Alipay (my)', () => {
  test('binary goes out as base64 with isBuffer: true and comes back as an ArrayBuffer; tasks are multiple: true', async () => {
    const my = createFakeMy();
    const { socket, log } = manager(fromAlipay(my), { heartbeat: false });
    socket.connect();
    expect(my.lastTask.option.multiple).toBe(true);
    my.lastTask.serverOpen();
    void socket.send(bytes(0, 1, 2, 250, 251, 252, 253));
    void socket.send('text');
    await settle();
    expect(my.lastTask.rawSent).toEqual([{ data: 'AAEC+vv8/Q==', isBuffer: true }, { data: 'text', isBuffer: false }]);
    my.lastTask.serverMessage(bytes(9, 8, 7));
    expect(log.slice(-1)).toEqual(['message:<3 bytes>']);
  });

  test('a failure is { error, errorMessage }: the error event carries it as errMsg, and an ordinary failure is retried', () => {
    const my = createFakeMy();
    const { socket, log, errors } = manager(fromAlipay(my));
    socket.connect();
    my.lastTask.serverError(MY_ERR_NETWORK);
    expect(log).toEqual(FIRST_ATTEMPT_FAILED);
    expect(errors[0]?.errMsg).toBe('SocketTask.onError:fail 网络异常 (error 50)');
  });

  test('"check the domain" (onError 65) and "ws:// not supported" (connect error 20) end in failed, not retried', () => {
    const domain = createFakeMy({ allowedHosts: ['ok.test'] });
    const a = manager(fromAlipay(domain));
    a.socket.connect();
    tick(1);
    expect(a.log).toEqual(GAVE_UP_AT_ONCE);
    expect(a.errors[0]?.errMsg).toMatch(/^SocketTask\.onError:fail 请检查域名是否合法 \(error 65\)/);

    const wss = createFakeMy({ requireWss: true });
    const b = manager(fromAlipay(wss), { url: 'ws://example.test' });
    b.socket.connect();
    tick(1);
    expect(b.log).toEqual(GAVE_UP_AT_ONCE);
    expect(b.errors[0]?.errMsg).toMatch(/^connectSocket:fail 请求url不支持ws，请使用wss \(error 20\)/);
    expect(wss.tasks).toHaveLength(1);
  });

  test('onUnload removes only its own listeners: the app\'s own network/show/hide listeners stay', () => {
    const my = createFakeMy();
    const app = { network: jest.fn(), show: jest.fn(), hide: jest.fn() };
    my.onNetworkStatusChange(app.network);
    my.onAppShow(app.show);
    my.onAppHide(app.hide);
    const { socket } = manager(fromAlipay(my));
    socket.onLoad();
    expect(my.listenerCount()).toBe(6);
    my.lastTask.serverOpen();
    socket.onUnload();
    expect(my.listenerCount()).toBe(3);
    my.setNetwork(false);
    my.showApp();
    my.hideApp();
    expect([app.network.mock.calls.length, app.show.mock.calls.length, app.hide.mock.calls.length]).toEqual([1, 1, 1]);
  });

  test('NOTREACHABLE from getNetworkType at start pauses attempts until the network is back', () => {
    const my = createFakeMy();
    my.isConnected = false;
    const { socket } = manager(fromAlipay(my));
    socket.connect();
    tick(0);
    my.lastTask.serverError(MY_ERR_NETWORK);
    tick(60000);
    expect(my.tasks).toHaveLength(1);
    my.setNetwork(true);
    expect(my.tasks).toHaveLength(2);
  });

  test('base64 round trip matches Node for every length 0..64', () => {
    for (let n = 0; n <= 64; n++) {
      const data = Uint8Array.from({ length: n }, (_v, i) => (i * 37 + n) & 255);
      const text = toBase64(data.buffer);
      expect(text).toBe(Buffer.from(data).toString('base64'));
      expect(Array.from(new Uint8Array(fromBase64(text)))).toEqual(Array.from(data));
    }
  });
});

describe('Douyin (tt)', () => {
  test('the close code arrives as a string and reaches listeners as a number', () => {
    const tt = createFakeTt();
    const task = tt.connectSocket({ url: URL });
    const seen: unknown[] = [];
    task.onClose((res) => seen.push(res.code));
    const { socket, log } = manager(fromDouyin(tt));
    socket.connect();
    tt.lastTask.serverOpen();
    tt.lastTask.serverClose(4403, 'forbidden');
    tt.tasks[0]?.serverClose(4403, 'x');
    expect(seen).toEqual(['4403']);
    expect(log).toContain('close:4403:forbidden:retry');
  });

  test('backgrounded sockets are closed with 1001; showing the app reconnects at once', () => {
    const tt = createFakeTt({ closeOnHide: true });
    const { socket, log } = manager(fromDouyin(tt));
    socket.connect();
    tt.lastTask.serverOpen();
    tt.hideApp();
    expect(log.slice(-3)).toEqual(['state:open>reconnecting', 'close:1001:app in background:retry', 'reconnecting:1:5000']);
    tt.showApp();
    expect(tt.tasks).toHaveLength(2);
    expect(socket.attempt).toBe(0);
  });
});

describe('Taro', () => {
  test('a rejected connectSocket Promise is one failed attempt with the platform errMsg, reported once', async () => {
    const taro = createFakeTaro({ allowedHosts: ['other.test'] });
    const { socket, log, errors } = manager(fromTaro(taro));
    socket.connect();
    await settle(1);
    expect(log).toEqual(GAVE_UP_AT_ONCE);
    expect(errors.map((e) => e.errMsg)).toEqual(['connectSocket:fail url not in domain list']);
  });

  test('in a mini-program build Taro.miniGlobal is used directly (a task in the same tick); on Alipay that is my', () => {
    const wx = createFakeWx();
    const weapp = { ...createFakeTaro(), connectSocket: jest.fn(), getEnv: () => 'WEAPP', miniGlobal: wx };
    const a = manager(fromTaro(weapp));
    a.socket.connect();
    wx.lastTask.serverOpen();
    expect(a.socket.state).toBe('open');

    const my = createFakeMy();
    const alipay = { ...createFakeTaro(), connectSocket: jest.fn(), getEnv: () => 'ALIPAY', miniGlobal: my };
    const b = manager(fromTaro(alipay));
    b.socket.connect();
    expect(my.lastTask.option.multiple).toBe(true);
    my.lastTask.serverOpen();
    expect(b.socket.state).toBe('open');
    expect([weapp.connectSocket, alipay.connectSocket].map((f) => f.mock.calls.length)).toEqual([0, 0]);
  });

  test('Taro-H5: a send refused by the task (a rejected Promise) keeps the frame and leaves no unhandled rejection', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const taro = createFakeTaro({ h5: true });
      const { socket, errors } = manager(fromTaro(taro), { heartbeat: false });
      socket.connect();
      await settle(1);
      taro.lastTask.serverOpen();
      taro.lastTask.state = 'closed'; // gone underneath, its close event still on the way
      void socket.send('kept');
      await settle(1);
      expect(errors.map((e) => [e.code, e.errMsg])).toEqual([['SEND_FAILED', 'sendSocketMessage:fail WebSocket is not connected']]);
      tick(5000);
      await settle(1);
      taro.lastTask.serverOpen();
      await settle(1);
      expect(taro.lastTask.sent).toEqual(['kept']);
      jest.useRealTimers();
      await new Promise((r) => setTimeout(r, 20));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  test('close() before the Promise delivers the task closes that task when it arrives', async () => {
    const taro = createFakeTaro();
    const { socket } = manager(fromTaro(taro));
    socket.connect();
    socket.close();
    await settle(1);
    expect(taro.liveTasks()).toHaveLength(0);
    expect(taro.lastTask.closedWith).toEqual({ code: 1000, reason: '' });
  });
});

describe('uni-app', () => {
  test('a callback always goes along, so uni returns the task and not a Promise', () => {
    const uni = createFakeUni();
    const spy = jest.spyOn(uni, 'connectSocket');
    const { socket } = manager(fromUni(uni));
    socket.connect();
    expect(typeof (spy.mock.calls[0]?.[0] as { complete?: unknown }).complete).toBe('function');
    expect(spy.mock.results[0]?.value).toBe(uni.lastTask);
  });

  test('uni-H5: an onError with no errMsg gets one, and a send refused twice is reported once', () => {
    const uni = createFakeUni({ h5: true });
    const { socket, errors } = manager(fromUni(uni));
    socket.connect();
    uni.lastTask.serverError();
    expect(errors.map((e) => e.errMsg)).toEqual(['SocketTask.onError:fail WebSocket error']);

    const task = fromUni(uni).connectSocket({ url: URL });
    const fail = jest.fn();
    task.send({ data: 'early', fail });
    tick(1);
    expect(fail.mock.calls).toEqual([[{ errMsg: 'sendSocketMessage:fail WebSocket is not connected' }]]);
  });
});

describe('Baidu (swan)', () => {
  test('iOS errCode 7 (security check) ends in failed; another errCode is retried', () => {
    const swan = createFakeSwan();
    const a = manager(fromBaidu(swan));
    a.socket.connect();
    swan.connectFail(swan.lastTask, 7, 'connectSocket:fail security check failed');
    expect(a.log).toEqual(GAVE_UP_AT_ONCE);
    expect(a.errors[0]?.errMsg).toMatch(/^connectSocket:fail security check failed \(swan errCode 7\)/);

    const b = manager(fromBaidu(swan));
    b.socket.connect();
    swan.connectFail(swan.lastTask, 1001, 'connectSocket:fail timeout');
    expect(b.log).toEqual(FIRST_ATTEMPT_FAILED);
  });
});

describe('browser (fromBrowser)', () => {
  test('binary is switched to ArrayBuffer; a bare error Event becomes an errMsg, then one loss (close 1006)', () => {
    const page = createFakeBrowser();
    const { socket, log, errors } = manager(fromBrowser(page));
    socket.connect();
    expect(page.lastSocket.binaryType).toBe('arraybuffer');
    page.lastSocket.serverOpen();
    page.lastSocket.serverError();
    expect(errors.map((e) => e.code)).toEqual(['SOCKET_ERROR']);
    expect(errors[0]?.errMsg).toMatch(/WebSocket error/);
    expect(log.slice(-3)).toEqual(['state:open>reconnecting', 'close:1006:WebSocket error (the browser gives no detail; a close follows):retry', 'reconnecting:1:5000']);
  });

  test('a frame the browser would silently drop (socket already CLOSED, no close event yet) is kept and sent on the next socket', async () => {
    const page = createFakeBrowser();
    const { socket } = manager(fromBrowser(page), { heartbeat: false });
    socket.connect();
    page.lastSocket.serverOpen();
    page.lastSocket.readyState = 3; // closed underneath; its close event is still on the way
    void socket.send('keep-me');
    await settle(1);
    expect(page.lastSocket.dropped).toEqual([]);
    tick(5000);
    page.lastSocket.serverOpen();
    await settle();
    expect(frames(page.lastSocket.sent)).toEqual(['keep-me']);
  });

  test('send while CONNECTING (which throws in a browser) is a fail callback, not an exception', () => {
    const page = createFakeBrowser();
    const task = fromBrowser(page).connectSocket({ url: URL });
    const fail = jest.fn();
    expect(() => task.send({ data: 'early', fail })).not.toThrow();
    tick(1);
    expect(fail.mock.calls).toEqual([[{ errMsg: 'sendSocketMessage:fail WebSocket is not connected (still connecting)' }]]);
  });

  test('Blob frames (binaryType set back to blob) arrive as ArrayBuffers, in order with the text after them', async () => {
    jest.useRealTimers();
    const page = createFakeBrowser();
    const { socket, log } = manager(fromBrowser(page), { heartbeat: false });
    socket.connect();
    page.lastSocket.serverOpen();
    page.lastSocket.binaryType = 'blob';
    page.lastSocket.serverMessage(bytes(1, 2));
    page.lastSocket.serverMessage('after');
    for (let i = 0; i < 50 && log.length < 4; i++) await new Promise((r) => setTimeout(r, 2));
    expect(log.slice(-2)).toEqual(['message:<2 bytes>', 'message:after']);
    socket.close();
  });
});

describe('every binding: not-allowed domain ends in failed (DOMAIN_NOT_ALLOWED)', () => {
  test.each<[string, () => { binding: PlatformBinding; settle: number }]>([
    ['wx', () => ({ binding: fromWx(createFakeWx({ allowedHosts: ['ok.test'] })), settle: 0 })],
    ['QQ', () => ({ binding: fromQQ(createFakeQQ({ allowedHosts: ['ok.test'] })), settle: 0 })],
    ['Douyin', () => ({ binding: fromDouyin(createFakeTt({ allowedHosts: ['ok.test'] })), settle: 0 })],
    ['uni-app', () => ({ binding: fromUni(createFakeUni({ allowedHosts: ['ok.test'] })), settle: 0 })],
    ['Baidu', () => ({ binding: fromBaidu(createFakeSwan({ allowedHosts: ['ok.test'] })), settle: 0 })],
    ['Taro', () => ({ binding: fromTaro(createFakeTaro({ allowedHosts: ['ok.test'] })), settle: 1 })],
    ['Alipay', () => ({ binding: fromAlipay(createFakeMy({ allowedHosts: ['ok.test'] })), settle: 0 })],
  ])('%s', async (_name, make) => {
    const { binding, settle: ms } = make();
    const { socket, log } = manager(binding);
    socket.connect();
    await settle(ms);
    tick(1);
    expect(log).toEqual(GAVE_UP_AT_ONCE);
    tick(600000);
    expect(log).toEqual(GAVE_UP_AT_ONCE);
  });
});

describe('bad input', () => {
  const BINDINGS: Array<[string, (p: never) => PlatformBinding, string]> = [
    ['fromWx(wx)', fromWx, 'connectSocket'],
    ['fromQQ(qq)', fromQQ, 'connectSocket'],
    ['fromTaro(Taro)', fromTaro, 'connectSocket'],
    ['fromUni(uni)', fromUni, 'connectSocket'],
    ['fromAlipay(my)', fromAlipay, 'connectSocket'],
    ['fromDouyin(tt)', fromDouyin, 'connectSocket'],
    ['fromBaidu(swan)', fromBaidu, 'connectSocket'],
    ['fromBrowser(globalThis)', fromBrowser, 'WebSocket'],
  ];

  test.each(BINDINGS.flatMap(([name, bind, member]) => [
    [name, undefined, bind, `expected the platform object with a ${member} function, got undefined`],
    [name, null, bind, 'got null'],
    [name, {}, bind, 'got an empty object'],
    [name, { connectSocket: 1, WebSocket: 1 }, bind, 'got an object with connectSocket, WebSocket'],
  ] as Array<[string, unknown, (p: never) => PlatformBinding, string]>))('%s given %p: a TypeError naming the binding', (name, value, bind, text) => {
    expect(() => bind(value as never)).toThrow(TypeError);
    expect(() => bind(value as never)).toThrow(`[wx-socket-manager] ${name}: ${text.startsWith('expected') ? text : ''}`);
    expect(() => bind(value as never)).toThrow(text);
  });

  test('header with fromBrowser: a TypeError at construction naming the option, and no socket is made', () => {
    const page = createFakeBrowser();
    for (const header of [{ authorization: 'Bearer t' }, () => ({ authorization: 'Bearer t' })]) {
      let thrown: unknown;
      try {
        manager(fromBrowser(page), { header });
      } catch (err) {
        thrown = err;
      }
      expect(thrown).toBeInstanceOf(TypeError);
      expect(String(thrown)).toBe('TypeError: [wx-socket-manager] option "header": fromBrowser: browser WebSocket cannot send headers; put the token in the URL');
      expect(String(thrown)).not.toContain('Bearer');
    }
    expect(page.sockets).toHaveLength(0);
  });

  test('fromBrowser refuses headers at the task too (a connectSocket used without the manager)', () => {
    const page = createFakeBrowser();
    const fails: string[] = [];
    fromBrowser(page).connectSocket({ url: 'ws://127.0.0.1:1/', header: { a: 'b' }, fail: (r) => fails.push(r.errMsg) });
    tick(1);
    expect(page.sockets).toHaveLength(0);
    expect(fails).toEqual(['connectSocket:fail fromBrowser: browser WebSocket cannot send headers; put the token in the URL']);
  });

  const GARBAGE: unknown[] = [undefined, null, 42, 'task', {}, { send() {} }];
  test.each(GARBAGE.map((g) => [g]))('a connectSocket returning %p: one failed attempt with a clear errMsg, never a crash', (garbage) => {
    for (const bind of [fromWx, fromQQ, fromUni, fromAlipay, fromDouyin, fromBaidu] as Array<(p: never) => PlatformBinding>) {
      const { socket, log, errors } = manager(bind({ connectSocket: () => garbage } as never));
      expect(() => socket.connect()).not.toThrow();
      tick(1);
      expect(log).toEqual(FIRST_ATTEMPT_FAILED);
      expect(errors[0]?.errMsg).toMatch(bind === fromAlipay
        ? /^connectSocket:fail fromAlipay\(my\): connectSocket returned .*, not a SocketTask \(DingTalk and mPaaS have no multiple: true sockets\)$/
        : /^connectSocket:fail from\w+\(\w+\): connectSocket returned .*, not a SocketTask$/);
      socket.close();
    }
  });

  test.each<[string, () => unknown, RegExp]>([
    ['throws', () => { throw new Error('boom'); }, /^connectSocket:fail boom$/],
    ['gives a Promise of garbage (Taro)', () => Promise.resolve(7), /^connectSocket:fail fromTaro\(Taro\): the Promise gave number, not a SocketTask$/],
    ['rejects with nothing (Taro)', () => Promise.reject(undefined), /^connectSocket:fail fromTaro\(Taro\): rejected with no reason$/],
  ])('a connectSocket that %s: one failed attempt with a clear errMsg', async (_name, connectSocket, errMsg) => {
    const { socket, log, errors } = manager(fromTaro({ connectSocket }));
    socket.connect();
    await settle(1);
    expect(log).toEqual(FIRST_ATTEMPT_FAILED);
    expect(errors[0]?.errMsg).toMatch(errMsg);
    socket.close();
  });
});

test('wx-socket-manager/platforms, as shipped, reads no platform global when imported or bound', () => {
  const script = `
    const touched = [];
    for (const name of ['wx', 'qq', 'my', 'tt', 'swan', 'uni', 'Taro', 'WebSocket', 'document', 'navigator']) {
      Object.defineProperty(globalThis, name, { get() { touched.push(name); return undefined; }, configurable: true });
    }
    const p = require('wx-socket-manager/platforms');
    const fake = { connectSocket() {}, WebSocket: function () {} };
    for (const name of Object.keys(p).filter((k) => /^from[A-Z]/.test(k) && k !== 'fromBase64')) p[name](fake);
    process.stdout.write(JSON.stringify({ touched, exports: Object.keys(p).sort() }));`;
  const out = JSON.parse(execFileSync(process.execPath, ['-e', script], { cwd: ROOT, encoding: 'utf8' }));
  expect(out).toEqual({
    touched: [],
    exports: ['ERR_NO_HEADERS', 'fromAlipay', 'fromBaidu', 'fromBase64', 'fromBrowser', 'fromDouyin', 'fromQQ', 'fromTaro', 'fromUni', 'fromWx', 'toBase64'],
  });
});
