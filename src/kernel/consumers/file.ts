/**
 * A shared file page, its dirty tracking and writeback, as far as DOMAIN §C
 * S11 needs them: the folio's PG_dirty flag and mapcount (the rmap: "is it
 * mapped anywhere?") are memory locations updated by atomics, the page
 * contents one location a user write stores to, and the file on disk one
 * location writeback stores the captured contents to.
 *
 * - zap_pte_range_file(): MADV_DONTNEED / munmap of a dirty shared-file pte,
 *   mm/memory.c zap_pte_range() (DOMAIN §A7):
 *     take the PTL; old = ptep_get_and_clear(); if pte_dirty(old):
 *     force_flush, folio_mark_dirty() (set_page_dirty());
 *     `v6.0` (before 5df397dec7c4): page_remove_rmap() right here, *before*
 *       the TLB flush;
 *     `v6.1` (5df397dec7c4, tlb_delay_rmap): the rmap removal is delayed:
 *       tlb_flush_mmu_tlbonly() and then tlb_flush_rmaps() → page_remove_rmap(),
 *       both before dropping the PTL;
 *     force_flush: tlb_flush_mmu_tlbonly() while still holding the PTL
 *     (both eras — "Do the actual TLB flush before dropping ptl");
 *     drop the PTL; free the batch (put_page: the mapping's reference; the
 *     page cache keeps its own).
 * - writeback(): folio_clear_dirty_for_io() + the write to disk
 *   (mm/page-writeback.c; mm/rmap.c folio_mkclean/page_mkclean_one):
 *     folio_mkclean(): if page_mapped() (mapcount > 0) — the rmap walk —
 *       take the PTL; a present dirty or writable pte of the page is
 *       ptep_clear_flush()ed (clear + TLB flush) and set back clean and
 *       write-protected; drop the PTL; if it processed a pte (dirty *or*
 *       writable: page_vma_mkclean_one() counts both), folio_mark_dirty();
 *     if test_and_clear(PG_dirty): the capture — read the contents, store
 *     them to disk.
 *   Its OpMark carries ConsumerSpec `writeback` with the locations, for the
 *   lost-write invariant (src/compare/invariants.ts).
 * - user_write(): a user store to the page through the MMU: page walk for a
 *   write (mmu.ts), then the store through the TLB (IRQs off around the
 *   lookup and the store: one instruction); a miss does not write (the write
 *   would fault, and the fault path's write notification — page_mkwrite,
 *   do_wp_page — is not modelled).
 * Omitted: the page cache and its locks, the writeback flag/page lock
 * (folio_lock, folio_start_writeback), the anon_vma/i_mmap locks of the rmap
 * walk (mapcount stands for it), mmu notifiers, large folios, the walker
 * setting the D bit (the pte starts dirty and writable).
 * Thread: Nadav Amit's stale-TLB dirty-loss report (2022-10/11) and
 * Linus Torvalds, "[PATCH 4/4] mm: delay page_remove_rmap() until after the
 * TLB has been flushed", 2022-11-08 <20221108194139.57604-4-torvalds@linux-foundation.org>
 * (commit 5df397dec7c4, v6.1).
 */
import type { Location, Program } from '../../machine';
import {
  READ_ONCE,
  WRITE_ONCE,
  atomic_update,
  begin,
  end,
  flush_tlb,
  local_irq_restore,
  local_irq_save,
  put_page,
  spin_lock,
  spin_unlock,
} from '../../machine';
import type { Pte } from '../arch';
import { hw_walk, tlb_use } from './mmu';
import type { ConsumerSpec, PteOps } from './ops';

/** PG_dirty in the folio flags word (the model's bit; the kernel's number is irrelevant here). */
export const PG_DIRTY = 1n;

/** A shared file page. */
export interface FileFolio {
  readonly pfn: bigint;
  /** folio->flags (PG_dirty) */
  readonly flags: Location;
  /** folio->_mapcount + 1: how many ptes map it (what the rmap walk finds) */
  readonly mapcount: Location;
  /** the page contents */
  readonly data: Location;
  /** the file's block on disk */
  readonly disk: Location;
}

export type RmapEra = 'v6.0' | 'v6.1';
export const RMAP_ERAS: readonly RmapEra[] = ['v6.0', 'v6.1'];

const folio_mark_dirty = (f: FileFolio) => atomic_update('folio_mark_dirty', f.flags, (o) => o | PG_DIRTY, 'full');
const page_remove_rmap = (f: FileFolio) => atomic_update('page_remove_rmap', f.mapcount, (o) => o - 1n, 'full');

export function* zap_pte_range_file<P extends Pte>(
  ops: PteOps<P>,
  p: P,
  ptl: Location,
  f: FileFolio,
  era: RmapEra,
): Program {
  yield begin({ name: 'zap_pte_range', role: 'other', subject: p.name, args: era === 'v6.1' ? 'delay_rmap' : '' });
  yield spin_lock(ptl);
  const cur = yield* ops.readLocked(p);
  let gathered = false;
  let forceFlush = false;
  let delayRmap = false;
  if (ops.arch.present(cur)) {
    const old = yield* ops.getAndClear(p);
    gathered = true;
    if (ops.arch.dirty(old)) {
      forceFlush = true;
      yield folio_mark_dirty(f);
    }
    if (era === 'v6.1' && forceFlush) delayRmap = true;
    else yield page_remove_rmap(f);
  }
  if (forceFlush) {
    yield flush_tlb('tlb_flush_mmu_tlbonly');
    if (delayRmap) yield page_remove_rmap(f); // tlb_flush_rmaps()
  }
  yield spin_unlock(ptl);
  if (gathered) {
    if (!forceFlush) yield flush_tlb('tlb_finish_mmu');
    yield put_page(f.pfn);
  }
  yield end();
}

export function* writeback<P extends Pte>(
  ops: PteOps<P>,
  p: P,
  ptl: Location,
  f: FileFolio,
  wrprotect: (v: bigint) => bigint,
): Program {
  const a = ops.arch;
  const spec: ConsumerSpec = {
    consumer: 'writeback',
    pfn: f.pfn,
    flags: f.flags.id,
    dirtyBit: PG_DIRTY,
    data: f.data.id,
    disk: f.disk.id,
  };
  yield begin({ name: 'folio_clear_dirty_for_io', role: 'other', subject: p.name, spec });
  // folio_mkclean(): the rmap walk finds the mapping only while the mapcount says so
  yield begin({ name: 'folio_mkclean', role: 'other', subject: p.name });
  let cleaned = false;
  if ((yield READ_ONCE(f.mapcount)) > 0n) {
    yield spin_lock(ptl);
    const cur = yield* ops.readLocked(p);
    if (a.present(cur) && a.pfn(cur) === f.pfn && (a.dirty(cur) || a.write(cur))) {
      const old = yield* ops.getAndClear(p); // ptep_clear_flush()
      yield flush_tlb('flush_tlb_page');
      yield* ops.setPteAt(p, wrprotect(a.mkclean(old)));
      cleaned = true; // page_vma_mkclean_one(): ret = 1 for every pte it processed, dirty or only writable
    }
    yield spin_unlock(ptl);
  }
  yield end();
  if (cleaned) yield folio_mark_dirty(f);
  const was = yield atomic_update('folio_test_clear_dirty', f.flags, (o) => o & ~PG_DIRTY, 'full');
  if ((was & PG_DIRTY) !== 0n) {
    const contents = yield READ_ONCE(f.data);
    yield WRITE_ONCE(f.disk, contents);
  }
  yield end();
}

/** A user store of `value` to the page at `key`: walk for a write, then through the TLB. */
export function* user_write<P extends Pte>(
  ops: PteOps<P>,
  p: P,
  key: string,
  f: FileFolio,
  value: bigint,
  read: (p: P) => Program<bigint>,
): Program {
  yield begin({ name: 'user write', role: 'other', subject: p.name, args: `${key} = 0x${value.toString(16)}` });
  yield* hw_walk(ops, p, key, read, true);
  // the translation and the store are one instruction: no flush IPI is taken between them
  yield local_irq_save();
  const pfn = yield* tlb_use(key);
  if (pfn === f.pfn) yield WRITE_ONCE(f.data, value);
  yield local_irq_restore();
  yield end();
}
