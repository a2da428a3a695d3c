import type { ChoiceKind, ChoiceRecord, ChoiceSource, Execution } from '../machine';
import { PrunedExecution } from '../machine';

/**
 * Replays a prefix of choices, then takes the default (0) for everything after — but for a TSO `drain`
 * choice in canonical mode, 1 (drain nothing now): option 0 (drain everything) is never canonical, and the
 * enumeration only bumps a choice upwards, so it is never tried.
 */
class PrefixSource implements ChoiceSource {
  private pos = 0;
  constructor(
    private readonly prefix: readonly number[],
    readonly canonicalDrains: boolean,
  ) {}
  choose(kind: ChoiceKind, _n: number): number {
    if (this.pos < this.prefix.length) return this.prefix[this.pos++]!;
    this.pos++;
    return this.canonicalDrains && kind === 'drain' ? 1 : 0;
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
  /**
   * Enumerate every TSO drain choice, as the trace encoding allows them, instead of one placement of the
   * drains per execution (the canonical form of TsoModel.phaseCanonical). For comparisons only (tests):
   * the same states, far more traces.
   */
  readonly allDrains?: boolean;
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
  /**
   * runs cut short because their TSO drain choices were not canonical (not counted in `executions`): each
   * is equivalent to an execution visited elsewhere. 0 under sc and weak, and with `allDrains`.
   */
  readonly pruned: number;
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
  let pruned = 0;
  const canonical = opts.allDrains !== true;
  for (;;) {
    if (executions >= max) return { executions, truncated: true, boundCut, interrupted: false, maxPreemptions, pruned };
    if (opts.shouldStop?.() === true) {
      return { executions, truncated: false, boundCut, interrupted: true, maxPreemptions, pruned };
    }
    let records: readonly ChoiceRecord[];
    try {
      const exec = run(new PrefixSource(prefix, canonical));
      executions++;
      visit(exec);
      records = exec.choices;
    } catch (e) {
      if (!(e instanceof PrunedExecution)) throw e;
      pruned++;
      records = e.records;
    }
    const next = nextPrefix(records, bound);
    if (next.cut) boundCut = true;
    // a pruned run's preemptions are those of a prefix of executions visited elsewhere
    maxPreemptions = Math.max(maxPreemptions, next.preemptions);
    if (next.prefix === null)
      return { executions, truncated: false, boundCut, interrupted: false, maxPreemptions, pruned };
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
