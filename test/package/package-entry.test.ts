import { execFileSync } from 'child_process';
import path from 'path';
import { ROOT, FIXTURES } from '../support/paths';

const root = ROOT;

test('a new user in plain Node: require by name, inject the fake, the whole story holds', () => {
  const out = JSON.parse(execFileSync(process.execPath, [path.join(FIXTURES, 'new-user.js')], { cwd: root, encoding: 'utf8' }));
  expect(out).toEqual({
    hadWxGlobal: false,
    events: ['state:connecting', 'state:open', 'open', 'state:reconnecting', 'close', 'reconnecting', 'state:open', 'open', 'state:closed', 'close'],
    queuedWhileDown: 2,
    delivered: ['hello', 'q1', 'q2'],
    finalState: 'closed',
    listenersLeft: 0,
    timersLeft: 0,
    isSocketError: true,
  });
});

test('importing the package touches no wx global and has no runtime dependencies', () => {
  const pkg = require('../../package.json') as { dependencies?: object; main: string; miniprogram: string };
  expect(pkg.dependencies ?? {}).toEqual({});
  const script = `
    let touched = false;
    Object.defineProperty(globalThis, 'wx', { get() { touched = true; return undefined; }, configurable: true });
    const m = require('wx-socket-manager');
    process.stdout.write(JSON.stringify({ touched, exports: Object.keys(m).sort() }));`;
  const out = JSON.parse(execFileSync(process.execPath, ['-e', script], { cwd: root, encoding: 'utf8' }));
  expect(out).toEqual({ touched: false, exports: ['DEFAULTS', 'STATUS_TEXT', 'SocketError', 'WxSocketManager', 'reconnectDelay', 'socketBehavior', 'statusText'] });
});
