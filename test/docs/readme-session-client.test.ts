/** The README's client example, run as written on the fake wx platform (the test checks the README still shows this very code). */
import fs from 'fs';
import path from 'path';
import { WxSocketManager } from '../../src';
import { SocketSession } from '../../src/session';
import { createFakeWx } from '../../src/testing';
import { settle } from '../support/helpers';
import { fromRoot } from '../support/paths';

beforeEach(() => jest.useFakeTimers({ now: 0 }));
afterEach(() => jest.useRealTimers());

test('the README client example runs as written: delivery, acknowledged send, state kept in wx storage, resync when the server lost the session', async () => {
  const fake = createFakeWx();
  const stored: Record<string, string> = {};
  const wx = Object.assign(fake, {
    getStorageSync: (k: string) => stored[k] ?? '',
    setStorageSync: (k: string, v: string) => void (stored[k] = v),
    removeStorageSync: (k: string) => void delete stored[k],
  });
  // The mini-program's own global wx: the fake platform plus storage.
  const g = globalThis as { wx?: unknown };
  g.wx = wx;
  const undo = (): void => void delete g.wx;
  const log: string[] = [];
  const render = (data: unknown): void => void log.push(`render ${String(data)}`);
  const reloadFromServer = (reason: string): void => void log.push(`reload ${reason}`);
  const showToast = (o: { title: string }): void => void log.push(`toast ${o.title}`);
  const Page = (hooks: { onLoad(): void; onUnload(): void }): void => hooks.onLoad();
  try {
    // readme:start
    const socket = new WxSocketManager({ url: 'wss://example.com/live' });
    const session = new SocketSession(socket, { storage: 'wx' }); // survives a kill of the mini-program

    session.on('message', (data) => render(data)); // each server message once, in order
    session.on('resync', ({ reason }) => reloadFromServer(reason)); // the server lost our session: refetch state

    Page({ onLoad: socket.onLoad, onUnload: socket.onUnload }); // the manager's page hooks work unchanged

    session
      .send(JSON.stringify({ type: 'order', item: 42 }))
      .then(() => showToast({ title: '已送达' })) // the SERVER acknowledged it
      .catch((err) => showToast({ title: err.code })); // QUEUE_FULL, DELIVERY_TIMEOUT (still on its way), CLOSED
    // readme:end
    const task = wx.lastTask.serverOpen();
    task.serverMessage(JSON.stringify({ t: 'welcome', v: 1, sid: 'S1', resumed: false, rx: 0, ttl: 120000, reason: 'new' }));
    task.serverMessage(JSON.stringify({ t: 'msg', s: 1, id: 'n1', d: 'hello' }));
    task.serverMessage(JSON.stringify({ t: 'ack', a: 1 }));
    await settle(0);
    expect(log).toEqual(['render hello', 'toast 已送达']);
    expect(JSON.parse(stored['wx-socket-session']!)).toEqual({ sid: 'S1', rx: 1, s: 2, u: [] });
    task.serverClose(1006, '');
    await settle(5000);
    wx.lastTask.serverOpen();
    expect(JSON.parse(wx.lastTask.sent[0] as string)).toEqual({ t: 'hello', v: 1, sid: 'S1', rx: 1 });
    wx.lastTask.serverMessage(JSON.stringify({ t: 'welcome', v: 1, sid: 'S2', resumed: false, rx: 0, ttl: 120000, reason: 'expired' }));
    expect(log).toEqual(['render hello', 'toast 已送达', 'reload expired']);
    socket.destroy();
  } finally {
    undo();
  }
});

test('the README shows the example that runs', () => {
  const source = fs.readFileSync(__filename, 'utf8');
  const code = source.slice(source.indexOf('// readme:start') + 16, source.indexOf('    // readme:end')).replace(/^ {4}/gm, '').trim();
  for (const doc of ['../docs/readme-session-client.md', '../README.md']) {
    expect(fs.readFileSync(fromRoot('test', doc), 'utf8')).toContain(code);
  }
});
