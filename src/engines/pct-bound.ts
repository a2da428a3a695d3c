/**
 * The probabilistic guarantee of PCT (Burckhardt et al., ASPLOS 2010,
 * Theorem 1): with n CPUs and at most k scheduling steps, one run finds a bug
 * of depth ≤ d with probability ≥ 1/(n·k^(d-1)); N independent runs all miss
 * it with probability ≤ (1 - 1/(n·k^(d-1)))^N.
 */
export interface PctBound {
  readonly depth: number;
  /** n: CPUs of the target */
  readonly cpus: number;
  /** k: the most scheduling steps any complete execution of the target took */
  readonly steps: number;
  /** runs of the target */
  readonly runs: number;
  /** runs whose change points ranged over at least k steps (the others do not count towards the bound) */
  readonly counted: number;
  /** 1/(n·k^(d-1)) */
  readonly perRun: number;
  /** ≤ Π over counted runs of (1 - 1/(n·k_i^(d-1))), k_i ≥ k the estimate that run used */
  readonly miss: number;
}

/** 1/(n·k^(d-1)): the probability that one PCT run hits a given bug of depth ≤ d. */
export function pctPerRun(cpus: number, steps: number, depth: number): number {
  return 1 / (cpus * Math.pow(Math.max(1, steps), depth - 1));
}

/**
 * The bound after a series of runs, each of which drew its change points over
 * `used[i]` steps: a run counts only if `used[i]` ≥ `steps` (otherwise its
 * change points could not reach every step of the longest execution).
 */
export function pctBound(depth: number, cpus: number, steps: number, used: readonly number[]): PctBound {
  let logMiss = 0;
  let counted = 0;
  for (const k of used) {
    if (k < steps) continue;
    counted++;
    logMiss += Math.log1p(-pctPerRun(cpus, k, depth));
  }
  return {
    depth,
    cpus,
    steps,
    runs: used.length,
    counted,
    perRun: pctPerRun(cpus, steps, depth),
    miss: Math.exp(logMiss),
  };
}
