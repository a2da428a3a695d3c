/**
 * MADV_DONTNEED on one pte with the TLB flush and the page free —
 * mm/memory.c zap_pte_range() + mm/mmu_gather.c (now), DOMAIN §A7:
 *   1. take the PTL; old = ptep_get_and_clear() (present) or pte_clear()
 *      (non-present); a present page is gathered (tlb_remove_tlb_entry).
 *   2. `forced` (force_flush; Peter Zijlstra's Oct-2022 ZAP_FLAG_FORCE_FLUSH
 *      proposal for MADV_DONTNEED, not merged): tlb_flush_mmu_tlbonly()
 *      while still holding the PTL.
 *   3. drop the PTL.
 *   4. `deferred` (today's anonymous MADV_DONTNEED): the flush happens in
 *      tlb_finish_mmu(), after the PTL was dropped — the window in which a
 *      refault can install a new pte before the flush (Jann Horn's point (a)).
 *   5. free the gathered page (tlb_flush_mmu → free_pages_and_swap_cache):
 *      always after the flush (the mmu_gather rule: unhook → flush → free).
 * `free-before-flush` is a deliberately broken zap, a control for the
 * use-after-free invariant (no kernel does this): the gathered page is freed
 * right after the PTL is dropped, and the flush comes after the free.
 * Omitted: batching of several ptes/folios, rmap and dirty-folio handling
 * (tlb_delay_rmap), mmu notifiers, page-table freeing (pt_reclaim),
 * flush_tlb_batched_pending(), ranged flushes (the flush is whole-mm).
 * Threads: Jann Horn, "ptep_get_lockless() on 32-bit x86/mips/sh looks wrong",
 * 2022-10-06 <CAG48ez3h-mnp9ZFC10v+-BW_8NQvxbwBsMYJFP8JX31o0B17Pg@mail.gmail.com>
 * (point (a): MADV_DONTNEED does not flush before dropping the PTL); Peter
 * Zijlstra's force-flush proposal in the replies to "[PATCH 00/13] Clean up
 * pmd_get_atomic() and i386-PAE", 2022-10-22
 * <20221022111403.531902164@infradead.org> (Jann Horn 2022-10-24..26).
 */
import type { Location, Program } from '../../machine';
import { begin, end, flush_tlb, put_page, spin_lock, spin_unlock } from '../../machine';
import type { Pte } from '../arch';
import type { PteOps } from './ops';

export type ZapFlush = 'deferred' | 'forced' | 'free-before-flush';
export const ZAP_FLUSHES: readonly ZapFlush[] = ['deferred', 'forced', 'free-before-flush'];

export function* zap_pte_range<P extends Pte>(ops: PteOps<P>, p: P, ptl: Location, flush: ZapFlush): Program {
  const args = flush === 'forced' ? { args: 'force_flush' } : {};
  yield begin({ name: 'MADV_DONTNEED', role: 'other', subject: p.name, ...args });
  yield spin_lock(ptl);
  const cur = yield* ops.readLocked(p);
  let gathered: bigint | null = null;
  if (ops.arch.present(cur)) gathered = ops.arch.pfn(yield* ops.getAndClear(p));
  else if (!ops.arch.none(cur)) yield* ops.clear(p);
  if (gathered !== null && flush === 'forced') yield flush_tlb('tlb_flush_mmu_tlbonly');
  yield spin_unlock(ptl);
  if (gathered !== null) {
    if (flush === 'free-before-flush') {
      yield put_page(gathered);
      yield flush_tlb('tlb_finish_mmu');
    } else {
      if (flush === 'deferred') yield flush_tlb('tlb_finish_mmu');
      yield put_page(gathered);
    }
  }
  yield end();
}
