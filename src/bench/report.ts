import type { JobsComparison } from './jobs';
import { createRng, deriveSeed } from '../engines';
import type { RatioInterval } from './stats';
import { alternatingOrder, bootstrapMedianRatio, criterionOdds } from './stats';
import type { CellSummary } from './summary';
import { caseLabel } from './summary';

/** What a report section sees. */
export interface BenchContext {
  readonly cells: readonly CellSummary[];
  readonly budget: number;
  readonly seeds: number;
  /**
   * the throughput runs (exec/s, peak RSS): per case, the engines' campaigns side by side, each for `seconds` of
   * its own time, interleaved in slices of `sliceMs` (pairedThroughput)
   */
  readonly throughput: { readonly seconds: number; readonly sliceMs: number };
  /** every case label, in order */
  readonly cases?: readonly string[];
  /** (case label, engine) a runner could not run, and why ("no jsfuzz target") */
  readonly unavailable?: readonly { readonly label: string; readonly engine: string; readonly reason: string }[];
  /** jsfuzz runs: repetitions per case and the wall-clock cap of one run (absent: jsfuzz not run) */
  readonly jsfuzz?: { readonly repeats: number; readonly secondsCap: number };
  /** the --jobs comparison (absent: not run) */
  readonly jobs?: JobsComparison;
}

/**
 * One section of the markdown report. The bench prints every section of
 * BENCH_SECTIONS in order; add one (e.g. `--jobs 1` vs `--jobs 2`) by
 * appending to the list.
 */
export interface BenchSection {
  readonly title: string;
  render(ctx: BenchContext): string;
}

const fmtCount = (x: number, budget: number): string => (Number.isFinite(x) ? String(Math.round(x)) : `>${budget}`);
const fmtSec = (x: number): string => (Number.isFinite(x) ? (x < 10 ? x.toFixed(2) : x.toFixed(1)) : '—');

function table(head: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]): string => `| ${cells.join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n');
}

/** a/b of two medians, where either may be +Infinity (not found in half the runs). */
export function ratio(a: number, b: number): string {
  if (!Number.isFinite(a) && !Number.isFinite(b)) return 'n/a (neither found)';
  if (!Number.isFinite(a)) return '> 1 (coverage: not found)';
  if (!Number.isFinite(b)) return '< 1 (other: not found)';
  return (a / b).toFixed(2);
}

export const ENGINE_TABLE: BenchSection = {
  title: 'Executions and seconds to the first divergence',
  render({ cells, budget }) {
    return table(
      [
        'scenario',
        'reader',
        'model',
        'engine',
        'found',
        'median execs',
        'p90 execs',
        'median s',
        'p90 s',
        'exec/s',
        'peak RSS MB',
      ],
      cells.map((c) => [
        c.scenario,
        c.reader,
        c.model,
        c.engine,
        `${c.found}/${c.runs}`,
        fmtCount(c.medianExecutions, budget),
        fmtCount(c.p90Executions, budget),
        fmtSec(c.medianSeconds),
        fmtSec(c.p90Seconds),
        String(Math.round(c.execsPerSec)),
        String(c.peakRssMb),
      ]),
    );
  },
};

/**
 * Resamples of the ratio intervals, and the seed of their resampling — per row, derived from the case and
 * engine, so a row's interval depends on its own runs only (the same whichever other cases ran).
 */
export const BOOTSTRAP_RESAMPLES = 2000;
const BOOTSTRAP_SEED = 'bench/bootstrap';

const fmtRatio = (x: number): string => (x === Infinity ? '∞' : x.toFixed(2));

/**
 * What the interval says about coverage's median against the other engine's:
 * fewer or more executions when the whole 95 % interval is below or above 1.
 */
export function intervalVerdict(i: RatioInterval): string {
  if (Number.isNaN(i.low)) return '—';
  if (i.high < 1) return 'coverage fewer';
  if (i.low > 1) return 'coverage more';
  return 'no significant difference';
}

/** The cells of each case by engine, cases in order of first appearance. */
function cellsByCase(cells: readonly CellSummary[]): Map<string, Map<string, CellSummary>> {
  const byCase = new Map<string, Map<string, CellSummary>>();
  for (const c of cells) {
    const m = byCase.get(caseLabel(c)) ?? new Map<string, CellSummary>();
    m.set(c.engine, c);
    byCase.set(caseLabel(c), m);
  }
  return byCase;
}

/**
 * coverage against every other engine: median executions ratio (< 1: coverage needs fewer), its 95 %
 * bootstrap interval over the seeds and what that interval says, and the exec/s ratio.
 */
export const COVERAGE_RATIOS: BenchSection = {
  title: 'coverage vs random and pct (median executions to first divergence; exec/s)',
  render({ cells }) {
    const rows: string[][] = [];
    for (const [label, m] of cellsByCase(cells)) {
      const cov = m.get('coverage');
      if (!cov) continue;
      for (const [engine, other] of m) {
        if (engine === 'coverage' || engine === 'jsfuzz') continue;
        const ci =
          cov.executions && other.executions
            ? bootstrapMedianRatio(
                cov.executions,
                other.executions,
                createRng(deriveSeed(BOOTSTRAP_SEED, label, engine)),
                BOOTSTRAP_RESAMPLES,
              )
            : { low: NaN, high: NaN };
        rows.push([
          label,
          `coverage/${engine}`,
          ratio(cov.medianExecutions, other.medianExecutions),
          Number.isNaN(ci.low) ? '—' : `${fmtRatio(ci.low)}–${fmtRatio(ci.high)}`,
          intervalVerdict(ci),
          other.execsPerSec > 0 ? (cov.execsPerSec / other.execsPerSec).toFixed(2) : 'n/a',
        ]);
      }
    }
    return table(['case', 'ratio', 'median execs', '95 % interval', 'at 95 %', 'exec/s'], rows);
  },
};

const fmtRate = (x: number | undefined): string =>
  x === undefined || !Number.isFinite(x) ? '—' : String(Math.round(x));

/** jsfuzz against the coverage engine, per case (issue 7). */
export const JSFUZZ_RATIOS: BenchSection = {
  title: 'jsfuzz vs coverage (executions to first divergence; exec/s)',
  render({ cells, cases, unavailable, jsfuzz, budget }) {
    if (!jsfuzz) return 'jsfuzz not run (`--engine` left it out).';
    const cell = (label: string, engine: string) => cells.find((c) => caseLabel(c) === label && c.engine === engine);
    const labels = cases ?? [...new Set(cells.map(caseLabel))];
    const rows = labels.map((label) => {
      const why = unavailable?.find((u) => u.label === label && u.engine === 'jsfuzz');
      const cov = cell(label, 'coverage');
      const js = cell(label, 'jsfuzz');
      if (why || !js) return [label, why?.reason ?? 'not run', '', '', '', '', '', '', '', ''];
      const bound =
        js.timeCapped > 0
          ? `time: ${js.timeCapped}/${js.runs} runs hit the ${jsfuzz.secondsCap} s cap`
          : `executions (≤ ${budget})`;
      return [
        label,
        `${js.found}/${js.runs}`,
        fmtCount(js.medianExecutions, budget),
        cov ? fmtCount(cov.medianExecutions, budget) : '—',
        cov
          ? ratio(js.medianExecutions, cov.medianExecutions).replace('coverage', 'jsfuzz').replace('other', 'coverage')
          : '—',
        fmtRate(js.activeExecsPerSec),
        fmtRate(js.execsPerSec),
        cov ? fmtRate(cov.execsPerSec) : '—',
        cov && js.activeExecsPerSec !== undefined && cov.execsPerSec > 0
          ? (js.activeExecsPerSec / cov.execsPerSec).toFixed(2)
          : '—',
        bound,
      ];
    });
    const note =
      `jsfuzz: ${jsfuzz.repeats} run(s) per case (not seedable: repetitions, counts vary between bench runs), each stopped at its first ` +
      `crash, bounded by executions (the budget, counted by the harness) with a ${jsfuzz.secondsCap} s wall-clock cap; exec/s "in session" ` +
      `excludes jsfuzz's start-up (instrumenting every module, per restart), "with start-up" is executions over wall seconds. ` +
      `coverage: median over the seeds, exec/s of its throughput run. Ratios are jsfuzz/coverage (< 1: jsfuzz needs fewer executions, or is slower).`;
    return (
      note +
      '\n\n' +
      table(
        [
          'case',
          'jsfuzz found',
          'jsfuzz median execs',
          'coverage median execs',
          'execs jsfuzz/coverage',
          'jsfuzz exec/s in session',
          'jsfuzz exec/s with start-up',
          'coverage exec/s',
          'exec/s jsfuzz/coverage',
          'jsfuzz bound',
        ],
        rows,
      )
    );
  },
};

/** Issue 4's benchmark runs this many seeds per case and engine; the odds section resamples benches of this size. */
export const CRITERION_SEEDS = 10;
const CRITERION_SEED = 'bench/criterion';
/** odds to 3 decimals; below 0.001 (a product over many cases) in scientific notation, so that it does not read as 0 */
const fmtOdds = (x: number): string => (x === 0 || x >= 0.001 ? x.toFixed(3) : x.toExponential(1));

/**
 * The odds of issue 4's median criterion on a bench of CRITERION_SEEDS seeds, resampled from this bench's runs
 * (criterionOdds): per case, for the coverage engine and for an engine that is, run for run, the better baseline of
 * that case; then over every case (the product: the cases' runs are independent). With as many seeds as the
 * criterion's bench the resampling only shows the spread of these runs; with more (`--seeds 60`) it estimates the
 * odds of a fresh 10-seed bench.
 */
export const CRITERION_ODDS: BenchSection = {
  title: `odds of the median criterion on a ${CRITERION_SEEDS}-seed bench (coverage ≤ random and ≤ pct)`,
  render({ cells, seeds }) {
    const rows: string[][] = [];
    let coverageAll = 1;
    let betterAll = 1;
    for (const [label, m] of cellsByCase(cells)) {
      const [cov, rnd, pct] = [m.get('coverage'), m.get('random'), m.get('pct')];
      if (!cov?.executions || !rnd?.executions || !pct?.executions) continue;
      // the odds pair the engines' runs by seed: a case whose engines ran different seed counts is left out
      if (rnd.executions.length !== cov.executions.length || pct.executions.length !== cov.executions.length) continue;
      const odds = criterionOdds(
        cov.executions,
        rnd.executions,
        pct.executions,
        createRng(deriveSeed(CRITERION_SEED, label)),
        CRITERION_SEEDS,
        BOOTSTRAP_RESAMPLES,
      );
      coverageAll *= odds.coverage;
      betterAll *= odds.betterMeets;
      rows.push([label, fmtOdds(odds.coverage), odds.better, fmtOdds(odds.betterMeets)]);
    }
    if (rows.length === 0)
      return 'not computed (needs the random, pct and coverage runs of a case, on the same seeds).';
    rows.push(['**every case**', fmtOdds(coverageAll), 'per case', fmtOdds(betterAll)]);
    return (
      `Each of ${BOOTSTRAP_RESAMPLES} resamples draws ${CRITERION_SEEDS} of the ${seeds} seeds with replacement, takes every engine's runs of ` +
      `those seeds (paired, as the bench runs every engine on the same seeds) and checks the criterion on their medians. "better baseline": the baseline with the lower median over all ${seeds} seeds; ` +
      `"it meets": the odds of an engine that is, run for run, that baseline (a portfolio that knew in advance which generator ` +
      `suits the case) — it ties that baseline and meets the criterion when that baseline's median is ≤ the other's. ` +
      `"every case": the product over the cases (their runs are independent); the strict "lower on S1" is not part of it.\n\n` +
      table(['case', 'coverage meets', 'better baseline', 'it meets'], rows)
    );
  },
};

/** `--jobs 1` against `--jobs 2` on the same campaign (issue 4). */
export const JOBS_TABLE: BenchSection = {
  title: '--jobs 1 vs --jobs 2 (ptefuzz fuzz, engine random, same runs)',
  render({ jobs }) {
    if (!jobs) return 'not run (`--jobs-runs 0`).';
    const repeats = jobs.repeats ?? 1;
    const base = jobs.results.find((r) => r.jobs === 1);
    const rows = jobs.results.map((r) => [
      String(r.jobs),
      String(r.runs),
      String(r.executions),
      r.seconds.toFixed(2),
      String(Math.round(r.execsPerSec)),
      base && base.execsPerSec > 0 ? `${(r.execsPerSec / base.execsPerSec).toFixed(2)}×` : '—',
      ...(repeats > 1 ? [(r.attempts ?? []).map((x) => String(Math.round(x))).join(', ')] : []),
    ]);
    const order =
      repeats > 1
        ? `${repeats} campaigns per job count, one after the other in alternating order (${alternatingOrder(
            jobs.results.map((r) => r.jobs),
            repeats,
          ).join(' ')}), the faster of each counting`
        : 'run one after the other in this bench';
    return (
      `\`ptefuzz fuzz --engine random --seed 1 --runs ${jobs.runs} --jobs J\` over ${jobs.scenarios.length} scenarios (every reader and model; ` +
      `${jobs.scenarios.join(', ')}), ${order}; every campaign executes the same runs, so the executions agree. ` +
      `exec/s = executions / the campaign's seconds (worker start-up, minimization and crash writing included).\n\n` +
      table(
        [
          'jobs',
          'runs',
          'executions',
          'seconds',
          'exec/s',
          'exec/s vs jobs 1',
          ...(repeats > 1 ? ['exec/s of each campaign'] : []),
        ],
        rows,
      )
    );
  },
};

export const BENCH_SECTIONS: BenchSection[] = [
  ENGINE_TABLE,
  COVERAGE_RATIOS,
  CRITERION_ODDS,
  JSFUZZ_RATIOS,
  JOBS_TABLE,
];

export function markdownReport(ctx: BenchContext, sections: readonly BenchSection[] = BENCH_SECTIONS): string {
  const head =
    `ptefuzz bench: ${ctx.seeds} seeds per case and engine, budget ${ctx.budget} executions per run (a run that does not find the bug counts as >budget); ` +
    `exec/s and peak RSS from ${ctx.throughput.seconds} s of each engine's own time in a throughput campaign per case (seed 1, not stopped at divergences), ` +
    `the engines' campaigns of a case run side by side in slices of ${ctx.throughput.sliceMs} ms of their own time, so that the machine's drift hits them alike`;
  return [head, ...sections.map((s) => `### ${s.title}\n\n${s.render(ctx)}`)].join('\n\n');
}
