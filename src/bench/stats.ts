/**
 * Order statistics of executions-to-first-divergence over seeds, where a run
 * that did not find the bug within its budget counts as +Infinity (censored):
 * a median is finite only if at least half of the runs found it.
 */
export function quantile(xs: readonly number[], q: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  // nearest-rank: the smallest value with at least q of the sample at or below it
  const k = Math.max(0, Math.ceil(q * s.length) - 1);
  return s[k]!;
}

export const median = (xs: readonly number[]): number => quantile(xs, 0.5);
export const p90 = (xs: readonly number[]): number => quantile(xs, 0.9);

export function mean(xs: readonly number[]): number {
  return xs.length === 0 ? NaN : xs.reduce((a, b) => a + b, 0) / xs.length;
}

/**
 * The order of `repeats` rounds of measurements of `items`, alternating (a b c, then c b a, …): what each item
 * loses to a slow moment of the machine or to running first is spread over all of them.
 */
export function alternatingOrder<T>(items: readonly T[], repeats: number): T[] {
  const order: T[] = [];
  for (let k = 0; k < repeats; k++) order.push(...(k % 2 === 0 ? items : [...items].reverse()));
  return order;
}

/** A bootstrap confidence interval of a ratio of medians. */
export interface RatioInterval {
  readonly low: number;
  readonly high: number;
}

/**
 * Percentile-bootstrap interval of median(a) / median(b) (Efron): resample each
 * sample with replacement `resamples` times, take the ratio of the two medians
 * each time, and cut `(1 - level) / 2` off both ends. Samples may hold
 * +Infinity (runs that did not find the bug): a resampled median that is
 * infinite makes the ratio +Infinity (numerator) or 0 (denominator), and both
 * infinite count as 1 (no evidence either way). Deterministic: the resampling
 * indices come from `rng`.
 */
export function bootstrapMedianRatio(
  a: readonly number[],
  b: readonly number[],
  rng: { int(n: number): number },
  resamples = 2000,
  level = 0.95,
): RatioInterval {
  if (a.length === 0 || b.length === 0) return { low: NaN, high: NaN };
  const draw = (xs: readonly number[]): number => median(Array.from(xs, () => xs[rng.int(xs.length)]!));
  const ratios: number[] = [];
  for (let i = 0; i < resamples; i++) {
    const x = draw(a);
    const y = draw(b);
    ratios.push(!Number.isFinite(x) && !Number.isFinite(y) ? 1 : x / y);
  }
  const tail = (1 - level) / 2;
  return { low: quantile(ratios, tail), high: quantile(ratios, 1 - tail) };
}

/** The odds of issue 4's median criterion on one case, estimated by resampling (criterionOdds). */
export interface CriterionOdds {
  /** P(coverage's median ≤ random's and ≤ pct's) */
  readonly coverage: number;
  /** the baseline with the lower median over every seed (random on a tie) */
  readonly better: 'random' | 'pct';
  /** P(the better baseline's median ≤ the other's): the odds of an engine that is, run for run, the better baseline */
  readonly betterMeets: number;
}

/**
 * How likely issue 4's median criterion — coverage's median executions to the first divergence ≤ random's and
 * ≤ pct's — is to hold on one case of a bench of `n` seeds, estimated from the bench's own runs: each resample
 * draws `n` seeds with replacement and takes every engine's run of those seeds (paired, as in the bench, which runs
 * every engine on the same seeds — and coverage's first run of a seed is random's first run of it), then checks the
 * criterion on the medians (the bench's nearest-rank median; +Infinity, not found, ties +Infinity). The same for an
 * engine that is, run for run, whichever baseline has the lower median over all the runs — a portfolio that knew in
 * advance which generator suits the case: it ties that baseline, so it meets the criterion exactly when that
 * baseline's median is ≤ the other's. The three samples are indexed by seed and must be as long. Deterministic: the
 * indices come from `rng`.
 */
export function criterionOdds(
  coverage: readonly number[],
  random: readonly number[],
  pct: readonly number[],
  rng: { int(n: number): number },
  n: number,
  resamples = 2000,
): CriterionOdds {
  const seeds = coverage.length;
  if (seeds === 0 || random.length !== seeds || pct.length !== seeds)
    throw new Error(`criterionOdds: runs of ${seeds}, ${random.length} and ${pct.length} seeds (internal bug)`);
  const better = median(random) <= median(pct) ? 'random' : 'pct';
  const idx = new Array<number>(n);
  const med = (xs: readonly number[]): number => median(idx.map((i) => xs[i]!));
  let covMeets = 0;
  let betterMeets = 0;
  for (let k = 0; k < resamples; k++) {
    for (let j = 0; j < n; j++) idx[j] = rng.int(seeds);
    const c = med(coverage);
    const r = med(random);
    const p = med(pct);
    if (c <= r && c <= p) covMeets++;
    if (better === 'random' ? r <= p : p <= r) betterMeets++;
  }
  return { coverage: covMeets / resamples, better, betterMeets: betterMeets / resamples };
}
