/**
 * khugepaged collapsing a file range and retracting its pte table — DOMAIN §C
 * S12, mm/khugepaged.c (2022: collapse_file() unmaps the small pages, then
 * retract_page_tables() → collapse_and_free_pmd()):
 *   1. try_to_unmap() of the small page: take the PTL, ptep_get_and_clear(),
 *      flush the TLB, drop the PTL, drop the mapping's reference;
 *   2. pmdp_collapse_flush(): under the pmd lock, clear the pmd
 *      (pmdp_huge_get_and_clear) and flush the TLB range — on arches with
 *      RCU table freeing (arm64, x86 paravirt) a flush that waits for nobody;
 *   3. `ipi` (Jann Horn's fix, 2ba99c5e0881): tlb_remove_table_sync_one() — an
 *      IPI that GUP-fast's IRQs-off section holds up — before the table is
 *      freed or reused;
 *   4. pte_free(): the table page goes back to the allocator.
 * collapse_file() calls try_to_unmap(TTU_IGNORE_MLOCK | TTU_BATCH_FLUSH): on
 * an arch with ARCH_WANT_BATCHED_UNMAP_TLB_FLUSH (x86; arm64 only later, not
 * in 2022) the unmap's flush is deferred to try_to_unmap_flush(); step 1
 * models the unbatched form (arm64 2022, the S12 scenarios): ptep_clear_flush()
 * under the PTL. The table retraction (steps 2–4) does not depend on it.
 * Omitted: mmap_lock / i_mmap_lock, mmu notifiers, the page cache side of
 * the collapse, installing a huge pmd, deposited tables (the anon collapse
 * reuses the table via pgtable_trans_huge_deposit: the same hazard).
 * Source: Jann Horn, "mm/khugepaged: fix GUP-fast interaction by sending
 * IPI", commit 2ba99c5e0881 (v6.1-rc, Nov/Dec 2022; stable backports).
 */
import type { Location, Program } from '../../machine';
import {
  begin,
  end,
  flush_tlb,
  put_page,
  spin_lock,
  spin_unlock,
  tlb_remove_table_sync_one,
  xchg,
} from '../../machine';
import type { Pte } from '../arch';
import type { PteOps } from './ops';

export type RetractSync = 'none' | 'ipi';
export const RETRACT_SYNCS: readonly RetractSync[] = ['none', 'ipi'];

export interface PteTable {
  /** the pmd entry pointing to the table */
  readonly pmd: Location;
  /** mm->page_table_lock (pmd_lock) */
  readonly pmdLock: Location;
  /** the table page */
  readonly pfn: bigint;
}

export function* khugepaged_collapse_file<P extends Pte>(
  ops: PteOps<P>,
  p: P,
  ptl: Location,
  t: PteTable,
  sync: RetractSync,
): Program {
  yield begin({ name: 'khugepaged', role: 'other', subject: p.name, args: sync === 'ipi' ? 'sync IPI' : '' });
  // try_to_unmap() of the small page
  yield begin({ name: 'try_to_unmap', role: 'other', subject: p.name });
  yield spin_lock(ptl);
  const cur = yield* ops.readLocked(p);
  const mapped = ops.arch.present(cur);
  if (mapped) {
    yield* ops.getAndClear(p);
    yield flush_tlb('flush_tlb_page');
  }
  yield spin_unlock(ptl);
  if (mapped) yield put_page(ops.arch.pfn(cur));
  yield end();
  // retract_page_tables() → collapse_and_free_pmd()
  yield begin({ name: 'pmdp_collapse_flush', role: 'other', subject: p.name });
  yield spin_lock(t.pmdLock);
  yield xchg(t.pmd, 0n, 'relaxed');
  yield flush_tlb('flush_tlb_range');
  yield spin_unlock(t.pmdLock);
  yield end();
  if (sync === 'ipi') yield tlb_remove_table_sync_one();
  yield put_page(t.pfn); // pte_free()
  yield end();
}
