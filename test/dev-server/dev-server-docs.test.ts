/** docs/dev-server.md stays true: every flag and fault is in it (English and 中文), and its example runs as shown. */
import { execFileSync } from 'child_process';
import fs from 'fs';
import { FLAGS } from '../../src/dev-server/cli-args';
import { CLUSTER_FAULTS, SINGLE_FAULTS } from '../../src/dev-server/faults';
import { ROOT, fromRoot } from '../support/paths';

const doc = fs.readFileSync(fromRoot('docs/dev-server.md'), 'utf8');
const [english = '', chinese = ''] = doc.split('\n## 中文\n');

test('the guide names every flag and every fault, in its English part and in its 中文 section', () => {
  expect(chinese.length).toBeGreaterThan(english.length / 2);
  for (const part of [english, chinese]) {
    for (const flag of FLAGS) expect({ flag: flag.name, inTable: part.includes(`| \`--${flag.name}`) }).toEqual({ flag: flag.name, inTable: true });
    for (const fault of [...SINGLE_FAULTS, ...CLUSTER_FAULTS]) expect({ fault: fault.name, inTable: part.includes(`| \`${fault.name}\` |`) }).toEqual({ fault: fault.name, inTable: true });
  }
});

test('the guide\'s "from code" example is its file verbatim, and runs as its comments say', () => {
  const file = 'test/fixtures/dev-server/from-code.js';
  const shown = /<!-- include: (\S+) -->\n```js\n([\s\S]*?)```\n/.exec(english);
  expect(shown?.[1]).toBe(file);
  expect(shown?.[2]).toBe(fs.readFileSync(fromRoot(file), 'utf8'));
  const out = execFileSync(process.execPath, [fromRoot(file)], { cwd: ROOT, encoding: 'utf8', timeout: 20000 });
  expect(out.replace(/:\d+\n/, ':PORT\n')).toBe("ws://127.0.0.1:PORT\n200 { fault: 'blackhole' }\nclose\n");
});
