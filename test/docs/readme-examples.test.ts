/**
 * The uni-app page docs/platforms.md shows (test/typings/uni/chat.vue) compiles with Vue's own SFC
 * compiler, and its script — with the template inlined as the render function — type-checks
 * against @dcloudio/types, Vue and the package's types. (The Taro page, chat.tsx, and each
 * platform's example are type-checked by `npm run typecheck`.)
 */
import fs from 'fs';
import path from 'path';
import ts from 'typescript';
import { compileScript, parse } from '@vue/compiler-sfc';
import { ROOT, fromRoot } from '../support/paths';

const dir = fromRoot('test/typings/uni');

test('the uni-app page (Vue SFC with onLoad/onUnload) compiles and type-checks', () => {
  const file = path.join(dir, 'chat.vue');
  const { descriptor, errors } = parse(fs.readFileSync(file, 'utf8'), { filename: file });
  expect(errors).toEqual([]);
  const script = compileScript(descriptor, { id: 'chat', inlineTemplate: true });
  expect(script.content).toContain('socket.onLoad()');

  const config = ts.getParsedCommandLineOfConfigFile(path.join(dir, 'tsconfig.json'), {}, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => {
      throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    },
  });
  if (!config) throw new Error('no tsconfig');
  const virtual = path.join(dir, 'chat.vue.ts');
  const host = ts.createCompilerHost(config.options);
  const readFile = host.readFile.bind(host);
  const getSourceFile = host.getSourceFile.bind(host);
  host.fileExists = (f) => f === virtual || ts.sys.fileExists(f);
  host.readFile = (f) => (f === virtual ? script.content : readFile(f));
  host.getSourceFile = (f, v, onError, create) => (f === virtual
    ? ts.createSourceFile(f, script.content, v, true, ts.ScriptKind.TS)
    : getSourceFile(f, v, onError, create));
  const program = ts.createProgram({ rootNames: [...config.fileNames, virtual], options: config.options, host });
  const problems = ts.getPreEmitDiagnostics(program).map((d) => {
    const where = d.file ? `${path.relative(dir, d.file.fileName)}:${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}` : '';
    return `${where} ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
  });
  expect(problems).toEqual([]);
}, 60000);
