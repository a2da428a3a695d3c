/**
 * herd7's `filter (…)` clause (Documentation/litmus-tests/locking/RM-broken.litmus, RM-fixed.litmus): an execution
 * whose final state does not satisfy it is dropped — no state, no witness, not counted —, so a test that no
 * execution passes is `Never 0 0`, which tools/memory-model/scripts/judgelitmus.sh reads as `Result: DEADLOCK`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { parseLitmus } from '../../src/scenario';
import { litmusError as message } from '../support/litmus-error';
import { herdBlock, rawHerdTest } from '../../src/cli/herd';
import { fuzzRawTests } from '../../src/cli/commands/fuzz-raw';

const ROOT = join(__dirname, '..', '..');
const corpus = (name: string) =>
  parseLitmus(readFileSync(join(ROOT, 'corpus', 'litmus', `${name}.litmus`), 'utf8'), `${name}.litmus`);

/** MP with P1's reads kept by `filter`; `exists` over the same registers */
const mp = (filter: string, exists: string): string =>
  `C MP\n{}\nP0(int *x, int *y) {\n WRITE_ONCE(*x, 1);\n WRITE_ONCE(*y, 1);\n}\n` +
  `P1(int *x, int *y) {\n int r0;\n int r1;\n r0 = READ_ONCE(*y);\n r1 = READ_ONCE(*x);\n}\n${filter}\nexists (${exists})\n`;

describe('filter', () => {
  test('MP under weak: the filter keeps r0=1 only — the states, the counts and the Filter line say so', () => {
    const all = herdBlock(rawHerdTest(parseLitmus(mp('', '1:r0=1 /\\ 1:r1=0'), 't.litmus')), 'weak', {});
    const kept = herdBlock(rawHerdTest(parseLitmus(mp('filter (1:r0=1)', '1:r1=0'), 't.litmus')), 'weak', {});
    // MP under weak: 4 executions, 4 states; the two with r0=1 pass the filter, one of them has r1=0
    expect([all.positive, all.negative]).toEqual([1, 3]);
    expect([kept.positive, kept.negative, kept.observation]).toEqual([1, 1, 'Sometimes']);
    expect(kept.text).toContain('States 2\n1:r1=0;\n1:r1=1;\n');
    expect(kept.text).toContain('\nFilter: filter (1:r0=1) dropped 2 of 4 executions');
    expect(all.text).not.toContain('Filter:');
  });

  test('RM-fixed: Never 0 1 under every model; RM-broken: no execution passes, Never 0 0 (DEADLOCK)', () => {
    for (const m of ['sc', 'tso', 'weak'] as const) {
      const fixed = herdBlock(rawHerdTest(corpus('RM-fixed')), m, {});
      expect([fixed.observation, fixed.positive, fixed.negative], m).toEqual(['Never', 0, 1]);
      const broken = herdBlock(rawHerdTest(corpus('RM-broken')), m, {});
      expect([broken.observation, broken.positive, broken.negative], m).toEqual(['Never', 0, 0]);
      expect(broken.text).toContain('States 0\nNo\n');
    }
  });

  test('fuzz --scenario: an execution the filter drops is no witness, and the report counts them', () => {
    const t = corpus('RM-broken');
    const out: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((s: string) => (out.push(s), true)) as typeof process.stderr.write;
    try {
      const code = fuzzRawTests(
        [{ test: t, file: 'RM-broken.litmus' }],
        { engine: 'random', seed: '1', runs: 200, model: ['weak'] } as never,
        () => 0,
      );
      expect(code).toBe(0);
    } finally {
      process.stderr.write = write;
    }
    expect(out.join('')).toMatch(
      /RM-broken weak: no execution reached the outcome of exists \(1:r2=1\) — engine random, seed 1: 200 executions, 0 bound-hit, 200 dropped by the filter/,
    );
  });

  test('its variables are checked as the condition’s: one line naming what is wrong', () => {
    expect(message(mp('filter (1:r7=1)', '1:r1=0'))).toBe(
      "t.litmus:13:9: expected a register of P1 (r0, r1), found 'r7'",
    );
    expect(message(mp('filter (1:r0=1) filter (1:r1=1)', '1:r1=0'))).toBe(
      "t.litmus:13:17: expected 'exists (…)' after the filter, found 'filter'",
    );
  });
});
