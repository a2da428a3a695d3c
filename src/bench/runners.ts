import type { CampaignResult, Finding, FuzzEngineName } from '../campaign';
import { MemoryCorpusStore, runCampaign } from '../campaign';
import { rssMb } from '../cli/status';
import type { BenchCase } from './cases';

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
   * throughput: a campaign of a fixed number of executions (or `seconds`, whichever ends it first) that does
   * not stop at a divergence (minimizations included, as in a campaign)
   */
  throughput?(c: BenchCase, executions: number, seconds?: number): Throughput;
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
      const { result: r, peak } = campaign(c, engine, seed, budget, (f) => (first ??= f));

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
    throughput(c, executions, seconds) {
      const { result: r, peak } = campaign(c, engine, 1, executions, undefined, seconds);
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

/** One campaign on the case's target; with `onFirst`, it stops at the first divergence. */
function campaign(
  c: BenchCase,
  engine: FuzzEngineName,
  seed: number,
  runs: number,
  onFirst: ((f: Finding) => void) | undefined,
  seconds?: number,
): { result: CampaignResult; peak: number } {
  let peak = rssMb();
  let found = false;
  const result = runCampaign({
    targets: [c.target],
    engine,
    seed: String(seed),
    runs,
    ...(seconds === undefined ? {} : { seconds }),
    clock: () => performance.now(),
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
