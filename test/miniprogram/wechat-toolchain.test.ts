/**
 * The package checked with WeChat's own tools (miniprogram-ci, offline):
 * npm pack → install into a fresh mini-program project → packNpmManually ("build npm"),
 * and analyseCode over the repo's DevTools project. Keys are generated per run, never committed.
 */
import { execFileSync } from 'child_process';
import crypto from 'crypto';
import fs from 'fs';
import os from 'os';
import path from 'path';
import { dirBytes, installPacked, listFiles } from '../support/pack';
import { ROOT, FIXTURES } from '../support/paths';

const root = ROOT;
let tmp: string;

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wxsm-ci-'));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function wechatCi(...args: string[]): Record<string, unknown> {
  const out = execFileSync(process.execPath, [path.join(FIXTURES, 'wechat-ci.js'), ...args], { cwd: root, encoding: 'utf8', timeout: 120000, stdio: ['ignore', 'pipe', 'pipe'] });
  const line = out.split('\n').find((l) => l.startsWith('@@RESULT@@'));
  if (!line) throw new Error(`miniprogram-ci printed no result:\n${out}`);
  return JSON.parse(line.slice('@@RESULT@@'.length)) as Record<string, unknown>;
}

test('npm pack → install into a fresh mini-program → "build npm" gives one minified file per entry and the component, nothing else', () => {
  const project = path.join(tmp, 'user-project');
  fs.mkdirSync(path.join(project, 'miniprogram'), { recursive: true });
  installPacked(project);

  const result = wechatCi('pack', path.join(project, 'package.json'), path.join(project, 'miniprogram'));
  expect(result).toMatchObject({ miniProgramPackNum: 1 });
  const built = path.join(project, 'miniprogram/miniprogram_npm/wx-socket-manager');
  const files = listFiles(built);
  // One bundled file per mini-program entry; no .d.ts, no maps, no Node helpers.
  const entries = ['index.js', 'platforms.js', 'session.js'].filter((f) => fs.existsSync(path.join(root, 'miniprogram_npm_src', f)));
  expect(files).toEqual([...entries, 'socket-status/index.js', 'socket-status/index.json', 'socket-status/index.wxml', 'socket-status/index.wxss'].sort());
  expect(entries).toContain('index.js');
  // Minified: no comments, a handful of lines.
  for (const f of files.filter((x) => x.endsWith('.js'))) expect(fs.readFileSync(path.join(built, f), 'utf8')).not.toMatch(/\/\*\*|^\s*\/\//m);
  for (const f of files.filter((x) => x.endsWith('.js'))) {
    const requires = [...fs.readFileSync(path.join(built, f), 'utf8').matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]);
    expect(requires.filter((r) => !r!.startsWith('.'))).toEqual([]);
  }
  // What `npm install` leaves in the demo is exactly what WeChat's builder makes.
  expect(listFiles(path.join(root, 'demo-miniprogram/miniprogram_npm/wx-socket-manager'))).toEqual(files);
  process.stdout.write(`miniprogram_npm/wx-socket-manager: ${files.length} files, ${dirBytes(built)} bytes\n`);
});

describe('analyseCode over the DevTools project', () => {
  let key: string;
  beforeAll(() => {
    const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
    key = path.join(tmp, 'ci.key');
    fs.writeFileSync(key, privateKey.export({ type: 'pkcs1', format: 'pem' }));
  });

  /** A copy of what DevTools opens: project.config.json and its miniprogramRoot. */
  function copyProject(name: string): string {
    const dir = path.join(tmp, name);
    fs.mkdirSync(dir);
    fs.copyFileSync(path.join(root, 'project.config.json'), path.join(dir, 'project.config.json'));
    fs.cpSync(path.join(root, 'demo-miniprogram'), path.join(dir, 'demo-miniprogram'), { recursive: true });
    return dir;
  }

  test('every page, component and npm require resolves', () => {
    const result = wechatCi('analyse', copyProject('as-is'), key) as { modules: string[]; errors: string[] };
    expect(result.errors).toEqual([]);
    expect(result.modules).toEqual(expect.arrayContaining([
      'MainPackage:app.json',
      'Page:pages/index/index.json',
      'Component:miniprogram_npm/wx-socket-manager/socket-status/index.json',
      'Js:miniprogram_npm/wx-socket-manager/index.js',
      'Js:utils/socket.js',
    ]));
  });

  test('control: without miniprogram_npm the same check reports the broken requires', () => {
    const dir = copyProject('no-npm');
    fs.rmSync(path.join(dir, 'demo-miniprogram/miniprogram_npm'), { recursive: true });
    const result = wechatCi('analyse', dir, key) as { errors?: string[]; thrown?: string };
    const problems = [...(result.errors ?? []), ...(result.thrown ? [result.thrown] : [])].join('\n');
    expect(problems).toMatch(/wx-socket-manager/);
  });
});
