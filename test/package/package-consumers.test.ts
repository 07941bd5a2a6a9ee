/**
 * The packed package as a user meets it: the tarball installed into a fresh project (no `ws`:
 * it is an optional peer), a TypeScript mini-program page plus a Node-side test file compiled
 * with TypeScript 5.9 under WeChat's TS template settings (commonjs, so node10 resolution)
 * and with TypeScript 6 (bundler, node16); and the Node entries run without `ws`.
 */
import { execFile, execFileSync } from 'child_process';
import fs from 'fs';
import os from 'os';
import path from 'path';
import { installPacked } from '../support/pack';
import { FIXTURES } from '../support/paths';

let project: string;
let compiles: Record<string, Promise<string>>;
// The compiles take a few seconds each; on 2 busy cores (other suites run too) allow more.
jest.setTimeout(90000);

/** tsc's own output (empty when the project compiles), with its exit code. */
function tsc(compiler: string, ...args: string[]): Promise<string> {
  return new Promise((resolve) => {
    execFile(process.execPath, [require.resolve(`${compiler}/bin/tsc`), '-p', project, ...args], { timeout: 60000 }, (err, stdout, stderr) => {
      resolve(`${stdout}${stderr}`.trim() + (err ? `\n(exit ${err.code ?? err.signal})` : ''));
    });
  });
}

beforeAll(() => {
  project = fs.mkdtempSync(path.join(os.tmpdir(), 'wxsm-consumer-'));
  fs.cpSync(path.join(FIXTURES, 'ts-consumer'), project, { recursive: true });
  // WeChat's template keeps the API typings in ./typings (typeRoots).
  fs.cpSync(path.dirname(require.resolve('miniprogram-api-typings/package.json')), path.join(project, 'typings/miniprogram-api-typings'), { recursive: true });
  fs.mkdirSync(path.join(project, 'miniprogram/pages/index'), { recursive: true });
  fs.copyFileSync(path.join(FIXTURES, 'headline-page.js'), path.join(project, 'miniprogram/pages/index/index.js'));
  installPacked(project);
  // Started together, so they run side by side. TS 5.9 checks every .d.ts, as the template
  // does; the TS 6 runs skip lib checks (our build already compiles the .d.ts with TS 6).
  compiles = {
    ts5Template: tsc('typescript5'),
    ts6Bundler: tsc('typescript', '--module', 'esnext', '--moduleResolution', 'bundler', '--skipLibCheck'),
    ts6Node16: tsc('typescript', '--module', 'node16', '--moduleResolution', 'node16', '--skipLibCheck'),
  };
});
afterAll(async () => {
  if (compiles) await Promise.all(Object.values(compiles));
  fs.rmSync(project, { recursive: true, force: true });
});

test('TypeScript 5.9 with WeChat’s template tsconfig (commonjs → node10 resolution, strict) compiles the page and imports /testing, /node, /dev-server', async () => {
  expect((require('typescript5/package.json') as { version: string }).version).toMatch(/^5\.9\./);
  await expect(compiles.ts5Template).resolves.toBe('');
});

test('TypeScript 6 with bundler resolution compiles the same project', async () => {
  expect((require('typescript/package.json') as { version: string }).version).toMatch(/^6\./);
  await expect(compiles.ts6Bundler).resolves.toBe('');
});

test('TypeScript 6 with node16 resolution compiles the same project', async () => {
  await expect(compiles.ts6Node16).resolves.toBe('');
});

test('package.json maps each Node entry to the same .d.ts for node10 (typesVersions) as for exports', () => {
  const pkg = require('../../package.json') as { exports: Record<string, { types?: string }>; typesVersions: Record<string, Record<string, string[]>> };
  const fromExports = Object.entries(pkg.exports)
    .filter(([subpath, target]) => subpath !== '.' && typeof target === 'object' && target.types)
    .map(([subpath, target]) => [subpath.slice(2), [target.types!.replace(/^\.\//, '')]]);
  expect(pkg.typesVersions).toEqual({ '*': Object.fromEntries(fromExports) });
});

test('in plain Node, the README page loads with loadPage(), connects, sends, and exits with nothing left running', () => {
  const out = execFileSync(process.execPath, [path.join(project, 'plain-node.js')], { cwd: project, encoding: 'utf8', timeout: 20000 });
  expect(JSON.parse(out)).toEqual({ url: 'wss://example.com/live?token=n1', sent: ['hi'], live: 0, wxListeners: 0 });
});

describe('without the optional ws package', () => {
  const ONE_LINE = (entry: string): string => `[wx-socket-manager] wx-socket-manager/${entry} needs the "ws" package: npm install ws`;
  function node(...args: string[]): { status: number; stderr: string } {
    try {
      execFileSync(process.execPath, args, { cwd: project, encoding: 'utf8', stdio: 'pipe', timeout: 20000 });
      return { status: 0, stderr: '' };
    } catch (err) {
      const e = err as { status: number; stderr: string };
      return { status: e.status, stderr: e.stderr };
    }
  }

  test('ws is really absent from the installed project', () => {
    expect(fs.existsSync(path.join(project, 'node_modules/wx-socket-manager'))).toBe(true);
    expect(fs.existsSync(path.join(project, 'node_modules/ws'))).toBe(false);
  });

  test('/dev-server imports fine and startDevServer() rejects with the one-line "npm install ws" message', () => {
    const script = "require('wx-socket-manager/dev-server').startDevServer({ port: 0 }).catch((e) => { process.stderr.write(e.message); process.exit(3) })";
    expect(node('-e', script)).toEqual({ status: 3, stderr: ONE_LINE('dev-server') });
  });

  test('the dev-server CLI prints that one line (no require stack) and exits 1', () => {
    expect(node(path.join(project, 'node_modules/.bin/wx-socket-dev-server'))).toEqual({
      status: 1,
      stderr: `dev server failed to start: ${ONE_LINE('dev-server')}\n`,
    });
  });

  test('the conformance bin prints that one line (no require stack) and exits 1', () => {
    expect(node(path.join(project, 'node_modules/.bin/wx-socket-conformance'), 'ws://127.0.0.1:9', '--session', '--json')).toEqual({
      status: 1,
      stderr: '[wx-socket-manager] wx-socket-conformance needs the "ws" package: npm install ws\n',
    });
  });

  test('/node gives the same message when a connectSocket is made', () => {
    const script = "try { require('wx-socket-manager/node').createWsConnectSocket() } catch (e) { process.stderr.write(e.message); process.exit(3) }";
    expect(node('-e', script)).toEqual({ status: 3, stderr: ONE_LINE('node') });
  });
});

