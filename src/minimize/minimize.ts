import type { Execution } from '../machine';
import type { Rank } from './order';
import { lighter, rankOf, trimTrace } from './order';

export { trimTrace } from './order';

/** True when the execution of this trace still shows the same failure. */
export type Predicate = (trace: readonly number[]) => Execution | null;

export interface MinimizeResult {
  readonly trace: number[];
  readonly exec: Execution;
  /** predicate evaluations spent */
  readonly tries: number;
}

/**
 * Predicate-driven delta debugging over a trace (DESIGN §8), repeated to a
 * fixed point:
 *   0. remove preemptions: a `sched` choice that switched away from a CPU
 *      that could have continued goes back to 0 (keep running);
 *   1. shorten: the shortest prefix that still fails (the rest defaults to 0);
 *   2. drop single choices (the following choices shift onto earlier decisions);
 *   3. turn single choices back to the default 0 (no preemption, newest
 *      read-from, eager drain, first alternative).
 * A step is kept when the witness gets lighter (order.ts: shorter, then
 * fewer preemptions, then fewer non-default choices). The result is the
 * recorded trace of the last failing execution, trimmed.
 */
export function minimizeTrace(start: readonly number[], holds: Predicate): MinimizeResult | null {
  let tries = 0;
  const check = (t: readonly number[]): Execution | null => {
    tries++;
    return holds(t);
  };
  const first = check(start);
  if (first === null) return null;
  let exec: Execution = first;
  let best = trimTrace(exec.trace);
  let rank: Rank = rankOf(exec);
  const accept = (e: Execution): void => {
    exec = e;
    best = trimTrace(e.trace);
    rank = rankOf(e);
  };
  /** Try `cand`; keep it if it still fails and is lighter. */
  const tryLighter = (cand: readonly number[]): boolean => {
    const e = check(cand);
    if (e === null || !lighter(rankOf(e), rank)) return false;
    accept(e);
    return true;
  };
  const zeroAt = (i: number): number[] => {
    const cand = [...best];
    cand[i] = 0;
    return cand;
  };
  for (let changed = true; changed;) {
    changed = false;
    // 0. remove preemptions, last first: the choices before index i are unchanged by a change at i
    for (let i = best.length - 1; i >= 0; i--) {
      const r = exec.choices[i];
      if (r?.kind === 'sched' && r.preemptible === true && r.value !== 0 && tryLighter(zeroAt(i))) changed = true;
    }
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
      const e = check([...best.slice(0, i), ...best.slice(i + 1)]);
      if (e && trimTrace(e.trace).length < best.length) {
        accept(e);
        changed = true;
      }
    }
    // 3. reset one choice to the default
    for (let i = 0; i < best.length; i++) {
      if (best[i] !== 0 && tryLighter(zeroAt(i))) changed = true;
    }
  }
  return { trace: best, exec, tries };
}
