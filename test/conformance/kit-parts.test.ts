/** The kit's pure decisions: how it estimates sid entropy, reads a command line, prints a URL, reads the test contract. */
import { randomBytes, randomUUID } from 'crypto';
import fs from 'fs';
import path from 'path';
import { parseArgs, resolveOptions } from '../../src/conformance';
import { sidBits } from '../../src/conformance/checks/handshake';
import { percentile } from '../../src/conformance/checks/heartbeat';
import { printableUrl } from '../../src/conformance/options';
import { encodeTestCommand, parseTestCommand } from '../../src/protocol';
import { fromRoot } from '../support/paths';

const many = (make: () => string, n = 12): string[] => Array.from({ length: n }, make);

test.each([
  ['16 random bytes, base64url (22 characters)', true, () => randomBytes(16).toString('base64url')],
  ['a node prefix and 16 random bytes', true, () => `node7.${randomBytes(16).toString('base64url')}`],
  ['32 random bytes, hex', true, () => randomBytes(32).toString('hex')],
  ['a UUID v4 (122 random bits)', false, () => randomUUID()],
  ['8 random bytes, hex', false, () => randomBytes(8).toString('hex')],
  ['15 random bytes, base64url', false, () => randomBytes(15).toString('base64url')],
  ['a millisecond time in base 36 and a counter', false, (() => { let n = 0; return () => `${Date.now().toString(36)}${(++n).toString().padStart(16, '0')}`; })()],
  ['a decimal counter, 40 digits', false, (() => { let n = 10n ** 39n; return () => String(++n); })()],
])('sid entropy: %s → ≥ 128 bits: %s', (_what, enough, make) => {
  expect(sidBits(many(make)) >= 128).toBe(enough);
});

test('the command line: repeated headers for two users, numbers, --only, flags; values keep their colons', () => {
  expect(parseArgs(['wss://api.example.com/ws', '--session', '--header', 'Authorization: Bearer a:b', '--header', 'x-user:alice', '--header-b', 'x-user: bob', '--max-buffered', '200', '--chaos', '0', '--only', 'rule4, rule6', '--json', '--report', 'out.md'])).toEqual({
    url: 'wss://api.example.com/ws',
    session: true,
    headers: { Authorization: 'Bearer a:b', 'x-user': 'alice' },
    headersB: { 'x-user': 'bob' },
    maxBuffered: 200,
    chaos: 0,
    only: ['rule4', 'rule6'],
    json: true,
    report: 'out.md',
  });
});

test('options: defaults filled, each bad value a TypeError naming the option', () => {
  expect(resolveOptions({ url: 'ws://127.0.0.1:1' })).toEqual({
    url: 'ws://127.0.0.1:1', headers: {}, session: false, maxBuffered: 1000, maxSessions: 20, ackDelay: 50, helloTimeout: 10000, timeout: 5000, slack: 1000, watch: 2000, maxWait: 20000, chaos: 200, json: false,
  });
  expect(() => resolveOptions({ url: 'https://x' })).toThrow(new TypeError('[wx-socket-manager] conformance: the URL must be a ws:// or wss:// URL'));
  expect(() => resolveOptions({ url: 'ws://x', urlB: 'http://x' })).toThrow('option "urlB" must be a ws:// or wss:// URL');
  expect(() => resolveOptions({ url: 'ws://x', watch: 1.5 })).toThrow('option "watch" must be a whole number ≥ 1');
  expect(() => resolveOptions({ url: 'ws://x', ackDelay: -1 })).toThrow('option "ackDelay" must be a whole number ≥ 0');
  expect(() => resolveOptions({ url: 'ws://x', maxBuffered: 10000 })).toThrow('option "maxBuffered" must be ≤ 9999 (the test contract pushes at most 10000)');
  expect(resolveOptions({ url: 'ws://x', chaos: 0, slack: 0 })).toMatchObject({ chaos: 0, slack: 0 });
});

test('a printed URL keeps no query and no credentials', () => {
  expect(printableUrl('wss://user:pw@api.example.com:8443/ws?token=abc#x')).toBe('wss://api.example.com:8443/ws?…');
  expect(printableUrl('ws://127.0.0.1:8090')).toBe('ws://127.0.0.1:8090/');
});

test('the test contract: push and volatile commands are recognised, anything else is data to echo', () => {
  expect(parseTestCommand(encodeTestCommand('push', 3))).toEqual({ conformance: 'push', n: 3 });
  expect(parseTestCommand('{"conformance":"volatile","n":0}')).toEqual({ conformance: 'volatile', n: 0 });
  for (const data of ['hello', '{"conformance":"push","n":10001}', '{"conformance":"push","n":1.5}', '{"conformance":"pull","n":1}', '{"conformance":', 'null', new ArrayBuffer(2)]) {
    expect(parseTestCommand(data)).toBeUndefined();
  }
});

test('percentiles of the ping times: nearest rank', () => {
  const values = Array.from({ length: 100 }, (_, i) => 100 - i);
  expect([percentile(values, 50), percentile(values, 99), percentile([7], 99)]).toEqual([50, 99, 7]);
});

test('the kit judges servers independently: src/conformance imports the wire (protocol), shared helpers and the fault proxy, never the server or the session client', () => {
  const dir = fromRoot('src/conformance');
  const files = fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
  const outside = new Set<string>();
  for (const file of files) {
    for (const [, spec] of fs.readFileSync(path.join(dir, file), 'utf8').matchAll(/from '(\.[^']+)'/g)) {
      const target = path.relative(fromRoot('src'), path.resolve(dir, path.dirname(file), spec!));
      if (!target.startsWith('conformance')) outside.add(target.split(path.sep).join('/'));
    }
  }
  expect([...outside].sort()).toEqual(['dev-server/fault-proxy', 'protocol', 'shared/require-ws']);
});
