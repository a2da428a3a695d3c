import { createHash } from 'node:crypto';
import type { ChoiceSource, Execution } from '../machine';
import type { EnumerateOptions, EnumerationSummary } from './enumerate';
import { enumerateSteps } from './enumerate';

/** Executions that reached one state, split by a label (a verdict, an exists clause, …). */
export interface ExploredState<R> {
  readonly state: string;
  /** traces that reached it */
  count: number;
  /**
   * per label, in order of first appearance: how many traces, how many distinct executions among them
   * (`ExhaustOptions.executionKey`; 0 without it), and the first trace (DFS order)
   */
  readonly labels: Map<string, { count: number; distinct: number; readonly first: R }>;
}

export interface Exploration<R> extends EnumerationSummary {
  /** every reachable state, in order of first appearance */
  readonly states: ReadonlyMap<string, ExploredState<R>>;
  /** with `ExhaustOptions.executionKey`: the distinct executions among the `executions` traces visited */
  readonly distinct?: number;
}

export interface ExhaustOptions<R> extends EnumerateOptions {
  /**
   * Groups the traces into executions (src/machine/execution-key.ts executionKey): a trace whose key was
   * seen before adds to the trace counts only. The key must determine the states and labels `classify`
   * gives (the first trace of a key counts for every one of them).
   */
  readonly executionKey?: (r: R) => string;
}

/**
 * Engine `exhaustive`: depth-first enumeration of every trace (CHESS/loom
 * style, optionally under a preemption bound), tallying the states the
 * executions reach — what herd7 prints as its `States` block, with counts.
 * `classify` names the state(s) and label of one execution's result.
 */
export function exhaust<R extends { readonly exec: Execution }>(
  run: (source: ChoiceSource) => R,
  classify: (r: R) => readonly (readonly [state: string, label: string])[],
  opts: ExhaustOptions<R> = {},
): Exploration<R> {
  const steps = exhaustSteps(run, classify, opts);
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

/**
 * The same exploration, cut into steps (see enumerateSteps): it yields after
 * every execution. `onState` is told each state when an execution first
 * reaches it with a label, before the next execution runs.
 */
export function* exhaustSteps<R extends { readonly exec: Execution }>(
  run: (source: ChoiceSource) => R,
  classify: (r: R) => readonly (readonly [state: string, label: string])[],
  opts: ExhaustOptions<R> = {},
  onState?: (state: string, label: string, executions: number) => void,
): Generator<void, Exploration<R>, undefined> {
  const states = new Map<string, ExploredState<R>>();
  let last: R | undefined;
  let executions = 0;
  const key = opts.executionKey;
  /** digests of the execution keys seen (a key can be long; a million of them should not be kept whole) */
  const seen = new Set<string>();
  const summary = yield* enumerateSteps(
    (source) => (last = run(source)).exec,
    () => {
      executions++;
      let fresh = false;
      if (key !== undefined) {
        const digest = createHash('sha256').update(key(last!)).digest('base64');
        fresh = !seen.has(digest);
        if (fresh) seen.add(digest);
      }
      for (const [state, label] of classify(last!)) {
        let s = states.get(state);
        if (!s) {
          s = { state, count: 0, labels: new Map() };
          states.set(state, s);
        }
        s.count++;
        const l = s.labels.get(label);
        if (l) {
          l.count++;
          if (fresh) l.distinct++;
        } else {
          s.labels.set(label, { count: 1, distinct: fresh ? 1 : 0, first: last! });
          onState?.(state, label, executions);
        }
      }
    },
    opts,
  );
  return { ...summary, states, ...(key !== undefined ? { distinct: seen.size } : {}) };
}
