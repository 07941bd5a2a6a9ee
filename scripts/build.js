#!/usr/bin/env node
// Builds everything `npm install` must leave in place:
//   miniprogram_npm_src/  what "build npm" copies into a mini-program: ONE minified ES2015
//                         CommonJS file per entry (esbuild), plus the socket-status component's
//                         .json/.wxml/.wxss. No types, no comments, no source maps.
//   types/                the .d.ts of the mini-program entries, with their JSDoc (outside the
//                         copied folder, so users' packages don't carry them)
//   dist/                 Node-only helpers (node adapter, testing fake, dev server, …)
//   demo-miniprogram/     .ts pages compiled to .js beside them, and miniprogram_npm/ filled as "build npm" would
//   .build/               the demo runner and the benchmark
'use strict';
const fs = require('fs');
const path = require('path');
const { execFileSync } = require('child_process');
const esbuild = require('esbuild');

const root = path.resolve(__dirname, '..');
const src = path.join(root, 'src');
const out = path.join(root, 'miniprogram_npm_src');
const tsc = require.resolve('typescript/bin/tsc');
const run = (...args) => execFileSync(process.execPath, [tsc, ...args], { cwd: root, stdio: 'inherit' });
const exists = (p) => fs.existsSync(path.join(root, p));
const rm = (p) => fs.rmSync(path.join(root, p), { recursive: true, force: true });

/**
 * Mini-program entries: output name (inside miniprogram_npm_src/, without .js) → source.
 * Only `index` holds the manager; every other entry requires it instead of bundling a copy.
 */
const ENTRIES = {
  index: 'src/index.ts',
  'socket-status/index': 'src/socket-status/index.ts',
  platforms: 'src/platforms/index.ts',
  session: 'src/session/index.ts',
};

/**
 * Private members are named `_x` so they can be renamed; `__esModule` and friends are not.
 * (Never declare a `_x` member as a constructor parameter property: its name would stay a string.)
 */
const MANGLE = /^_[A-Za-z0-9]/;

/** The core: the top-level files of src/, bundled once, into index.js. */
const isCore = (file) => path.dirname(file) === src && file.endsWith('.ts');

/** Other entries reach the core through the shipped index.js, never a second copy. */
function coreAsExternal(outName) {
  return {
    name: 'core-as-external',
    setup(build) {
      build.onResolve({ filter: /^\.\.?\// }, (args) => {
        const resolved = path.resolve(args.resolveDir, args.path);
        const file = fs.existsSync(`${resolved}.ts`) ? `${resolved}.ts` : path.join(resolved, 'index.ts');
        if (outName === 'index' || !isCore(file)) return undefined;
        let rel = path.relative(path.dirname(path.join(out, outName)), path.join(out, 'index.js')).split(path.sep).join('/');
        if (!rel.startsWith('.')) rel = `./${rel}`;
        return { path: rel, external: true };
      });
    },
  };
}

/**
 * esbuild's CommonJS output wraps an ES module in getters, an `__esModule` marker and
 * interop helpers (~200 B gzipped per file). Entries are built as ESM instead, and their
 * `import {…} from "./index.js"` / `export {…}` statements (the only ones esbuild emits
 * here) become a plain `require` and `module.exports = {…}`.
 */
function esmToCommonJs(file) {
  let code = fs.readFileSync(file, 'utf8');
  const renames = (list, sep) => list.split(',').map((part) => {
    const [from, to = from] = part.trim().split(/\s+as\s+/);
    return sep === ':' ? `${from}:${to}` : `${to}:${from}`;
  });
  code = code.replace(/import\s*\{([^}]*)\}\s*from\s*"([^"]+)";?/g, (_, list, from) => `const{${renames(list, ':').join(',')}}=require("${from}");`);
  code = code.replace(/import\s*"([^"]+)";?/g, (_, from) => `require("${from}");`);
  const match = /export\s*\{([^}]*)\};?\s*$/.exec(code);
  if (match) code = `${code.slice(0, match.index)}module.exports={${renames(match[1], 'exports').join(',')}};\n`;
  if (/\b(import|export)\s*[{*"']/.test(code)) throw new Error(`build: ${file} still has an import or export esbuild wrote in another form`);
  fs.writeFileSync(file, `"use strict";${code}`);
}

async function bundleMiniprogram() {
  for (const [name, entry] of Object.entries(ENTRIES)) {
    if (!exists(entry)) continue;
    const outfile = path.join(out, `${name}.js`);
    await esbuild.build({
      entryPoints: [path.join(root, entry)],
      outfile,
      bundle: true,
      minify: true,
      mangleProps: MANGLE,
      format: 'esm',
      platform: 'neutral',
      target: 'es2015',
      legalComments: 'none',
      // Fields as plain assignments (no defineProperty helper per field).
      tsconfigRaw: { compilerOptions: { useDefineForClassFields: false } },
      charset: 'utf8',
      plugins: [coreAsExternal(name)],
      logLevel: 'warning',
    });
    esmToCommonJs(outfile);
  }
  // The component's non-TypeScript files travel beside its bundled .js, their white space
  // folded (WeChat's builder copies them byte for byte).
  const componentSrc = path.join(src, 'socket-status');
  for (const file of fs.readdirSync(componentSrc)) {
    if (file.endsWith('.ts')) continue;
    let text = fs.readFileSync(path.join(componentSrc, file), 'utf8');
    if (file.endsWith('.wxss')) text = text.replace(/\s+/g, ' ').replace(/\s*([{}:;,])\s*/g, '$1').replace(/;}/g, '}').trim();
    else if (file.endsWith('.wxml')) text = text.replace(/>\s+</g, '><').trim();
    else if (file.endsWith('.json')) text = JSON.stringify(JSON.parse(text));
    fs.writeFileSync(path.join(out, 'socket-status', file), text);
  }
}

(async () => {
  for (const dir of ['miniprogram_npm_src', 'types', 'dist', '.build']) rm(dir);
  run('-p', 'tsconfig.miniprogram.json'); // type-checks the mini-program code, emits types/
  await bundleMiniprogram();
  run('-p', 'tsconfig.node.json');
  // The browser bundle (fromBrowser + the manager, global `wxSocketManager`) and the H5 demo page the dev server serves.
  if (exists('src/h5/bundle.ts')) {
    const h5 = { bundle: true, format: 'iife', target: 'es2017', minify: true, absWorkingDir: root, logLevel: 'warning' };
    await esbuild.build({ ...h5, entryPoints: ['src/h5/bundle.ts'], globalName: 'wxSocketManager', outfile: 'dist/h5/wx-socket-manager.js' });
    await esbuild.build({ ...h5, entryPoints: ['src/h5/demo.ts'], outfile: 'dist/h5/demo.js' });
    fs.copyFileSync(path.join(root, 'src/h5/index.html'), path.join(root, 'dist/h5/index.html'));
  }
  for (const bin of ['dist/dev-server/cli.js', 'dist/conformance/cli.js']) if (exists(bin)) fs.chmodSync(path.join(root, bin), 0o755);

  if (exists('demo-miniprogram/tsconfig.json')) {
    run('-p', 'demo-miniprogram/tsconfig.json');
    // What DevTools' "build npm" produces, so the project opens with no extra step.
    const target = path.join(root, 'demo-miniprogram/miniprogram_npm/wx-socket-manager');
    fs.rmSync(target, { recursive: true, force: true });
    fs.cpSync(out, target, { recursive: true });
  }
  if (exists('tsconfig.tools.json')) run('-p', 'tsconfig.tools.json');
})().catch((err) => {
  console.error(err);
  process.exit(1);
});
