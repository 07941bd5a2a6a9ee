/**
 * The package checked with WeChat's own tools (miniprogram-ci, offline):
 * npm pack → install into a fresh mini-program project → packNpmManually ("build npm"),
 * and analyseCode over the repo's DevTools project. Keys are generated per run, never committed.
 */
import { execFile, execFileSync } from 'child_process';
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
  return ciResult(execFileSync(process.execPath, [path.join(FIXTURES, 'wechat-ci.js'), ...args], { cwd: root, encoding: 'utf8', timeout: 120000, stdio: ['ignore', 'pipe', 'pipe'] }));
}

/** The same, without blocking: several miniprogram-ci processes can run side by side. */
function wechatCiAsync(...args: string[]): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [path.join(FIXTURES, 'wechat-ci.js'), ...args], { cwd: root, encoding: 'utf8', timeout: 120000 }, (err, out) => {
      try {
        resolve(ciResult(out));
      } catch (e) {
        reject(err ?? e);
      }
    });
  });
}

function ciResult(out: string): Record<string, unknown> {
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

describe('WeChat\'s tools over the DevTools project (analyseCode; the compile upload() sends)', () => {
  let key: string;
  beforeAll(() => {
    const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
    key = path.join(tmp, 'ci.key');
    fs.writeFileSync(key, privateKey.export({ type: 'pkcs1', format: 'pem' }));
  });

  /** A copy of what DevTools opens: project.config.json (with `setting` changed as given; undefined removes a key) and its miniprogramRoot. */
  function copyProject(name: string, setting: Record<string, boolean | undefined> = {}): string {
    const dir = path.join(tmp, name);
    fs.mkdirSync(dir);
    const config = JSON.parse(fs.readFileSync(path.join(root, 'project.config.json'), 'utf8')) as { setting: Record<string, unknown> };
    Object.assign(config.setting, setting);
    fs.writeFileSync(path.join(dir, 'project.config.json'), JSON.stringify(config, null, 2));
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

  describe('what reaches the upload (getCompiledResult: the files upload() zips)', () => {
    const NPM = 'miniprogram_npm/wx-socket-manager/';
    const REQUIRED = ['index.js', 'socket-status/index.js', 'socket-status/index.json', 'socket-status/index.wxml', 'socket-status/index.wxss'];
    type Upload = { files: Record<string, number> };
    let uploads: Record<'demo' | 'unfiltered' | 'asShipped' | 'es5Minified', Upload>;
    const packageFiles = (u: Upload): Record<string, number> =>
      Object.fromEntries(Object.entries(u.files).filter(([f]) => f.startsWith(NPM)).map(([f, n]) => [f.slice(NPM.length), n]));
    const total = (files: Record<string, number>): number => Object.values(files).reduce((a, b) => a + b, 0);

    beforeAll(async () => {
      expect(JSON.parse(fs.readFileSync(path.join(root, 'project.config.json'), 'utf8')).setting.ignoreUploadUnusedFiles).toBe(true);
      const compiled = (name: string, setting: Record<string, boolean | undefined> = {}) => wechatCiAsync('compiled', copyProject(name, setting), key) as Promise<Upload>;
      const [demo, unfiltered, asShipped, es5Minified] = await Promise.all([
        compiled('upload-demo'),
        compiled('upload-unfiltered', { ignoreUploadUnusedFiles: undefined, es6: false, enhance: false, minified: false }),
        compiled('upload-as-shipped', { es6: false, enhance: false, minified: false }),
        compiled('upload-es5-minified', { es6: true, enhance: true, minified: true }),
      ]);
      uploads = { demo: demo!, unfiltered: unfiltered!, asShipped: asShipped!, es5Minified: es5Minified! };
    }, 180000);

    test('with ignoreUploadUnusedFiles (the demo\'s setting), only index.js and the banner go up: platforms.js and session.js stay out', () => {
      expect(Object.keys(packageFiles(uploads.demo))).toEqual(REQUIRED);
      expect(Object.keys(uploads.demo.files)).toEqual(expect.arrayContaining(['pages/index/index.js', 'utils/socket.js', 'app.json']));
    });

    const shipped = (files: string[]): Record<string, number> => Object.fromEntries(files.map((f) => [f, fs.statSync(path.join(root, 'demo-miniprogram', NPM, f)).size]));

    test('control: without the setting in project.config.json, the same compile uploads every file "build npm" copied', () => {
      expect(packageFiles(uploads.unfiltered)).toEqual(shipped(listFiles(path.join(root, 'demo-miniprogram', NPM))));
      expect(Object.keys(packageFiles(uploads.unfiltered))).toEqual(expect.arrayContaining(['platforms.js', 'session.js']));
    });

    test('without ES5 transpiling or minifying, the uploaded package bytes are the shipped files\' own bytes', () => {
      expect(packageFiles(uploads.asShipped)).toEqual(shipped(REQUIRED));
      const helpers = (u: Upload): number => total(Object.fromEntries(Object.entries(u.files).filter(([f]) => f.startsWith('@babel/'))));
      process.stdout.write([
        `upload, package files only: ${REQUIRED.length} files, ${total(shipped(REQUIRED))} B as shipped`,
        `  without the setting: ${Object.keys(packageFiles(uploads.unfiltered)).length} files, ${total(packageFiles(uploads.unfiltered))} B`,
        `  with es6, enhance and minified on: ${total(packageFiles(uploads.es5Minified))} B, plus ${helpers(uploads.es5Minified)} B of @babel/runtime helpers the app shares`,
        '',
      ].join('\n'));
    });
  });
});
