import { reconnectDelay } from '../../src';
import { afterLoss, isFatalConnectError, isValidCloseCode, utf8Length } from '../../src/reconnect-policy';

const fixed = { interval: 5000, factor: 1, maxInterval: 30000, jitter: 0 };
const doubling = { interval: 1000, factor: 2, maxInterval: 30000, jitter: 0 };

describe('the delay before reconnect attempt n', () => {
  test.each([
    ['default policy, attempt 1', fixed, 1, 5000],
    ['default policy, attempt 12', fixed, 12, 5000],
    ['doubling, attempt 1', doubling, 1, 1000],
    ['doubling, attempt 2', doubling, 2, 2000],
    ['doubling, attempt 5', doubling, 5, 16000],
    ['doubling, capped at maxInterval', doubling, 6, 30000],
    ['doubling, attempt 40 still capped', doubling, 40, 30000],
    ['factor 1.5', { interval: 1000, factor: 1.5, maxInterval: 30000, jitter: 0 }, 3, 2250],
  ])('%s', (_name, policy, attempt, expected) => {
    expect(reconnectDelay(attempt, policy)).toBe(expected);
  });

  test.each([
    [0, 2500],
    [0.5, 5000],
    [0.999999, 7500],
  ])('jitter 0.5 spreads 5000 ms to ±50%% (random %p → %p)', (r, expected) => {
    expect(reconnectDelay(1, { ...fixed, jitter: 0.5 }, () => r)).toBe(expected);
  });

  test('jitter is applied before the maxInterval cap: no delay ever exceeds it', () => {
    const near = { interval: 1000, factor: 2, maxInterval: 30000, jitter: 0.5 };
    expect(reconnectDelay(5, near, () => 0.999999)).toBe(24000); // 16000 · 1.5
    expect(reconnectDelay(5, near, () => 0)).toBe(8000);
    expect(reconnectDelay(6, near, () => 0.999999)).toBe(30000); // 32000 · 1.5 → capped
    expect(reconnectDelay(6, near, () => 0)).toBe(16000);
    for (let r = 0; r < 1; r += 0.01) expect(reconnectDelay(1, { interval: 30000, factor: 1, maxInterval: 30000, jitter: 1 }, () => r)).toBeLessThanOrEqual(30000);
  });

  test('jitter 1 never goes negative', () => {
    expect(reconnectDelay(1, { ...fixed, jitter: 1 }, () => 0)).toBe(0);
  });
});

describe('which connect failures are fatal', () => {
  test.each([
    ['connectSocket:fail url not in domain list', true],
    ['createSocketTask:fail wss url not in domain list', true],
    ['connectSocket:fail url 不在以下 socket 合法域名列表中', true],
    ['connectSocket:fail network is down', false],
    ['Timed out connecting to server.', false],
    ['connectSocket:fail exceed max task count', false],
    [undefined, false],
  ])('%p → fatal %p', (errMsg, fatal) => {
    expect(isFatalConnectError(errMsg)).toBe(fatal);
  });
});

describe('close codes and reasons', () => {
  test.each([
    [1000, true], [3000, true], [4999, true], [1001, false], [1006, false], [2999, false], [5000, false], [3000.5, false], [NaN, false],
  ])('code %p valid: %p', (code, ok) => {
    expect(isValidCloseCode(code)).toBe(ok);
  });

  test.each([
    ['', 0], ['bye', 3], ['é', 2], ['断开', 6], ['😀', 4], ['\ud800', 3],
  ])('utf8Length(%p) = %p', (text, n) => {
    expect(utf8Length(text)).toBe(n);
    expect(utf8Length(text)).toBe(Buffer.byteLength(text, 'utf8'));
  });
});

describe('seededRandom (wx-socket-manager/testing) makes jitter reproducible', () => {
  test('same seed, same delays; values in [0, 1)', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { seededRandom } = require('../../src/testing') as typeof import('../../src/testing');
    const policy = { interval: 5000, factor: 1, maxInterval: 30000, jitter: 0.5 };
    const a = seededRandom(7);
    const b = seededRandom(7);
    const delaysA = [1, 2, 3, 4].map((n) => reconnectDelay(n, policy, a));
    expect([1, 2, 3, 4].map((n) => reconnectDelay(n, policy, b))).toEqual(delaysA);
    expect(new Set(delaysA).size).toBeGreaterThan(1);
    const r = seededRandom(1);
    for (let i = 0; i < 10000; i++) {
      const x = r();
      expect(x >= 0 && x < 1).toBe(true);
    }
  });
});

describe('what a lost link leads to', () => {
  const policy = { maxAttempts: 3 };
  test.each([
    ['a fatal error (domain not allowed): failed, no reconnect-failed', true, true, policy, true, 0, ['failed']],
    ['shouldReconnect said no: closed', false, false, policy, true, 0, ['closed']],
    ['reconnect off: failed after 0 attempts', false, true, false, true, 0, ['failed', 0]],
    ['maxAttempts 0: failed after 0 attempts', false, true, { maxAttempts: 0 }, true, 0, ['failed', 0]],
    ['attempts left: reconnecting', false, true, policy, true, 2, ['reconnecting']],
    ['the last attempt failed: failed after 3', false, true, policy, true, 3, ['failed', 3]],
    ['offline, attempts spent: waiting in reconnecting, nothing spent', false, true, policy, false, 3, ['reconnecting']],
    ['offline with reconnect off: failed after 0', false, true, false, false, 0, ['failed', 0]],
  ] as const)('%s', (_name, fatal, wanted, reconnect, online, attempt, expected) => {
    expect(afterLoss(fatal, wanted, reconnect, online, attempt)).toEqual(expected);
  });
});
