/**
 * --jobs and --shard split one campaign: every run of the one-machine campaign
 * is executed by exactly one (shard, job), and the split campaign does the same
 * work as the whole one.
 */
import { describe, expect, test } from 'vitest';
import type { Finding, ReaderStats } from '../../src/campaign';
import {
  WHOLE,
  addStats,
  emptyStats,
  minimizesHit,
  partitionOf,
  partitionRuns,
  runCampaign,
  selectTargets,
} from '../../src/campaign';
import { builtinReaders } from '../../src/kernel';

const take = (it: Iterable<number>, n: number): number[] => {
  const out: number[] = [];
  for (const r of it) {
    if (out.length === n) break;
    out.push(r);
  }
  return out;
};

describe('partition of the runs', () => {
  test('the whole campaign is runs 0, 1, 2, … in order (today’s single-thread campaign)', () => {
    expect([...partitionRuns(WHOLE, 4, 10)]).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  test('shard 2 of 2 with 1 job, 4 scenarios: whole rounds 1, 3, 5 … (runs 4-7, 12-15, …)', () => {
    expect(take(partitionRuns(partitionOf({ index: 1, count: 2 }, 0, 1), 4), 10)).toEqual([
      4, 5, 6, 7, 12, 13, 14, 15, 20, 21,
    ]);
  });

  // every shard may pick its own --jobs: shard i of N owns rounds ≡ i (mod N) whatever J is
  const layouts: { shards: number; jobs: number[]; groups: number; runs: number }[] = [
    { shards: 1, jobs: [1], groups: 4, runs: 1000 },
    { shards: 1, jobs: [2], groups: 4, runs: 1001 },
    { shards: 4, jobs: [1, 1, 1, 1], groups: 4, runs: 997 },
    { shards: 3, jobs: [2, 1, 5], groups: 1, runs: 1000 },
    { shards: 4, jobs: [3, 2, 2, 7], groups: 3, runs: 1234 },
    { shards: 7, jobs: [1, 1, 1, 1, 1, 1, 1], groups: 4, runs: 5 },
  ];
  for (const { shards, jobs, groups, runs } of layouts) {
    test(`${shards} shard(s) × jobs [${jobs.join(',')}], ${groups} scenario(s), ${runs} runs: disjoint and complete`, () => {
      const seen = new Array<number>(runs).fill(0);
      for (let i = 0; i < shards; i++) {
        for (let j = 0; j < jobs[i]!; j++) {
          const mine = [...partitionRuns(partitionOf({ index: i, count: shards }, j, jobs[i]!), groups, runs)];
          for (const r of mine) seen[r]!++;
          // whole rounds: a worker's scenario mix is the campaign's
          const own = new Set(mine);
          expect(mine.every((r) => own.has(Math.min(runs - 1, r - (r % groups) + groups - 1)))).toBe(true);
        }
      }
      expect(seen.every((n) => n === 1)).toBe(true);
    });
  }

  test('bad partitions are internal bugs', () => {
    expect(() => partitionOf({ index: 2, count: 2 }, 0, 1)).toThrow(/internal bug/);
    expect(() => partitionOf({ index: 0, count: 1 }, 1, 1)).toThrow(/internal bug/);
  });
});

describe('a split campaign does the work of the whole one', () => {
  const targets = () =>
    selectTargets(
      { scenarios: ['s2-pae-zap-reestablish', 's1-pae-double-refault'], readers: ['ptep_get'], models: ['sc'] },
      builtinReaders(),
    );
  const campaign = (partition = WHOLE) =>
    runCampaign({
      targets: targets(),
      engine: 'random',
      seed: '11',
      runs: 301,
      partition,
      clock: () => 0,
      onWitness: (f: Finding) => ({ id: `${f.target.key} ${f.class} ${f.trace.join(',')}`, fresh: true }),
    });

  test('3 shards × 2 jobs: the per-target executions, races and verdicts add up to the whole campaign’s', () => {
    const whole = campaign();
    const sum = new Map<string, ReaderStats>(whole.targets.map((t) => [t.key, emptyStats()]));
    let runs = 0;
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 2; j++) {
        const part = campaign(partitionOf({ index: i, count: 3 }, j, 2));
        runs += part.runs;
        for (const [k, st] of part.perTarget) addStats(sum.get(k)!, st);
      }
    }
    expect(runs).toBe(301);
    expect(whole.runs).toBe(301);
    expect([...sum]).toEqual([...whole.perTarget]);
    expect(whole.perTarget.get(whole.targets[0]!.key)!.verdicts.divergence).toBeGreaterThan(0);
  });
});

describe('which hits a worker minimizes', () => {
  const minimized = (p: { offset: number; stride: number }, upTo: number): number[] =>
    Array.from({ length: upTo }, (_, i) => i + 1).filter((h) => minimizesHit(h, p));

  test('the whole campaign: the 1st, 2nd, 4th, 8th … hit', () => {
    expect(minimized(WHOLE, 70)).toEqual([1, 2, 4, 8, 16, 32, 64]);
  });

  test('two jobs: each its own 1st hit, then the levels alternate (job 1: 2, 8, 32; job 0: 4, 16, 64)', () => {
    expect(minimized(partitionOf({ index: 0, count: 1 }, 0, 2), 70)).toEqual([1, 4, 16, 64]);
    expect(minimized(partitionOf({ index: 0, count: 1 }, 1, 2), 70)).toEqual([1, 2, 8, 32]);
  });

  test('3 shards × 2 jobs: every level from the 2nd hit on is minimized by exactly one worker', () => {
    const workers = [0, 1, 2].flatMap((i) => [0, 1].map((j) => partitionOf({ index: i, count: 3 }, j, 2)));
    for (let m = 1; m <= 12; m++) {
      expect(workers.filter((p) => minimizesHit(2 ** m, p))).toHaveLength(1);
    }
    for (const p of workers) expect(minimizesHit(1, p)).toBe(true);
    for (const p of workers) expect(minimizesHit(3, p) || minimizesHit(12, p) || minimizesHit(0, p)).toBe(false);
  });
});
