/** docs/dev-server.md stays true: every flag and fault is in it, in English and in 中文 (its example is run by test/docs/examples.test.ts). */
import fs from 'fs';
import { FLAGS } from '../../src/dev-server/cli-args';
import { CLUSTER_FAULTS, SINGLE_FAULTS } from '../../src/dev-server/faults';
import { fromRoot } from '../support/paths';

const doc = fs.readFileSync(fromRoot('docs/dev-server.md'), 'utf8');
const [english = '', chinese = ''] = doc.split('\n## 中文\n');

test('the guide names every flag and every fault, in its English part and in its 中文 section', () => {
  expect(chinese.length).toBeGreaterThan(english.length / 2);
  for (const part of [english, chinese]) {
    for (const flag of FLAGS) expect({ flag: flag.name, inTable: part.includes(`| \`--${flag.name}`) }).toEqual({ flag: flag.name, inTable: true });
    for (const fault of [...SINGLE_FAULTS, ...CLUSTER_FAULTS]) expect({ fault: fault.name, inTable: part.includes(`| \`${fault.name}\` |`) }).toEqual({ fault: fault.name, inTable: true });
  }
});
