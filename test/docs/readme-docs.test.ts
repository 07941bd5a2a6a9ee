/**
 * The README's code is the code the tests run: a fenced block preceded by
 * `<!-- include: path -->` must be that file verbatim in README.md; the README's ten-line page
 * is the fixture the page test loads.
 */
import fs from 'fs';
import path from 'path';
import { ROOT } from '../support/paths';

const root = ROOT;
const read = (file: string): string => fs.readFileSync(path.join(root, file), 'utf8');
const INCLUDE = /<!-- include: (\S+) -->\n```\w+\n([\s\S]*?)```\n/g;

/** Each included file with the text the document shows, and the file's own text. */
function includes(doc: string): Array<{ file: string; shown: string; actual: string }> {
  const text = read(doc);
  const blocks = Array.from(text.matchAll(INCLUDE), (m) => ({ file: m[1]!, shown: m[2]!, actual: read(m[1]!) }));
  expect(text.split('<!-- include:').length - 1).toBe(blocks.length); // no marker without its block
  return blocks;
}

test('README.md: every included block is its file verbatim, and the ten-line page is the one the page test loads', () => {
  const blocks = includes('README.md');
  expect(blocks.map((b) => b.file)).toEqual([
    'test/fixtures/chat/utils/socket.js',
    'test/fixtures/chat/pages/chat/index.js',
    'test/fixtures/ts-consumer/miniprogram/pages/chat/index.ts',
    'test/typings/uni/chat.vue',
    'test/typings/taro/chat.tsx',
    'test/docs/readme-page.test.ts',
    'test/fixtures/pages/leaky-page.js',
  ]);
  for (const { file, shown, actual } of blocks) expect({ file, text: shown }).toEqual({ file, text: actual });
  expect(read('README.md')).toContain('```js\n' + read('test/fixtures/headline-page.js') + '```\n');
});
