/**
 * mm-level writer paths on a PAE pte, each under the split PTL.
 *
 * - madv_dontneed_pae: MADV_DONTNEED → zap_page_range_single → zap_pte_range
 *   (mm/memory.c, now): take the PTL; read the pte; a present pte is cleared
 *   with ptep_get_and_clear (atomic 64-bit), a non-present one with
 *   pte_clear; drop the PTL. The TLB flush and page freeing are deferred to
 *   tlb_finish_mmu() after the PTL is dropped (the anonymous case, DOMAIN §A7),
 *   which is exactly the window Jann Horn's report uses. The TLB and the
 *   deferred flush are not modelled here (this is the no-flush form of S1/S2);
 *   consumers/zap.ts is the form with the flush and the page free. A present
 *   pte is cleared by x86's ptep_get_and_clear_full(full = 0), i.e.
 *   ptep_get_and_clear() (get_and_clear_full_ptes batches it per folio).
 * - do_anonymous_page_pae: the anonymous fault install (mm/memory.c
 *   do_anonymous_page, now): take the PTL; if the pte is no longer none some
 *   other fault won, back out; else set_pte_at(); drop the PTL.
 * The reads under the PTL are plain loads, not reader operations: they cannot
 * race a writer (every writer here holds the PTL) and are not under test.
 * Thread: Jann Horn, "ptep_get_lockless() on 32-bit x86/mips/sh looks wrong",
 * 2022-10-06 <CAG48ez3h-mnp9ZFC10v+-BW_8NQvxbwBsMYJFP8JX31o0B17Pg@mail.gmail.com>.
 * Omitted: mmu_gather batching, rmap/mapcount, mmu notifiers, userfaultfd
 * and check_stable_address_space in do_anonymous_page, set_ptes(nr > 1).
 */
import type { Location, Program } from '../../machine';
import { begin, end, plain_read, spin_lock, spin_unlock } from '../../machine';
import type { PaePte } from '../x86-pae';
import { paeValue, x86Pae } from '../x86-pae';
import type { PaeWriterOptions } from './x86-pae';
import { pte_clear, ptep_get_and_clear, set_pte } from './x86-pae';

function* readLocked(p: PaePte): Program<bigint> {
  const lo = yield plain_read(p.low);
  const hi = yield plain_read(p.high);
  return paeValue(hi, lo);
}

export function* madv_dontneed_pae(p: PaePte, ptl: Location, o: PaeWriterOptions = {}): Program {
  yield begin({ name: 'MADV_DONTNEED', role: 'other', subject: p.name });
  yield spin_lock(ptl);
  const cur = yield* readLocked(p);
  if (x86Pae.present(cur)) yield* ptep_get_and_clear(p, o);
  else if (!x86Pae.none(cur)) yield* pte_clear(p, o);
  yield spin_unlock(ptl);
  yield end();
}

export function* do_anonymous_page_pae(p: PaePte, ptl: Location, v: bigint, o: PaeWriterOptions = {}): Program {
  yield begin({ name: 'do_anonymous_page', role: 'other', subject: p.name, args: x86Pae.format(v) });
  yield spin_lock(ptl);
  const cur = yield* readLocked(p);
  if (x86Pae.none(cur)) yield* set_pte(p, v, o);
  yield spin_unlock(ptl);
  yield end();
}
