/**
 * The bin as a backend team runs it (`wx-socket-conformance <url> …`, the built dist/ file):
 * against the second server written from PROTOCOL.md alone, a broken one, a plain heartbeat
 * server, nothing at all, and bad command lines.
 */
import { execFile } from 'child_process';
import fs from 'fs';
import os from 'os';
import path from 'path';
import { WebSocketServer } from 'ws';
import type { ConformanceReport } from '../../src/conformance';
import { fromRoot } from '../support/paths';
import { BROKEN } from './broken-servers';
import { LIMITS } from './kit-helpers';
import { ReferenceServer } from './reference-server';

jest.setTimeout(90000);

const BIN = fromRoot('dist/conformance/cli.js');
const LIMIT_FLAGS = ['--max-buffered', `${LIMITS.maxBuffered}`, '--max-sessions', `${LIMITS.maxSessions}`, '--hello-timeout', `${LIMITS.helloTimeout}`, '--watch', '1000'];
const USERS = ['--header', 'x-user: alice', '--header-b', 'x-user:bob'];
const REFERENCE = { maxBuffered: LIMITS.maxBuffered, ttl: LIMITS.ttl, helloTimeout: LIMITS.helloTimeout, maxSessionsPerUser: LIMITS.maxSessions };

const stops: Array<() => unknown> = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
});

function kit(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { timeout: 80000 }, (err, stdout, stderr) => resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }));
  });
}

async function reference(make = (): ReferenceServer => new ReferenceServer(REFERENCE)): Promise<string> {
  const server = await make().start();
  stops.push(() => server.close());
  return server.url;
}

const tmp = (): string => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wxsm-conformance-'));
  stops.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
};

test('a server written from PROTOCOL.md alone passes every check: exit 0, the JSON report, the Markdown report', async () => {
  const url = await reference();
  const file = path.join(tmp(), 'report.md');
  const { code, stdout, stderr } = await kit(url, '--session', ...USERS, ...LIMIT_FLAGS, '--json', '--report', file);
  const report = JSON.parse(stdout) as ConformanceReport;
  expect({ code, stderr, summary: report.summary, failed: report.checks.filter((c) => c.status !== 'PASS') }).toEqual({ code: 0, stderr: '', summary: { pass: 32, fail: 0, skip: 0 }, failed: [] });
  expect(report.url).toBe(`${url}/`);
  const markdown = fs.readFileSync(file, 'utf8');
  expect(markdown).toContain('**32 PASS, 0 FAIL, 0 SKIP** — conforming');
  for (const c of report.checks) expect(markdown).toContain(`| PASS | \`${c.id}\` | ${c.rule} — `);
});

test('a broken server: exit 1, its FAIL line names the rule and shows the frames seen, the summary says NOT conforming', async () => {
  const takeover = BROKEN.find((b) => b.check === 'rule6.takeover')!;
  const url = await reference(() => takeover.make(REFERENCE));
  const { code, stdout } = await kit(url, '--session', ...USERS, ...LIMIT_FLAGS, '--only', 'rule6', '--timeout', '2000');
  expect(code).toBe(1);
  expect(stdout).toContain('FAIL  Rule 6 Takeover — a "hello" for a session that has a live link closes the old link with 4409; the newest link wins\n      expected: the old link closed with 4409 within 2000 ms\n      seen:\n        [rule6.takeover L1 +');
  expect(stdout).toMatch(/\n3 PASS, 1 FAIL, 0 SKIP in [\d.]+ s — NOT conforming\n$/);
});

test('any server: heartbeat checks only, without --session; a server that never answers pong FAILs them', async () => {
  const [answering, silent] = [new WebSocketServer({ port: 0, host: '127.0.0.1' }), new WebSocketServer({ port: 0, host: '127.0.0.1' })];
  stops.push(() => new Promise((r) => answering.close(r)), () => new Promise((r) => silent.close(r)));
  await Promise.all([answering, silent].map((s) => new Promise((r) => s.once('listening', r))));
  answering.on('connection', (ws) => ws.on('message', (d) => d.toString() === 'ping' && ws.send('pong')));
  const port = (s: WebSocketServer): number => (s.address() as { port: number }).port;
  const good = await kit(`ws://127.0.0.1:${port(answering)}`);
  expect(good.code).toBe(0);
  expect(good.stdout.split('\n').filter((l) => /^(PASS|FAIL|SKIP) /.test(l)).map((l) => l.slice(0, 22))).toEqual(['PASS  Link — the serve', 'PASS  Heartbeat — a pl', 'PASS  Heartbeat — a "p']);
  expect(good.stdout).toContain('heartbeat only (add --session for the session protocol)');
  const bad = await kit(`ws://127.0.0.1:${port(silent)}`, '--timeout', '500');
  expect(bad.code).toBe(1);
  expect(bad.stdout).toContain('FAIL  Heartbeat — a plain "ping" is answered with a plain "pong", before anything else\n      expected: the text "pong" answering the first frame "ping" within 500 ms\n      seen:\n        [heartbeat.first L1] nothing (link still open)');
  expect(bad.stdout).toContain('SKIP  Heartbeat — a "ping" is answered on a busy link too (the pong is not held behind other traffic)\n      why: needs "heartbeat.first" (Heartbeat) to PASS; it was FAIL\n');
});

test('nothing listening: the Link check FAILs with why, every other check is SKIP naming what it needs', async () => {
  const url = await reference();
  stops.splice(0).forEach((stop) => stop());
  await new Promise((r) => setTimeout(r, 50));
  const { code, stdout } = await kit(url, '--session', '--chaos', '0');
  expect(code).toBe(1);
  expect(stdout).toMatch(/FAIL {2}Link — .*\n {6}expected: an open WebSocket link\n {6}seen:\n {8}could not connect: connect ECONNREFUSED/);
  expect(stdout).toMatch(/\n0 PASS, 1 FAIL, 31 SKIP in/);
});

test('headers and URL queries (the second user\'s --url-b too) never reach the output or the report', async () => {
  const url = await reference();
  const file = path.join(tmp(), 'r.md');
  const { stdout, stderr } = await kit(`${url}/live?token=s3cret-query`, '--header', 'x-user: alice', '--header', 'authorization: Bearer s3cret-header', '--url-b', `${url}/live?user=bob&token=s3cret-b`, '--session', '--only', 'rule2.forbidden', '--report', file);
  const all = stdout + stderr + fs.readFileSync(file, 'utf8');
  expect(all).toContain(`${url}/live?…`);
  expect(all).toContain('PASS  Rule 2 Session ids — a "hello" naming another user\'s session');
  expect(all).not.toMatch(/s3cret/);
});

test.each([
  [[], 'the server\'s ws:// or wss:// URL is missing'],
  [['http://127.0.0.1:1'], 'the URL must be a ws:// or wss:// URL'],
  [['ws://host:99999/?token=s3cret'], 'the URL must be a ws:// or wss:// URL\n'],
  [['ws://127.0.0.1:1', '--sesion'], 'unknown option --sesion'],
  [['ws://127.0.0.1:1', '--max-buffered', '0'], 'option "maxBuffered" must be a whole number ≥ 1'],
  [['ws://127.0.0.1:1', '--timeout', 'soon'], 'option "timeout" must be a whole number ≥ 1'],
  [['ws://127.0.0.1:1', '--header', 'no-colon'], '--header takes "Name: value"'],
  [['ws://127.0.0.1:1', '--report'], '--report needs a value'],
  [['ws://127.0.0.1:1', 'ws://127.0.0.1:2'], 'one URL only'],
  [['ws://127.0.0.1:1', '--only', 'rule4'], 'option "only" names no check without --session; the checks: connect, heartbeat.first, heartbeat.busy\n'],
])('a bad command line %j exits 2 with what was wrong, then the usage', async (args, message) => {
  const { code, stdout, stderr } = await kit(...args);
  expect({ code, stdout }).toEqual({ code: 2, stdout: '' });
  expect(stderr.startsWith(`wx-socket-conformance: ${message}`)).toBe(true);
  expect(stderr).toContain('usage: wx-socket-conformance <ws-url> [options]');
  expect(stderr).not.toContain('s3cret');
});

test('--help prints the usage with every option, exit 0', async () => {
  const { code, stdout } = await kit('--help');
  expect(code).toBe(0);
  for (const flag of ['--header K:V', '--header-b K:V', '--url-b URL', '--session', '--max-buffered N', '--max-sessions N', '--ack-delay MS', '--hello-timeout MS', '--timeout MS', '--slack MS', '--watch MS', '--max-wait MS', '--chaos N', '--only ID', '--report FILE.md', '--json']) {
    expect(stdout).toContain(`  ${flag}`);
  }
});
