/**
 * Over wss:// as production backends run: the kit verifies the server's certificate (here a
 * self-signed one for localhost, trusted through NODE_EXTRA_CA_CERTS), also through its own
 * fault proxy in the chaos run, where TLS still names and checks the real host.
 */
import { execFile, execFileSync } from 'child_process';
import fs from 'fs';
import os from 'os';
import path from 'path';
import { fromRoot } from '../support/paths';
import { LIMITS } from './kit-helpers';
import { ReferenceServer } from './reference-server';

jest.setTimeout(60000);

/** A self-signed certificate for localhost, made for this run (no private key lives in the repository). */
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wxsm-tls-'));
const CERT = path.join(dir, 'localhost-cert.pem');
const KEY = path.join(dir, 'localhost-key.pem');
execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', KEY, '-out', CERT, '-days', '2', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1'], { stdio: 'ignore' });
const tls = { key: fs.readFileSync(KEY, 'utf8'), cert: fs.readFileSync(CERT, 'utf8') };

function kit(env: Record<string, string>, ...args: string[]): Promise<{ code: number; stdout: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [fromRoot('dist/conformance/cli.js'), ...args], { timeout: 50000, env: { ...process.env, ...env } }, (err, stdout) => resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout }));
  });
}

let server: ReferenceServer;
beforeAll(async () => {
  server = await new ReferenceServer({ maxBuffered: LIMITS.maxBuffered, ttl: LIMITS.ttl, helloTimeout: LIMITS.helloTimeout, tls }).start();
});
afterAll(async () => {
  await server.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('wss:// with a certificate the machine trusts: the heartbeat, a takeover and the chaos run through the proxy all PASS', async () => {
  const { code, stdout } = await kit({ NODE_EXTRA_CA_CERTS: CERT }, server.url, '--session', '--header', 'x-user: alice', '--max-buffered', `${LIMITS.maxBuffered}`, '--only', 'heartbeat,rule6,chaos', '--chaos', '100');
  expect(stdout).toMatch(/\n7 PASS, 0 FAIL, 0 SKIP in [\d.]+ s — conforming\n$/);
  expect(stdout).toMatch(/chaos: 100 messages each way in [\d.]+ s; faults: link kill, blackhole, refusal, link kill;/);
  expect(code).toBe(0);
});

test('wss:// with a certificate nobody vouches for: the link is refused, never trusted blindly', async () => {
  const { code, stdout } = await kit({ NODE_EXTRA_CA_CERTS: '' }, server.url, '--session', '--header', 'x-user: alice', '--chaos', '0');
  expect(code).toBe(1);
  expect(stdout).toMatch(/FAIL {2}Link — .*\n {6}expected: an open WebSocket link\n {6}seen:\n {8}could not connect: self-signed certificate/);
});
