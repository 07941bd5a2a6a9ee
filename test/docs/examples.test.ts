/**
 * The guides' whole-program examples (test/fixtures/examples/*.mts), run as a user runs them:
 * compiled as ES modules (`npm run typecheck` checks them under `module: node20`, where
 * `import Redis from 'ioredis'` would fail with TS2351), against the packed package installed
 * into a fresh project, each in its own Node process that must exit by itself.
 */
import { spawn } from 'child_process';
import fs from 'fs';
import os from 'os';
import path from 'path';
import ts from 'typescript';
import Redis from 'ioredis';
import { startDevServer } from '../../src/dev-server';
import type { DevServer } from '../../src/dev-server';
import { installPacked } from '../support/pack';
import { FIXTURES, fromRoot } from '../support/paths';
import { raw, refusedStatus, stopAll } from '../support/session-helpers';
import { scraped } from '../support/metrics-helpers';
import { request } from '../support/http-helpers';
import { useRedis } from '../support/redis-helpers';

jest.setTimeout(90000);
const redisServer = useRedis();
let project: string;

beforeAll(() => {
  project = fs.mkdtempSync(path.join(os.tmpdir(), 'wxsm-examples-'));
  installPacked(project);
  // The optional peers a server or Node client installs, taken from this repository.
  for (const peer of ['ws', 'ioredis', 'prom-client']) fs.symlinkSync(fromRoot('node_modules', peer), path.join(project, 'node_modules', peer), 'dir');
  for (const file of fs.readdirSync(path.join(FIXTURES, 'examples'))) {
    const { outputText } = ts.transpileModule(fs.readFileSync(path.join(FIXTURES, 'examples', file), 'utf8'), {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    });
    fs.writeFileSync(path.join(project, file.replace(/\.mts$/, '.mjs')), outputText);
  }
});
afterAll(() => fs.rmSync(project, { recursive: true, force: true }));
afterEach(stopAll);

interface Run {
  lines: string[];
  /** Resolves with the first stdout line matching `re` (bounded). */
  line(re: RegExp): Promise<string>;
  /** Resolves with the exit code (or signal) once the process ends by itself (bounded). */
  exit(ms?: number): Promise<number | string>;
  signal(name: NodeJS.Signals): void;
}

function run(example: string, env: Record<string, string>): Run {
  const child = spawn(process.execPath, [path.join(project, `${example}.mjs`)], { cwd: project, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  let errors = '';
  let buffered = '';
  child.stdout.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    const parts = buffered.split('\n');
    buffered = parts.pop()!;
    lines.push(...parts);
  });
  child.stderr.on('data', (chunk: Buffer) => void (errors += chunk.toString()));
  const ended = new Promise<number | string>((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));
  const within = <T>(p: Promise<T>, ms: number, what: string): Promise<T> => Promise.race([
    p,
    new Promise<T>((_, reject) => setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${example}: ${what} within ${ms} ms; stdout ${JSON.stringify(lines)}; stderr ${errors}`));
    }, ms).unref()),
  ]);
  return {
    lines,
    line: (re) => within(new Promise<string>((resolve) => {
      const look = (): void => {
        const found = lines.find((l) => re.test(l));
        if (found) resolve(found);
        else setTimeout(look, 20);
      };
      look();
    }), 20000, `no line ${re}`),
    exit: (ms = 20000) => within(ended, ms, 'did not exit'),
    signal: (name) => child.kill(name),
  };
}

test('the Node client example (docs/manager.md) connects, prints the echo and exits by itself', async () => {
  const devServer: DevServer = await startDevServer({ port: 0, controlPort: 0, tickInterval: 0, log: false });
  try {
    const client = run('node-client', { WS_URL: devServer.url });
    expect(await client.exit()).toBe(0);
    expect([...client.lines].sort()).toEqual(['got hello', 'sent hello']);
  } finally {
    await devServer.close();
  }
});

test('the session server example (docs/server.md): 401 without a token, each message saved and answered, presence logged, SIGTERM exits', async () => {
  const server = run('session-server', { PORT: '0' });
  const port = Number((await server.line(/^listening on \d+$/)).split(' ').pop());
  expect(await refusedStatus(port)).toBe(401);

  const client = await raw(port, { authorization: 'Bearer t-alice' });
  await client.hello(null);
  client.send({ t: 'msg', s: 1, id: 'order-1', d: 'buy' });
  await client.next((f) => typeof f === 'object' && f.t === 'msg');
  expect(client.msgs()).toEqual(['1:got 1']);
  client.send({ t: 'ack', a: 1 }); // the answer arrived: its send() resolves, nothing is left to report
  client.ws.close();
  await server.line(/^alice offline$/);

  server.signal('SIGTERM');
  expect(await server.exit()).toBe(0);
  expect(server.lines).toEqual([`listening on ${port}`, 'alice online', 'alice offline']);
});

test('the Redis example (docs/redis.md) serves a session from Redis, and on SIGTERM exits with its Redis clients quit', async () => {
  const url = redisServer.server().url;
  const watcher = new Redis(url);
  try {
    const clientsBefore = (await watcher.client('LIST') as string).trim().split('\n').length;
    const node = run('redis-server', { PORT: '0', REDIS_URL: url, NODE_NAME: 'node-a' });
    const port = Number((await node.line(/^listening on \d+$/)).split(' ').pop());
    const client = await raw(port, { 'x-user': 'alice' });
    const welcome = await client.hello(null);
    client.send({ t: 'msg', s: 1, id: 'hi-1', d: 'hi' });
    expect(await client.next((f) => typeof f === 'object' && f.t === 'msg')).toEqual({ t: 'msg', s: 1, id: expect.any(String), d: 'echo hi (#1, hi-1)' });
    expect(await watcher.exists(`wxs:{${String(welcome.sid)}}:st`)).toBe(1);
    expect((await watcher.client('LIST') as string).trim().split('\n').length).toBeGreaterThan(clientsBefore);

    node.signal('SIGTERM');
    expect(await node.exit()).toBe(0);
    expect((await watcher.client('LIST') as string).trim().split('\n').length).toBe(clientsBefore);
  } finally {
    watcher.disconnect();
  }
});

test('the dev server example (docs/dev-server.md) runs a fault by a control route and one by a method, and exits by itself', async () => {
  const example = run('dev-server', {});
  expect(await example.exit()).toBe(0);
  expect(example.lines.map((l) => l.replace(/:\d+$/, ':PORT'))).toEqual(['ws://127.0.0.1:PORT', '200 {"fault":"blackhole"}', 'close']);
});

test('the metrics example (docs/metrics.md) serves /metrics with the wxsm_ series and the process\'s own, counting a session, and exits on SIGTERM', async () => {
  const server = run('metrics-server', { PORT: '0', METRICS_PORT: '0' });
  const [port, metricsPort] = (await server.line(/^listening on \d+, metrics on \d+$/)).match(/\d+/g)!.map(Number);
  const client = await raw(port!);
  await client.hello(null);
  client.send({ t: 'msg', s: 1, id: 'm1', d: 'hi' });
  await client.next((f) => typeof f === 'object' && f.t === 'msg');
  const answer = await request(`http://127.0.0.1:${metricsPort}/metrics`, 'GET');
  expect(answer.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
  const m = scraped(answer.text);
  expect([m.value('wxsm_links_open'), m.value('wxsm_sessions_started_total'), m.value('wxsm_messages_total', { direction: 'in' }), m.value('wxsm_messages_total', { direction: 'out' })]).toEqual([1, 1, 1, 1]);
  expect(m.type('process_cpu_seconds_total')).toBe('counter');
  server.signal('SIGTERM');
  expect(await server.exit()).toBe(0);
});

test('the rooms example (docs/rooms.md): the lobby gets each line once, with its room; a line to a user reaches her sessions; a room she is not in is refused; SIGTERM exits', async () => {
  const server = run('rooms-server', { PORT: '0' });
  const port = Number((await server.line(/^listening on \d+$/)).split(' ').pop());
  const [alice, bob] = [await raw(port, { 'x-user': 'alice' }), await raw(port, { 'x-user': 'bob' })];
  await alice.hello(null);
  await bob.hello(null);
  await new Promise((r) => setTimeout(r, 100));
  alice.send({ t: 'msg', s: 1, id: 'a1', d: JSON.stringify({ room: 'lobby', say: 'hi all' }) });
  await server.line(/^alice → lobby: 2 session\(s\)$/);
  bob.send({ t: 'msg', s: 1, id: 'b1', d: JSON.stringify({ to: 'alice', say: 'psst' }) });
  await server.line(/^bob → alice: 1 session\(s\)$/);
  alice.send({ t: 'msg', s: 2, id: 'a2', d: JSON.stringify({ room: 'vip', say: 'let me in' }) });
  const isMsg = (f: Record<string, unknown> | string): boolean => typeof f === 'object' && f.t === 'msg';
  const frames = async (c: typeof alice, n: number): Promise<Array<Record<string, unknown>>> => {
    const out = [];
    for (let i = 0; i < n; i++) out.push((await c.next(isMsg)) as Record<string, unknown>);
    return out.map(({ id: _, ...f }) => f);
  };
  expect(await frames(alice, 3)).toEqual([
    { t: 'msg', s: 1, d: '{"from":"alice","say":"hi all"}', r: 'lobby' },
    { t: 'msg', s: 2, d: '{"from":"bob","say":"psst"}', r: 'user' },
    { t: 'msg', s: 3, d: 'not in vip' },
  ]);
  expect(await frames(bob, 1)).toEqual([{ t: 'msg', s: 1, d: '{"from":"alice","say":"hi all"}', r: 'lobby' }]);
  server.signal('SIGTERM');
  expect(await server.exit()).toBe(0);
  expect(server.lines).toEqual([`listening on ${port}`, 'alice → lobby: 2 session(s)', 'bob → alice: 1 session(s)']);
});
