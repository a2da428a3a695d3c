import type { Event, Execution, OpRecord } from '../machine';
import type { ContiguousFault, PteSubject } from '../kernel';
import { contiguousFault } from '../kernel';
import { outermostWriters, storeOp } from './history';
import { entryValues, followEntries } from './bbm';

/** A store after which a contpte block of the subject was misprogrammed (misprogrammedBlock). */
export interface MisprogrammedBlock {
  readonly kind: 'cont';
  readonly subject: string;
  readonly fault: ContiguousFault;
  /** the block's entries (location ids, lowest address first) and their values just after the store */
  readonly locs: readonly number[];
  readonly entries: readonly bigint[];
  /** the store (under tso a plain store's drain from the store buffer); for `partial` the last store to the block */
  readonly event: Event;
  /** the operation that made it: its outermost writer on the subject, else its CPU's innermost operation */
  readonly op: OpRecord | undefined;
}

/**
 * The reference's third assumption on arm64, checked on one execution: no store leaves a contpte block of the
 * subject misprogrammed (contiguousFault). The reference reads a valid CONT entry as the whole block's translation,
 * its access/dirty OR-ed over every entry (kernel/arm64-block.ts `contpteView`, the documented meaning of a contpte
 * mapping); on a block whose entries are not one aligned contiguous range that view ORs in the dirt of another
 * page, so a divergence there is no bug of the reader. The Arm ARM makes such a block a programming error (the TLB
 * may use any entry's translation for the whole range, or report a TLB conflict). The kernel never leaves one:
 * every change of one entry of a folded block goes through `contpte_try_unfold()` (`set_ptes()`,
 * `ptep_get_and_clear()`, `ptep_set_access_flags()`, arch/arm64/include/asm/pgtable.h, v6.9+), and
 * `contpte_convert()` clears the whole block before it repaints it (break-before-make, bbm.ts). A program with the
 * unfold dropped does — a minimizer's candidate: the contpte worked example's `__ptep_get_and_clear(pte0)` then
 * `__set_pte` of another folio beside three CONT entries (`mixed`), or a lone `__ptep_get_and_clear` of one entry
 * (`partial`).
 *
 * The block's entries are followed store by store where each takes its place in memory (landsInMemory), as the
 * break-before-make check does: `mixed` and `range` are checked on the whole block just after each store to one of
 * its entries, `partial` on the block as the execution leaves it, when every operation finished (an execution cut
 * off by a bound may stop half way through a break). A hardware access/dirty update changes neither validity, CONT
 * nor the output address. A block the scenario declares misprogrammed is not this check's (every store would
 * name it): only a store that changes the block's state from well programmed to misprogrammed, or the end of the
 * execution, is.
 *
 * The first such store (for `partial`, the last store to the block), or undefined.
 */
export function misprogrammedBlock(
  exec: Execution,
  subject: PteSubject,
  /** outermostWriters(exec, subject.name), when the caller has it already */
  outermost?: ReadonlyMap<number, number>,
): MisprogrammedBlock | undefined {
  const model = subject.entries;
  const block = model?.block;
  if (model === undefined || block === undefined || block.length < 2) return undefined;
  const found = (ev: Event, f: ContiguousFault, cur: readonly bigint[]): MisprogrammedBlock => ({
    kind: 'cont',
    subject: subject.name,
    fault: f,
    locs: block,
    entries: [...cur],
    event: ev,
    op: storeOp(exec, outermost ?? outermostWriters(exec, subject.name), ev),
  });
  let fault = contiguousFault(entryValues(model, block), false);
  let last: Event | undefined;
  const walk = followEntries(exec, model, block, (ev, cur) => {
    last = ev;
    const before = fault;
    fault = contiguousFault(cur, false);
    return fault !== undefined && before === undefined ? found(ev, fault, cur) : undefined;
  });
  if (walk.result !== undefined) return walk.result;
  if (last === undefined || fault !== undefined || !exec.ops.every((o) => o.done)) return undefined;
  return contiguousFault(walk.cur, true) === 'partial' ? found(last, 'partial', walk.cur) : undefined;
}
