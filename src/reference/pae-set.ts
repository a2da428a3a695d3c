import type { Event, Execution, OpRecord } from '../machine';
import type { PteSubject } from '../kernel';
import { PAE, isWriterSpec } from '../kernel';
import { landsInMemory, memoryOrder } from './history';
import { wordWritten } from './bbm';

/**
 * A PAE `set_pte` whose first store landed on a present pte and left in memory a pte that is neither that one nor
 * the one set_pte writes: `prev` is the pte in memory before the store, `mixed` after it ({high:low}).
 */
export interface SetPteOverPresent {
  readonly kind: 'set-present';
  readonly subject: string;
  readonly prev: bigint;
  readonly mixed: bigint;
  /** set_pte's first store to the pte (its high half): under tso its drain */
  readonly event: Event;
  readonly op: OpRecord;
}

const HALF = 0xffffffffn;

/**
 * The x86 PAE writers' contract, checked on one execution: `native_set_pte` (high half, smp_wmb, low half: two
 * stores) is for a pte that is not present — arch/x86/include/asm/pgtable-3level.h: "the pte being assigned *must*
 * be either not present or in a state where the hardware will not attempt to update the pte. In places where this
 * is not possible, use pte_set_atomic" (the model has no PAE hardware walker, so present — P set — is the test).
 * Between its two stores memory holds the new high half under the old, still present low half: a pte no serial
 * history lists, which every reader, `ptep_get_atomic64` included, would be blamed for reading. Every kernel path
 * modelled that changes the page clears the pte first (a zap, `ptep_clear_flush`) or checks `pte_none` under the PTL
 * (the fault path); a scenario that does not — or a minimizer's candidate that dropped the clear — is outside the
 * contract. The kernel itself does set a present pte where one half stays: x86 `ptep_set_access_flags` (a write
 * fault, do_wp_page) `set_pte`s the same page with new flags — the high half written is the one memory holds, so
 * between the stores memory holds the old pte, then the new one. Refused is therefore the first store that leaves
 * memory holding neither the old pte nor the new one (both halves change), not every set_pte over a present pte.
 *
 * Memory is followed store by store where each takes its place in memory (landsInMemory, in memoryOrder), from the subject's
 * initial value; PAE subjects only (two 32-bit words, low then high: kernel/layout.ts), and only when some operation
 * of the execution is a `set_pte` on it. The first such store, or undefined.
 */
export function setPteOverPresent(exec: Execution, subject: PteSubject): SetPteOverPresent | undefined {
  if (subject.entries !== undefined || subject.locIds.length !== 2) return undefined;
  const sets = exec.ops.filter(
    (o) => o.mark.role === 'writer' && o.mark.name === 'set_pte' && o.mark.subject === subject.name,
  );
  if (sets.length === 0) return undefined;
  const [lowId, highId] = subject.locIds as [number, number];
  let low = subject.initial & HALF;
  let high = subject.initial >> 32n;
  const started = new Set<number>();
  for (const ev of memoryOrder(exec).events) {
    if (!landsInMemory(ev, exec.model)) continue;
    if (!ev.locs.includes(lowId) && !ev.locs.includes(highId)) continue;
    // a store is tagged with its CPU's innermost writer when it was issued: set_pte's own stores carry its id
    const set = sets.find((o) => o.id === ev.tag);
    const prev = (high << 32n) | low;
    for (let k = 0; k < ev.locs.length; k++) {
      if (ev.locs[k] === lowId) low = wordWritten(ev, k, 32);
      else if (ev.locs[k] === highId) high = wordWritten(ev, k, 32);
    }
    if (set !== undefined && !started.has(set.id)) {
      started.add(set.id);
      const mixed = (high << 32n) | low;
      if ((prev & PAE.PRESENT) !== 0n && mixed !== prev && mixed !== setValue(set, prev)) {
        return { kind: 'set-present', subject: subject.name, prev, mixed, event: ev, op: set };
      }
    }
  }
  return undefined;
}

/** The pte set_pte writes: its specification's (writers/x86-pae.ts: setSpec, a constant) */
function setValue(set: OpRecord, prev: bigint): bigint {
  if (!isWriterSpec(set.mark.spec)) throw new Error(`[ptefuzz internal bug] set_pte without a WriterSpec`);
  return set.mark.spec.apply(prev);
}
