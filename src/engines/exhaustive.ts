import type { ChoiceSource, Execution } from '../machine';
import type { EnumerateOptions, EnumerationSummary } from './enumerate';
import { enumerate } from './enumerate';

/** Executions that reached one state, split by a label (a verdict, an exists clause, …). */
export interface ExploredState<R> {
  readonly state: string;
  count: number;
  /** per label, in order of first appearance: how many executions, and the first of them (DFS order) */
  readonly labels: Map<string, { count: number; readonly first: R }>;
}

export interface Exploration<R> extends EnumerationSummary {
  /** every reachable state, in order of first appearance */
  readonly states: ReadonlyMap<string, ExploredState<R>>;
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
  opts: EnumerateOptions = {},
): Exploration<R> {
  const states = new Map<string, ExploredState<R>>();
  let last: R | undefined;
  const summary = enumerate(
    (source) => (last = run(source)).exec,
    () => {
      for (const [state, label] of classify(last!)) {
        let s = states.get(state);
        if (!s) {
          s = { state, count: 0, labels: new Map() };
          states.set(state, s);
        }
        s.count++;
        const l = s.labels.get(label);
        if (l) l.count++;
        else s.labels.set(label, { count: 1, first: last! });
      }
    },
    opts,
  );
  return { ...summary, states };
}
