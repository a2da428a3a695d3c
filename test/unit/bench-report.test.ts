/**
 * The benchmark's jsfuzz and --jobs sections (issues 7 and 4): ratios from
 * hand-made cells, "no jsfuzz target" rows, and the --jobs comparison run
 * through the real CLI on a short campaign.
 */
import { describe, expect, test } from 'vitest';
import {
  COVERAGE_RATIOS,
  CRITERION_ODDS,
  JOBS_TABLE,
  JSFUZZ_RATIOS,
  intervalVerdict,
  markdownReport,
} from '../../src/bench/report';
import type { BenchContext } from '../../src/bench/report';
import type { CellSummary } from '../../src/bench/summary';
import type { JobsComparison } from '../../src/bench/jobs';
import { compareJobs } from '../../src/bench/jobs';
import { alternatingOrder, bootstrapMedianRatio, criterionOdds } from '../../src/bench/stats';
import { createRng } from '../../src/engines';

/** the throughput runs' description (only the report head shows it) */
const TP = { seconds: 2, sliceMs: 100 };

const cell = (engine: string, over: Partial<CellSummary>): CellSummary => ({
  scenario: 's2-pae-zap-reestablish',
  reader: 'ptep_get',
  model: 'tso',
  engine,
  runs: 3,
  found: 3,
  medianExecutions: 10,
  p90Executions: 20,
  medianSeconds: 0.1,
  p90Seconds: 0.2,
  execsPerSec: 4000,
  peakRssMb: 100,
  timeCapped: 0,
  ...over,
});

const rowOf = (md: string, label: string): string[] =>
  md
    .split('\n')
    .find((l) => l.startsWith(`| ${label} |`))!
    .split('|')
    .slice(1, -1)
    .map((c) => c.trim());

describe('bench: jsfuzz vs coverage', () => {
  const label = 's2-pae-zap-reestablish ptep_get tso';
  const other = 's9-something contpte_ptep_get weak';
  const ctx: BenchContext = {
    cells: [
      cell('coverage', { medianExecutions: 40, execsPerSec: 4000 }),
      cell('jsfuzz', { medianExecutions: 10, execsPerSec: 50, activeExecsPerSec: 800, found: 2, timeCapped: 1 }),
    ],
    budget: 2000,
    seeds: 3,
    throughput: TP,
    cases: [label, other],
    unavailable: [{ label: other, engine: 'jsfuzz', reason: 'no jsfuzz target' }],
    jsfuzz: { repeats: 3, secondsCap: 60 },
  };
  const md = JSFUZZ_RATIOS.render(ctx);

  test('the jsfuzz/coverage ratios of executions to first divergence and of exec/s, and what bounded jsfuzz', () => {
    expect(rowOf(md, label)).toEqual([
      label,
      '2/3',
      '10',
      '40',
      '0.25',
      '800',
      '50',
      '4000',
      '0.20',
      'time: 1/3 runs hit the 60 s cap',
    ]);
  });

  test('a case without a harness target says so in its row', () => {
    expect(rowOf(md, other).slice(0, 2)).toEqual([other, 'no jsfuzz target']);
  });

  test('jsfuzz not found in most runs: the ratio says which side did not find it', () => {
    const md2 = JSFUZZ_RATIOS.render({
      ...ctx,
      cells: [cell('coverage', {}), cell('jsfuzz', { medianExecutions: Infinity, activeExecsPerSec: 100, found: 1 })],
    });
    expect(rowOf(md2, label)[4]).toBe('> 1 (jsfuzz: not found)');
    expect(rowOf(md2, label)[2]).toBe('>2000');
  });
});

describe('bench: --jobs 1 vs --jobs 2', () => {
  const renderJobs = (jobs: JobsComparison): string =>
    JOBS_TABLE.render({ cells: [], budget: 1, seeds: 1, throughput: TP, jobs });

  test('rendered with the ratio to --jobs 1', () => {
    const md = renderJobs({
      scenarios: ['a', 'b'],
      runs: 100,
      results: [
        { jobs: 1, runs: 100, executions: 300, seconds: 2, execsPerSec: 150 },
        { jobs: 2, runs: 100, executions: 300, seconds: 1.25, execsPerSec: 240 },
      ],
    });
    expect(md).toContain('| 1 | 100 | 300 | 2.00 | 150 | 1.00× |');
    expect(md).toContain('| 2 | 100 | 300 | 1.25 | 240 | 1.60× |');
  });

  test("with repeats: the order run, the faster campaign of each job count, and every campaign's exec/s", () => {
    const md = renderJobs({
      scenarios: ['a'],
      runs: 100,
      repeats: 2,
      results: [
        { jobs: 1, runs: 100, executions: 300, seconds: 2, execsPerSec: 150, attempts: [150, 120] },
        { jobs: 2, runs: 100, executions: 300, seconds: 1, execsPerSec: 300, attempts: [210, 300] },
      ],
    });
    expect(md).toContain('alternating order (1 2 2 1), the faster of each counting');
    expect(md).toContain('| 1 | 100 | 300 | 2.00 | 150 | 1.00× | 150, 120 |');
    expect(md).toContain('| 2 | 100 | 300 | 1.00 | 300 | 2.00× | 210, 300 |');
  });

  test('the real CLI, both job counts twice: the same runs and executions, campaign seconds from --json, the faster kept', () => {
    const c = compareJobs(['s2-pae-zap-reestablish'], 40, [1, 2], 2);
    expect(c.results.map((r) => [r.jobs, r.runs])).toEqual([
      [1, 40],
      [2, 40],
    ]);
    expect(c.repeats).toBe(2);
    for (const r of c.results) {
      expect(r.attempts).toHaveLength(2);
      expect(r.execsPerSec).toBe(Math.max(...r.attempts!));
    }
    // S2 runs 3 readers × 1 model (tso): 3 executions per run
    expect(c.results.map((r) => r.executions)).toEqual([120, 120]);
    for (const r of c.results) {
      expect(r.seconds).toBeGreaterThan(0);
      expect(r.execsPerSec).toBeCloseTo(r.executions / r.seconds, 6);
    }
  });
});

describe('bench: report head', () => {
  test('says how exec/s was measured: seconds of own time per engine, side by side in slices', () => {
    expect(
      markdownReport({ cells: [], budget: 20000, seeds: 10, throughput: { seconds: 2, sliceMs: 100 } }, []),
    ).toContain(
      "exec/s and peak RSS from 2 s of each engine's own time in a throughput campaign per case (seed 1, not stopped at divergences), " +
        "the engines' campaigns of a case run side by side in slices of 100 ms of their own time",
    );
  });
});

describe('bench: bootstrap interval of coverage/other', () => {
  const ci = (a: number[], b: number[]) => bootstrapMedianRatio(a, b, createRng('t'), 500);

  test('clearly separated samples: the whole interval is on one side of 1, either way round', () => {
    const small = [8, 9, 10, 11, 12, 9, 10, 11, 10, 10];
    const large = small.map((x) => x * 10);
    const fewer = ci(small, large);
    expect(fewer.high).toBeLessThan(1);
    expect(intervalVerdict(fewer)).toBe('coverage fewer');
    const more = ci(large, small);
    expect(more.low).toBeGreaterThan(1);
    expect(intervalVerdict(more)).toBe('coverage more');
  });

  test('overlapping samples with different medians: no significant difference', () => {
    const a = [1, 2, 3, 5, 8, 13, 21, 34, 55, 89];
    const b = [2, 3, 5, 8, 13, 21, 34, 55, 89, 144];
    const i = ci(a, b);
    expect(i.low).toBeLessThan(1);
    expect(i.high).toBeGreaterThan(1);
    expect(intervalVerdict(i)).toBe('no significant difference');
  });

  test('runs that did not find the bug: infinite medians give 0 or ∞, both infinite count as 1', () => {
    expect(ci([3, 4, 5], [Infinity, Infinity, Infinity])).toEqual({ low: 0, high: 0 });
    expect(ci([Infinity, Infinity], [7, 7])).toEqual({ low: Infinity, high: Infinity });
    expect(ci([Infinity], [Infinity])).toEqual({ low: 1, high: 1 });
  });

  test('same samples and seed ⇒ same interval', () => {
    const a = [5, 1, 9, 3, 7];
    const b = [6, 2, 8, 4, 12];
    expect(bootstrapMedianRatio(a, b, createRng('s'), 300)).toEqual(bootstrapMedianRatio(a, b, createRng('s'), 300));
  });

  test('the ratios table shows the interval and its verdict', () => {
    const md = COVERAGE_RATIOS.render({
      cells: [
        cell('random', { medianExecutions: 4, executions: [4, 4, 4], execsPerSec: 8000 }),
        cell('pct', { medianExecutions: 1, executions: [1, 1, 1], execsPerSec: 8000 }),
        cell('coverage', { medianExecutions: 1, executions: [1, 1, 1], execsPerSec: 4000 }),
      ],
      budget: 100,
      seeds: 3,
      throughput: TP,
    });
    const rows = md.split('\n').filter((l) => l.startsWith('| s2-'));
    expect(
      rows.map((l) =>
        l
          .split('|')
          .slice(2, -1)
          .map((c) => c.trim()),
      ),
    ).toEqual([
      ['coverage/random', '0.25', '0.25–0.25', 'coverage fewer', '0.50'],
      ['coverage/pct', '1.00', '1.00–1.00', 'no significant difference', '0.50'],
    ]);
  });

  test("a row's interval depends on its own runs only, not on which other cases ran", () => {
    const spread = (engine: string, xs: number[], scenario = 's2-pae-zap-reestablish') =>
      cell(engine, {
        scenario,
        executions: xs,
        medianExecutions: [...xs].sort((a, b) => a - b)[Math.ceil(xs.length / 2) - 1]!,
      });
    const own = [
      spread('random', [3, 9, 14, 20, 41, 7, 66, 12, 5, 27, 90, 18, 33, 2, 51, 11, 24, 8, 75, 16]),
      spread('coverage', [2, 5, 11, 13, 30, 4, 47, 9, 6, 21, 70, 10, 25, 3, 38, 15, 19, 7, 58, 12]),
    ];
    const other = [spread('random', [1, 2, 3, 4, 5], 's3-other'), spread('coverage', [5, 6, 7, 8, 9], 's3-other')];
    const row = (cells: CellSummary[]) =>
      COVERAGE_RATIOS.render({ cells, budget: 100, seeds: 5, throughput: TP })
        .split('\n')
        .find((l) => l.startsWith('| s2-'));
    expect(row([...other, ...own])).toBe(row(own));
  });
});

describe('bench: repeated measurements', () => {
  test('run in alternating order, every item once per round', () => {
    expect(alternatingOrder(['random', 'pct', 'coverage'], 2)).toEqual([
      'random',
      'pct',
      'coverage',
      'coverage',
      'pct',
      'random',
    ]);
    expect(alternatingOrder([1, 2], 3)).toEqual([1, 2, 2, 1, 1, 2]);
    expect(alternatingOrder([1, 2], 1)).toEqual([1, 2]);
  });
});

describe('bench: odds of the median criterion', () => {
  const odds = (c: number[], r: number[], p: number[], n: number) => criterionOdds(c, r, p, createRng('o'), n, 4000);

  test('one seed per bench: the odds are the share of seeds where coverage is at or below both baselines', () => {
    // seed 1: coverage 1, random 1, pct 2 (meets); seed 2: coverage 2, random 1 (does not)
    const o = odds([1, 2], [1, 1], [2, 2], 1);
    expect(o.coverage).toBeGreaterThan(0.46);
    expect(o.coverage).toBeLessThan(0.54);
    expect(o.better).toBe('random');
    expect(o.betterMeets).toBe(1);
  });

  test('three runs: the (nearest-rank) median, the 2nd smallest, is 1 when two or three of them are 1, odds ½', () => {
    const o = odds([1, 3], [2, 2], [2, 2], 3);
    expect(o.coverage).toBeGreaterThan(0.46);
    expect(o.coverage).toBeLessThan(0.54);
  });

  test('the better baseline is the one with the lower median over all runs, and meets as often as it draws ≤ the other', () => {
    // pct: median 2 over its runs; random [1, 3, 3]: median 3, so pct is the better; pct's 2 ≤ random's draw unless it draws 1
    const o = odds([1, 1, 1], [1, 3, 3], [2, 2, 2], 1);
    expect(o.better).toBe('pct');
    expect(o.betterMeets).toBeGreaterThan(0.63);
    expect(o.betterMeets).toBeLessThan(0.7);
    expect(o.coverage).toBe(1);
  });

  test('not found (+Infinity): found beats it, two not-found medians tie', () => {
    expect(odds([5], [Infinity], [Infinity], 3)).toEqual({ coverage: 1, better: 'random', betterMeets: 1 });
    expect(odds([Infinity], [Infinity], [3], 3)).toEqual({ coverage: 0, better: 'pct', betterMeets: 1 });
  });

  test("paired by seed: coverage that is random's run on every seed never loses to it", () => {
    // drawn independently, coverage's median would exceed random's when it drew 2s and random 1s (odds ≈ 0.23)
    expect(odds([1, 2], [1, 2], [3, 3], 10).coverage).toBe(1);
  });

  test('runs of different seed counts cannot be paired: an internal error, and the section leaves the case out', () => {
    expect(() => odds([1, 2], [1], [1, 2], 1)).toThrow('internal bug');
    const md = CRITERION_ODDS.render({
      cells: [
        cell('random', { executions: [4, 4] }),
        cell('pct', { executions: [9, 9, 9] }),
        cell('coverage', { executions: [1, 1, 1] }),
      ],
      budget: 100,
      seeds: 3,
      throughput: TP,
    });
    expect(md).toBe('not computed (needs the random, pct and coverage runs of a case, on the same seeds).');
  });

  test('same runs and seed ⇒ same odds', () => {
    const a = [5, 1, 9, 3, 7];
    const b = [6, 2, 8, 4, 12];
    const c = [2, 2, 30, 1, 9];
    expect(criterionOdds(a, b, c, createRng('s'), 10, 300)).toEqual(criterionOdds(a, b, c, createRng('s'), 10, 300));
  });

  test('the section: per case, then every case as the product; a case without all three engines is left out', () => {
    const other = { scenario: 's9-other', reader: 'contpte_ptep_get', model: 'weak' };
    const third = { scenario: 's3-third', reader: 'ptep_get', model: 'tso' };
    const md = CRITERION_ODDS.render({
      cells: [
        // s2: coverage always 1 run, the baselines 4 and 9: coverage meets, and so does random, the better
        cell('random', { executions: [4, 4, 4] }),
        cell('pct', { executions: [9, 9, 9] }),
        cell('coverage', { executions: [1, 1, 1] }),
        // s9: coverage never meets (always 7, pct always 2); pct is the better and meets
        cell('random', { ...other, executions: [20, 20, 20] }),
        cell('pct', { ...other, executions: [2, 2, 2] }),
        cell('coverage', { ...other, executions: [7, 7, 7] }),
        // s3: no pct runs
        cell('random', { ...third, executions: [1, 1, 1] }),
        cell('coverage', { ...third, executions: [1, 1, 1] }),
      ],
      budget: 100,
      seeds: 3,
      throughput: TP,
    });
    expect(rowOf(md, 's2-pae-zap-reestablish ptep_get tso')).toEqual([
      's2-pae-zap-reestablish ptep_get tso',
      '1.000',
      'random',
      '1.000',
    ]);
    expect(rowOf(md, 's9-other contpte_ptep_get weak')).toEqual([
      's9-other contpte_ptep_get weak',
      '0.000',
      'pct',
      '1.000',
    ]);
    expect(md).not.toContain('| s3-third');
    expect(rowOf(md, '**every case**')).toEqual(['**every case**', '0.000', 'per case', '1.000']);
    expect(md).toContain("draws 10 of the 3 seeds with replacement, takes every engine's runs of those seeds (paired");
  });

  test('odds below 0.001 (a product over many cases) are written in scientific notation, not as 0.000', () => {
    // 16 cases where coverage draws 1 or 3 against the baselines' 2: its 10-run median (the 5th smallest) is 1 when
    // 5 or more draws are 1, odds 638/1024 per case; the product is 0.623^16 ≈ 5.1e-4
    const cells = Array.from({ length: 16 }, (_, i) => {
      const at = { scenario: `s${i}`, reader: 'r', model: 'tso' };
      return [
        cell('random', { ...at, executions: [2, 2] }),
        cell('pct', { ...at, executions: [2, 2] }),
        cell('coverage', { ...at, executions: [1, 3] }),
      ];
    }).flat();
    const every = rowOf(CRITERION_ODDS.render({ cells, budget: 10, seeds: 2, throughput: TP }), '**every case**');
    expect(every[1]).toMatch(/^[1-9]\.\de-4$/);
    expect(Number(every[1])).toBeGreaterThan(3e-4);
    expect(Number(every[1])).toBeLessThan(8e-4);
  });

  test('without the runs of all three engines there is nothing to compute, and the section says so', () => {
    expect(
      CRITERION_ODDS.render({ cells: [cell('coverage', { executions: [1] })], budget: 10, seeds: 1, throughput: TP }),
    ).toBe('not computed (needs the random, pct and coverage runs of a case, on the same seeds).');
  });
});
