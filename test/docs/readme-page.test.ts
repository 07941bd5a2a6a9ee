/**
 * @jest-environment jsdom
 */
/// <reference lib="dom" />
// The pages the docs show (the chat page of docs/manager.md, the README's ten-line page) and
// the leak the guide warns about, driven through wx-socket-manager/testing with the real banner.
import path from 'path';
import { createFakeWx, installFakeWx, loadPage, socketStatusComponent } from 'wx-socket-manager/testing';
import type { FakeWx } from 'wx-socket-manager/testing';
import type { WxSocketManager } from 'wx-socket-manager';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const simulate = require('miniprogram-simulate'); // for the socket-status component

const chatPage = path.join(__dirname, '../fixtures/chat/pages/chat/index');
// Loaded once per file (simulate runs a component's .js on load, and jest caches modules).
const statusId = simulate.load(socketStatusComponent, 'socket-status');

let fake: FakeWx;
let undo: () => void;
beforeEach(() => {
  jest.useFakeTimers();
  fake = createFakeWx();
  undo = installFakeWx(fake); // into simulate's wx: connectSocket & co. now reach this test's fake
});
afterEach(() => {
  undo();
  jest.useRealTimers();
});

/** The manager the page uses: utils/socket.js, the same module instance the page required. */
function sharedSocket(): WxSocketManager {
  return (require('../fixtures/chat/utils/socket') as { socket: WxSocketManager }).socket;
}

function renderBanner() {
  const banner = simulate.render(statusId);
  banner.attach(document.createElement('parent-wrapper'));
  return banner;
}

test('chat page: messages into data, a send while down arrives after the reconnect, unload leaves nothing', async () => {
  const banner = renderBanner();
  const page = loadPage(chatPage, {
    app: { globalData: { token: 't1' } },
    components: { '#status': banner }, // what this.selectComponent('#status') returns
  });
  const socket = sharedSocket();

  await fake.flush(); // the header function is asked first: connectSocket runs in this flush
  expect(fake.tasks).toHaveLength(1);
  expect(fake.lastTask.url).toBe('wss://example.com/chat');
  expect(fake.lastTask.option.header).toEqual({ authorization: 'Bearer t1' });

  fake.lastTask.serverOpen();
  fake.lastTask.serverMessage('hello');
  expect(page.data).toEqual({ messages: ['hello'], state: 'open' });
  expect(banner.instance.data.text).toBe('已连接');

  fake.lastTask.serverClose(1006, 'server restart'); // the link drops
  expect(page.data.state).toBe('reconnecting');
  expect(banner.instance.data.text).toBe('重连中 第 1/12 次');
  const sending = page.instance.send('sent while down');
  expect(socket.queued).toBe(1);

  jest.advanceTimersByTime(5000); // the reconnect delay
  await fake.flush();
  expect(fake.liveTasks()).toEqual([fake.tasks[1]]);
  fake.lastTask.serverOpen();
  await fake.flush(); // the queued frame's send result
  await expect(sending).resolves.toBeUndefined();
  expect(fake.lastTask.sent).toEqual(['sent while down']);
  expect(page.data.state).toBe('open');

  page.unload(); // onUnload, and the banner detaches
  await fake.flush();
  expect(socket.diagnostics).toEqual({ timers: 0, listeners: 0, holders: 0, task: false });
  expect(fake.liveTasks()).toEqual([]);
  expect(fake.listenerCount()).toBe(0); // no wx.onNetworkStatusChange / onAppShow / onAppHide left
  expect(jest.getTimerCount()).toBe(0);
});

test('chat page: offline spends no attempts, back online reconnects at once; hidden then shown probes the link', async () => {
  const page = loadPage(chatPage, { app: { globalData: { token: 't2' } }, components: { '#status': renderBanner() } });
  await fake.flush();
  fake.lastTask.serverOpen();

  fake.setNetwork(false);
  fake.lastTask.die(); // a dead network: the task never reports anything again
  jest.advanceTimersByTime(60000);
  expect(fake.tasks).toHaveLength(1);

  fake.setNetwork(true);
  await fake.flush();
  expect(page.data.state).toBe('reconnecting');
  expect(fake.tasks).toHaveLength(2);
  fake.lastTask.serverOpen();

  fake.hideApp();
  jest.advanceTimersByTime(60000); // not judged while hidden
  expect(page.data.state).toBe('open');
  fake.showApp();
  expect(fake.lastTask.sent).toEqual(['ping']); // checked at once on show

  page.unload();
  await fake.flush();
  expect(sharedSocket().diagnostics).toEqual({ timers: 0, listeners: 0, holders: 0, task: false });
});

test('visiting the chat page three times leaves no listener behind (subscribe in onLoad, unsubscribe in onUnload)', async () => {
  const socket = sharedSocket();
  for (let visit = 0; visit < 3; visit++) {
    const page = loadPage(chatPage, { app: { globalData: { token: 't3' } }, components: { '#status': renderBanner() } });
    expect(socket.diagnostics.listeners).toBe(2 + 3); // the page's two, the banner's three
    page.unload();
    await fake.flush();
    expect(socket.diagnostics).toEqual({ timers: 0, listeners: 0, holders: 0, task: false });
  }
});

test('control: a page that subscribes in onLoad but never unsubscribes leaks two listeners per visit', async () => {
  const socket = sharedSocket();
  for (let visit = 0; visit < 2; visit++) {
    loadPage(path.join(__dirname, '../fixtures/pages/leaky-page'), { app: { globalData: { token: 't4' } } }).unload();
    await fake.flush();
  }
  expect(socket.diagnostics.listeners).toBe(4);
});

test('the README page, as written: onLoad connects with a fresh token, onUnload closes and leaves nothing', async () => {
  const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
  const page = loadPage(path.join(__dirname, '../fixtures/headline-page'), { app: { globalData: { token: 'abc' } } });
  await fake.flush(); // the url function runs first
  expect(fake.tasks.map((t) => t.url)).toEqual(['wss://example.com/live?token=abc']);
  fake.lastTask.serverOpen();
  fake.lastTask.serverMessage('hi from the server');
  expect(log).toHaveBeenCalledWith('got', 'hi from the server');

  const sent = page.instance.send('hi');
  await fake.flush();
  await expect(sent).resolves.toBeUndefined();
  expect(fake.lastTask.sent).toEqual(['hi']);

  page.unload();
  await fake.flush();
  expect(fake.lastTask.closedWith).toEqual({ code: 1000, reason: '' });
  expect(fake.liveTasks()).toEqual([]);
  expect(fake.listenerCount()).toBe(0);
  expect(jest.getTimerCount()).toBe(0);
  log.mockRestore();
});
