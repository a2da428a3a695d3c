/**
 * Self-fuzzing (issue 8.3), `.scn` files: the second half of the 1000 variants of
 * one seeded sequence (test/support/self-fuzz-session.ts `scnVariants`; the
 * other half is in self-fuzz-scn-1.test.ts: two files, so vitest can run
 * the halves side by side). Each variant goes through `check --print`,
 * `fuzz --runs 2` (coverage, random, pct in turn) and
 * `explore --bound 1 --max-executions 20`, in-process, in a scratch working
 * folder; every case must pass the self-fuzz oracle (`violation`).
 */
import { describe, expect, test } from 'vitest';
import { VARIANTS, report, scnCases, selfFuzzSession } from '../support/self-fuzz-session';

const s = selfFuzzSession();
const FROM = VARIANTS / 2;
const TO = VARIANTS;

// a generous limit (see self-fuzz.test.ts): a timed-out loop would go on after afterAll restored the cwd
describe('self-fuzzing the CLI (fixed seed, fixed counts)', { timeout: 360_000 }, () => {
  test(`mutated .scn files ${FROM}–${TO - 1} of ${VARIANTS} through check --print, fuzz --runs 2, explore --max-executions 20`, async () => {
    const t = await scnCases(s, FROM, TO);
    report(`.scn files ${FROM}–${TO - 1}`, t);
    expect(t.variants).toBe(TO - FROM);
    expect([...t.failures.keys()]).toEqual([]);
  });
});
