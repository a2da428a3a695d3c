import type { ChoiceKind, ChoiceRecord, ChoiceSource, Execution } from '../machine';

/** Replays a prefix of choices, then takes the default (0) for everything after. */
class PrefixSource implements ChoiceSource {
  private pos = 0;
  constructor(private readonly prefix: readonly number[]) {}
  choose(_kind: ChoiceKind, _n: number): number {
    return this.pos < this.prefix.length ? this.prefix[this.pos++]! : (this.pos++, 0);
  }
}

export interface EnumerateOptions {
  /** prune traces with more preemptions than this (CHESS-style); unbounded if absent */
  readonly preemptionBound?: number;
  /** stop after this many executions */
  readonly maxExecutions?: number;
  /**
   * Asked before every execution: true ends the search there, with `interrupted` set
   * (a Ctrl-C'd `explore`; the steps form lets the caller's signal handler run between executions).
   */
  readonly shouldStop?: () => boolean;
}

export interface EnumerationSummary {
  readonly executions: number;
  /** true when maxExecutions stopped the search before it was complete */
  readonly truncated: boolean;
  /** true when the preemption bound pruned at least one branch */
  readonly boundCut: boolean;
  /** true when `shouldStop` ended the search before it was complete: what was visited is a prefix, no claim */
  readonly interrupted: boolean;
  /**
   * the most preemptions of any execution visited (countPreemptions): a complete search under bound K with
   * `boundCut` false reached every execution, and none needed more than this (it may be K itself)
   */
  readonly maxPreemptions: number;
}

/**
 * Stateless depth-first enumeration of every trace of a deterministic
 * execution function (loom/CHESS style): run with a prefix, then bump the
 * deepest choice that still has an untried option. Sound because the number
 * and arity of the choices at position i depend only on the choices before i.
 */
export function enumerate(
  run: (source: ChoiceSource) => Execution,
  visit: (exec: Execution) => void,
  opts: EnumerateOptions = {},
): EnumerationSummary {
  const steps = enumerateSteps(run, visit, opts);
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

/**
 * The same enumeration, cut into steps: it yields after every execution, so
 * that a caller on an event loop can let a signal handler run (and set what
 * `shouldStop` reads) now and then; where it yields changes nothing it visits.
 */
export function* enumerateSteps(
  run: (source: ChoiceSource) => Execution,
  visit: (exec: Execution) => void,
  opts: EnumerateOptions = {},
): Generator<void, EnumerationSummary, undefined> {
  const bound = opts.preemptionBound ?? Infinity;
  const max = opts.maxExecutions ?? Infinity;
  let prefix: number[] = [];
  let executions = 0;
  let boundCut = false;
  let maxPreemptions = 0;
  for (;;) {
    if (executions >= max) return { executions, truncated: true, boundCut, interrupted: false, maxPreemptions };
    if (opts.shouldStop?.() === true) {
      return { executions, truncated: false, boundCut, interrupted: true, maxPreemptions };
    }
    const exec = run(new PrefixSource(prefix));
    executions++;
    visit(exec);
    const next = nextPrefix(exec.choices, bound);
    if (next.cut) boundCut = true;
    maxPreemptions = Math.max(maxPreemptions, next.preemptions);
    if (next.prefix === null) return { executions, truncated: false, boundCut, interrupted: false, maxPreemptions };
    prefix = next.prefix;
    yield;
  }
}

/** The prefix of the next execution (null: the search is over), whether the bound pruned, and this one's preemptions. */
function nextPrefix(
  records: readonly ChoiceRecord[],
  bound: number,
): { prefix: number[] | null; cut: boolean; preemptions: number } {
  // preemptions used by records[0..i-1]
  const before: number[] = [];
  let p = 0;
  for (const r of records) {
    before.push(p);
    if (r.preemptible && r.value !== 0) p++;
  }
  let cut = false;
  for (let i = records.length - 1; i >= 0; i--) {
    const r = records[i]!;
    if (r.value + 1 >= r.n) continue;
    // bumping a preemptible sched choice from 0 adds a preemption
    const used = before[i]! + (r.preemptible ? 1 : 0);
    if (used > bound) {
      cut = true;
      continue;
    }
    const prefix = records.slice(0, i).map((x) => x.value);
    prefix.push(r.value + 1);
    return { prefix, cut, preemptions: p };
  }
  return { prefix: null, cut, preemptions: p };
}
