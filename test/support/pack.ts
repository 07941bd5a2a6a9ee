/**
 * The project as `npm pack` makes it, packed once per jest run and shared by every suite that
 * installs it: jest.config.js's globalSetup gives the run a directory, the first suite to ask
 * packs into it, the others wait for that tarball (bounded).
 */
import { execFileSync } from 'child_process';
import fs from 'fs';
import path from 'path';

/** The project root: the nearest folder up with package.json (this file also runs compiled, from .build/test). */
const root = (function find(dir: string): string {
  return fs.existsSync(path.join(dir, 'package.json')) || path.dirname(dir) === dir ? dir : find(path.dirname(dir));
})(__dirname);
export const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const WAIT_MS = 120000;

export function packedTarball(): string {
  const dir = process.env.WXSM_PACK_DIR;
  if (!dir) throw new Error('WXSM_PACK_DIR is not set: run the suite through jest (globalSetup in jest.config.js)');
  const result = path.join(dir, 'tarball.txt');
  try {
    fs.mkdirSync(path.join(dir, 'packing'));
  } catch {
    return waitForTarball(result);
  }
  let outcome: string;
  try {
    const packed = JSON.parse(execFileSync(npm, ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], { cwd: root, encoding: 'utf8' })) as Array<{ filename: string }>;
    outcome = path.join(dir, packed[0]!.filename);
  } catch (err) {
    outcome = `failed: ${(err as Error).message}`;
  }
  fs.writeFileSync(result, outcome);
  return checked(outcome);
}

/** `npm install <the tarball>` into `project` (made if missing), as a user would. */
export function installPacked(project: string): void {
  if (!fs.existsSync(path.join(project, 'package.json'))) {
    fs.mkdirSync(project, { recursive: true });
    fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: path.basename(project), private: true }));
  }
  execFileSync(npm, ['install', packedTarball(), '--no-audit', '--no-fund', '--ignore-scripts', '--no-package-lock'], { cwd: project, stdio: 'pipe' });
}

/** Every file below `dir`, relative, with `/` separators, sorted. */
export function listFiles(dir: string, base = dir): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    return e.isDirectory() ? listFiles(full, base) : [path.relative(base, full).split(path.sep).join('/')];
  }).sort();
}

/** Bytes of every file below `dir`. */
export function dirBytes(dir: string): number {
  return listFiles(dir).reduce((n, f) => n + fs.statSync(path.join(dir, f)).size, 0);
}

function waitForTarball(result: string): string {
  const sleeper = new Int32Array(new SharedArrayBuffer(4));
  for (const end = Date.now() + WAIT_MS; Date.now() < end; Atomics.wait(sleeper, 0, 0, 50)) {
    if (fs.existsSync(result)) return checked(fs.readFileSync(result, 'utf8'));
  }
  throw new Error(`npm pack by another suite did not finish within ${WAIT_MS} ms`);
}

function checked(outcome: string): string {
  if (outcome.startsWith('failed: ')) throw new Error(`npm pack ${outcome}`);
  return outcome;
}
