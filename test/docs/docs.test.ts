/**
 * README.md and the guides in docs/ as a reader meets them, on disk and in the packed package:
 * every relative link (and its #anchor) resolves, and every code block is code something runs.
 *
 * A fenced block is one of:
 * - `<!-- include: path -->` (or `path#region`, the lines between `// #region name` and
 *   `// #endregion`): the block is that file verbatim, and RUNNERS names the test or tsconfig
 *   that runs or compiles the file;
 * - `<!-- compile -->` before a ts block: this test compiles it against the package's types;
 * - `sh`: commands, each an npm script or command that exists; `json`: parses; `text`: output;
 * - `<!-- untested -->` before a java, go, python or php block: a sketch for another language's
 *   server, which the guide's own words must call untested (nothing here can run it).
 */
import { execFileSync } from 'child_process';
import fs from 'fs';
import os from 'os';
import path from 'path';
import ts from 'typescript';
import { packedTarball } from '../support/pack';
import { ROOT, fromRoot } from '../support/paths';

/** Who runs or compiles each file a document includes. */
const RUNNERS: Record<string, string> = {
  'test/fixtures/headline-page.js': 'test/docs/readme-page.test.ts',
  'test/fixtures/session-page.js': 'test/docs/session-page.test.ts',
  'test/fixtures/chat/utils/socket.js': 'test/docs/readme-page.test.ts',
  'test/fixtures/chat/pages/chat/index.js': 'test/docs/readme-page.test.ts',
  'test/fixtures/ts-consumer/miniprogram/pages/chat/index.ts': 'test/package/package-consumers.test.ts',
  'demo-miniprogram/pages/index/index.json': 'test/miniprogram/wechat-toolchain.test.ts',
  'test/fixtures/examples/node-client.mts': 'test/docs/examples.test.ts',
  'test/fixtures/examples/session-server.mts': 'test/docs/examples.test.ts',
  'test/fixtures/examples/redis-server.mts': 'test/docs/examples.test.ts',
  'test/fixtures/nginx/session-proxy.conf': 'test/server/nginx-proxy.test.ts',
  'test/fixtures/examples/dev-server.mts': 'test/docs/examples.test.ts',
  'test/fixtures/examples/metrics-server.mts': 'test/docs/examples.test.ts',
  'test/fixtures/examples/rooms-server.mts': 'test/docs/examples.test.ts',
  'test/fixtures/page-testing-app/install.sh': 'test/docs/page-testing-app.test.ts',
  'test/fixtures/page-testing-app/install-ts5.sh': 'test/docs/page-testing-app.test.ts',
  'test/fixtures/page-testing-app/jest.config.js': 'test/docs/page-testing-app.test.ts',
  'test/fixtures/page-testing-app/test/tsconfig.json': 'test/docs/page-testing-app.test.ts',
  'test/fixtures/page-testing-app/test/chat.test.ts': 'test/docs/page-testing-app.test.ts',
  'test/fixtures/page-testing-app/miniprogram/utils/socket.ts': 'test/docs/page-testing-app.test.ts',
  'test/fixtures/page-testing-app/miniprogram/pages/chat/index.ts': 'test/docs/page-testing-app.test.ts',
  'test/typings/uni/example.ts': 'test/typings/uni/tsconfig.json',
  'test/typings/uni/chat.vue': 'test/docs/readme-examples.test.ts',
  'test/typings/taro/chat.tsx': 'test/typings/taro/tsconfig.json',
  'test/typings/browser/example.ts': 'test/typings/browser/tsconfig.json',
};

const read = (file: string): string => fs.readFileSync(fromRoot(file), 'utf8');
const DOCS = ['README.md', ...fs.readdirSync(fromRoot('docs')).filter((f) => f.endsWith('.md')).sort().map((f) => `docs/${f}`)];

interface Block { doc: string; lang: string; code: string; marker: string | undefined; line: number }

function blocks(doc: string): Block[] {
  const lines = read(doc).split('\n');
  const found: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\S*)$/.exec(lines[i]!);
    if (!open) continue;
    const end = lines.indexOf('```', i + 1);
    if (end < 0) throw new Error(`${doc}:${i + 1}: unclosed code block`);
    const before = lines[i - 1]?.trim() ?? '';
    found.push({ doc, lang: open[1]!, code: lines.slice(i + 1, end).join('\n') + '\n', marker: /^<!--.*-->$/.test(before) ? before : undefined, line: i + 1 });
    i = end;
  }
  return found;
}

/** The markdown outside code blocks and inline code, where links live. */
function prose(text: string): string {
  return text.replace(/^```[\s\S]*?^```$/gm, '').replace(/`[^`\n]*`/g, '');
}

/** GitHub's heading anchors. */
function anchors(text: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const m of text.replace(/^```[\s\S]*?^```$/gm, '').matchAll(/^#{1,6} (.+)$/gm)) {
    const slug = m[1]!.replace(/\[([^\]]*)\]\([^)]*\)/g, '$1').toLowerCase()
      .replace(/[^\p{L}\p{N}\p{M}\s_-]/gu, '').replace(/ /g, '-');
    const n = seen.get(slug) ?? 0;
    seen.set(slug, n + 1);
    out.add(n ? `${slug}-${n}` : slug);
  }
  return out;
}

/** Every relative link of `doc` under `root` that does not resolve, as `doc: target`. */
function brokenLinks(root: string, doc: string): string[] {
  const text = fs.readFileSync(path.join(root, doc), 'utf8');
  const broken: string[] = [];
  for (const [, target] of prose(text).matchAll(/\]\(([^)\s]+)\)/g)) {
    if (/^[a-z]+:/i.test(target!)) continue;
    const [file, anchor] = target!.split('#') as [string, string | undefined];
    const resolved = file ? path.join(root, path.dirname(doc), decodeURI(file)) : path.join(root, doc);
    if (!resolved.startsWith(root + path.sep) || !fs.existsSync(resolved) || !fs.statSync(resolved).isFile()) broken.push(`${doc}: ${target}`);
    else if (anchor && !(resolved.endsWith('.md') && anchors(fs.readFileSync(resolved, 'utf8')).has(decodeURI(anchor)))) broken.push(`${doc}: ${target} (no such heading)`);
  }
  return broken;
}

describe('links', () => {
  test('every relative link in README.md and docs/*.md resolves, headings included, in the repository', () => {
    expect(DOCS.flatMap((doc) => brokenLinks(ROOT, doc))).toEqual([]);
    expect(DOCS.length).toBeGreaterThan(5);
  });

  test('the packed package holds README.md and every guide, and every link resolves inside it (node_modules/wx-socket-manager)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wxsm-docs-'));
    try {
      execFileSync('tar', ['-xzf', packedTarball(), '-C', dir]);
      const pkg = path.join(dir, 'package');
      expect(DOCS.filter((doc) => !fs.existsSync(path.join(pkg, doc)))).toEqual([]);
      expect(DOCS.flatMap((doc) => brokenLinks(pkg, doc))).toEqual([]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('control: a link to a file the package does not ship, or to a missing heading, is reported', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wxsm-docs-'));
    try {
      fs.mkdirSync(path.join(dir, 'docs'));
      fs.writeFileSync(path.join(dir, 'docs/a.md'), '# A\n\n## 中文\n\n[x](../test/x.ts) [y](a.md#中文) [z](a.md#nope) [w](docs/a.md) `[v](v.md)` [u](https://u.test/)\n');
      expect(brokenLinks(dir, 'docs/a.md')).toEqual(['docs/a.md: ../test/x.ts', 'docs/a.md: a.md#nope (no such heading)', 'docs/a.md: docs/a.md']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('package.json ships the guides and names the repository', () => {
    const pkg = JSON.parse(read('package.json')) as { files: string[]; repository?: { url?: string } };
    expect(pkg.files).toEqual(expect.arrayContaining(['docs', 'README.md']));
    expect(pkg.repository?.url).toMatch(/^git\+https:\/\/.+\.git$/);
  });
});

describe('the README is the front door', () => {
  test('at most 350 lines', () => {
    expect(read('README.md').split('\n').length).toBeLessThanOrEqual(350);
  });

  test('its guide map lists exactly the guides in docs/', () => {
    const map = read('README.md').split('## Guides')[1]!.split('\n## ')[0]!;
    const listed = [...map.matchAll(/\]\((docs\/[^)#]+\.md)\)/g)].map((m) => m[1]).sort();
    expect(listed).toEqual(DOCS.filter((d) => d.startsWith('docs/')));
  });

  test('each guide ends with a full 中文 section', () => {
    for (const doc of DOCS.filter((d) => d.startsWith('docs/'))) {
      const text = read(doc);
      const headings = [...text.matchAll(/^## (.+)$/gm)].map((m) => m[1]);
      expect({ doc, last: headings[headings.length - 1] }).toEqual({ doc, last: '中文' });
      expect({ doc, chinese: text.split('\n## 中文\n')[1]!.length > 300 }).toEqual({ doc, chinese: true });
    }
    expect(read('README.md')).toContain('\n## 中文\n');
  });
});

describe('code blocks', () => {
  const all = DOCS.flatMap(blocks);

  test('every included block is its file (or region) verbatim, and each file is run or compiled by what RUNNERS names', () => {
    const included = all.filter((b) => b.marker?.startsWith('<!-- include: '));
    expect(included.length).toBeGreaterThan(10);
    for (const b of included) {
      const [file, region] = /^<!-- include: (\S+) -->$/.exec(b.marker!)![1]!.split('#') as [string, string | undefined];
      let text = read(file);
      if (region) {
        const inner = text.split(`// #region ${region}\n`)[1]?.split('// #endregion')[0] ?? `no region ${region} in ${file}`;
        const indent = Math.min(...inner.split('\n').filter((l) => l.trim()).map((l) => /^ */.exec(l)![0].length));
        text = inner.split('\n').map((l) => l.slice(indent)).join('\n');
      }
      expect({ at: `${b.doc}:${b.line}`, code: b.code }).toEqual({ at: `${b.doc}:${b.line}`, code: text });
      const runner = RUNNERS[file];
      expect({ file, runner: runner ?? 'none in RUNNERS' }).toEqual({ file, runner: expect.stringMatching(/\.(test\.ts|json)$/) });
      if (runner!.endsWith('tsconfig.json')) {
        const parsed = ts.getParsedCommandLineOfConfigFile(fromRoot(runner!), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined });
        expect({ file, compiledBy: runner, listed: parsed!.fileNames.includes(fromRoot(file)) }).toEqual({ file, compiledBy: runner, listed: true });
        expect(read('package.json')).toContain(`tsc -p ${path.dirname(runner!)}`);
      } else {
        const source = read(runner!);
        const names = [path.basename(file).replace(/\.\w+$/, ''), ...path.dirname(file).split('/').slice(2)];
        expect({ file, runner, mentioned: names.some((n) => source.includes(n)) }).toEqual({ file, runner, mentioned: true });
      }
    }
  });

  test('every other block is a command that exists, JSON that parses, output, or TypeScript this test compiles', () => {
    const others = all.filter((b) => !b.marker?.startsWith('<!-- include: '));
    expect(others.flatMap((b) => blockProblems(b, SCRIPTS))).toEqual([]);
    expect(compileProblems(others.filter((b) => b.marker === '<!-- compile -->'))).toEqual([]);
  });

  test('control: a missing npm script, an unmarked js block and a ts block that does not compile are reported', () => {
    const block = (lang: string, code: string, marker?: string): Block => ({ doc: 'x.md', lang, code, marker, line: 1 });
    expect(blockProblems(block('sh', 'npm run nope\nnpm test\n'), ['test'])).toEqual(['x.md:1: npm run nope: no such script']);
    expect(blockProblems(block('js', 'let a = 1\n'), [])).toEqual(['x.md:1: a `js` block that nothing runs (include it from a file a test runs, or mark it <!-- compile -->)']);
    expect(blockProblems(block('json', '{ a: 1 }\n'), [])).toHaveLength(1);
    expect(blockProblems(block('js', 'let a = 1\n', '<!-- untested -->'), [])).toEqual(['x.md:1: <!-- untested --> is for sketches in java, go, python, php, not `js`']);
    expect(compileProblems([block('ts', "import { nope } from 'wx-socket-manager/testing'\n", '<!-- compile -->')])).toHaveLength(1);
  });
});

/** Languages whose server sketches a guide may show unrun, marked `<!-- untested -->`. */
const OTHER_LANGUAGES = ['java', 'go', 'python', 'php'];

const SCRIPTS = Object.keys((JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts);

/** What is wrong with a block that includes no file (compiled blocks are checked by compileProblems). */
function blockProblems(b: Block, scripts: string[]): string[] {
  const at = `${b.doc}:${b.line}`;
  if (b.marker === '<!-- compile -->' && b.lang === 'ts') return [];
  if (b.marker === '<!-- untested -->') {
    if (!OTHER_LANGUAGES.includes(b.lang)) return [`${at}: <!-- untested --> is for sketches in ${OTHER_LANGUAGES.join(', ')}, not \`${b.lang || 'plain'}\``];
    return /\b(untested|not tested)\b|未.{0,8}测试/.test(read(b.doc).replace(/<!-- untested -->/g, '')) ? [] : [`${at}: an untested sketch in a guide that does not say so`];
  }
  if (b.marker) return [`${at}: unknown marker ${b.marker}`];
  if (b.lang === 'text') return [];
  if (b.lang === 'sh') return commandProblems(at, b.code, scripts);
  if (b.lang === 'json') {
    try {
      JSON.parse(b.code);
      return [];
    } catch (err) {
      return [`${at}: ${(err as Error).message}`];
    }
  }
  return [`${at}: a \`${b.lang || 'plain'}\` block that nothing runs (include it from a file a test runs, or mark it <!-- compile -->)`];
}

/** Each line of a sh block: a command a reader can run (npm scripts that exist, paths that exist). */
function commandProblems(at: string, code: string, scripts: string[]): string[] {
  const problems: string[] = [];
  for (const raw of code.split('\n')) {
    const line = raw.replace(/\s+#.*$/, '').replace(/^#.*$/, '').trim();
    if (!line) continue;
    const words = line.split(/\s+/);
    const command = words.find((w) => !/^[A-Z_]+=/.test(w));
    if (!['npm', 'npx', 'sudo', 'brew', 'docker'].includes(command!)) problems.push(`${at}: ${line}: not a command the guides use`);
    if (words[0] === 'npm' && words[1] === 'run' && !scripts.includes(words[2]!)) problems.push(`${at}: ${line}: no such script`);
    if (words[0] === 'npx' && words[1] === 'jest' && words[2] && !fs.existsSync(fromRoot(`${words[2]}.test.ts`))) problems.push(`${at}: ${line}: no such test`);
  }
  return problems;
}

/** Compiles each block as its own module in the repository (so `wx-socket-manager/…` resolves to this package). */
function compileProblems(compiled: Block[]): string[] {
  const files = new Map(compiled.map((b, i) => [fromRoot(`test/docs/__block${i}.ts`), b]));
  const options: ts.CompilerOptions = { strict: true, noEmit: true, module: ts.ModuleKind.Node20, target: ts.ScriptTarget.ES2022, types: ['node'], skipLibCheck: true };
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (f) => files.has(f) || fileExists(f);
  host.getSourceFile = (f, v, ...rest) => (files.has(f) ? ts.createSourceFile(f, files.get(f)!.code, v, true) : getSourceFile(f, v, ...rest));
  const program = ts.createProgram([...files.keys()], options, host);
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const b = d.file && files.get(d.file.fileName);
    return `${b ? `${b.doc}:${b.line}` : d.file?.fileName ?? ''} ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
  });
}
