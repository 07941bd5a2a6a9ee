/** The Node adapter on its own: wx's SocketTask semantics over a real ws server. */
import { startDevServer } from '../../src/dev-server';
import type { DevServer } from '../../src/dev-server';
import { createWsConnectSocket, ERR_SEND_NOT_CONNECTED } from '../../src/node';
import type { SocketTaskLike } from '../../src';
import { sleep, until } from '../support/real-helpers';

let server: DevServer;
beforeEach(async () => {
  server = await startDevServer({ port: 0, tickInterval: 0, log: false });
});
afterEach(() => server.close());

function record(task: SocketTaskLike): string[] {
  const log: string[] = [];
  task.onOpen((r) => log.push(`open:${typeof r.header}`));
  task.onMessage((r) => log.push(`message:${typeof r.data === 'string' ? r.data : 'binary'}`));
  task.onError((r) => log.push(`error:${r.errMsg ? 'msg' : ''}`));
  task.onClose((r) => log.push(`close:${r.code}:${r.reason}`));
  return log;
}

test('send before open fails with the platform errMsg, asynchronously', async () => {
  const task = createWsConnectSocket()({ url: server.url });
  const log = record(task);
  const fails: string[] = [];
  let sync = true;
  task.send({ data: 'early', fail: (r) => fails.push(`${sync ? 'sync' : 'async'}:${r.errMsg}`) });
  sync = false;
  await until(() => fails.length === 1);
  expect(fails).toEqual([`async:${ERR_SEND_NOT_CONNECTED}`]);
  await until(() => log.includes('open:object'));
  task.close({});
});

test('text arrives as string, binary as ArrayBuffer; close yields one onClose and nothing after', async () => {
  const task = createWsConnectSocket()({ url: server.url });
  const log = record(task);
  const binaries: ArrayBuffer[] = [];
  task.onMessage((r) => r.data instanceof ArrayBuffer && binaries.push(r.data));
  await until(() => log.includes('open:object'));
  task.send({ data: 'hi' });
  task.send({ data: new Uint8Array([7, 8]).buffer });
  await until(() => log.length === 3);
  expect(new Uint8Array(binaries[0]!)).toEqual(new Uint8Array([7, 8]));
  task.close({ code: 4000, reason: 'done' });
  await until(() => log.some((l) => l.startsWith('close')));
  const sendAfter: string[] = [];
  task.send({ data: 'late', fail: (r) => sendAfter.push(r.errMsg) });
  server.closeAll(1000, '');
  await sleep(200);
  expect(log).toEqual(['open:object', 'message:hi', 'message:binary', 'close:4000:done']);
  expect(sendAfter).toEqual([ERR_SEND_NOT_CONNECTED]);
});

test('a refused connection reports onError then onClose, like wx', async () => {
  server.refuse(5000);
  const task = createWsConnectSocket()({ url: server.url });
  const log = record(task);
  await until(() => log.length === 2);
  expect(log).toEqual(['error:msg', 'close:1006:']);
});

test('closing a dead (blackholed) link is forced after the bounded wait', async () => {
  const task = createWsConnectSocket({ closeTimeout: 150 })({ url: server.url });
  const log = record(task);
  await until(() => log.includes('open:object'));
  server.blackhole(10000);
  const started = Date.now();
  task.close({ code: 1000 });
  await until(() => log.some((l) => l.startsWith('close')), 2000);
  expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  expect(Date.now() - started).toBeLessThan(1000);
});

test('invalid close codes fail like wx; the url is checked', async () => {
  const fails: string[] = [];
  const task = createWsConnectSocket()({ url: server.url });
  const log = record(task);
  await until(() => log.includes('open:object'));
  task.close({ code: 1001, fail: (r) => fails.push(r.errMsg) });
  const bad = createWsConnectSocket()({ url: 'not a url', fail: (r) => fails.push(r.errMsg.split(' ')[0]!) });
  void bad;
  await until(() => fails.length === 2);
  expect(fails).toEqual(['closeSocket:fail The code must be either 1000, or between 3000 and 4999', 'connectSocket:fail']);
  task.close({});
});

test.each([
  [{ closeTimeout: -1 }, /option "closeTimeout" must be a number of ms > 0/],
  [{ closeTimeout: Infinity }, /option "closeTimeout" must be a number of ms > 0/],
  [{ perMessageDeflate: 'yes' }, /option "perMessageDeflate" must be true or false/],
  [{ WebSocket: {} }, /option "WebSocket" must be the "ws" WebSocket class/],
  [{ closeTimout: 100 }, /option "closeTimout" is unknown \(known: WebSocket, closeTimeout, perMessageDeflate\)/],
  [null, /options must be an object/],
])('createWsConnectSocket(%p) is a TypeError naming the option, in the style of every other', (options, message) => {
  expect(() => createWsConnectSocket(options as never)).toThrow(TypeError);
  expect(() => createWsConnectSocket(options as never)).toThrow(message);
});
