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
