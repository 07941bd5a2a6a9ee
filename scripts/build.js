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
const terser = require('terser');

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

/**
 * Where the other entries find the core inside index.js: on the prototype of its exports, every
 * core name they import (public or not) under a short key (`a`, `b`, …: the same in every file of
 * one build). Destructuring reads it; `Object.keys(require('…'))` is still the public API.
 */
const shortKey = (i) => String.fromCharCode(i < 26 ? 97 + i : 39 + i);
/** How the core's internal names travel through index.js's `export {…}` until esmToCommonJs moves them onto the prototype of its exports. */
const CORE_MARK = '$core$';

/**
 * Other entries reach the core through the shipped index.js, never a second copy: a core file
 * becomes the external `./index.js#<file>` (the fragment says which file, for coreImports; it is
 * dropped in the output).
 */
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
        return { path: `${rel}#${path.basename(file, '.ts')}`, external: true };
      });
    },
  };
}

const IMPORT = /import\s*\{([^}]*)\}\s*from\s*"([^"#]+)#([^"]+)";?/g;
const names = (list) => list.split(',').map((part) => part.trim().split(/\s+as\s+/));

/** `{ name: file }` of the core names an entry's esbuild output imports. */
function coreImports(code, into) {
  for (const [, list, , file] of code.matchAll(IMPORT)) {
    for (const [name] of names(list)) {
      if (into[name] && into[name] !== file) throw new Error(`build: two core files export "${name}" (${into[name]}, ${file})`);
      into[name] = file;
    }
  }
  return into;
}

/**
 * esbuild's CommonJS output wraps an ES module in getters, an `__esModule` marker and
 * interop helpers (~200 B gzipped per file). Entries are built as ESM instead, and the
 * statements esbuild emits here become plain CommonJS: the core imports one
 * `const{…}=require("./index.js")`, `export {…}` a `module.exports = {…}` (index.js: the names
 * marked CORE_MARK on its prototype).
 */
function esmToCommonJs(file, keys) {
  let code = fs.readFileSync(file, 'utf8');
  const core = [];
  let from;
  code = code.replace(IMPORT, (_, list, path) => {
    from = path;
    core.push(...names(list).map(([name, local = name]) => `${keys[name]}:${local}`));
    return '';
  });
  if (core.length > 0) code = `const{${core.join(',')}}=require("${from}");${code}`;
  const match = /export\s*\{([^}]*)\};?\s*$/.exec(code);
  if (match) {
    const pairs = names(match[1]).map(([local, name = local]) => [name, local]);
    const pub = pairs.filter(([name]) => !name.startsWith(CORE_MARK)).map(([name, local]) => `${name}:${local}`);
    const internal = pairs.filter(([name]) => name.startsWith(CORE_MARK)).map(([name, local]) => `${name.slice(CORE_MARK.length)}:${local}`);
    // A plain `module.exports = {…}` literal: Node's ESM import finds the named exports only in that form.
    code = `${code.slice(0, match.index)}module.exports={${pub.join(',')}};\n`;
    if (internal.length > 0) code += `Object.setPrototypeOf(module.exports,{${internal.join(',')}});\n`;
  }
  if (/\b(import|export)\s*[{*"']/.test(code)) throw new Error(`build: ${file} still has an import or export esbuild wrote in another form`);
  fs.writeFileSync(file, `"use strict";${code}`);
}

/**
 * A last pass of terser over the CommonJS file: ~2% fewer gzipped bytes than esbuild's minifier
 * alone (it also shortens the names of the require/exports plumbing). ES2015 in, ES2015 out;
 * property names untouched (esbuild mangled the `_x` ones already).
 */
async function squeeze(file) {
  const result = await terser.minify(fs.readFileSync(file, 'utf8'), { ecma: 2015, compress: { passes: 2 }, mangle: true, format: { comments: false } });
  fs.writeFileSync(file, result.code);
}

const bundle = (name, entry, extra) => esbuild.build({
  entryPoints: [path.join(root, entry)],
  outfile: path.join(out, `${name}.js`),
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
  ...extra,
});

/**
 * Three steps, so that the core is shipped once and a `_x` member that two files touch has one
 * name in both:
 * 1. the other entries, to learn which core names they import and which `_x` names they touch;
 * 2. index.js, exporting those core names (on the prototype of its exports);
 * 3. the other entries again, each `_x` name index.js also has pinned to index.js's mangled name
 *    (the rest get the shortest names free).
 */
async function bundleMiniprogram() {
  const others = Object.keys(ENTRIES).filter((name) => name !== 'index' && exists(ENTRIES[name]));
  const needed = {};
  const touched = {};
  for (const name of others) {
    const first = await bundle(name, ENTRIES[name], { write: false, mangleCache: {} });
    coreImports(first.outputFiles[0].text, needed);
    touched[name] = Object.keys(first.mangleCache);
  }
  // A name index.js exports anyway is read under its own name; the others get short keys.
  const first = await bundle('index', ENTRIES.index, { write: false, metafile: true });
  const exported = new Set(Object.values(first.metafile.outputs)[0].exports);
  const keys = {};
  const reexports = [];
  for (const name of Object.keys(needed).sort()) {
    if (exported.has(name)) keys[name] = name;
    else {
      keys[name] = shortKey(reexports.length);
      reexports.push(`export { ${name} as ${CORE_MARK}${keys[name]} } from ${JSON.stringify(`./${needed[name]}`)};`);
    }
  }
  const index = await bundle('index', ENTRIES.index, {
    entryPoints: undefined,
    stdin: { contents: [`export * from "./index";`, ...reexports].join('\n'), resolveDir: src, sourcefile: 'index-with-core.ts', loader: 'ts' },
    mangleCache: {},
  });
  esmToCommonJs(path.join(out, 'index.js'), keys);
  await squeeze(path.join(out, 'index.js'));
  for (const name of others) {
    const pinned = {};
    for (const prop of touched[name]) if (prop in index.mangleCache) pinned[prop] = index.mangleCache[prop];
    await bundle(name, ENTRIES[name], { mangleCache: pinned });
    esmToCommonJs(path.join(out, `${name}.js`), keys);
    await squeeze(path.join(out, `${name}.js`));
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
  // The browser bundle (fromBrowser + the manager, global `wxSocketManager`), the H5 demo page and the
  // dashboard the dev server serves (uPlot and its CSS bundled in: nothing is fetched from elsewhere).
  if (exists('src/h5/bundle.ts')) {
    const h5 = { bundle: true, format: 'iife', target: 'es2017', minify: true, absWorkingDir: root, logLevel: 'warning' };
    await esbuild.build({ ...h5, entryPoints: ['src/h5/bundle.ts'], globalName: 'wxSocketManager', outfile: 'dist/h5/wx-socket-manager.js' });
    await esbuild.build({ ...h5, entryPoints: ['src/h5/demo.ts'], outfile: 'dist/h5/demo.js' });
    await esbuild.build({ ...h5, entryPoints: ['src/h5/dashboard.ts'], outfile: 'dist/h5/dashboard.js' });
    await esbuild.build({ ...h5, entryPoints: ['src/h5/room.ts'], outfile: 'dist/h5/room.js' });
    for (const page of ['index.html', 'dashboard.html', 'room.html']) fs.copyFileSync(path.join(root, 'src/h5', page), path.join(root, 'dist/h5', page));
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
