/**
 * The README's survey of the kernel's litmus tests (tools/memory-model/litmus-tests/,
 * Documentation/litmus-tests/) stays true: each imported row names the corpus
 * file written from the kernel test, whose `Result:` (copied from the kernel
 * file, never from ptefuzz) is the row's LKMM column, and `weak` gives the row's
 * answer — with a `Warning:` line exactly where the row says so.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { parseLitmus } from '../../src/scenario';
import { herdBlock, rawHerdTest } from '../../src/cli/herd';

const ROOT = join(__dirname, '..', '..');
const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
const start = readme.indexOf('<!-- kernel-litmus-survey');
const end = readme.indexOf('<!-- /kernel-litmus-survey -->');
const rows = readme
  .slice(start, end)
  .split('\n')
  .filter((l) => l.startsWith('| ') && !l.startsWith('| kernel test'))
  .map((l) => l.split(' | ').map((c) => c.replace(/^\| |\s*\|$/g, '').trim()));

describe('README: survey of the kernel litmus tests', () => {
  test('the table is there: 47 tests, 44 imported, 3 refused', () => {
    expect(start).toBeGreaterThan(0);
    expect(rows).toHaveLength(47);
    expect(rows.filter((r) => r[2] === 'refused')).toHaveLength(3);
  });
  for (const [name, lkmm, weak, by] of rows.filter((r) => r[2] !== 'refused')) {
    test(`${name}: LKMM ${lkmm}, weak ${weak}`, () => {
      const file = /^`(corpus\/litmus\/.+\.litmus)`$/.exec(by!)![1]!;
      const text = readFileSync(join(ROOT, file), 'utf8');
      expect(/Result: (\w+)/.exec(text)![1]).toBe(lkmm);
      const r = herdBlock(rawHerdTest(parseLitmus(text, file)), 'weak', {});
      expect(r.exploration.truncated).toBe(false);
      expect(r.observation).toBe(/^\**(Never|Sometimes|Always)/.exec(weak!)![1]);
      // DEADLOCK: no execution at all (judgelitmus.sh: `Never 0 0`)
      if (lkmm === 'DEADLOCK') expect([r.positive, r.negative]).toEqual([0, 0]);
      expect(r.text.includes('\nWarning: ')).toBe(weak!.includes('`Warning:`'));
    });
  }
});
