/**
 * @jest-environment jsdom
 *
 * The built mini-program pieces under miniprogram-simulate, with the testing fake as wx.
 */
import { freshWx, componentPath, demoRoot, parentNode, textOf } from '../support/simulator-helpers';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const simulate = require('miniprogram-simulate'); // sets global.wx to its stubs; freshWx() installs the fake into it
import { WxSocketManager } from '../../src';
import type { FakeWx } from '../../src/testing';

type Comp = ReturnType<typeof simulate.render>;

// Loaded once: the simulator runs a component's .js on load, and jest caches modules.
const statusId = simulate.load(componentPath, 'socket-status');

function renderStatus(props: Record<string, unknown> = {}): Comp {
  const comp = simulate.render(statusId, props);
  comp.attach(parentNode());
  return comp;
}

function status(comp: Comp): { text?: string; rtt?: string; retry?: string } {
  return { text: textOf(comp, '.socket-status__text'), rtt: textOf(comp, '.socket-status__rtt'), retry: textOf(comp, '.socket-status__retry') };
}

describe('socket-status component', () => {
  let wx: FakeWx;
  let socket: WxSocketManager;
  beforeEach(() => {
    wx = freshWx();
    socket = new WxSocketManager({ url: 'wss://example.test', wx, reconnect: { interval: 10, maxAttempts: 2 } });
  });
  afterEach(() => socket.destroy());

  test('shows each state in words (中文 by default), attempt n/12 and the RTT', async () => {
    socket = new WxSocketManager({ url: 'wss://example.test', wx });
    const comp = renderStatus();
    comp.instance.bind(socket);
    expect(status(comp)).toEqual({ text: '未连接', rtt: undefined, retry: undefined });
    socket.connect();
    expect(status(comp).text).toBe('连接中');
    wx.lastTask.serverOpen();
    expect(status(comp).text).toBe('已连接');
    socket.on('pong', () => undefined);
    // a ping round trip
    wx.showApp(); // app shown: the link is probed with a ping at once
    wx.lastTask.serverMessage('pong');
    expect(status(comp).rtt).toMatch(/^RTT \d+ ms$/);
    wx.lastTask.serverClose(1006, '');
    expect(status(comp).text).toBe('重连中 第 1/12 次');
    socket.close();
    expect(status(comp).text).toBe('已断开');
  });

  test('failed shows 连接失败 and a 重试 button that calls reconnect()', async () => {
    const comp = renderStatus();
    comp.instance.bind(socket);
    socket.connect();
    wx.lastTask.serverError('refused');
    await simulate.sleep(15);
    wx.lastTask.serverError('refused');
    await simulate.sleep(15);
    wx.lastTask.serverError('refused');
    expect(socket.state).toBe('failed');
    expect(status(comp)).toEqual({ text: '连接失败', rtt: undefined, retry: '重试' });
    const tasksBefore = wx.tasks.length;
    comp.querySelector('.socket-status__retry').dispatchEvent('tap');
    await simulate.sleep(0);
    expect(socket.state).toBe('connecting');
    expect(wx.tasks).toHaveLength(tasksBefore + 1);
    expect(status(comp).retry).toBeUndefined();
  });

  test('English when the page asks (lang="en")', () => {
    const comp = renderStatus({ lang: 'en' });
    comp.instance.bind(socket);
    socket.connect();
    expect(status(comp).text).toBe('Connecting');
    wx.lastTask.serverOpen();
    expect(status(comp).text).toBe('Connected');
    wx.lastTask.serverClose(1006, '');
    expect(status(comp).text).toBe('Reconnecting, attempt 1/2');
  });

  test('the RTT shown is socket.stats.rtt, renewed on every pong', () => {
    jest.useFakeTimers({ now: 0 });
    try {
      socket = new WxSocketManager({ url: 'wss://example.test', wx, heartbeat: { interval: 1000, timeout: 5000 } });
      const comp = renderStatus();
      comp.instance.bind(socket);
      socket.connect();
      wx.lastTask.serverOpen();
      expect(status(comp).rtt).toBeUndefined();
      jest.advanceTimersByTime(1000); // silent for an interval: ping
      jest.advanceTimersByTime(42);
      wx.lastTask.serverMessage('pong');
      expect([status(comp).rtt, socket.stats.rtt]).toEqual(['RTT 42 ms', 42]);
      jest.advanceTimersByTime(1000);
      jest.advanceTimersByTime(7);
      wx.lastTask.serverMessage('pong');
      expect([status(comp).rtt, socket.stats.rtt]).toEqual(['RTT 7 ms', 7]);
    } finally {
      jest.useRealTimers();
    }
  });

  test('detaching (page unload) removes every listener it added', () => {
    const baseline = socket.diagnostics.listeners;
    const comp = renderStatus();
    comp.instance.bind(socket);
    expect(socket.diagnostics.listeners).toBe(baseline + 3);
    comp.detach();
    expect(socket.diagnostics.listeners).toBe(baseline);
    socket.connect(); // no render into a detached component, no throw
  });

  test('binding another manager releases the first', () => {
    const other = new WxSocketManager({ url: 'wss://example.test', wx });
    const comp = renderStatus();
    comp.instance.bind(socket);
    comp.instance.bind(other);
    expect(socket.diagnostics.listeners).toBe(0);
    expect(other.diagnostics.listeners).toBe(3);
    other.destroy();
  });
});

describe('socketBehavior', () => {
  test('a Component() page with the behavior holds the manager from load to unload', () => {
    const wx = freshWx();
    const socket = new WxSocketManager({ url: 'wss://example.test', wx });
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { socketBehavior } = require('../../miniprogram_npm_src/index.js');
    const id = simulate.load({ template: '<view>page</view>', behaviors: [socketBehavior(socket)] });
    const page = simulate.render(id);
    page.attach(parentNode());
    expect(socket.state).toBe('connecting');
    wx.lastTask.serverOpen();
    page.detach();
    expect(socket.state).toBe('closed');
    expect(wx.listenerCount()).toBe(0);
  });
});

describe('the demo page', () => {
  function loadDemo(): { page: Comp; wx: FakeWx; socket: WxSocketManager } {
    jest.resetModules();
    const wx = freshWx({}, { devServerUrl: 'ws://127.0.0.1:9/demo' });
    const id = simulate.load(`${demoRoot}/pages/index/index`, 'page', {
      rootPath: demoRoot,
      usingComponents: { 'socket-status': '/miniprogram_npm/wx-socket-manager/socket-status/index' },
    });
    const page = simulate.render(id);
    page.attach(parentNode());
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { socket } = require(`${demoRoot}/utils/socket.js`);
    return { page, wx, socket };
  }

  test('connects on onLoad (url from the provider), shows the banner and received messages', async () => {
    const { page, wx, socket } = loadDemo();
    page.instance.onLoad();
    await simulate.sleep(0);
    expect(wx.tasks.map((t) => t.url)).toEqual(['ws://127.0.0.1:9/demo']);
    wx.lastTask.serverOpen();
    wx.lastTask.serverMessage('hello from the server');
    await simulate.sleep(0);
    expect(textOf(page.querySelector('#status'), '.socket-status__text')).toBe('已连接');
    expect(page.data.lines.map((l: { text: string }) => l.text)).toEqual(['connected', 'hello from the server']);
    expect(page.querySelector('.line--in').dom.textContent).toBe('hello from the server');
    socket.destroy();
  });

  test('the send box sends (queued while down) and fault buttons send their command', async () => {
    const { page, wx, socket } = loadDemo();
    page.instance.onLoad();
    await simulate.sleep(0);
    page.instance.onInput({ detail: { value: 'early' } });
    page.instance.onSend();
    expect(socket.queued).toBe(1);
    wx.lastTask.serverOpen();
    page.instance.onFault({ currentTarget: { dataset: { fault: 'blackhole' } } });
    expect(wx.lastTask.sent).toEqual(['early', 'fault:blackhole 30000']);
    expect(page.data.lines[0].text).toBe('early (queued: 1)');
    socket.destroy();
  });

  test('after onUnload: no socket, no timer, no wx listener, no manager listener left', async () => {
    const { page, wx, socket } = loadDemo();
    page.instance.onLoad();
    await simulate.sleep(0);
    wx.lastTask.serverOpen();
    page.instance.onUnload();
    page.detach();
    await simulate.sleep(5);
    expect(socket.state).toBe('closed');
    expect(wx.liveTasks()).toHaveLength(0);
    expect(socket.diagnostics).toEqual({ timers: 0, listeners: 0, holders: 0, task: false });
    expect(wx.listenerCount()).toBe(0);
  });
});
