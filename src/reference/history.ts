import type { Execution, OpRecord } from '../machine';
import { INIT_TAG } from '../machine';
import type { WriterSpec } from '../kernel';
import { isWriterSpec } from '../kernel';

/**
 * The SC reference for one pte: every writer operation takes effect
 * atomically, so the pte holds the logical values v0, v1, … in the order the
 * operations commit. Built only from the writers' specifications.
 */
export interface LogicalHistory {
  readonly subject: string;
  /** v0 (initial), v1, …: values[k] is the value after ops[k - 1] */
  readonly values: readonly bigint[];
  /** the writer operations in commit order */
  readonly ops: readonly OpRecord[];
  /** writer op id → index k of the value it produced */
  readonly indexOfOp: ReadonlyMap<number, number>;
}

/**
 * Writer operations on one pte are serialised (by the PTL, or by running on
 * one CPU), so their commit order is the order in which they finish; an
 * operation cut off by a bound commits last (it may or may not have).
 */
export function buildHistory(exec: Execution, subject: string, initial: bigint): LogicalHistory {
  const writers = exec.ops.filter((o) => o.mark.role === 'writer' && o.mark.subject === subject);
  const endOf = (o: OpRecord): number => (o.done ? o.end : Infinity);
  const sorted = [...writers].sort((a, b) => endOf(a) - endOf(b) || a.start - b.start || a.id - b.id);
  const values: bigint[] = [initial];
  const indexOfOp = new Map<number, number>();
  for (const op of sorted) {
    const spec: unknown = op.mark.spec;
    if (!isWriterSpec(spec)) {
      throw new Error(`[ptefuzz internal bug] writer ${op.mark.name} has no specification`);
    }
    values.push((spec as WriterSpec).apply(values[values.length - 1]!));
    indexOfOp.set(op.id, values.length - 1);
  }
  return { subject, values, ops: sorted, indexOfOp };
}

/** The logical value index a message tag stands for (INIT_TAG → v0). */
export function indexOfTag(h: LogicalHistory, tag: number): number | undefined {
  if (tag === INIT_TAG) return 0;
  return h.indexOfOp.get(tag);
}
