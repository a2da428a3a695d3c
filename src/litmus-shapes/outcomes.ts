import { enumerate } from '../engines/enumerate';
import type { ModelKind } from '../machine';
import { execute } from '../machine';
import type { LitmusShape } from './shape';

export interface OutcomeSet {
  /** distinct outcome strings, sorted */
  readonly outcomes: readonly string[];
  /** executions enumerated */
  readonly executions: number;
}

/**
 * Every outcome of a shape under a model: enumerates every execution
 * (every schedule, read-from and drain choice; no preemption bound), like
 * herd7's `States` block.
 */
export function outcomeSet(shape: LitmusShape, model: ModelKind): OutcomeSet {
  const spec = shape.build();
  const seen = new Set<string>();
  const summary = enumerate(
    (source) => execute(spec, model, source),
    (exec) => seen.add(shape.outcome(exec)),
  );
  return { outcomes: [...seen].sort(), executions: summary.executions };
}

/** Whether the shape's `exists` clause is reachable under the model. */
export function allows(shape: LitmusShape, model: ModelKind): boolean {
  return outcomeSet(shape, model).outcomes.includes(shape.interesting);
}
