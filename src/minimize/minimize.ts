import type { ChoiceSource, Execution } from '../machine';
import { TraceSource } from '../machine';
import type { Rank } from './order';
import { isWeakChoice, lighter, rankOf, trimTrace } from './order';
import type { Schedule } from './schedule';
import { ScheduleRecorder, ScheduleSource, blocksOf, continueAfter, moveBlock, stepCpus } from './schedule';

export { trimTrace } from './order';

/**
 * True when the execution driven by these choices (a trace, or a source such
 * as a ScheduleSource) still shows the same failure: returns that execution.
 */
export type Predicate = (choices: readonly number[] | ChoiceSource) => Execution | null;

export interface MinimizeResult {
  readonly trace: number[];
  readonly exec: Execution;
  /** predicate evaluations spent */
  readonly tries: number;
}

/** The witness being minimized, and the two ways a pass talks to the predicate. */
export interface PassContext {
  /** the current witness: its trimmed trace and execution */
  readonly trace: readonly number[];
  readonly exec: Execution;
  /** evaluate a candidate without keeping it */
  check(cand: readonly number[] | ChoiceSource): Execution | null;
  /** evaluate a candidate and keep it if it still fails and is lighter (order.ts) */
  tryLighter(cand: readonly number[] | ChoiceSource): boolean;
}

/** One minimization pass; returns true when it changed the witness. */
export interface Pass {
  readonly name: string;
  readonly run: (w: PassContext) => boolean;
}

/** The schedule view of the current witness (one extra evaluation: keys the non-sched choices). */
function scheduleOf(w: PassContext): Schedule | null {
  const rec = new ScheduleRecorder(new TraceSource(w.trace));
  const exec = w.check(rec);
  return exec === null ? null : { cpus: stepCpus(exec), others: rec.others };
}

/** Try schedules built from the current one by `edits`, first lighter one wins; repeat until none is. */
function schedulePass(w: PassContext, edits: (cpus: readonly number[]) => number[][]): boolean {
  let changed = false;
  for (let again = true; again;) {
    again = false;
    const s = scheduleOf(w);
    if (s === null) return changed;
    for (const cand of edits(s.cpus)) {
      if (w.tryLighter(new ScheduleSource(cand, s.others))) {
        changed = again = true;
        break;
      }
    }
  }
  return changed;
}

const zeroAt = (trace: readonly number[], i: number): number[] => {
  const cand = [...trace];
  cand[i] = 0;
  return cand;
};

/**
 * Remove a preemption by letting the preempted CPU continue until it
 * finishes or blocks (schedule level: every later step of that CPU moves up).
 */
export const continuePass: Pass = {
  name: 'continue',
  run: (w) =>
    schedulePass(w, (cpus) =>
      blocksOf(cpus)
        .slice(0, -1)
        .map((b) => continueAfter(cpus, b)),
    ),
};

/**
 * Merge context-switch blocks: move a block up to right after the previous
 * block of its CPU, or down to right before the next one (Jalbert & Sen,
 * "A trace simplification technique", FSE 2010).
 */
export const mergeBlocksPass: Pass = {
  name: 'merge-blocks',
  run: (w) =>
    schedulePass(w, (cpus) => {
      const bs = blocksOf(cpus);
      const out: number[][] = [];
      for (let j = 0; j < bs.length; j++) {
        const b = bs[j]!;
        let prev = j - 1;
        while (prev >= 0 && bs[prev]!.cpu !== b.cpu) prev--;
        if (prev >= 0) out.push(moveBlock(cpus, b, bs[prev]!.end));
        const next = bs.findIndex((x, k) => k > j && x.cpu === b.cpu);
        if (next >= 0) out.push(moveBlock(cpus, b, bs[next]!.start));
      }
      return out;
    }),
};

/** Trace level: a preemptive `sched` choice goes back to 0 (keep running), last first. */
export const resetPreemptionsPass: Pass = {
  name: 'reset-preemptions',
  run: (w) => {
    let changed = false;
    for (let i = w.trace.length - 1; i >= 0; i--) {
      const r = w.exec.choices[i];
      if (r?.kind === 'sched' && r.preemptible === true && r.value !== 0 && w.tryLighter(zeroAt(w.trace, i)))
        changed = true;
    }
    return changed;
  },
};

/**
 * A weak read-from goes back to the newest store, a weak store back to coherence-last, a TSO drain back to "drain
 * everything".
 */
export const resetWeakPass: Pass = {
  name: 'reset-weak',
  run: (w) => {
    let changed = false;
    for (let i = w.trace.length - 1; i >= 0; i--) {
      const r = w.exec.choices[i];
      if (r !== undefined && isWeakChoice(r) && w.tryLighter(zeroAt(w.trace, i))) changed = true;
    }
    return changed;
  },
};

/** The shortest failing prefix (binary search on the length; the rest defaults to 0). */
export const prefixPass: Pass = {
  name: 'prefix',
  run: (w) => {
    let changed = false;
    let lo = 0;
    let hi = w.trace.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (w.tryLighter(w.trace.slice(0, mid))) {
        changed = true;
        hi = Math.min(mid, w.trace.length);
      } else lo = mid + 1;
    }
    return changed;
  },
};

/** Drop single choices (the following choices shift onto earlier decisions). */
export const dropPass: Pass = {
  name: 'drop',
  run: (w) => {
    let changed = false;
    for (let i = w.trace.length - 1; i >= 0; i--) {
      if (i < w.trace.length && w.tryLighter([...w.trace.slice(0, i), ...w.trace.slice(i + 1)])) changed = true;
    }
    return changed;
  },
};

/** Reset single choices to the default 0 (first alternative, newest, eager, keep running). */
export const resetPass: Pass = {
  name: 'reset',
  run: (w) => {
    let changed = false;
    for (let i = 0; i < w.trace.length; i++) {
      if (w.trace[i] !== 0 && w.tryLighter(zeroAt(w.trace, i))) changed = true;
    }
    return changed;
  },
};

/**
 * The trace-level passes, in DESIGN §8 order: preemptions (schedule level,
 * then single choices), weak read-from / drain choices, length. Scenario-level
 * passes (drop operations, drop CPUs) need a scenario representation (.scn):
 * they go *before* these, in an outer loop that shrinks the scenario, rebuilds
 * the predicate and re-runs minimizeTrace on each candidate scenario.
 */
export const TRACE_PASSES: readonly Pass[] = [
  continuePass,
  mergeBlocksPass,
  resetPreemptionsPass,
  resetWeakPass,
  prefixPass,
  dropPass,
  resetPass,
];

/**
 * Predicate-driven delta debugging over a trace (DESIGN §8): run `passes` in
 * order, repeated to a fixed point. A candidate is kept only when it still
 * fails and the witness gets lighter (order.ts: fewer preemptions, then fewer
 * weak choices, then shorter …), so minimization terminates, and the result
 * is a fixed point of every pass. The result is the recorded trace of the
 * last failing execution, trimmed.
 */
export function minimizeTrace(
  start: readonly number[],
  holds: Predicate,
  passes: readonly Pass[] = TRACE_PASSES,
): MinimizeResult | null {
  let tries = 0;
  const check = (c: readonly number[] | ChoiceSource): Execution | null => {
    tries++;
    return holds(c);
  };
  const first = check(start);
  if (first === null) return null;
  let exec: Execution = first;
  let trace = trimTrace(exec.trace);
  let rank: Rank = rankOf(exec);
  const accept = (e: Execution): void => {
    exec = e;
    trace = trimTrace(e.trace);
    rank = rankOf(e);
  };
  // Candidates (traces, schedules) already offered to tryLighter: offering one again cannot succeed — it
  // failed, or was not lighter than the witness of then, or became the witness —, and the witness only
  // gets lighter (a strict order), so it is answered without running it. Same result, fewer executions.
  const offered = new Set<string>();
  const ctx: PassContext = {
    get trace() {
      return trace;
    },
    get exec() {
      return exec;
    },
    check,
    tryLighter: (cand) => {
      const key = Array.isArray(cand)
        ? `t${(cand as readonly number[]).join(',')}`
        : cand instanceof ScheduleSource
          ? `s${cand.key}`
          : undefined;
      if (key !== undefined) {
        if (offered.has(key)) return false;
        offered.add(key);
      }
      const e = check(cand);
      if (e === null || !lighter(rankOf(e), rank)) return false;
      accept(e);
      return true;
    },
  };
  for (let changed = true; changed;) {
    changed = false;
    for (const p of passes) if (p.run(ctx)) changed = true;
  }
  return { trace, exec, tries };
}
