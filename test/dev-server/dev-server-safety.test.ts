/**
 * The dev server is safe by default (API.md "Dev server, safe by default"): control routes
 * answer only POST, addressed to a loopback host, from the same origin or none; `fault:` texts
 * are data unless --text-faults; each client is the user its ?user= names.
 */
import WebSocket from 'ws';
import { startDevServer } from '../../src/dev-server';
import type { DevServer } from '../../src/dev-server';
import { httpOf, request } from '../support/http-helpers';
import { sleep, until } from '../support/real-helpers';
import { raw, stopAll } from '../support/session-helpers';

let server: DevServer;
afterEach(async () => {
  await stopAll();
  await server.close();
});

const isT = (t: string) => (f: Record<string, unknown> | string): boolean => typeof f === 'object' && f.t === t;
const portOf = (s: DevServer): number => Number(new URL(s.url).port);
const hostOf = (url: string): string => new URL(url).host;

/** A plain client that proves it is still connected by an echo. */
async function plainClient(s: DevServer): Promise<Awaited<ReturnType<typeof raw>>> {
  const c = await raw(portOf(s));
  c.send('still here?');
  expect(await c.next()).toBe('still here?');
  return c;
}

describe('control routes', () => {
  test('a DNS-rebinding request (Host: evil.example) is refused on both ports, and the fault does not run', async () => {
    server = await startDevServer({ port: 0, tickInterval: 0, log: false });
    const c = await plainClient(server);
    for (const base of [server.controlUrl, httpOf(server.url)]) {
      const answer = await request(`${base}/fault/restart`, 'POST', { host: 'evil.example', origin: 'http://evil.example' });
      expect({ status: answer.status, body: answer.json }).toEqual({ status: 403, body: { error: 'control routes answer only requests addressed to 127.0.0.1, localhost or [::1]' } });
      const noOrigin = await request(`${base}/status`, 'POST', { host: 'evil.example:8091' });
      expect(noOrigin.status).toBe(403);
    }
    await sleep(100);
    expect(server.stats.accepted).toBe(1);
    c.send('after');
    expect(await c.next()).toBe('after');
  });

  test('GET on a control route is refused (405, Allow: POST) and runs nothing', async () => {
    server = await startDevServer({ port: 0, tickInterval: 0, log: false });
    const c = await plainClient(server);
    for (const url of [`${server.controlUrl}/fault/restart`, `${httpOf(server.url)}/fault/restart`, `${server.controlUrl}/status`]) {
      const answer = await request(url, 'GET');
      expect({ status: answer.status, allow: answer.headers.allow, body: answer.json }).toEqual({ status: 405, allow: 'POST', body: { error: 'control routes answer POST only (e.g. curl -X POST)' } });
    }
    c.send('after');
    expect(await c.next()).toBe('after');
  });

  test('a cross-origin POST (a form or fetch on another site) is refused and runs nothing', async () => {
    server = await startDevServer({ port: 0, tickInterval: 0, log: false });
    const c = await plainClient(server);
    for (const origin of ['http://evil.example', 'null', `https://${hostOf(server.url)}`]) {
      const answer = await request(`${httpOf(server.url)}/fault/restart`, 'POST', { origin });
      expect({ status: answer.status, body: answer.json }).toEqual({ status: 403, body: { error: 'control routes refuse requests from another origin' } });
    }
    c.send('after');
    expect(await c.next()).toBe('after');
  });

  test('a same-origin POST, as the H5 page sends it, runs the fault and gets its answer though the fault cuts every link', async () => {
    server = await startDevServer({ port: 0, tickInterval: 0, log: false, restartDowntime: 300 });
    const c = await plainClient(server);
    const origin = httpOf(server.url);
    const answer = await request(`${origin}/fault/restart?ms=300`, 'POST', { origin });
    expect({ status: answer.status, body: answer.json, connection: answer.headers.connection }).toEqual({ status: 200, body: { fault: 'restart' }, connection: 'close' });
    expect((await c.closed).code).toBe(1006);
    const status = await request(`${origin}/status`, 'POST', { origin, host: hostOf(server.url).replace('127.0.0.1', 'localhost') });
    expect(status.status).toBe(403); // Origin and Host must name the same origin
    const fromCurl = await request(`${server.controlUrl}/status`);
    expect(fromCurl.json).toMatchObject({ mode: 'single', faults: ['restart', 'crash', 'blackhole', 'refuse', 'nopong', 'close'], refused: 0 });
  });

  test('bad fault arguments get a 400 naming what was wrong, and run nothing', async () => {
    server = await startDevServer({ port: 0, tickInterval: 0, log: false });
    const c = await plainClient(server);
    const bad = async (path: string): Promise<unknown> => (await request(`${server.controlUrl}${path}`)).json;
    expect(await bad('/fault/close?code=1234')).toEqual({ error: 'code must be 1000 or 3000-4999' });
    expect(await bad('/fault/restart?ms=soon')).toEqual({ error: 'ms must be a whole number of milliseconds from 0 to 86400000' });
    expect(await bad(`/fault/close?code=4001&reason=${encodeURIComponent('长'.repeat(42))}`)).toEqual({ error: 'reason must be text of at most 123 bytes' });
    expect(await bad('/fault/explode')).toEqual({ error: 'unknown fault "explode"; try restart|crash|blackhole|refuse|nopong|close' });
    c.send('after');
    expect(await c.next()).toBe('after');
  });
});

describe('text faults', () => {
  test('without --text-faults, "fault:crash" is ordinary data: echoed to a plain client and to a session, and every session survives', async () => {
    server = await startDevServer({ port: 0, tickInterval: 0, log: false, restartDowntime: 50 });
    const s = await raw(portOf(server));
    const { sid } = await s.hello(null);
    s.send({ t: 'msg', s: 1, id: 'c', d: 'fault:crash' });
    const plain = await raw(portOf(server));
    plain.send('fault:crash');
    plain.send('fault:restart 90000');
    expect([await plain.next(), await plain.next()]).toEqual(['fault:crash', 'fault:restart 90000']);
    await until(() => s.msgs().length === 1, 3000, 'the session echo');
    expect(s.msgs()).toEqual(['1:fault:crash']);
    expect(server.received).toEqual(['fault:crash', 'fault:crash', 'fault:restart 90000']);
    s.ws.terminate();
    await s.closed;
    const again = await raw(portOf(server));
    expect(await again.hello(sid as string, 1)).toMatchObject({ t: 'welcome', sid, resumed: true });
    expect(server.stats.refused).toBe(0);
  });

  test('with --text-faults, the same text runs the fault and is answered fault-ok; a bad one fault-error', async () => {
    server = await startDevServer({ port: 0, tickInterval: 0, log: false, textFaults: true });
    const c = await raw(portOf(server));
    c.send('fault:close 4001 a reason with spaces');
    expect(await c.next()).toBe('fault-ok:close');
    expect(await c.closed).toEqual({ code: 4001, reason: 'a reason with spaces' });
    const d = await raw(portOf(server));
    d.send('fault:nopong soon');
    expect(await d.next()).toBe('fault-error:ms must be a whole number of milliseconds from 0 to 86400000');
    expect(server.received).toEqual([]);
  });
});

describe('dev users', () => {
  test('?user=a cannot resume the session of ?user=b: it gets a new session, reason forbidden, and none of b\'s messages', async () => {
    server = await startDevServer({ port: 0, tickInterval: 0, log: false });
    const b = await raw(portOf(server), {}, '/?user=b');
    const { sid } = await b.hello(null);
    b.send({ t: 'msg', s: 1, id: 'secret', d: 'for b only' });
    await until(() => b.msgs().length === 1, 3000, "b's echo");
    b.ws.terminate();
    await b.closed;
    const a = await raw(portOf(server), {}, '/?user=a');
    const welcome = await a.hello(sid as string, 0);
    expect(welcome).toMatchObject({ t: 'welcome', resumed: false, reason: 'forbidden' });
    expect(welcome.sid).not.toBe(sid);
    await sleep(200);
    expect(a.msgs()).toEqual([]);
    const bAgain = await raw(portOf(server), {}, '/?user=b');
    expect(await bAgain.hello(sid as string, 0)).toMatchObject({ sid, resumed: true });
    await until(() => bAgain.msgs().length === 1, 3000, "b's echo again");
    expect(bAgain.msgs()).toEqual(['1:for b only']);
    expect(server.sessions().map((s) => s.user).sort()).toEqual(['a', 'b']);
  });

  test('without ?user= a client is user "dev"; a user name that is too long is refused with 400', async () => {
    server = await startDevServer({ port: 0, tickInterval: 0, log: false });
    const c = await raw(portOf(server));
    await c.hello(null);
    expect(server.sessions().map((s) => s.user)).toEqual(['dev']);
    const answer = await request(`${httpOf(server.url)}/?user=${'x'.repeat(65)}`, 'GET', { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==' });
    expect({ status: answer.status, text: answer.text }).toEqual({ status: 400, text: '"user" must be 1-64 characters without control characters' });
  });
});

describe('bounds', () => {
  test('a plain client that sends but never reads is cut once 32 MiB wait for it; an honest client keeps its echo', async () => {
    server = await startDevServer({ port: 0, tickInterval: 0, log: false });
    const honest = await plainClient(server);
    const sink = new WebSocket(server.url, { perMessageDeflate: false });
    sink.on('error', () => undefined);
    await new Promise<void>((resolve) => sink.once('open', () => resolve()));
    (sink as unknown as { _socket: { pause(): void } })._socket.pause();
    const big = Buffer.alloc(15 * 1024 * 1024, 120);
    for (let i = 0; i < 4; i++) sink.send(big, { binary: true });
    await until(() => server.connections() === 1, 20000, 'the non-reading link to be cut');
    honest.send('after');
    expect(await honest.next()).toBe('after');
    sink.terminate();
  });
});

describe('startup', () => {
  const listening = (): number => process.getActiveResourcesInfo().filter((r) => r === 'TCPServerWrap').length;

  test('a port in use rejects with the error, and what did start is closed again (nothing left listening)', async () => {
    server = await startDevServer({ port: 0, tickInterval: 0, log: false });
    await sleep(100); // servers closed by earlier tests leave the list a tick later
    const before = listening();
    await expect(startDevServer({ port: portOf(server), tickInterval: 0, log: false })).rejects.toThrow(/EADDRINUSE/);
    await expect(startDevServer({ port: 0, controlPort: Number(new URL(server.controlUrl).port), tickInterval: 0, log: false })).rejects.toThrow(/EADDRINUSE/);
    await until(() => listening() === before, 3000, 'the servers of the failed starts to close');
  });

  test('bad options throw a TypeError naming the option', async () => {
    await expect(startDevServer({ port: -1 })).rejects.toThrow(new TypeError('[wx-socket-manager] startDevServer: option "port" must be a whole number from 0 to 65535'));
    await expect(startDevServer({ tickInterval: 0.5 })).rejects.toThrow('option "tickInterval"');
    await expect(startDevServer({ textFaults: 'yes' as unknown as boolean })).rejects.toThrow('option "textFaults" must be a boolean');
    server = await startDevServer({ port: 0, tickInterval: 0, log: false });
  });
});

describe('the H5 page', () => {
  test('GET / is the page and /favicon.ico an icon (no 426), also while WebSocket links are refused', async () => {
    server = await startDevServer({ port: 0, tickInterval: 0, log: false });
    server.refuse(60000);
    const page = await request(`${httpOf(server.url)}/`, 'GET');
    expect({ status: page.status, type: page.headers['content-type'] }).toEqual({ status: 200, type: 'text/html; charset=utf-8' });
    expect(page.text).toContain('<script src="/h5/demo.js"></script>');
    const icon = await request(`${httpOf(server.url)}/favicon.ico`, 'GET');
    expect({ status: icon.status, type: icon.headers['content-type'] }).toEqual({ status: 200, type: 'image/svg+xml' });
    await expect(raw(portOf(server))).rejects.toThrow();
    expect(server.stats.refused).toBe(1);
  });
});
