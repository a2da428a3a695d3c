import type { Execution, OpRecord } from '../machine';
import { isHardwareAccess } from '../kernel';
import type { StoreSpan } from './history';
import { finishOrder, memoryOrder, outermostWriters, storeSpans } from './history';

/**
 * Two writer operations on one subject that were not serialised in an
 * execution: `first` is the one whose first store reached memory first.
 * `interleaved`: a store of one landed between two stores of the other;
 * otherwise their stores reached memory in the opposite order to the one in
 * which they finished (the reference's commit order; a tso store buffer
 * drained late).
 */
export interface UnserialisedWriters {
  readonly kind: 'unserialised';
  readonly subject: string;
  readonly first: OpRecord;
  readonly second: OpRecord;
  readonly interleaved: boolean;
}

/**
 * buildHistory's assumption, checked on one execution: the writer operations
 * on `subject` are serialised (by the PTL, by running on one CPU, or —
 * hardware A/D updates, an atomic cmpxchg/xchg — by being one atomic
 * instruction), so each takes effect atomically where the reference commits
 * it. The outermost writers (history.ts's notion) on different CPUs that make
 * two or more stores to the subject's locations must have their stores in
 * disjoint stretches of memory order, in the order in which they finish. A
 * writer that makes one store is atomic by itself, and the reference commits
 * it where that store takes its place in memory (history.ts commitPoints),
 * so it needs no order with the others that finish before or start after it
 * (decided.ts checks that it did not decide on a value another CPU's writer
 * replaced before it committed); but it must not land between two stores of
 * a writer of several on another CPU: memory then holds a mix the reference
 * never lists (a set_pte_atomic between PAE set_pte's high and low stores:
 * {its high : set_pte's low}). Only the hardware may do that — a hardware A/D
 * update, one atomic RMW, inside a PTL-holding contpte_convert (S8/S9), which
 * history.ts's breaks and early commits account for. Stores, not the operations' step windows, are compared: an
 * operation that takes the PTL inside itself (the fault path) overlaps the
 * holder's window while it waits for the lock, without harm.
 *
 * A store's position is where it takes its place in memory (storeSpans, in
 * memoryOrder), because that is what every reader reads and what the reference
 * must have listed. Issue order would be unsound: under tso two writers that
 * issue their stores one after the other can still drain them interleaved, or
 * in the other order; under weak a store may be placed coherence-before
 * writes its CPU has not seen (WeakModel.place). Under the PTL neither
 * happens: the next holder's spin_lock reads the lock free only once the
 * previous holder's unlock has drained, after its stores (FIFO), and issues
 * its own stores, so finishes, after that; under weak the lock's acquire
 * gives it the previous holder's stores, which its own follow.
 *
 * Undefined when the writers were serialised.
 */
export function unserialisedWriters(
  exec: Execution,
  subject: string,
  locIds: readonly number[],
  /** outermostWriters(exec, subject), when the caller has it already */
  outermost: ReadonlyMap<number, number> = outermostWriters(exec, subject),
  /** storeSpans(exec, locIds, outermost), when the caller has them already */
  spans?: ReadonlyMap<number, StoreSpan>,
): UnserialisedWriters | undefined {
  if (outermost.size < 2) return undefined;
  const all = [...(spans ?? storeSpans(exec, locIds, outermost))];
  const memory = memoryOrder(exec);
  const multi = all.filter(([, s]) => s.stores >= 2).sort((a, b) => a[1].first - b[1].first);
  for (let i = 0; i < multi.length; i++) {
    const [ia, a] = multi[i]!;
    const opA = exec.ops[ia]!;
    for (let j = i + 1; j < multi.length; j++) {
      const [ib, b] = multi[j]!;
      const opB = exec.ops[ib]!;
      if (opA.cpu === opB.cpu) continue;
      // b's first store is after a's (sorted): it lies between two of a's, or a finished before b began
      if (b.first < a.last) return { kind: 'unserialised', subject, first: opA, second: opB, interleaved: true };
      if (finishOrder(opA, opB) > 0)
        return { kind: 'unserialised', subject, first: opA, second: opB, interleaved: false };
    }
    // a software writer of one store, committed where it lands (history.ts commitPoints), must land outside opA's
    // stores and on the side of opA's commit (where opA finishes) on which the reference lists it: under tso opA's
    // drains may land after another CPU's store that came after opA finished (cut off by a bound: by design, not
    // looked at, as history.ts commits such a writer last)
    if (!opA.done) continue;
    for (const [ib, b] of all) {
      const opB = exec.ops[ib]!;
      if (b.stores !== 1 || !opB.done || opB.cpu === opA.cpu || isHardwareAccess(opB.mark)) continue;
      if (a.first < b.first && b.first < a.last)
        return { kind: 'unserialised', subject, first: opA, second: opB, interleaved: true };
      const committed = memory.time(b.event);
      const before = b.first < a.first;
      if (before ? committed > opA.end : committed < opA.end) {
        const [first, second] = before ? [opB, opA] : [opA, opB];
        return { kind: 'unserialised', subject, first, second, interleaved: false };
      }
    }
  }
  return undefined;
}
