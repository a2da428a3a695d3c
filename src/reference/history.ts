import type { Execution, OpRecord } from '../machine';
import { INIT_TAG } from '../machine';
import type { EntriesModel } from '../kernel';
import { isEntriesSpec, isWriterSpec } from '../kernel';

/**
 * The SC reference for one subject: every writer operation takes effect
 * atomically, so the subject holds the logical values v0, v1, … in the order
 * the operations commit. Built only from the writers' specifications.
 *
 * A subject is either one pte (a PAE pte: one 64-bit value over two
 * locations; writers carry a WriterSpec) or a set of entries (an arm64
 * contpte block, a pte and its extended SW bits; writers carry an
 * EntriesSpec acting on the entries, and the subject's logical value is
 * `model.view` of the entries' state).
 */
export interface LogicalHistory {
  readonly subject: string;
  /** v0 (initial), v1, …: values[k] is the value after ops[k - 1] */
  readonly values: readonly bigint[];
  /** the writer operations in commit order */
  readonly ops: readonly OpRecord[];
  /** writer op id → index k of the value it produced (nested writer ops map to their outermost writer's k) */
  readonly indexOfOp: ReadonlyMap<number, number>;
  /** entries subjects: states[k] are the entries' values (in `model.locIds` order) behind values[k] */
  readonly states?: readonly (readonly bigint[])[];
  readonly model?: EntriesModel;
  /**
   * describe[k] of a value produced by a break-before-make transient (the
   * same op then appears twice in `ops`, for values k and k + 1)
   */
  readonly describe?: ReadonlyMap<number, string>;
}

/**
 * Writer operations on one subject are serialised (by the PTL, by running on
 * one CPU, or — hardware A/D updates — by being one atomic instruction), so
 * their commit order is the order in which they finish; an operation cut off
 * by a bound commits last (it may or may not have). A writer operation nested
 * inside another writer on the same subject (contpte_ptep_set_access_flags
 * calling __ptep_set_access_flags) is part of the outer one's specification:
 * only outermost writers commit.
 */
export function buildHistory(exec: Execution, subject: string, initial: bigint, model?: EntriesModel): LogicalHistory {
  const isWriter = (o: OpRecord): boolean => o.mark.role === 'writer' && o.mark.subject === subject;
  const outermost = new Map<number, number>();
  for (const o of exec.ops) {
    if (!isWriter(o)) continue;
    let top = o.id;
    for (let p = o.parent; p >= 0; p = exec.ops[p]!.parent) if (isWriter(exec.ops[p]!)) top = p;
    outermost.set(o.id, top);
  }
  const writers = exec.ops.filter((o) => isWriter(o) && outermost.get(o.id) === o.id);
  const endOf = (o: OpRecord): number => (o.done ? o.end : Infinity);
  const sorted = [...writers].sort((a, b) => endOf(a) - endOf(b) || a.start - b.start || a.id - b.id);
  const values: bigint[] = [initial];
  const indexOfOp = new Map<number, number>();
  const ops: OpRecord[] = [];
  const describe = new Map<number, string>();
  const states: (readonly bigint[])[] | undefined = model ? [[...model.initial]] : undefined;
  if (model && states) values[0] = model.view(states[0]!);
  for (const op of sorted) {
    const spec: unknown = op.mark.spec;
    if (model && states) {
      if (!isEntriesSpec(spec)) {
        throw new Error(`[ptefuzz internal bug] writer ${op.mark.name} on ${subject} has no entries specification`);
      }
      const prev = states[states.length - 1]!;
      const at = (id: number): number => {
        const i = model.locIds.indexOf(id);
        if (i < 0) throw new Error(`[ptefuzz internal bug] ${op.mark.name} names location ${id}, not in ${subject}`);
        return i;
      };
      const old = (id: number): bigint => prev[at(id)]!;
      const brk = spec.transient?.entries(old);
      if (spec.transient && brk && brk.size > 0) {
        const mid = [...prev];
        for (const [id, v] of brk) mid[at(id)] = v;
        states.push(mid);
        values.push(model.view(mid));
        ops.push(op);
        describe.set(values.length - 1, spec.transient.describe);
      }
      const next = [...prev];
      for (const [id, v] of spec.entries(old)) next[at(id)] = v;
      states.push(next);
      values.push(model.view(next));
    } else {
      if (!isWriterSpec(spec)) {
        throw new Error(`[ptefuzz internal bug] writer ${op.mark.name} has no specification`);
      }
      values.push(spec.apply(values[values.length - 1]!));
    }
    ops.push(op);
    indexOfOp.set(op.id, values.length - 1);
  }
  for (const [id, top] of outermost) if (id !== top && indexOfOp.has(top)) indexOfOp.set(id, indexOfOp.get(top)!);
  if (!states || !model) return { subject, values, ops, indexOfOp };
  return describe.size > 0
    ? { subject, values, ops, indexOfOp, states, model, describe }
    : { subject, values, ops, indexOfOp, states, model };
}

/** The logical value index a message tag stands for (INIT_TAG → v0). */
export function indexOfTag(h: LogicalHistory, tag: number): number | undefined {
  if (tag === INIT_TAG) return 0;
  return h.indexOfOp.get(tag);
}
