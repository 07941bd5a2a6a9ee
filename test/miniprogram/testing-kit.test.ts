/**
 * The page author's test kit (wx-socket-manager/testing): fake.flush(), installFakeWx() into
 * whatever wx exists, and loadPage() for Page({...}) files.
 */
import path from 'path';
import { WxSocketManager } from '../../src';
import { createFakeWx, installFakeWx, loadPage } from '../../src/testing';
import { record } from '../support/helpers';
import { FIXTURES } from '../support/paths';

const fixture = (name: string): string => path.join(FIXTURES, 'pages', name);
type G = { wx?: Record<string, unknown>; getApp?: unknown; Page?: unknown };
const g = globalThis as G;

beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

describe('fake.flush()', () => {
  test('a function url: after connect(), one await fake.flush() and the task exists, no clock moved', async () => {
    const fake = createFakeWx();
    const socket = new WxSocketManager({ url: async () => 'wss://example.test/a', header: () => ({ t: '1' }), wx: fake });
    socket.connect();
    expect(fake.tasks).toHaveLength(0);
    await fake.flush();
    expect(fake.tasks.map((t) => [t.url, t.option.header])).toEqual([['wss://example.test/a', { t: '1' }]]);
    const start = Date.now();
    fake.lastTask.serverOpen();
    const sent = socket.send('x');
    let resolved = false;
    void sent.then(() => (resolved = true));
    await fake.flush();
    expect(resolved).toBe(true);
    expect(Date.now()).toBe(start);
    socket.destroy();
  });

  test('autoPong answers within the same millisecond once flushed: rtt 0, next ping exactly interval later', async () => {
    const fake = createFakeWx({ autoPong: true });
    const socket = new WxSocketManager({ url: 'wss://example.test', wx: fake, heartbeat: { interval: 1000, timeout: 500 } });
    socket.connect();
    fake.lastTask.serverOpen();
    jest.advanceTimersByTime(1000);
    expect(fake.lastTask.sent).toEqual(['ping']);
    await fake.flush();
    expect(socket.rtt).toBe(0);
    jest.advanceTimersByTime(999);
    expect(fake.lastTask.sent).toEqual(['ping']);
    jest.advanceTimersByTime(1);
    expect(fake.lastTask.sent).toEqual(['ping', 'ping']);
    socket.destroy();
  });

  test('every scheduled callback runs once: flushed ones do not run again when their timer was due', async () => {
    const fake = createFakeWx();
    const socket = new WxSocketManager({ url: 'wss://example.test', wx: fake });
    const log = record(socket);
    socket.connect();
    fake.lastTask.serverOpen();
    socket.close();
    await fake.flush();
    jest.advanceTimersByTime(10);
    expect(log).toEqual(['state:idle>connecting', 'state:connecting>open', 'open:0', 'state:open>closed', 'close:1000::final']);
    expect(fake.lastTask.state).toBe('closed');
    expect(jest.getTimerCount()).toBe(0);
  });

  test('with real timers too: autoOpen and a function url settle in one flush, nothing waits for a timer', async () => {
    jest.useRealTimers();
    const fake = createFakeWx({ autoOpen: true });
    const socket = new WxSocketManager({ url: () => Promise.resolve('wss://example.test/b'), wx: fake });
    const log = record(socket);
    socket.connect();
    await fake.flush();
    expect(log).toEqual(['state:idle>connecting', 'state:connecting>open', 'open:0']);
    socket.destroy();
    await fake.flush();
    expect(fake.liveTasks()).toEqual([]);
  });

  test('callbacks that keep scheduling more make flush() reject after its bound instead of hanging', async () => {
    const fake = createFakeWx();
    const again = (): void => fake.later(again, undefined);
    again();
    await expect(fake.flush()).rejects.toThrow('[wx-socket-manager] fake wx: flush() still had platform callbacks to run after 100 rounds');
  });
});

describe('installFakeWx()', () => {
  let undo: (() => void) | undefined;
  afterEach(() => {
    undo?.();
    undo = undefined;
    delete g.wx;
  });

  test('installs into the wx already there: other wx functions stay, and undo puts back what was there', () => {
    const showToast = jest.fn();
    const stubConnect = jest.fn();
    g.wx = { showToast, connectSocket: stubConnect };
    const before = g.wx;
    const fake = createFakeWx();
    undo = installFakeWx(fake);
    expect(g.wx).toBe(before);
    expect(g.wx.showToast).toBe(showToast);
    const socket = new WxSocketManager({ url: 'wss://example.test' });
    socket.connect();
    expect(fake.tasks).toHaveLength(1);
    expect(fake.listenerCount()).toBe(3);
    socket.destroy();
    expect(fake.listenerCount()).toBe(0);
    undo();
    expect(g.wx).toEqual({ showToast, connectSocket: stubConnect });
    expect(Object.keys(g.wx)).toEqual(['showToast', 'connectSocket']);
  });

  test('with no wx at all it creates one, and undo removes it', () => {
    expect(g.wx).toBeUndefined();
    undo = installFakeWx(createFakeWx());
    expect(Object.keys(g.wx!).sort()).toEqual(['connectSocket', 'getNetworkType', 'offAppHide', 'offAppShow', 'offNetworkStatusChange', 'onAppHide', 'onAppShow', 'onNetworkStatusChange']);
    undo();
    expect('wx' in g).toBe(false);
  });

  test.each([
    ['with no wx before', (): void => undefined],
    ['into an existing wx', (): void => void (g.wx = { showToast: jest.fn() })],
  ])('a manager built once talks to each test’s new fake (install per test, undo after), %s', (_name, before) => {
    before();
    const first = createFakeWx();
    undo = installFakeWx(first);
    const socket = new WxSocketManager({ url: 'wss://example.test' });
    socket.connect();
    socket.close();
    undo();
    const second = createFakeWx();
    undo = installFakeWx(second);
    socket.connect();
    expect([first.tasks.length, second.tasks.length]).toEqual([1, 1]);
    expect(second.listenerCount()).toBe(3);
    socket.destroy();
  });

  test('survives miniprogram-simulate being required afterwards (it copies the wx it finds into its own)', () => {
    const fake = createFakeWx();
    undo = installFakeWx(fake);
    // What simulate does on require: global.wx = Object.assign(api, global.wx)
    g.wx = Object.assign({ showToast: jest.fn(), connectSocket: () => ({}) }, g.wx);
    const socket = new WxSocketManager({ url: 'wss://example.test' });
    socket.connect();
    expect(fake.tasks).toHaveLength(1);
    socket.destroy();
  });

  test('after undo, wx calls go where they went before; with nothing before, a clear error', () => {
    const stubConnect = jest.fn(() => 'stub task');
    g.wx = { connectSocket: stubConnect };
    undo = installFakeWx(createFakeWx());
    const installed = g.wx.connectSocket as (o: unknown) => unknown;
    undo();
    expect(installed({ url: 'wss://x.test' })).toBe('stub task');
    delete g.wx;
    undo = installFakeWx(createFakeWx());
    const lone = g.wx!.connectSocket as (o: unknown) => unknown;
    const off = g.wx!.offAppShow as (fn: unknown) => unknown;
    undo();
    expect(() => lone({ url: 'wss://x.test' })).toThrow('[wx-socket-manager] wx.connectSocket() was called with no fake wx installed');
    expect(off(() => undefined)).toBeUndefined();
  });
});

describe('loadPage()', () => {
  afterEach(() => {
    delete g.getApp;
  });

  test('runs onLoad(query), onShow, onReady, then onHide/onShow/onUnload as the page is driven; Page and getApp exist while the file runs', () => {
    const page = loadPage(fixture('lifecycle-page'), { query: { room: '7' }, app: { globalData: { user: 'ann' } } });
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require('../fixtures/pages/lifecycle-page') as { calls: unknown[][]; pageGlobalWhileLoading: string; getAppWhileLoading: string };
    page.hide();
    page.hide();
    page.show();
    page.unload();
    expect(mod.calls).toEqual([
      ['onLoad', { room: '7' }, { room: '7' }, 'ann'],
      ['onShow'], ['onReady'], ['onHide'], ['onShow'], ['onUnload'],
    ]);
    expect([mod.pageGlobalWhileLoading, mod.getAppWhileLoading, typeof g.Page]).toEqual(['function', 'function', 'undefined']);
    expect(page.state).toBe('unloaded');
    expect(() => page.show()).toThrow('[wx-socket-manager] loadPage: show() after unload()');
  });

  test('setData takes paths like list[0].x and a.b, copies values, and each load starts from the definition’s data', async () => {
    const page = loadPage(fixture('lifecycle-page'));
    page.instance.rename('b');
    expect(page.data).toEqual({ items: [{ name: 'b' }], nested: { count: 1 } });
    const value = { deep: [1] };
    let called = 0;
    page.instance.setData({ 'list[2].v': value, 'fresh.key': 'k', nested: { count: 5 } }, () => called++);
    value.deep.push(2);
    expect(page.data).toEqual({ items: [{ name: 'b' }], nested: { count: 5 }, list: [undefined, undefined, { v: { deep: [1] } }], fresh: { key: 'k' } });
    expect(called).toBe(0);
    await Promise.resolve();
    expect(called).toBe(1);
    expect(() => page.instance.setData({ 'a..b': 1 })).toThrow('[wx-socket-manager] setData: key "a..b" is not a data path');
    expect(() => page.instance.setData({ 'list[x]': 1 })).toThrow('is not a data path');

    const second = loadPage(fixture('lifecycle-page'));
    expect(second.data).toEqual({ items: [{ name: 'a' }], nested: { count: 0 } });
    expect(second.instance.config).toEqual({ retries: [1, 2] });
    expect(second.instance.config).not.toBe(page.instance.config);
  });

  test('getApp() stays defined for providers called later; without options.app, one with empty globalData', () => {
    loadPage(fixture('lifecycle-page'), { app: { globalData: { user: 'bob' } } });
    expect((g.getApp as () => { globalData: { user: string } })().globalData.user).toBe('bob');
    delete g.getApp;
    const page = loadPage(fixture('lifecycle-page'));
    expect((g.getApp as () => unknown)()).toEqual({ globalData: {} });
    expect(page.instance.selectComponent('#none')).toBeNull();
  });

  test('bad input: a relative path, or a file that never calls Page()', () => {
    expect(() => loadPage('pages/chat/index')).toThrow('[wx-socket-manager] loadPage: the page file must be an absolute path');
    expect(() => loadPage(fixture('not-a-page'))).toThrow(/\[wx-socket-manager\] loadPage: .*not-a-page did not call Page\(\{\.\.\.\}\)/);
  });
});
