/**
 * The house rules of ARCHITECTURE.md, checked on every run: no file over 400 lines, no
 * function over 60 and no import circle in src/ and scripts/ (the demo and the benchmark), and
 * each folder of src/ imports only the folders its layer allows. A rule that is only written down is broken by the next busy week.
 */
import fs from 'fs';
import path from 'path';
import ts from 'typescript';
import { ROOT } from '../support/paths';

const MAX_FILE_LINES = 400;
const MAX_FUNCTION_LINES = 60;

/** Folder of src/ (`core` for the top-level files) → the folders it may import (ARCHITECTURE.md "Layers"). */
const MAY_IMPORT: Record<string, string[]> = {
  encoding: [],
  protocol: ['encoding'],
  core: [],
  platforms: ['core', 'encoding'],
  'socket-status': ['core'],
  session: ['core', 'protocol', 'encoding'],
  shared: ['core', 'platforms'],
  node: ['core', 'shared', 'platforms'],
  testing: ['core', 'shared', 'platforms'],
  server: ['core', 'protocol', 'encoding', 'shared'],
  conformance: ['core', 'protocol', 'encoding', 'shared', 'dev-server'],
  'dev-server': ['core', 'protocol', 'server', 'shared'],
  h5: ['core', 'platforms', 'session', 'protocol', 'dev-server'],
};

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
    const rel = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sourceFiles(rel));
    else if (/\.ts$/.test(entry.name) && !entry.name.endsWith('.d.ts')) out.push(rel);
  }
  return out;
}

const parsed = new Map<string, ts.SourceFile>();
function parse(file: string): ts.SourceFile {
  let sf = parsed.get(file);
  if (!sf) parsed.set(file, (sf = ts.createSourceFile(file, fs.readFileSync(path.join(ROOT, file), 'utf8'), ts.ScriptTarget.Latest, true)));
  return sf;
}

/** `name:line (n lines)` for every function-like body longer than the limit. */
function longFunctions(file: string): string[] {
  const sf = parse(file);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body) {
      const first = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line;
      const lines = sf.getLineAndCharacterOfPosition(node.end).line - first + 1;
      const name = node.name ? node.name.getText(sf) : '(anonymous)';
      if (lines > MAX_FUNCTION_LINES) found.push(`${file}:${first + 1} ${name} (${lines} lines)`);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
}

/** The src files a file imports (relative specifiers only; type-only imports count too). */
function imports(file: string): string[] {
  const out: string[] = [];
  for (const node of parse(file).statements) {
    if (!(ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) || !node.moduleSpecifier) continue;
    const spec = (node.moduleSpecifier as ts.StringLiteral).text;
    if (!spec.startsWith('.')) continue;
    const base = path.join(path.dirname(file), spec);
    const target = [`${base}.ts`, path.join(base, 'index.ts')].find((f) => fs.existsSync(path.join(ROOT, f)));
    if (target) out.push(target);
  }
  return out;
}

const layerOf = (file: string): string => {
  const parts = path.relative('src', file).split(path.sep);
  return parts.length === 1 ? 'core' : parts[0]!;
};

/** Every circle in an import graph, as `a -> b -> a`. */
function findCircles(graph: Map<string, string[]>): string[] {
  const circles: string[] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const walk = (file: string): void => {
    state.set(file, 'open');
    stack.push(file);
    for (const next of graph.get(file) ?? []) {
      if (state.get(next) === 'open') circles.push(stack.slice(stack.indexOf(next)).concat(next).join(' -> '));
      else if (!state.has(next)) walk(next);
    }
    stack.pop();
    state.set(file, 'done');
  };
  for (const file of graph.keys()) if (!state.has(file)) walk(file);
  return circles;
}

/** Imports that cross into a layer the importing folder may not use. */
function layerViolations(graph: Map<string, string[]>): string[] {
  const wrong: string[] = [];
  for (const [file, targets] of graph) {
    const from = layerOf(file);
    const allowed = MAY_IMPORT[from];
    if (!allowed) {
      wrong.push(`${file}: folder "${from}" has no row in ARCHITECTURE.md's layer table (and MAY_IMPORT here)`);
      continue;
    }
    for (const target of targets) {
      const to = layerOf(target);
      if (to !== from && !allowed.includes(to)) wrong.push(`${file} -> ${target} (${from} may import ${allowed.join(', ') || 'nothing'})`);
    }
  }
  return wrong;
}

const SRC = sourceFiles('src');
const GRAPH = new Map(SRC.map((f) => [f, imports(f)]));
/** The rules on size and circles hold for the scripts too. */
const ALL = [...SRC, ...sourceFiles('scripts')];

test(`no file in src/ or scripts/ is over ${MAX_FILE_LINES} lines`, () => {
  const big = ALL.map((f) => [f, fs.readFileSync(path.join(ROOT, f), 'utf8').split('\n').length] as const).filter(([, n]) => n > MAX_FILE_LINES);
  expect(big).toEqual([]);
});

test(`no function in src/ or scripts/ is over ${MAX_FUNCTION_LINES} lines`, () => {
  expect(ALL.flatMap(longFunctions)).toEqual([]);
});

test('no import circle in src/ or scripts/', () => {
  expect(findCircles(new Map(ALL.map((f) => [f, imports(f)])))).toEqual([]);
});

test('each folder of src/ imports only the layers ARCHITECTURE.md allows it', () => {
  expect(layerViolations(GRAPH)).toEqual([]);
});

test('the checks can fail: a long function, a circle, a wrong layer and an unknown folder are each found', () => {
  const dir = fs.mkdtempSync(path.join(ROOT, '.build-house-'));
  const rel = path.relative(ROOT, dir);
  const a = path.join(rel, 'a.ts');
  const b = path.join(rel, 'b.ts');
  try {
    fs.writeFileSync(path.join(ROOT, a), `import { b } from './b';\nexport function a(): number {\n${'  b();\n'.repeat(60)}  return 1;\n}\n`);
    fs.writeFileSync(path.join(ROOT, b), "import { a } from './a';\nexport const b = (): number => a();\n");
    expect(longFunctions(a)).toEqual([`${a}:2 a (63 lines)`]);
    expect(findCircles(new Map([[a, imports(a)], [b, imports(b)]]))).toEqual([`${a} -> ${b} -> ${a}`]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  expect(layerViolations(new Map([['src/server/hub.ts', ['src/session/session.ts', 'src/protocol/codec.ts']], ['src/nowhere/x.ts', []]]))).toEqual([
    'src/server/hub.ts -> src/session/session.ts (server may import core, protocol, encoding, shared)',
    'src/nowhere/x.ts: folder "nowhere" has no row in ARCHITECTURE.md\'s layer table (and MAY_IMPORT here)',
  ]);
});
