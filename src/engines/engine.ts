import type { ChoiceSource, Execution } from '../machine';
import type { PctBound, PctUsage } from './pct-bound';
import { pctBoundOf, pushUsed } from './pct-bound';
import { DEFAULT_PCT_DEPTH, PctSource, pctSteps, schedulingSteps } from './pct';
import { RandomSource } from './random';
import type { CorpusEntry, CoverageStats } from './coverage';
import { CoverageEngine } from './coverage';

/** Engines that drive a fuzz campaign (one seeded choice stream per run). */
export type FuzzEngineName = 'coverage' | 'random' | 'pct';
export type EngineName = FuzzEngineName | 'exhaustive' | 'jsfuzz';

export const ENGINES: readonly { name: EngineName; summary: string; fuzz: boolean }[] = [
  {
    name: 'coverage',
    summary:
      'coverage-guided (default): a corpus of traces, structured mutators (steps, preemptions, read-from, drain, operation, splice), interleaving-coverage feedback in an AFL-style map',
    fuzz: true,
  },
  { name: 'random', summary: 'uniform choices from a seeded PRNG (seedrandom)', fuzz: true },
  {
    name: 'pct',
    summary:
      'PCT (Burckhardt et al., ASPLOS 2010): random CPU priorities, d-1 priority change points (--depth d, default 3); prints the probability bound of a clean campaign',
    fuzz: true,
  },
  {
    name: 'exhaustive',
    summary:
      'depth-first enumeration of every trace under a preemption bound (CHESS/loom style); used by `ptefuzz explore`, prints the herd7-style States block',
    fuzz: false,
  },
  {
    name: 'jsfuzz',
    summary:
      'the jsfuzz CLI (byte-level, coverage-guided; not seedable) over harness/pae.fuzz.js (x86-PAE) or harness/arm64.fuzz.js (arm64, arm64-ext-sw), restarted after each crash; `ptefuzz fuzz --engine jsfuzz` converts its artifacts into crash files',
    fuzz: false,
  },
];

/** The default of `ptefuzz fuzz --engine`. */
export const DEFAULT_FUZZ_ENGINE: FuzzEngineName = 'coverage';

export const FUZZ_ENGINES: readonly FuzzEngineName[] = ENGINES.filter((e) => e.fuzz).map(
  (e) => e.name as FuzzEngineName,
);

/** What `ptefuzz fuzz --engine` takes: the seeded fuzz engines, and jsfuzz (a campaign of its own). */
export const FUZZ_COMMAND_ENGINES: readonly EngineName[] = [...FUZZ_ENGINES, 'jsfuzz'];

/**
 * One engine instance per campaign target: it hands out the choice source of
 * each run and may learn from the executions it produced.
 */
export interface Engine {
  readonly name: FuzzEngineName;
  /** the choice source of one run */
  source(seed: string): ChoiceSource;
  /**
   * feedback: the execution produced by the last source, and the verdict of
   * its reader as an opaque label; returns true when the execution became a
   * new corpus entry that should be persisted
   */
  observe(exec: Execution, label?: string): boolean;
  /** PCT only: the probability bound over the runs so far */
  pctBound?(): PctBound;
  /** coverage only: saved corpus traces to replay (at start, and other jobs' or other processes' entries) */
  addSeeds?(traces: readonly (readonly number[])[]): void;
  /** coverage only: map and corpus figures */
  coverage?(): CoverageStats;
  /** coverage only: the map features first set since the last call, for a union over workers (FeatureUnion) */
  newFeatures?(): number[];
  /** PCT only: the runs so far, mergeable with another worker's (mergePctUsage) */
  pctUsage?(): PctUsage;
  /** coverage only: the corpus entries (trace, coverage hash and verdict label recorded on admission) */
  entries?(): readonly CorpusEntry[];
  /** coverage only: the coverage hash of an execution as an entry records it (stability re-executions) */
  coverageHash?(exec: Execution, label?: string): number;
}

export interface EngineOptions {
  /** CPUs of the target (n in the PCT bound) */
  readonly cpus: number;
  /** PCT bug depth d (default 3) */
  readonly depth?: number | undefined;
}

export function createEngine(name: FuzzEngineName, opts: EngineOptions): Engine {
  switch (name) {
    case 'coverage': {
      const e = new CoverageEngine();
      return {
        name,
        source: (seed) => e.source(seed),
        observe: (exec, label) => e.observe(exec, label),
        addSeeds: (traces) => e.addSeeds(traces),
        coverage: () => e.stats(),
        entries: () => e.entries(),
        coverageHash: (exec, label) => e.coverageHash(exec, label),
        newFeatures: () => e.newFeatures(),
      };
    }
    case 'random':
      return { name, source: (seed) => new RandomSource(seed), observe: () => false };
    case 'pct':
      return pctEngine(opts.cpus, opts.depth ?? DEFAULT_PCT_DEPTH);
  }
}

/**
 * PCT over many runs: k, the change-point range, is the largest number of
 * scheduling steps seen in a complete execution of this target so far
 * (DEFAULT_PCT_STEPS before the first one).
 */
function pctEngine(cpus: number, depth: number): Engine {
  let maxSteps = 0;
  const used: [number, number][] = [];
  const usage = (): PctUsage => ({ depth, cpus, steps: Math.max(1, maxSteps), used: used.map(([k, n]) => [k, n]) });
  return {
    name: 'pct',
    source(seed) {
      const k = pctSteps(maxSteps);
      pushUsed(used, k);
      return new PctSource(seed, depth, k);
    },
    observe(exec) {
      if (exec.outcome.kind === 'complete') maxSteps = Math.max(maxSteps, schedulingSteps(exec));
      return false;
    },
    pctBound: () => pctBoundOf(usage()),
    pctUsage: usage,
  };
}
