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
  return pctBoundOf({ depth, cpus, steps, used: used.map((k) => [k, 1] as const) });
}

/**
 * What a PCT engine has done so far, in a form that stays small over a
 * campaign of days and that two workers' usages can be merged from: the
 * change-point ranges k its runs used, run-length encoded ([k, runs] pairs).
 */
export interface PctUsage {
  readonly depth: number;
  readonly cpus: number;
  /** the most scheduling steps of any complete execution seen (k) */
  readonly steps: number;
  readonly used: readonly (readonly [k: number, runs: number])[];
}

/** Append one run drawn over k steps to a run-length encoded list. */
export function pushUsed(used: [number, number][], k: number): void {
  const last = used[used.length - 1];
  if (last && last[0] === k) last[1]++;
  else used.push([k, 1]);
}

/** The bound of a usage (see pctBound). */
export function pctBoundOf(u: PctUsage): PctBound {
  let logMiss = 0;
  let counted = 0;
  let runs = 0;
  for (const [k, n] of u.used) {
    runs += n;
    if (k < u.steps) continue;
    counted += n;
    const term = Math.log1p(-pctPerRun(u.cpus, k, u.depth));
    // one addition per run, in run order: the same float as summing run by run
    for (let i = 0; i < n; i++) logMiss += term;
  }
  return {
    depth: u.depth,
    cpus: u.cpus,
    steps: u.steps,
    runs,
    counted,
    perRun: pctPerRun(u.cpus, u.steps, u.depth),
    miss: Math.exp(logMiss),
  };
}

/**
 * Several workers' runs of one target as one campaign: k is the largest any
 * of them saw, so a worker's runs drawn over a smaller k no longer count.
 */
export function mergePctUsage(a: PctUsage, b: PctUsage): PctUsage {
  return { depth: a.depth, cpus: a.cpus, steps: Math.max(a.steps, b.steps), used: [...a.used, ...b.used] };
}
