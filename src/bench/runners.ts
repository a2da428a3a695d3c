import type { CampaignResult, Finding, FuzzEngineName } from '../campaign';
import { MemoryCorpusStore, campaignSteps, runToEnd } from '../campaign';
import { rssMb } from '../cli/status';
import type { BenchCase } from './cases';
import type { ThroughputSlices } from './throughput';

/** One measured run: a case, an engine, a seed, until the first divergence or the execution budget. */
export interface BenchRow {
  readonly scenario: string;
  readonly reader: string;
  readonly model: string;
  readonly engine: string;
  readonly seed: number;
  readonly found: boolean;
  /** executions up to and including the first divergent one (the budget when not found) */
  readonly executions: number;
  /** wall-clock seconds to the first divergence (the whole run when not found) */
  readonly seconds: number;
  readonly execsPerSec: number;
  /** largest resident set size sampled during the run */
  readonly peakRssMb: number;
  /** what ended a run that did not find the bug: its execution budget, or (jsfuzz) the wall-clock cap first */
  readonly bound?: 'executions' | 'time';
  /** jsfuzz: seconds from each session's first execution (without jsfuzz's start-up) */
  readonly activeSeconds?: number;
}

/**
 * A way to run a case under a budget. The bench runs every runner on every
 * case and seed; add a runner here (e.g. jsfuzz, or a parallel campaign) to
 * get its rows, table columns and chart bars.
 */
export interface EngineRunner {
  readonly name: string;
  run(c: BenchCase, seed: number, budget: number): BenchRow | Promise<BenchRow>;
  /**
   * throughput: a campaign (seed 1) of `seconds` on `clock` that does not stop at a divergence (minimizations
   * included, as in a campaign), in slices of about `sliceMs` — pairedThroughput (throughput.ts) runs the
   * runners' campaigns of a case interleaved, each on its own clock
   */
  throughput?(c: BenchCase, seconds: number, clock: () => number, sliceMs: number): ThroughputSlices;
  /** at most this many seeds (repetitions) per case, whatever --seeds says */
  readonly maxSeeds?: number;
  /** why the runner cannot run a case (e.g. "no jsfuzz target"), or undefined */
  unavailable?(c: BenchCase): string | undefined;
}

export interface Throughput {
  readonly scenario: string;
  readonly reader: string;
  readonly model: string;
  readonly engine: string;
  readonly executions: number;
  readonly seconds: number;
  readonly execsPerSec: number;
  readonly peakRssMb: number;
}

/** An in-process campaign of one of ptefuzz's own fuzz engines on the case's single target, stopped at the first divergence. */
export function campaignRunner(engine: FuzzEngineName): EngineRunner {
  return {
    name: engine,
    run(c, seed, budget) {
      let first: Finding | undefined;
      const { result: r, peak } = runToEnd(
        campaign(c, engine, seed, { runs: budget, clock: () => performance.now() }, (f) => (first ??= f)),
      );

      const executions = first ? first.first.executions : r.executions;
      const seconds = first ? first.first.seconds : r.seconds;
      return {
        scenario: c.scenario,
        reader: c.reader,
        model: c.model,
        engine,
        seed,
        found: first !== undefined,
        executions,
        seconds,
        execsPerSec: seconds > 0 ? executions / seconds : 0,
        peakRssMb: peak,
      };
    },
    *throughput(c, seconds, clock, sliceMs) {
      const { result: r, peak } = yield* campaign(c, engine, 1, { seconds, clock, sliceMs });
      return {
        scenario: c.scenario,
        reader: c.reader,
        model: c.model,
        engine,
        executions: r.executions,
        seconds: r.seconds,
        execsPerSec: r.seconds > 0 ? r.executions / r.seconds : 0,
        peakRssMb: peak,
      };
    },
  };
}

/** How long a campaign runs: `runs`, or `seconds` on `clock`; it yields every `sliceMs` on `clock` (default: never). */
interface CampaignBound {
  readonly runs?: number;
  readonly seconds?: number;
  readonly clock: () => number;
  readonly sliceMs?: number;
}

/** One campaign on the case's target, in slices; with `onFirst`, it stops at the first divergence. */
function* campaign(
  c: BenchCase,
  engine: FuzzEngineName,
  seed: number,
  bound: CampaignBound,
  onFirst?: (f: Finding) => void,
): Generator<void, { result: CampaignResult; peak: number }, undefined> {
  let peak = rssMb();
  let found = false;
  const result = yield* campaignSteps({
    targets: [c.target],
    engine,
    seed: String(seed),
    ...(bound.runs === undefined ? {} : { runs: bound.runs }),
    ...(bound.seconds === undefined ? {} : { seconds: bound.seconds }),
    // the bench measures an engine on one target: no extra executions of a time budget's chase
    chase: false,
    clock: bound.clock,
    sliceMs: bound.sliceMs ?? Infinity,
    pulseMs: 250,
    // the corpus lives in memory: the bench measures a cold start
    ...(engine === 'coverage' ? { corpus: new MemoryCorpusStore() } : {}),
    onWitness: (f) => {
      found = true;
      onFirst?.(f);
      return { id: `${f.class} ${f.trace.join(',')}`, fresh: true };
    },
    onStatus: () => {
      peak = Math.max(peak, rssMb());
    },
    shouldStop: () => onFirst !== undefined && found,
  });
  return { result, peak: Math.max(peak, rssMb()) };
}

/** The runners of `npm run bench`, in column order. */
export const ENGINE_RUNNERS: readonly EngineRunner[] = [
  campaignRunner('random'),
  campaignRunner('pct'),
  campaignRunner('coverage'),
];
