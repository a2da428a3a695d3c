/**
 * jsfuzz in the benchmark (issue 7): the real jsfuzz CLI as a child process
 * (src/jsfuzz) over the harness target of the case's family, with byte 0
 * restricted to the case's target (scenario, reader, model), stopped at its
 * first crash. jsfuzz cannot be seeded (its mutator uses Math.random), so a
 * "seed" is only a repetition and its counts vary between bench runs; each
 * run is bounded by executions (the bench budget, counted exactly by the
 * harness) and, as a safety net, by a wall-clock cap.
 */
import { harnessFamilyOfArch } from '../campaign';
import { rssMb } from '../cli/status';
import { builtinReaders } from '../kernel';
import { runJsfuzz } from '../jsfuzz';
import type { BenchCase } from './cases';
import type { BenchRow, EngineRunner } from './runners';

export interface JsfuzzBenchOptions {
  /** repetitions per case (jsfuzz is not seedable: seeds 1..n only number them) */
  readonly repeats: number;
  /** wall-clock cap of one run, seconds */
  readonly secondsCap: number;
}

export function jsfuzzRunner(o: JsfuzzBenchOptions): EngineRunner {
  return {
    name: 'jsfuzz',
    maxSeeds: o.repeats,
    // the harnesses run the built-in scenarios only
    unavailable: (c) =>
      c.file !== undefined
        ? 'no jsfuzz target (a scenario file)'
        : harnessFamilyOfArch(c.target.arch.name) === undefined
          ? 'no jsfuzz target'
          : undefined,
    async run(c: BenchCase, seed: number, budget: number): Promise<BenchRow> {
      const r = await runJsfuzz({
        registry: builtinReaders(),
        clock: () => Date.now(),
        selection: { scenarios: [c.scenario], readers: [c.reader], models: [c.model] },
        executions: budget,
        seconds: o.secondsCap,
        stopAtFirst: true,
      });
      return {
        scenario: c.scenario,
        reader: c.reader,
        model: c.model,
        engine: 'jsfuzz',
        seed,
        found: r.found,
        executions: r.executions,
        seconds: r.seconds,
        execsPerSec: r.seconds > 0 ? r.executions / r.seconds : 0,
        // the jsfuzz processes are children: this is the bench's own RSS, not theirs
        peakRssMb: rssMb(),
        ...(r.found ? {} : { bound: r.executions >= budget ? ('executions' as const) : ('time' as const) }),
        activeSeconds: r.activeSeconds,
      };
    },
  };
}
