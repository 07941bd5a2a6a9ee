/**
 * Bench section "size": min+gzip of the shipped mini-program entries beside other packages,
 * and what WeChat's "build npm" copies into a user's mini-program.
 */
import fs from 'fs';
import os from 'os';
import path from 'path';
import zlib from 'zlib';
import { dirBytes, installPacked, listFiles } from '../test/support/pack';
import type { BenchIo } from './bench-common';

const root = path.resolve(__dirname, '../..');

/** What WeChat's "build npm" copies into a user's mini-program: npm pack → install → packNpmManually. */
function packedIntoMiniprogram(): { files: number; bytes: number; core: number } {
  const { execFileSync } = require('child_process') as typeof import('child_process');
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wxsm-bench-'));
  process.env.WXSM_PACK_DIR = tmp; // test/support/pack.ts packs into it, as for a jest run
  try {
    const project = path.join(tmp, 'user-project');
    fs.mkdirSync(path.join(project, 'miniprogram'), { recursive: true });
    installPacked(project);
    execFileSync(process.execPath, [path.join(root, 'test/fixtures/wechat-ci.js'), 'pack', path.join(project, 'package.json'), path.join(project, 'miniprogram')], { cwd: root, stdio: 'ignore', timeout: 120000 });
    const built = path.join(project, 'miniprogram/miniprogram_npm/wx-socket-manager');
    const core = fs.statSync(path.join(built, 'index.js')).size + dirBytes(path.join(built, 'socket-status'));
    return { files: listFiles(built).length, bytes: dirBytes(built), core };
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

export async function size(io: BenchIo): Promise<void> {
  const { rows, progress, done } = io;
  const esbuild = require('esbuild') as { build(o: object): Promise<{ outputFiles: Array<{ contents: Uint8Array }> }> };
  const gz = (code: Uint8Array): number => zlib.gzipSync(code, { level: 9 }).length;
  /** Others' packages, bundled and minified the same way (dependencies included). */
  const minGz = async (entry: string): Promise<number> => {
    const out = await esbuild.build({ entryPoints: [entry], bundle: true, minify: true, write: false, format: 'cjs', target: 'es2015', platform: 'neutral', logLevel: 'silent' });
    return gz(out.outputFiles[0]!.contents);
  };
  /** Ours: the shipped file as it is (already bundled and minified by the build). */
  const shipped = (name: string): number | undefined => {
    const file = path.join(root, 'miniprogram_npm_src', name);
    return fs.existsSync(file) ? gz(fs.readFileSync(file)) : undefined;
  };
  const main = shipped('index.js')!;
  const extras = ['socket-status/index.js', 'platforms.js', 'session.js']
    .map((f) => [f, shipped(f)] as const)
    .filter((e): e is readonly [string, number] => e[1] !== undefined)
    .map(([f, n]) => `${f} +${n} B`);
  const rws = await minGz(require.resolve('reconnecting-websocket/dist/reconnecting-websocket-cjs.js'));
  const party = await minGz(require.resolve('partysocket'));
  const heartbeat = await minGz(require.resolve('websocket-heartbeat-miniprogram'));
  const seed = await minGz(path.join(root, 'bench/seed-style.js'));
  progress('size: npm pack + packNpmManually');
  const packed = packedIntoMiniprogram();
  rows.push(['1. Size, min+gzip of the mini-program entry (index.js as shipped, gzip -9)', `${main} B`, '≤ 4800 B (goal 4000)', main <= 4800 ? 'met' : `gap: ${main - 4800} B over`]);
  rows.push(['   other shipped entries (each requires index.js)', extras.join('; '), '', '']);
  rows.push(['   raw bytes a user\'s mini-program gains (packNpmManually copies): index.js + socket-status', `${packed.core} B`, '≤ 16000 B', packed.core <= 16000 ? 'met' : `gap: ${packed.core - 16000} B over`]);
  rows.push(['   the same, every file (with platforms.js and session.js)', `${packed.bytes} B in ${packed.files} files`, '≤ 16000 B', packed.bytes <= 16000 ? 'met' : `gap: ${packed.bytes - 16000} B over`]);
  rows.push(['   for comparison (esbuild min + gzip -9, dependencies bundled)', `reconnecting-websocket ${rws} B (${(main / rws).toFixed(2)}×); partysocket ${party} B (${(main / party).toFixed(2)}×); websocket-heartbeat-miniprogram ${heartbeat} B (${(main / heartbeat).toFixed(2)}×); seed-style hand-rolled ${seed} B (${(main / seed).toFixed(1)}×)`, '', '']);
  done('size');
}
