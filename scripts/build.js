#!/usr/bin/env node
// Builds everything `npm install` must leave in place:
//   miniprogram_npm_src/  the mini-program package (ES2015 CommonJS + .d.ts + socket-status component)
//   dist/                 Node-only helpers (node adapter, testing fake, dev server)
//   demo-miniprogram/     .ts pages compiled to .js beside them, and miniprogram_npm/ filled as "build npm" would
//   .build/               the demo runner and the benchmark
'use strict';
const fs = require('fs');
const path = require('path');
const { execFileSync } = require('child_process');

const root = path.resolve(__dirname, '..');
const tsc = require.resolve('typescript/bin/tsc');
const run = (project) => execFileSync(process.execPath, [tsc, '-p', project], { cwd: root, stdio: 'inherit' });
const exists = (p) => fs.existsSync(path.join(root, p));
const rm = (p) => fs.rmSync(path.join(root, p), { recursive: true, force: true });

rm('miniprogram_npm_src');
rm('dist');
rm('.build');
run('tsconfig.miniprogram.json');
run('tsconfig.node.json');
// The browser bundle (fromBrowser + the manager, global `wxSocketManager`) and the H5 demo page the dev server serves.
if (exists('src/h5/bundle.ts')) {
  const esbuild = require('esbuild');
  const h5 = { bundle: true, format: 'iife', target: 'es2017', minify: true, absWorkingDir: root, logLevel: 'warning' };
  esbuild.buildSync({ ...h5, entryPoints: ['src/h5/bundle.ts'], globalName: 'wxSocketManager', outfile: 'dist/h5/wx-socket-manager.js' });
  esbuild.buildSync({ ...h5, entryPoints: ['src/h5/demo.ts'], outfile: 'dist/h5/demo.js' });
  fs.copyFileSync(path.join(root, 'src/h5/index.html'), path.join(root, 'dist/h5/index.html'));
}
if (exists('dist/dev-server/cli.js')) fs.chmodSync(path.join(root, 'dist/dev-server/cli.js'), 0o755);

// The component's non-TypeScript files travel beside its compiled .js.
const componentSrc = path.join(root, 'src/socket-status');
if (fs.existsSync(componentSrc)) {
  for (const file of fs.readdirSync(componentSrc)) {
    if (!file.endsWith('.ts')) fs.copyFileSync(path.join(componentSrc, file), path.join(root, 'miniprogram_npm_src/socket-status', file));
  }
}

if (exists('demo-miniprogram/tsconfig.json')) {
  run('demo-miniprogram/tsconfig.json');
  // What DevTools' "build npm" produces, so the project opens with no extra step.
  const target = path.join(root, 'demo-miniprogram/miniprogram_npm/wx-socket-manager');
  fs.rmSync(target, { recursive: true, force: true });
  fs.cpSync(path.join(root, 'miniprogram_npm_src'), target, { recursive: true });
}
if (exists('tsconfig.tools.json')) run('tsconfig.tools.json');
