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
import { resolveModel, resolveScenario, UsageError } from '../campaign';
import { collect, positiveInt } from '../cli/parse';
import { knownBugCases } from './cases';
import type { BenchRow, Throughput } from './runners';
import { ENGINE_RUNNERS } from './runners';
import { BENCH_SECTIONS, markdownReport } from './report';
import { summarize } from './summary';
import { benchSvg } from './svg';

interface BenchOptions {
  seeds: number;
  budget: number;
  scenario?: string[];
  engine?: string[];
  model?: string;
  quick?: boolean;
  out: string;
}

export const DEFAULT_SEEDS = 10;
export const DEFAULT_BUDGET = 20000;
/** `--quick`: a smoke run */
export const QUICK = { seeds: 3, budget: 2000, throughput: 300 };
/** executions of the throughput run of each case and engine */
export const THROUGHPUT_EXECUTIONS = 3000;

function bench(o: BenchOptions): number {
  for (const s of o.scenario ?? []) resolveScenario(s);
  const model = o.model === undefined ? undefined : resolveModel(o.model);
  const cases = knownBugCases(o.scenario, model);
  if (cases.length === 0) throw new UsageError('--scenario: none of these scenarios has a reader expected to be buggy');
  const runners = o.engine ? ENGINE_RUNNERS.filter((r) => o.engine!.includes(r.name)) : ENGINE_RUNNERS;
  for (const e of o.engine ?? []) {
    if (!ENGINE_RUNNERS.some((r) => r.name === e)) {
      throw new UsageError(`--engine: unknown runner "${e}"; valid: ${ENGINE_RUNNERS.map((r) => r.name).join(', ')}`);
    }
  }
  const seeds = o.quick ? QUICK.seeds : o.seeds;
  const budget = o.quick ? QUICK.budget : o.budget;
  const rows: BenchRow[] = [];
  for (const c of cases) {
    for (const r of runners) {
      for (let seed = 1; seed <= seeds; seed++) {
        const row = r.run(c, seed, budget);
        rows.push(row);
        process.stderr.write(
          `${c.label} ${r.name} seed ${seed}: ${row.found ? `found after ${row.executions} executions, ${row.seconds.toFixed(2)} s` : `not found in ${row.executions} executions`} (${Math.round(row.execsPerSec)} exec/s)\n`,
        );
      }
    }
  }
  const throughput: Throughput[] = [];
  const tn = o.quick ? QUICK.throughput : Math.min(THROUGHPUT_EXECUTIONS, budget);
  for (const c of cases) {
    for (const r of runners) {
      const t = r.throughput?.(c, tn);
      if (!t) continue;
      throughput.push(t);
      process.stderr.write(
        `${c.label} ${r.name} throughput: ${Math.round(t.execsPerSec)} exec/s over ${t.executions} executions\n`,
      );
    }
  }
  const cells = summarize(rows, throughput);
  const md = markdownReport({ cells, budget, seeds, throughputExecutions: tn }, BENCH_SECTIONS);
  process.stdout.write(md + '\n');
  mkdirSync(o.out, { recursive: true });
  writeFileAtomic(join(o.out, 'bench.json'), JSON.stringify(rows, null, 2) + '\n');
  writeFileAtomic(join(o.out, 'throughput.json'), JSON.stringify(throughput, null, 2) + '\n');
  writeFileAtomic(join(o.out, 'bench.md'), md + '\n');
  writeFileAtomic(
    join(o.out, 'bench.svg'),
    benchSvg(cells, `ptefuzz: median seconds to the first divergence (${seeds} seeds, budget ${budget} executions)`),
  );
  process.stderr.write(`wrote ${join(o.out, 'bench.json')}, throughput.json, bench.md, bench.svg\n`);
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
    .option('--scenario <name>', 'only this scenario (repeatable)', collect)
    .option('--engine <name>', 'only this engine runner (repeatable)', collect)
    .option('--model <model>', "memory model of every case (default: the scenario's, weak where the bug needs it)")
    .option('--quick', `smoke run: ${QUICK.seeds} seeds, budget ${QUICK.budget}`)
    .option('--out <dir>', 'output folder', 'bench-results')
    .action((o: BenchOptions) => {
      code = bench(o);
    });
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return code;
  } catch (e) {
    if (e instanceof CommanderError) return e.code === 'commander.helpDisplayed' ? 0 : 2;
    if (e instanceof UsageError) {
      process.stderr.write(`ptefuzz bench: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}

if (require.main === module) {
  void benchMain(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
