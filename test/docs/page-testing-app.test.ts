/**
 * docs/page-testing.md's recipe, followed word for word in a scratch app: a project laid out
 * like WeChat DevTools' TypeScript template (test/fixtures/page-testing-app, its tsconfig
 * with `typeRoots: ["./typings"]` and a copy of the API typings in typings/types), the
 * package installed from the packed tarball, the guide's install commands run as written (from
 * the npm cache when it has them, else the registry), then its page test run with the newest
 * TypeScript ts-jest accepts (6.x) and again with 5.9.
 */
import { execFile } from 'child_process';
import fs from 'fs';
import os from 'os';
import path from 'path';
import { packedTarball } from '../support/pack';
import { FIXTURES, fromRoot } from '../support/paths';

jest.setTimeout(300000);
const fixture = path.join(FIXTURES, 'page-testing-app');
let app: string;
const started = Date.now();

/** A command in the app; resolves with its exit code and output (never rejects). */
function sh(command: string, timeout = 180000): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile('/bin/sh', ['-c', command], {
      cwd: app,
      timeout,
      maxBuffer: 16 * 1024 * 1024,
      // Only npm's chattiness and its cache policy change; the commands are the guide's.
      env: { ...process.env, npm_config_prefer_offline: 'true', npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false', FORCE_COLOR: '0' },
    }, (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, out: `${stdout}${stderr}`.replace(/\x1b\[[0-9;]*m/g, '') }));
  });
}

/** The guide's commands, one per line. */
const commands = (file: string): string[] => fs.readFileSync(path.join(fixture, file), 'utf8').trim().split('\n');
const version = (pkg: string): string => (JSON.parse(fs.readFileSync(path.join(app, 'node_modules', pkg, 'package.json'), 'utf8')) as { version: string }).version;

beforeAll(async () => {
  app = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'wxsm-page-app-')), 'my-miniprogram');
  fs.cpSync(fixture, app, { recursive: true, filter: (src) => !/install.*\.sh$/.test(src) });
  // The template ships a copy of miniprogram-api-typings in typings/types.
  fs.cpSync(path.join(path.dirname(require.resolve('miniprogram-api-typings/package.json')), 'types'), path.join(app, 'typings/types'), { recursive: true });

  const [installPackage, ...installTools] = commands('install.sh');
  // Before it is published, the package comes from the tarball (as the guide says).
  expect(installPackage).toBe('npm install wx-socket-manager');
  for (const command of [`npm install ${packedTarball()}`, ...installTools]) {
    const { code, out } = await sh(command);
    if (code !== 0) throw new Error(`${command} failed:\n${out}`);
  }
});
afterAll(() => {
  process.stdout.write(`page-testing scratch app: ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  if (app) fs.rmSync(path.dirname(app), { recursive: true, force: true });
});

test('the install line gives TypeScript 6 (the newest ts-jest accepts) and no peer conflict', async () => {
  expect(version('typescript')).toMatch(/^6\./);
  expect((JSON.parse(fs.readFileSync(path.join(app, 'node_modules/ts-jest/package.json'), 'utf8')) as { peerDependencies: Record<string, string> }).peerDependencies.typescript).toBe('>=4.3 <7');
  const { code, out } = await sh('npm ls --depth=0');
  expect({ code, problems: out.split('\n').filter((l) => /ERR|invalid|missing|UNMET/.test(l)) }).toEqual({ code: 0, problems: [] });
});

test('with TypeScript 6, the page test passes, and the test tsconfig compiles for the editor', async () => {
  const jest6 = await sh('npx jest --ci');
  expect({ code: jest6.code, summary: /Tests:.*/.exec(jest6.out)?.[0] }).toEqual({ code: 0, summary: 'Tests:       3 passed, 3 total' });
  expect(await sh('npx tsc -p test --noEmit')).toEqual({ code: 0, out: '' });
});

test('control: compiled with the template tsconfig instead, the test fails with TS2304 Cannot find name \'expect\'', async () => {
  const config = JSON.stringify({ preset: 'wx-socket-manager', transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json' }] } });
  const { code, out } = await sh(`npx jest --ci --config '${config}'`);
  expect(code).toBe(1);
  expect(out).toContain("TS2304: Cannot find name 'expect'");
});

test('with TypeScript 5.9 (the guide\'s second command), the same test passes', async () => {
  for (const command of commands('install-ts5.sh')) expect(await sh(command)).toMatchObject({ code: 0 });
  expect(version('typescript')).toMatch(/^5\.9\./);
  const jest5 = await sh('npx jest --ci');
  expect({ code: jest5.code, summary: /Tests:.*/.exec(jest5.out)?.[0] }).toEqual({ code: 0, summary: 'Tests:       3 passed, 3 total' });
  expect(await sh('npx tsc -p test --noEmit')).toEqual({ code: 0, out: '' });
});

test('the scratch app is the one the guide shows: its jest.config.js is the preset, and nothing in it points into miniprogram_npm/', () => {
  expect(fs.readFileSync(path.join(app, 'jest.config.js'), 'utf8')).toBe("module.exports = { preset: 'wx-socket-manager' }\n");
  expect(fs.existsSync(path.join(app, 'miniprogram/miniprogram_npm'))).toBe(false);
  expect(fs.readFileSync(fromRoot('docs/page-testing.md'), 'utf8')).toContain('<!-- include: test/fixtures/page-testing-app/test/chat.test.ts -->');
});
