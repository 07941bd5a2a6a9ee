/** docs/your-backend.md lists every check the kit runs, in the order it reports them, in English and in 中文. */
import fs from 'fs';
import { CHECKS } from '../../src/conformance';
import { fromRoot } from '../support/paths';

const doc = fs.readFileSync(fromRoot('docs/your-backend.md'), 'utf8');
const [english, chinese] = doc.split('\n## 中文\n') as [string, string];

test.each([['English', english], ['中文', chinese]])('the %s checks table names every check, in report order, with its rule', (_lang, text) => {
  const rows = Array.from(text.matchAll(/^\| `([a-z0-9.-]+)` \| ([^|]+) \|/gm), (m) => m[1]);
  expect(rows).toEqual(CHECKS.map((c) => c.id));
});

test('the FAIL example is the takeover check\'s own line, in both languages', () => {
  const takeover = CHECKS.find((c) => c.id === 'rule6.takeover')!;
  const line = `FAIL  ${takeover.rule} — ${takeover.title}\n      expected: the old link closed with 4409 within 5000 ms\n`;
  expect([english.includes(line), chinese.includes(line)]).toEqual([true, true]);
});
