/** `npm run dev-server -- …`: strict flags, a full --help, a banner true to the flags given. */
import { execFile, spawn } from 'child_process';
import { parseCli } from '../../src/dev-server/cli-args';
import { fromRoot } from '../support/paths';
import { bundleForChild } from '../support/redis-helpers';

const cli = bundleForChild(fromRoot('src/dev-server/cli.ts'));

function run(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [cli, ...args], { timeout: 20000 }, (err, stdout, stderr) => {
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

/** Starts the CLI, returns the banner lines it prints once listening, and stops it. */
function banner(...args: string[]): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no banner: ${out}`));
    }, 15000);
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (!/^Text: .*$/m.test(out)) return;
      clearTimeout(timer);
      child.once('exit', () => resolve(out.trim().split('\n')));
      child.kill('SIGTERM');
    });
  });
}

const FLAGS = ['--port', '--host', '--control-port', '--tick', '--restart-downtime', '--session-ttl', '--text-faults', '--redis', '--nodes', '--help'];
const FAULTS = ['restart', 'crash', 'blackhole', 'refuse', 'nopong', 'close', 'kill', 'drop'];

test('an unknown flag exits 2 with the usage on stderr, and starts nothing', async () => {
  const r = await run('--prot', '8090');
  expect(r.code).toBe(2);
  expect(r.stdout).toBe('');
  expect(r.stderr).toMatch(/^wx-socket-dev-server: unknown flag "--prot"\nusage: wx-socket-dev-server \[--port 8090\]/);
  expect(r.stderr).toContain('Run with --help for every flag and fault.');
});

test('bad values, a flag given twice, stray arguments and flags of the other mode exit 2, each saying what was wrong', async () => {
  const cases: Array<[string[], string]> = [
    [['--port', 'http'], '--port must be a whole number from 0 to 65535, got "http"'],
    [['--tick'], '--tick needs a value (MS)'],
    [['--tick', '10', '--tick', '20'], '--tick is given twice'],
    [['8090'], 'unexpected argument "8090"'],
    [['--nodes', '3'], '--nodes needs --redis (cluster mode)'],
    [['--redis', 'redis://127.0.0.1:1', '--tick', '0'], '--tick is for single mode (not with --redis)'],
    [['--redis', 'http://secret@host'], '--redis must be a redis:// or rediss:// URL'],
    [['--text-faults=yes'], '--text-faults takes no value'],
  ];
  for (const [args, message] of cases) {
    const r = await run(...args);
    expect({ args, code: r.code, first: r.stderr.split('\n')[0] }).toEqual({ args, code: 2, first: `wx-socket-dev-server: ${message}` });
  }
});

test('--help names every flag and every fault, with what each does, and exits 0', async () => {
  const r = await run('--help');
  expect(r.code).toBe(0);
  const lines = r.stdout.split('\n');
  for (const flag of FLAGS) expect(lines.some((l) => l.startsWith(`  ${flag}`) && l.length > 40)).toBe(true);
  for (const fault of FAULTS) expect(lines.some((l) => new RegExp(`^  ${fault}\\b.{30,}`).test(l))).toBe(true);
  expect(r.stdout).toContain('never expose it');
  expect(r.stdout).toContain('POST only');
  expect(r.stdout).toMatch(/^  GET \/metrics .{40,}$/m);
  expect(r.stdout).toMatch(/^  GET \/dashboard .{40,}$/m);
});

test('the banner tells the truth: --tick 0 says no ticks; text faults are off unless --text-faults', async () => {
  const quiet = (await banner('--port', '0', '--tick', '0')).join('\n');
  expect(quiet).toContain('no ticks (--tick 0)');
  expect(quiet).not.toMatch(/a tick every/);
  expect(quiet).toContain('"fault:…" texts are echoed like any other data');
  const ticking = (await banner('--port', '0', '--tick', '250', '--text-faults')).join('\n');
  expect(ticking).toContain('a tick every 250 ms');
  expect(ticking).toContain('(--text-faults is on)');
  expect(ticking).toMatch(/Control: +curl -X POST http:\/\/127\.0\.0\.1:\d+\/status/);
  expect(ticking).toMatch(/Dashboard: +http:\/\/127\.0\.0\.1:\d+\/dashboard .* at http:\/\/127\.0\.0\.1:\d+\/metrics /);
});

describe('parseCli', () => {
  test('flags become options; --name=value works; both modes', () => {
    expect(parseCli(['--port=0', '--tick', '0', '--text-faults', '--session-ttl', '5000'])).toEqual({
      kind: 'single',
      options: { port: 0, host: undefined, controlPort: undefined, sessionTtl: 5000, textFaults: true, sessionsOnly: false, tickInterval: 0, restartDowntime: undefined },
    });
    expect(parseCli(['--redis', 'redis://127.0.0.1:6379', '--nodes', '2', '--sessions-only'])).toEqual({
      kind: 'cluster',
      options: { port: undefined, host: undefined, controlPort: undefined, sessionTtl: undefined, textFaults: false, sessionsOnly: true, redis: 'redis://127.0.0.1:6379', nodes: 2 },
    });
    expect(parseCli(['--bogus', '--help'])).toEqual({ kind: 'help' });
    expect(parseCli(['--nodes', '17', '--redis', 'redis://x'])).toEqual({ kind: 'error', message: '--nodes must be a whole number from 1 to 16, got "17"' });
  });
});
