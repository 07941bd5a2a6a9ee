/** The dev server's pure decisions, as tables, and the fault proxy's bound on request heads. */
import fs from 'fs';
import net from 'net';
import path from 'path';
import { CLUSTER_FAULTS, faultArgs, parseFaultText, SINGLE_FAULTS } from '../../src/dev-server/faults';
import { controlRefusal, isLoopbackHost } from '../../src/dev-server/guard';
import { HEAD_LIMIT, parseHead } from '../../src/dev-server/http-head';
import { startDevServer } from '../../src/dev-server';
import type { DevServer } from '../../src/dev-server';
import { StreamCount, numbered } from '../../src/h5/counters';
import { parseTestCommand } from '../../src/protocol';
import { fromRoot } from '../support/paths';
import { raw, stopAll } from '../support/session-helpers';

test('loopback hosts: 127.x, localhost and [::1] with or without a port; nothing a rebinding page could name', () => {
  const table: Array<[string | undefined, boolean]> = [
    ['127.0.0.1:8090', true], ['127.0.0.1', true], ['127.255.0.1', true], ['localhost', true], ['LOCALHOST:8091', true], ['[::1]:8090', true],
    ['127.0.0.256', false], ['127.0.0.1.evil.example', false], ['localhost.evil.example:8090', false], ['evil.example', false],
    ['0.0.0.0:8090', false], ['192.168.1.2:8090', false], ['[::]:8090', false], ['', false], [undefined, false],
  ];
  expect(table.map(([host]) => [host, isLoopbackHost(host)])).toEqual(table);
});

test('control refusals: method first, then Host, then Origin (which must be this very origin)', () => {
  const host = '127.0.0.1:8090';
  expect(controlRefusal({ method: 'POST', host })).toBeUndefined();
  expect(controlRefusal({ method: 'POST', host, origin: 'http://127.0.0.1:8090' })).toBeUndefined();
  expect(controlRefusal({ method: 'POST', host: 'LOCALHOST:8090', origin: 'http://localhost:8090' })).toBeUndefined();
  expect(controlRefusal({ method: 'GET', host })?.status).toBe(405);
  expect(controlRefusal({ method: 'POST', host: 'evil.example' })?.status).toBe(403);
  expect(controlRefusal({ method: 'POST', host, origin: 'http://localhost:8090' })?.status).toBe(403);
  expect(controlRefusal({ method: 'POST', host, origin: 'http://127.0.0.1:8091' })?.status).toBe(403);
});

test('fault texts map their words onto the fault\'s arguments; the last one takes the rest', () => {
  expect(parseFaultText('fault:close 4001 auth revoked', SINGLE_FAULTS)).toEqual({ name: 'close', raw: { code: '4001', reason: 'auth revoked' } });
  expect(parseFaultText('fault:restart', SINGLE_FAULTS)).toEqual({ name: 'restart', raw: {} });
  expect(parseFaultText('fault:kill 2 500', CLUSTER_FAULTS)).toEqual({ name: 'kill', raw: { node: '2', ms: '500' } });
  expect(parseFaultText('fault:nope 1', SINGLE_FAULTS)).toEqual({ name: 'nope', raw: {} });
  expect(faultArgs({ ms: '1500', code: '4001', reason: 'bye' })).toEqual({ ms: 1500, code: 4001, reason: 'bye' });
  expect(faultArgs({ ms: '' })).toEqual({ error: 'ms must be a whole number of milliseconds from 0 to 86400000' });
  expect(faultArgs({ node: '0' })).toEqual({ error: 'node must be a node number from 1' });
});

test('request heads: method, target, Host, Origin and whether it is a WebSocket upgrade', () => {
  expect(parseHead('GET /?user=a HTTP/1.1\r\nHost: 127.0.0.1:8090\r\nUpgrade: WebSocket\r\nConnection: Upgrade')).toEqual({ method: 'GET', url: '/?user=a', host: '127.0.0.1:8090', origin: undefined, upgrade: true });
  expect(parseHead('POST /fault/restart HTTP/1.0\r\nhost: x\r\norigin: http://x')).toEqual({ method: 'POST', url: '/fault/restart', host: 'x', origin: 'http://x', upgrade: false });
  expect(parseHead('\x16\x03\x01 not http')).toBeUndefined();
});

test('the push command of the test contract: exactly {"conformance":"push","n":N} with 0 ≤ N ≤ 10000, else ordinary data', () => {
  const table: Array<[unknown, number | undefined]> = [
    ['{"conformance":"push","n":3}', 3], ['{"n":10000,"conformance":"push"}', 10000], ['{"conformance":"push","n":0}', 0],
    ['{"conformance":"push","n":10001}', undefined], ['{"conformance":"push","n":1.5}', undefined], ['{"conformance":"push","n":"3"}', undefined],
    ['{"conformance":"pull","n":3}', undefined], ['{"conformance":"push"', undefined], ['push 3', undefined], [new ArrayBuffer(3), undefined],
  ];
  const pushCount = (data: unknown): number | undefined => {
    const command = parseTestCommand(data);
    return command?.conformance === 'push' ? command.n : undefined;
  };
  expect(table.map(([data]) => [data, pushCount(data)])).toEqual(table);
});

test('the H5 counters: delivered, lost below the highest seen, duplicated; a resync starts a new stretch', () => {
  const ticks = new StreamCount();
  for (const n of [5, 6, 8, 8, 9]) ticks.add(n);
  expect([ticks.delivered, ticks.lost, ticks.duplicated]).toEqual([4, 1, 1]);
  ticks.rebase();
  for (const n of [40, 41, 43]) ticks.add(n);
  expect([ticks.delivered, ticks.lost, ticks.duplicated]).toEqual([7, 2, 1]);
  const up = new StreamCount(1);
  for (const n of [2, 3]) up.add(n);
  expect([up.delivered, up.lost, up.duplicated]).toEqual([2, 1, 0]);
  expect([numbered('{"up":7}'), numbered('{"type":"tick","n":3,"time":"x"}'), numbered('hello'), numbered('{"type":"tick"}')]).toEqual([{ up: 7 }, { tick: 3 }, undefined, undefined]);
});

describe('the fault proxy', () => {
  let server: DevServer;
  afterEach(async () => {
    await stopAll();
    await server.close();
  });

  test('a connection that sends an endless request head is cut at HEAD_LIMIT bytes; an honest client keeps its echo', async () => {
    server = await startDevServer({ port: 0, tickInterval: 0, log: false });
    const port = Number(new URL(server.url).port);
    const honest = await raw(port);
    const attacker = net.connect(port, '127.0.0.1');
    attacker.on('error', () => undefined);
    const closed = new Promise<void>((resolve) => attacker.on('close', () => resolve()));
    await new Promise<void>((resolve) => attacker.once('connect', () => resolve()));
    attacker.write(`GET / HTTP/1.1\r\nX-Pad: ${'a'.repeat(HEAD_LIMIT)}`);
    await closed;
    honest.send('still echoed');
    expect(await honest.next()).toBe('still echoed');
    expect(server.stats.accepted).toBe(1);
  });
});

test('the dev server reaches src/server through one file only (dev-server/sessions.ts)', () => {
  const dir = fromRoot('src/dev-server');
  const users = fs.readdirSync(dir).filter((f) => /from '\.\.\/server[/']/.test(fs.readFileSync(path.join(dir, f), 'utf8')));
  expect(users).toEqual(['sessions.ts']);
});
