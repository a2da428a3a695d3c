import type { Execution } from '../machine';
import { countPreemptions } from '../machine';

/** Trailing defaults carry no information: a trace that runs out continues with 0. */
export function trimTrace(trace: readonly number[]): number[] {
  let n = trace.length;
  while (n > 0 && trace[n - 1] === 0) n--;
  return trace.slice(0, n);
}

/**
 * How heavy a witness is, compared lexicographically: trimmed trace length,
 * preemptions, non-default choices, sum of the choices. Every accepted
 * minimization step makes it strictly lighter, so minimization terminates.
 */
export type Rank = readonly [length: number, preemptions: number, nonZero: number, sum: number];

export function rankOf(exec: Execution): Rank {
  const t = trimTrace(exec.trace);
  let nonZero = 0;
  let sum = 0;
  for (const v of t) {
    if (v !== 0) nonZero++;
    sum += v;
  }
  return [t.length, countPreemptions(exec.choices), nonZero, sum];
}

/** a is strictly lighter than b */
export function lighter(a: Rank, b: Rank): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! < b[i]!;
  return false;
}
