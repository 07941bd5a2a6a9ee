/**
 * The README's session page (test/fixtures/session-page.js, shown in README.md and
 * docs/sessions.md), loaded as a page on the fake wx with storage, against a server played
 * frame by frame.
 */
import path from 'path';
import { createFakeWx, installFakeWx, loadPage } from '../../src/testing';
import { settle } from '../support/helpers';
import { FIXTURES } from '../support/paths';

beforeEach(() => jest.useFakeTimers({ now: 0 }));
afterEach(() => jest.useRealTimers());

test('the session page: delivery once, a toast when the server acknowledged the order, state kept in wx storage, resync when the server lost the session', async () => {
  const stored: Record<string, string> = {};
  const toasts: string[] = [];
  const g = globalThis as { wx?: unknown };
  g.wx = { // the mini-program's own wx: storage and toasts; installFakeWx adds the socket platform
    getStorageSync: (k: string) => stored[k] ?? '',
    setStorageSync: (k: string, v: string) => void (stored[k] = v),
    removeStorageSync: (k: string) => void delete stored[k],
    showToast: ({ title }: { title: string }) => void toasts.push(title),
  };
  const fake = createFakeWx();
  const undo = installFakeWx(fake);
  const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
  try {
    const page = loadPage(path.join(FIXTURES, 'session-page'));
    const task = fake.lastTask.serverOpen();
    expect(JSON.parse(task.sent[0] as string)).toEqual({ t: 'hello', v: 1, sid: null, rx: 0 });
    const ordered = page.instance.order(42);
    task.serverMessage(JSON.stringify({ t: 'welcome', v: 1, sid: 'S1', resumed: false, rx: 0, ttl: 120000, reason: 'new' }));
    task.serverMessage(JSON.stringify({ t: 'msg', s: 1, id: 'n1', d: 'hello' }));
    await settle(0);
    expect(JSON.parse(task.sent[1] as string)).toEqual({ t: 'msg', s: 1, id: expect.any(String), d: '{"type":"order","item":42}' });
    task.serverMessage(JSON.stringify({ t: 'msg', s: 1, id: 'n1', d: 'hello' })); // a duplicate: dropped
    task.serverMessage(JSON.stringify({ t: 'ack', a: 1 }));
    await ordered;
    expect(log.mock.calls).toEqual([['got', 'hello']]);
    expect(toasts).toEqual(['已送达']);
    expect(JSON.parse(stored['wx-socket-session']!)).toEqual({ sid: 'S1', rx: 1, s: 2, u: [] });

    task.serverClose(1006, '');
    await settle(5000);
    fake.lastTask.serverOpen();
    expect(JSON.parse(fake.lastTask.sent[0] as string)).toEqual({ t: 'hello', v: 1, sid: 'S1', rx: 1 });
    fake.lastTask.serverMessage(JSON.stringify({ t: 'welcome', v: 1, sid: 'S2', resumed: false, rx: 0, ttl: 120000, reason: 'expired' }));
    expect(log.mock.calls).toEqual([['got', 'hello'], ['refetch the state you show:', 'expired']]);

    page.unload();
    await settle(0);
    expect(fake.liveTasks()).toEqual([]);
  } finally {
    log.mockRestore();
    undo();
    delete g.wx;
  }
});
