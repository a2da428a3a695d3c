/**
 * The PCT bound of a --jobs campaign: each job's runs are kept run-length
 * encoded (a campaign of days stays small) and merged under the largest k.
 */
import { describe, expect, test } from 'vitest';
import { mergePctUsage, pctBound, pctBoundOf, pctPerRun, pushUsed } from '../../src/engines';

describe('PCT usage', () => {
  test('run-length encoding: consecutive equal k share one entry', () => {
    const used: [number, number][] = [];
    for (const k of [100, 20, 20, 37, 37, 37, 20]) pushUsed(used, k);
    expect(used).toEqual([
      [100, 1],
      [20, 2],
      [37, 3],
      [20, 1],
    ]);
  });

  test('two jobs merged: k is the larger, the other job’s runs drawn over a smaller k drop out', () => {
    const a = {
      depth: 3,
      cpus: 2,
      steps: 15,
      used: [
        [100, 1],
        [15, 9],
      ] as [number, number][],
    };
    const b = {
      depth: 3,
      cpus: 2,
      steps: 12,
      used: [
        [100, 1],
        [12, 5],
      ] as [number, number][],
    };
    const m = pctBoundOf(mergePctUsage(a, b));
    expect(m).toMatchObject({ steps: 15, runs: 16, counted: 11 });
    const miss = (1 - pctPerRun(2, 100, 3)) ** 2 * (1 - pctPerRun(2, 15, 3)) ** 9;
    expect(m.miss).toBeCloseTo(miss, 12);
    // the same runs as one job's list
    expect(m).toEqual(pctBound(3, 2, 15, [100, ...Array<number>(9).fill(15), 100, ...Array<number>(5).fill(12)]));
  });
});
