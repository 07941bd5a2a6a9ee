/**
 * Real stories on a real ws server (127.0.0.1, free port) through the fault proxy.
 * Every wait is bounded; servers stop in afterEach.
 */
import { realSetup, sleep, teardown, until, eventTime } from '../support/real-helpers';

afterEach(teardown);

test('server restart: 200 messages sent while it is down arrive exactly once each, in order', async () => {
  const s = await realSetup({ reconnect: { interval: 100 }, queue: { max: 200 }, heartbeat: { interval: 1000, timeout: 1000 } });
  s.socket.connect();
  await until(() => s.socket.state === 'open', 3000, 'open');
  await s.socket.send('before');
  await until(() => s.server.received.length === 1);

  s.server.restart(400);
  await until(() => s.socket.state === 'reconnecting', 3000, 'the loss');
  const messages = Array.from({ length: 200 }, (_, i) => `m${i}`);
  const sends = messages.map((m) => s.socket.send(m));
  expect(s.socket.queued).toBe(200);
  await Promise.all(sends);
  await until(() => s.server.received.length === 201, 3000, 'all 200 at the server');
  await sleep(100);
  expect(s.server.received).toEqual(['before', ...messages]);
  expect(s.events.filter((x) => x.e.startsWith('open')).map((x) => x.e)).toEqual(['open:0', expect.stringMatching(/^open:\d+$/)]);
});

test('half-open link (blackhole): found by the heartbeat within interval + timeout, then recovery and an echo', async () => {
  const interval = 300;
  const timeout = 300;
  const s = await realSetup({ reconnect: { interval: 100 }, heartbeat: { interval, timeout } });
  const echoes: string[] = [];
  s.socket.on('message', (m) => typeof m === 'string' && echoes.push(m));
  s.socket.connect();
  await until(() => s.socket.state === 'open', 3000, 'open');
  await s.socket.send('hello');
  await until(() => echoes.includes('hello'));
  const silentFrom = Date.now() - s.t0; // the last frame just arrived
  s.server.blackhole(10000);
  await until(() => eventTime(s, 'error:HEARTBEAT_TIMEOUT') !== undefined, 3000, 'heartbeat timeout');
  const detection = (eventTime(s, 'error:HEARTBEAT_TIMEOUT') as number) - silentFrom;
  expect(detection).toBeGreaterThanOrEqual(interval + timeout - 10);
  expect(detection).toBeLessThanOrEqual(interval + timeout + 250);
  await until(() => s.socket.state === 'open', 3000, 'recovery');
  await s.socket.send('after');
  await until(() => echoes.includes('after'), 2000, 'echo over the new link');
  // The server still holds the old link: half-open on its side too, until the blackhole ends.
  expect(s.server.connections()).toBe(2);
});

test('refused connections: exactly maxAttempts attempts spaced by the interval, then failed; reconnect() recovers', async () => {
  const s = await realSetup({ reconnect: { maxAttempts: 4, interval: 150 } });
  s.socket.connect();
  await until(() => s.socket.state === 'open', 3000, 'open');
  s.server.restart(60000);
  await until(() => s.socket.state === 'failed', 5000, 'failed');
  const retries = s.attempts.slice(1);
  expect(retries).toHaveLength(4);
  const lost = eventTime(s, 'close:1006') as number;
  const gaps = [retries[0]! - lost, ...retries.slice(1).map((t, i) => t - retries[i]!)];
  for (const gap of gaps) {
    expect(gap).toBeGreaterThanOrEqual(145);
    expect(gap).toBeLessThan(150 + 200);
  }
  expect(s.events.slice(-1)[0]?.e).toBe('reconnect-failed:4');
  await sleep(400);
  expect(s.attempts).toHaveLength(5);

  s.server.refuse(0);
  s.socket.reconnect();
  await until(() => s.socket.state === 'open', 3000, 'recovery after reconnect()');
  expect(s.events.slice(-1)[0]?.e).toBe('open:0');
});

test('close codes and reasons pass through both ways; binary frames arrive as ArrayBuffer', async () => {
  const s = await realSetup({ shouldReconnect: (c) => c.code !== 4001 });
  const closes: Array<{ code: number; reason: string }> = [];
  const binaries: number[][] = [];
  s.socket.on('close', (e) => closes.push({ code: e.code, reason: e.reason }));
  s.socket.on('message', (m) => m instanceof ArrayBuffer && binaries.push([...new Uint8Array(m)]));
  s.socket.connect();
  await until(() => s.socket.state === 'open', 3000, 'open');

  await s.socket.send(new Uint8Array([1, 2, 250]).buffer);
  await until(() => binaries.length === 1, 2000, 'binary echo');
  expect(binaries).toEqual([[1, 2, 250]]);

  s.server.closeAll(4001, 'auth revoked');
  await until(() => s.socket.state === 'closed', 3000, 'closed by the server');
  expect(closes).toEqual([{ code: 4001, reason: 'auth revoked' }]);

  s.socket.connect();
  await until(() => s.socket.state === 'open', 3000, 'open again');
  s.socket.close(4000, 'page left');
  await until(() => s.server.closes.length === 2, 2000, 'server saw the client close');
  expect(s.server.closes[1]).toEqual({ code: 4000, reason: 'page left' });
});

test('a fault sent as a control message works from the client side', async () => {
  const s = await realSetup({ reconnect: { interval: 100 } });
  s.socket.connect();
  await until(() => s.socket.state === 'open', 3000, 'open');
  await s.socket.send('fault:close 4002 maintenance');
  await until(() => eventTime(s, 'close:4002') !== undefined, 3000, 'close 4002');
  await until(() => s.socket.state === 'open', 3000, 'reopened');
});

test('a 10 MB frame from the server arrives intact, and the link stays usable', async () => {
  const s = await realSetup({ heartbeat: { interval: 2000, timeout: 2000 } });
  const got: string[] = [];
  s.socket.on('message', (m) => typeof m === 'string' && got.push(m));
  s.socket.connect();
  await until(() => s.socket.state === 'open', 3000, 'open');
  const big = 'x'.repeat(10 * 1024 * 1024);
  await s.socket.send(big); // the dev server echoes it back
  await until(() => got.length === 1, 10000, 'the 10 MB echo');
  expect(got[0]!.length).toBe(big.length);
  expect(got[0] === big).toBe(true);
  await s.socket.send('small after big');
  await until(() => got.length === 2, 3000, 'a small echo after');
  expect(got[1]).toBe('small after big');
  expect(s.socket.state).toBe('open');
});
