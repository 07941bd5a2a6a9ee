/**
 * The "Done when": `npm run dev-server`, then `wx-socket-conformance <its url> --session`
 * — the built bin against the built dev server, both as a user runs them, the dev server
 * ticking into every session as it does by default. Two users through `?user=` (`--url-b`), a
 * short session ttl so "expired" is judged too, and `--sessions-only` so helloTimeout is (a dev
 * server serving plain links too cannot be judged on it: kit-mixed-server.test.ts).
 */
import { execFile, spawn } from 'child_process';
import type { ChildProcess } from 'child_process';
import type { ConformanceReport } from '../../src/conformance';
import { fromRoot } from '../support/paths';
import { expectStatuses, expectedOfOurs } from './kit-helpers';

jest.setTimeout(120000);

let dev: ChildProcess | undefined;
afterEach(async () => {
  if (dev && dev.exitCode === null) {
    const exited = new Promise((r) => dev!.once('exit', r));
    dev.kill('SIGTERM');
    await exited;
  }
});

/** Starts `wx-socket-dev-server` on free ports; resolves with the ws:// URL its banner prints. */
function startDevServer(...flags: string[]): Promise<string> {
  dev = spawn(process.execPath, [fromRoot('dist/dev-server/cli.js'), '--port', '0', '--control-port', '0', ...flags], { stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let out = '';
    dev!.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const url = /^WebSocket: +(ws:\/\/\S+)/m.exec(out)?.[1];
      if (url) resolve(url);
    });
    dev!.once('exit', (code) => reject(new Error(`the dev server exited (${code}): ${out}`)));
  });
}

test('npm run dev-server -- --sessions-only passes every check (helloTimeout judged too); exit status 0 only once nothing FAILs', async () => {
  const url = await startDevServer('--session-ttl', '3000', '--sessions-only');
  const { code, stdout } = await new Promise<{ code: number; stdout: string }>((resolve) => {
    execFile(process.execPath, [fromRoot('dist/conformance/cli.js'), `${url}/?user=alice`, '--url-b', `${url}/?user=bob`, '--session', '--json'], { timeout: 100000 }, (err, out) => resolve({ code: err ? Number((err as { code?: number }).code) : 0, stdout: out }));
  });
  const report = JSON.parse(stdout) as ConformanceReport;
  expectStatuses(report, expectedOfOurs());
  expect(code).toBe(report.summary.fail === 0 ? 0 : 1);
  expect(report.url).toBe(`${url}/?…`);
});
