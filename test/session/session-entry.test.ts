/** The shipped `wx-socket-manager/session` file, required by name as a user would. */
import { execFileSync } from 'child_process';
import path from 'path';
import { ROOT } from '../support/paths';

const root = ROOT;

test('importing wx-socket-manager/session touches no wx global, shares the manager of the main entry, and reads wx storage only when asked', () => {
  const script = `
    let touched = 0;
    const stored = {};
    Object.defineProperty(globalThis, 'wx', { get() { touched++; return { getStorageSync: (k) => stored[k] || '', setStorageSync: (k, v) => { stored[k] = v; }, removeStorageSync: (k) => { delete stored[k]; } }; }, configurable: true });
    const session = require('wx-socket-manager/session');
    const main = require('wx-socket-manager');
    const { createFakeWx } = require('wx-socket-manager/testing');
    const touchedAtImport = touched;
    const socket = new main.WxSocketManager({ url: 'wss://example.test', wx: createFakeWx(), connectSocket: createFakeWx().connectSocket });
    const before = touched;
    const s = new session.SocketSession(socket, { storage: 'wx' });
    const touchedAtConstruction = touched > before;
    s.close();
    s.send('late').catch((err) => {
      process.stdout.write(JSON.stringify({ touchedAtImport, touchedAtConstruction, exports: Object.keys(session).sort(), sameSocketError: err instanceof main.SocketError, code: err.code }));
    });`;
  const out = JSON.parse(execFileSync(process.execPath, ['-e', script], { cwd: root, encoding: 'utf8' }));
  expect(out).toEqual({ touchedAtImport: 0, touchedAtConstruction: true, exports: ['SocketSession'], sameSocketError: true, code: 'CLOSED' });
});
