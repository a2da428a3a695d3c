import type { ChoiceSource, Execution } from '../machine';
import type { PctBound, PctUsage } from './pct-bound';
import { pctBoundOf, pushUsed } from './pct-bound';
import { DEFAULT_PCT_DEPTH, PctSource } from './pct';
import { RandomSource } from './random';

/** Engines that drive a fuzz campaign (one seeded choice stream per run). */
export type FuzzEngineName = 'random' | 'pct';
export type EngineName = FuzzEngineName | 'exhaustive';

export const ENGINES: readonly { name: EngineName; summary: string; fuzz: boolean }[] = [
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
];

export const FUZZ_ENGINES: readonly FuzzEngineName[] = ENGINES.filter((e) => e.fuzz).map(
  (e) => e.name as FuzzEngineName,
);

/** k before any execution of the target completed (the PCT change-point range). */
export const DEFAULT_PCT_STEPS = 100;

/**
 * One engine instance per campaign target: it hands out the choice source of
 * each run and may learn from the executions it produced.
 */
export interface Engine {
  readonly name: FuzzEngineName;
  /** the choice source of one run */
  source(seed: string): ChoiceSource;
  /** feedback: an execution produced by the last source */
  observe(exec: Execution): void;
  /** PCT only: the probability bound over the runs so far */
  pctBound?(): PctBound;
  /** PCT only: the runs so far, mergeable with another worker's (mergePctUsage) */
  pctUsage?(): PctUsage;
}

export interface EngineOptions {
  /** CPUs of the target (n in the PCT bound) */
  readonly cpus: number;
  /** PCT bug depth d (default 3) */
  readonly depth?: number | undefined;
}

export function createEngine(name: FuzzEngineName, opts: EngineOptions): Engine {
  switch (name) {
    case 'random':
      return { name, source: (seed) => new RandomSource(seed), observe: () => undefined };
    case 'pct':
      return pctEngine(opts.cpus, opts.depth ?? DEFAULT_PCT_DEPTH);
  }
}

/** Scheduling steps of an execution: the `sched` decisions that had a choice. */
export function schedulingSteps(exec: Execution): number {
  let k = 0;
  for (const c of exec.choices) if (c.kind === 'sched') k++;
  return k;
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
      const k = maxSteps > 0 ? maxSteps : DEFAULT_PCT_STEPS;
      pushUsed(used, k);
      return new PctSource(seed, depth, k);
    },
    observe(exec) {
      if (exec.outcome.kind === 'complete') maxSteps = Math.max(maxSteps, schedulingSteps(exec));
    },
    pctBound: () => pctBoundOf(usage()),
    pctUsage: usage,
  };
}
