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
