import type { Execution } from '../machine';

/** True when the execution of this trace still shows the same failure. */
export type Predicate = (trace: readonly number[]) => Execution | null;

export interface MinimizeResult {
  readonly trace: number[];
  readonly exec: Execution;
  /** predicate evaluations spent */
  readonly tries: number;
}

/** Trailing defaults carry no information: a trace that runs out continues with 0. */
export function trimTrace(trace: readonly number[]): number[] {
  let n = trace.length;
  while (n > 0 && trace[n - 1] === 0) n--;
  return trace.slice(0, n);
}

/**
 * Predicate-driven delta debugging over a trace (DESIGN §8), repeated to a
 * fixed point:
 *   1. shorten: the shortest prefix that still fails (the rest defaults to 0);
 *   2. drop single choices (the following choices shift onto earlier decisions);
 *   3. turn single choices back to the default 0 (no preemption, newest
 *      read-from, eager drain, first alternative).
 * The result is the recorded trace of the last failing execution, trimmed.
 */
export function minimizeTrace(start: readonly number[], holds: Predicate): MinimizeResult | null {
  let tries = 0;
  const check = (t: readonly number[]): Execution | null => {
    tries++;
    return holds(t);
  };
  let exec = check(start);
  if (exec === null) return null;
  let best = trimTrace(exec.trace);
  const accept = (e: Execution): void => {
    exec = e;
    best = trimTrace(e.trace);
  };
  for (let changed = true; changed;) {
    changed = false;
    // 1. shortest failing prefix (binary search on the length)
    let lo = 0;
    let hi = best.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const e = check(best.slice(0, mid));
      if (e) {
        hi = mid;
        accept(e);
      } else lo = mid + 1;
    }
    // 2. drop one choice
    for (let i = best.length - 1; i >= 0; i--) {
      const cand = [...best.slice(0, i), ...best.slice(i + 1)];
      const e = check(cand);
      if (e && trimTrace(e.trace).length < best.length) {
        accept(e);
        changed = true;
      }
    }
    // 3. reset one choice to the default
    for (let i = 0; i < best.length; i++) {
      if (best[i] === 0) continue;
      const cand = [...best];
      cand[i] = 0;
      const e = check(cand);
      if (e && weight(trimTrace(e.trace)) < weight(best)) {
        accept(e);
        changed = true;
      }
    }
  }
  return { trace: best, exec: exec!, tries };
}

/** Order on traces: shorter, then fewer non-default choices, then smaller values. */
function weight(t: readonly number[]): number {
  let nonZero = 0;
  let sum = 0;
  for (const v of t) {
    if (v !== 0) nonZero++;
    sum += v;
  }
  return t.length * 1e6 + nonZero * 1e3 + Math.min(sum, 999);
}
