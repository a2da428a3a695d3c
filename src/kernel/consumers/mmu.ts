/**
 * A user access through the MMU, as far as the TLB scenarios need it
 * (DOMAIN §C S10, S11): the hardware page walk that fills the TLB, and an
 * access through whatever translation the TLB holds. Sources: Intel SDM
 * vol. 3A §4.10 (TLBs: a translation is cached from a walk and used until
 * invalidated; the operation's `source`, as for tlb_use and user_write) and
 * DOMAIN §A7 / §C S10–S11 (the stale-TLB threads: a CPU keeps using a cached
 * translation until the zap's deferred flush reaches it).
 *
 * hw_walk(): the walker reads the pte and, if it permits the access, caches
 * pfn → TLB (tlb_fill). On x86 the walk and the fill belong to one
 * instruction, and a flush IPI is taken only between instructions, so no
 * flush can slip between the read and the fill: modelled by running the walk
 * with IRQs off (an IPI flush that starts meanwhile waits, and invalidates
 * the new entry when IRQs are back on). The walker's pte read is the `read`
 * program (x86 PAE: one atomic 64-bit read — `ptep_get_atomic64`; the
 * hardware never tears a PAE entry).
 * Omitted: the walker setting the accessed/dirty bits (a locked update of the
 * pte), paging-structure caches, speculative walks, and faults on a miss —
 * a CPU whose walk finds no permitted pte simply does not access (the fault
 * path is modelled separately, fault.ts).
 */
import type { Program } from '../../machine';
import { begin, end, local_irq_restore, local_irq_save, tlb_access, tlb_fill } from '../../machine';
import type { Pte } from '../arch';
import type { PteOps } from './ops';

/** Walk the page table for `key`; returns the pfn now cached in the TLB, or null. */
export function* hw_walk<P extends Pte>(
  ops: PteOps<P>,
  p: P,
  key: string,
  read: (p: P) => Program<bigint>,
  write = false,
): Program<bigint | null> {
  yield begin({ name: 'page walk', role: 'other', subject: p.name, args: write ? `${key}, write` : key });
  yield local_irq_save();
  const pte = yield* read(p);
  const ok = ops.arch.accessPermitted(pte, write);
  if (ok) yield tlb_fill(key, ops.arch.pfn(pte));
  yield local_irq_restore();
  yield end();
  return ok ? ops.arch.pfn(pte) : null;
}

/** An access to `key` through the TLB: the pfn it reached, or null on a miss. */
export function* tlb_use(key: string): Program<bigint | null> {
  const r = yield tlb_access(key);
  return r === 0n ? null : r - 1n;
}
