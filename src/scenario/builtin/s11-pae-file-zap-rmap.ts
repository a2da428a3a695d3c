/**
 * DOMAIN §C S11 — a stale writable TLB entry vs dirty tracking of a shared
 * file page (KNOWN REAL, fixed in v6.1).
 * Source: Linus Torvalds, "[PATCH 4/4] mm: delay page_remove_rmap() until
 * after the TLB has been flushed", 2022-11-08
 * <20221108194139.57604-4-torvalds@linux-foundation.org>, commit 5df397dec7c4
 * (v6.1), after Nadav Amit's stale-TLB dirty-loss report in the same
 * discussion (Oct 2022). Claim: zap_pte_range() removed the rmap of a dirty
 * shared page *before* the TLB flush, so folio_mkclean() (writeback) no
 * longer found the mapping and did not serialise on the PTL: it could clean
 * the folio and write it out while another CPU still wrote to the page
 * through its stale, writable, dirty TLB entry — that write is lost. Fixed by
 * delaying the rmap removal until after the flush, both before the PTL is
 * dropped (force_flush + tlb_flush_rmaps).
 *
 * CPUs (x86 PAE, IPI flush, tso): 0 = zap_pte_range of the dirty shared pte
 * (`early-rmap`: v6.0; `delayed-rmap`: v6.1), file.ts; 1 = a user write of
 * 0x2 to the page: a page walk for a write (its atomic 64-bit pte read is the
 * reader under test, `ptep_get_atomic64` — S11 is about the zap, not about a
 * lockless reader) and a store through the TLB; 2 = writeback:
 * folio_clear_dirty_for_io() (folio_mkclean through the rmap, then
 * test-and-clear PG_dirty) and the capture of the contents to disk.
 * Initially the pte maps pfn 0x1000500050 dirty and writable, the folio's
 * PG_dirty is clear (the dirt is in the pte), mapcount 1, contents 0x1, disk
 * 0x0. Oracle (invariants.ts, lost write): at the end the contents are on
 * disk, or the folio is dirty, or a dirty pte maps it.
 * v6.0 witness (test/unit/consumers-tlb.test.ts): 1 walks the pte into its
 * TLB | 0 clears the pte, marks the folio dirty, removes the rmap | 2 finds
 * the page unmapped, test-and-clears PG_dirty, captures 0x1 | 1 writes 0x2
 * through its stale TLB entry | 0 flushes, unlocks: contents 0x2, disk 0x1,
 * folio clean, pte none → lost-dirty.
 *
 * The two variants are the `.scn` texts of
 * corpus/mailing-list/s11-pae-file-zap-{early,delayed}-rmap.scn (kept identical
 * to them by test/unit/scenario-language.test.ts), so their witnesses get the
 * minimizer's program passes. Every execution is the one the TypeScript
 * scenarios they replaced gave; display only, the folio's contents and disk
 * words are `folio_data` and `folio_disk` (were `page_data` and `disk`).
 */
import type { RmapEra } from '../../kernel';
import type { SettingsByName } from '../types';

/** The comment both variants' texts start with: the thread, the CPUs and the oracle. */
const HEADER = `# DOMAIN §C S11 — a stale writable TLB entry vs dirty tracking of a shared file
# page (KNOWN REAL, fixed in v6.1). Linus Torvalds, "[PATCH 4/4] mm: delay
# page_remove_rmap() until after the TLB has been flushed", after Nadav Amit's
# stale-TLB dirty-loss report (Oct 2022): zap_pte_range() removed the rmap of a
# dirty shared page *before* the TLB flush, so folio_mkclean() no longer found the
# mapping and did not serialise on the PTL: writeback could clean the folio and
# write it out while another CPU still wrote through its stale, writable, dirty
# TLB entry — that write is lost. Fixed by delaying the rmap removal until after
# the flush, both before the PTL is dropped.
# CPU0 zaps the dirty shared pte; CPU1 writes 0x2 to the page (a page walk for a
# write — its atomic read is the reader under test — and a store through the
# TLB); CPU2 runs writeback. Initially the pte maps the folio dirty and writable,
# PG_dirty is clear, mapcount 1, contents 0x1, disk 0x0. Oracle (lost write): at
# the end the contents are on disk, or the folio is dirty, or a dirty pte maps it.
`;

const ERAS: readonly RmapEra[] = ['v6.0', 'v6.1'];

const variantName = (era: RmapEra): string => `s11-pae-file-zap-${era === 'v6.0' ? 'early' : 'delayed'}-rmap`;

/** The `.scn` text of a variant: v6.0's zap removes the rmap before the flush (bug), v6.1's after it. */
function variantText(era: RmapEra): string {
  const bug = era === 'v6.0';
  return `${HEADER}# This variant: zap_pte_range() of ${era}.
scenario ${variantName(era)}
title "${
    bug
      ? 'PAE: S11 before v6.1 — page_remove_rmap() before the TLB flush, writeback vs a stale writable TLB entry'
      : 'PAE: S11 since v6.1 (5df397dec7c4) — rmap removal delayed until after the TLB flush'
  }"
source "Linus Torvalds, \\"[PATCH 4/4] mm: delay page_remove_rmap() until after the TLB has been flushed\\", 2022-11-08, <20221108194139.57604-4-torvalds@linux-foundation.org>, commit 5df397dec7c4 (v6.1); Nadav Amit's stale-TLB report, Oct 2022"
claim "${
    bug
      ? 'KNOWN REAL (pre-v6.1): with the rmap removed before the flush, writeback cleans and writes out the folio while a stale writable TLB entry still writes to it — the write is lost'
      : 'fixed: the rmap is removed only after the flush, before the PTL is dropped, so writeback either serialises on the PTL or runs after every stale TLB entry is gone'
  }"
arch x86-pae
model tso
flush ipi
pte pte = {0x00010005:0x00050067} # maps pfn 0x1000500050, dirty, writable
folio folio pfn=0x1000500050 flags=0 mapcount=1 data=0x1 disk=0x0
page 0x1000500050 ref 2 # the mapping's reference and the page cache's

reader ptep_get_atomic64 expect ${bug ? 'bug' : 'correct'}

cpu CPU0 "zap_pte_range (${era})" {
  zap_pte_range_file(pte, folio, rmap=${era})
}

cpu CPU1 "user write($reader)" {
  user_write(pte, va, folio, 0x2)
}

cpu CPU2 "writeback" {
  writeback(pte, folio)
}
`;
}

export const [S11_EARLY_RMAP_SCN, S11_DELAYED_RMAP_SCN] = ERAS.map(variantText) as [string, string];

/** The variants' settings, shown by `ptefuzz list` (the language has no statement for them). */
export const S11_SETTINGS: SettingsByName = Object.fromEntries(
  ERAS.map((era) => [
    variantName(era),
    { flush: 'ipi', rmap: era === 'v6.0' ? 'before flush (v6.0)' : 'after flush (v6.1)' },
  ]),
);
