/**
 * `npm run bench`: for every known-bug built-in scenario (a reader whose
 * expectation is `bug`) × engine runner × seed, the executions and seconds to
 * the first divergence within a per-run execution budget; then, per case and
 * runner, the executions per second and peak RSS of a fixed-length campaign
 * (stopping at the first divergence makes a per-run rate mostly JIT warm-up).
 * Prints a markdown report on stdout and writes bench-results/bench.json (one
 * row per run), throughput.json, bench.md and bench.svg atomically. Wall-clock figures depend on the machine and its load; the
 * execution counts do not (same seeds ⇒ same counts).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Command, CommanderError } from 'commander';
import { writeFileAtomic } from '../crash';
import { harnessFamilyOfArch, resolveModel, resolveScenario, UsageError } from '../campaign';
import { collect, nonNegativeInt, positiveInt } from '../cli/parse';
import { isScenarioPath, loadScenarioFile } from '../cli/scenario-files';
import { builtinReaders } from '../kernel';
import type { Scenario } from '../scenario';
import { ScenarioError } from '../scenario';
import { knownBugCases } from './cases';
import type { BenchCase } from './cases';
import type { BenchRow, EngineRunner, Throughput } from './runners';
import { ENGINE_RUNNERS } from './runners';
import { jsfuzzRunner } from './jsfuzz-runner';
import type { JobsComparison } from './jobs';
import { compareJobs } from './jobs';
import { BENCH_SECTIONS, markdownReport } from './report';
import { summarize } from './summary';
import { pairedThroughput } from './throughput';
import { benchSvg } from './svg';

interface BenchOptions {
  seeds: number;
  budget: number;
  scenario?: string[];
  engine?: string[];
  model?: string;
  quick?: boolean;
  out: string;
  jsfuzzRepeats: number;
  jsfuzzCap: number;
  jobsRuns: number;
}

export const DEFAULT_SEEDS = 10;
export const DEFAULT_BUDGET = 20000;
/**
 * `--quick`: a smoke run — jsfuzz only on the first case of each harness family (one process start-up
 * each), a short --jobs comparison
 */
export const QUICK = { seeds: 3, budget: 2000, throughputSeconds: 0.2, jsfuzzRepeats: 1, jsfuzzCap: 30, jobsRuns: 300 };
/**
 * throughput: per case, the engines' campaigns run side by side (pairedThroughput: interleaved, in slices of
 * THROUGHPUT_SLICE_MS of their own time), THROUGHPUT_SECONDS of its own time each — long enough that JIT
 * warm-up and the first minimizations are a small part of it, slices short against the machine's drift
 */
export const THROUGHPUT_SECONDS = 2;
export const THROUGHPUT_SLICE_MS = 100;
/** seconds of one unmeasured paired run of the runners on the first case before the throughput runs (JIT warm-up) */
export const THROUGHPUT_WARMUP_SECONDS = 0.2;
/** jsfuzz runs per case (it cannot be seeded) and the wall-clock cap of one run */
export const DEFAULT_JSFUZZ_REPEATS = 3;
export const DEFAULT_JSFUZZ_CAP = 120;
/**
 * runs of each --jobs campaign: about a minute for --jobs 1 on an idle machine — each worker's start-up and
 * first minimizations are a fixed cost, so short campaigns scale less (6000 runs: 1.2×)
 */
export const DEFAULT_JOBS_RUNS = 300000;
/**
 * campaigns per job count, in alternating order, the faster counting: --jobs campaigns are processes of their own,
 * which cannot share slices as the throughput campaigns do
 */
export const JOBS_REPEATS = 2;

/** A `--scenario` value: a built-in's name, or a kernel scenario file (`.scn`, or a path). */
function benchScenario(arg: string): Scenario {
  if (!isScenarioPath(arg)) return resolveScenario(arg);
  const l = loadScenarioFile(arg, builtinReaders());
  if (l.kind !== 'kernel')
    throw new UsageError(
      `--scenario ${arg}: a litmus test, not a kernel scenario (the bench needs a reader expected buggy)`,
    );
  return l.scenario;
}

async function bench(o: BenchOptions): Promise<number> {
  const selected = (o.scenario ?? []).map((s) => benchScenario(s));
  const model = o.model === undefined ? undefined : resolveModel(o.model);
  const cases = knownBugCases(selected, model);
  if (cases.length === 0) throw new UsageError('--scenario: none of these scenarios has a reader expected to be buggy');
  const jsfuzz = {
    repeats: o.quick ? QUICK.jsfuzzRepeats : o.jsfuzzRepeats,
    secondsCap: o.quick ? QUICK.jsfuzzCap : o.jsfuzzCap,
  };
  const all: readonly EngineRunner[] = [...ENGINE_RUNNERS, jsfuzzRunner(jsfuzz)];
  const runners = o.engine ? all.filter((r) => o.engine!.includes(r.name)) : all;
  for (const e of o.engine ?? []) {
    if (!all.some((r) => r.name === e)) {
      throw new UsageError(`--engine: unknown runner "${e}"; valid: ${all.map((r) => r.name).join(', ')}`);
    }
  }
  const seeds = o.quick ? QUICK.seeds : o.seeds;
  const budget = o.quick ? QUICK.budget : o.budget;
  const rows: BenchRow[] = [];
  const unavailable: { label: string; engine: string; reason: string }[] = [];
  // --quick: jsfuzz (seconds of start-up per run) only on the first case of each harness family
  for (const c of cases) {
    for (const r of runners) {
      const why =
        r.unavailable?.(c) ??
        (o.quick && r.name === 'jsfuzz' && !firstOfFamily(cases, c) ? 'skipped (--quick)' : undefined);
      if (why !== undefined) {
        unavailable.push({ label: c.label, engine: r.name, reason: why });
        process.stderr.write(`${c.label} ${r.name}: ${why}\n`);
        continue;
      }
      for (let seed = 1; seed <= Math.min(seeds, r.maxSeeds ?? Infinity); seed++) {
        const row = await r.run(c, seed, budget);
        rows.push(row);
        process.stderr.write(
          `${c.label} ${r.name} seed ${seed}: ${row.found ? `found after ${row.executions} executions, ${row.seconds.toFixed(2)} s` : `not found in ${row.executions} executions`} (${Math.round(row.execsPerSec)} exec/s)\n`,
        );
      }
    }
  }
  const throughput: Throughput[] = [];
  const seconds = o.quick ? QUICK.throughputSeconds : THROUGHPUT_SECONDS;
  // the first case must not pay everybody's JIT warm-up
  pairedThroughput(runners, cases[0]!, THROUGHPUT_WARMUP_SECONDS, THROUGHPUT_SLICE_MS);
  for (const c of cases) {
    for (const t of pairedThroughput(runners, c, seconds, THROUGHPUT_SLICE_MS)) {
      throughput.push(t);
      process.stderr.write(
        `${c.label} ${t.engine} throughput: ${Math.round(t.execsPerSec)} exec/s over ${t.executions} executions in ${t.seconds.toFixed(2)} s of its own time\n`,
      );
    }
  }
  const jobsRuns = o.quick ? QUICK.jobsRuns : o.jobsRuns;
  let jobs: JobsComparison | undefined;
  if (jobsRuns > 0) {
    // a child `ptefuzz fuzz` is given a scenario file's path
    const scenarios = [...new Set(cases.map((c) => c.file ?? c.scenario))];
    jobs = compareJobs(scenarios, jobsRuns, [1, 2], o.quick ? 1 : JOBS_REPEATS);
    for (const r of jobs.results) {
      const all = r.attempts ? ` (best of ${r.attempts.map((x) => Math.round(x)).join(', ')})` : '';
      process.stderr.write(
        `--jobs ${r.jobs}: ${r.executions} executions in ${r.seconds.toFixed(2)} s (${Math.round(r.execsPerSec)} exec/s)${all}\n`,
      );
    }
  }
  const cells = summarize(rows, throughput);
  const md = markdownReport(
    {
      cells,
      budget,
      seeds,
      throughput: { seconds, sliceMs: THROUGHPUT_SLICE_MS },
      cases: cases.map((c) => c.label),
      unavailable,
      ...(runners.some((r) => r.name === 'jsfuzz') ? { jsfuzz } : {}),
      ...(jobs ? { jobs } : {}),
    },
    BENCH_SECTIONS,
  );
  process.stdout.write(md + '\n');
  mkdirSync(o.out, { recursive: true });
  writeFileAtomic(join(o.out, 'bench.json'), JSON.stringify(rows, null, 2) + '\n');
  writeFileAtomic(join(o.out, 'throughput.json'), JSON.stringify(throughput, null, 2) + '\n');
  if (jobs) writeFileAtomic(join(o.out, 'jobs.json'), JSON.stringify(jobs, null, 2) + '\n');
  writeFileAtomic(join(o.out, 'bench.md'), md + '\n');
  writeFileAtomic(
    join(o.out, 'bench.svg'),
    benchSvg(cells, `ptefuzz: median seconds to the first divergence (${seeds} seeds, budget ${budget} executions)`),
  );
  process.stderr.write(
    `wrote ${join(o.out, 'bench.json')}, throughput.json${jobs ? ', jobs.json' : ''}, bench.md, bench.svg\n`,
  );
  return 0;
}

export async function benchMain(argv: readonly string[]): Promise<number> {
  let code = 0;
  const program = new Command('bench')
    .description('engine benchmark: executions and seconds to the first divergence on every known-bug scenario')
    .exitOverride()
    .configureOutput({ outputError: (str, write) => write(`ptefuzz bench: ${str.replace(/^error: /, '').trim()}\n`) })
    .option('--seeds <n>', 'seeds per case and engine', positiveInt, DEFAULT_SEEDS)
    .option('--budget <executions>', 'execution budget of one run', positiveInt, DEFAULT_BUDGET)
    .option('--scenario <name>', 'only this scenario: a built-in name or a .scn file (repeatable)', collect)
    .option('--engine <name>', 'only this engine runner (repeatable)', collect)
    .option('--model <model>', "memory model of every case (default: the scenario's, weak where the bug needs it)")
    .option(
      '--jsfuzz-repeats <n>',
      'jsfuzz runs per case (not seedable; capped by --seeds)',
      positiveInt,
      DEFAULT_JSFUZZ_REPEATS,
    )
    .option('--jsfuzz-cap <seconds>', 'wall-clock cap of one jsfuzz run', positiveInt, DEFAULT_JSFUZZ_CAP)
    .option('--jobs-runs <n>', 'runs of each --jobs 1 / --jobs 2 campaign (0: skip)', nonNegativeInt, DEFAULT_JOBS_RUNS)
    .option(
      '--quick',
      `smoke run: ${QUICK.seeds} seeds, budget ${QUICK.budget}, jsfuzz once on the first case of each harness family, --jobs-runs ${QUICK.jobsRuns}`,
    )
    .option('--out <dir>', 'output folder', 'bench-results')
    .action(async (o: BenchOptions) => {
      code = await bench(o);
    });
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return code;
  } catch (e) {
    if (e instanceof CommanderError) return e.code === 'commander.helpDisplayed' ? 0 : 2;
    // a bad flag, or a scenario file that does not lower (its message names file:line:col)
    if (e instanceof UsageError || e instanceof ScenarioError) {
      process.stderr.write(`ptefuzz bench: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}

/** Is `c` the first case of its harness family (the one --quick runs jsfuzz on)? */
function firstOfFamily(cases: readonly BenchCase[], c: BenchCase): boolean {
  const family = harnessFamilyOfArch(c.target.arch.name);
  return cases.find((x) => harnessFamilyOfArch(x.target.arch.name) === family) === c;
}

if (require.main === module) {
  void benchMain(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
