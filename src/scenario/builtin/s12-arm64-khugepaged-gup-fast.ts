/**
 * DOMAIN §C S12 — khugepaged retracting a pte table vs GUP-fast walking it
 * (KNOWN REAL, fixed in 2022).
 * Source: Jann Horn, "mm/khugepaged: fix GUP-fast interaction by sending
 * IPI", commit 2ba99c5e0881 (Nov/Dec 2022, Cc: stable). Claim: GUP-fast's
 * pmd recheck (70cbc3cc78a9) catches a *changed* pmd, but GUP-fast still
 * needs the pte table not to be freed or reused while it reads it; on arches
 * whose TLB flush does not IPI (RCU table freeing: arm64, x86 paravirt)
 * pmdp_collapse_flush() does not wait for IRQs-off GUP-fast, so khugepaged
 * could free the table under it. Fix: tlb_remove_table_sync_one() — an IPI
 * GUP-fast holds up — after the collapse, before the table is freed/reused.
 *
 * CPUs (arm64, broadcast TLBI, weak): 0 = GUP-fast(FOLL_WRITE) with the pmd
 * level: IRQs off, READ_ONCE(pmd) → table T, pte_offset_map(T), the pte read
 * (the reader under test), try_grab_folio, pmd recheck, pte recheck (__ptep_get);
 * 1 = khugepaged collapse_file: try_to_unmap of the small page, then
 * pmdp_collapse_flush (pmd cleared, broadcast flush), [`-ipi`:
 * tlb_remove_table_sync_one()], pte_free(T); 2 = the table page's next owner
 * (`reuse_page`): alloc_page() (it gets T once freed) and a store of a
 * valid-looking descriptor of somebody else's page (pfn 0x666) into it.
 * Oracle (invariants.ts, use-after-free): a walker never reads a table page
 * at another generation than the one it took with pte_offset_map().
 * Pre-fix witness (test/unit/consumers-tlb.test.ts): 0 reads the pmd, maps T |
 * 1 unmaps the page, clears the pmd, flushes (nobody waits), frees T | 0 reads
 * the pte from the freed table → use-after-free (with the reuse: GUP-fast
 * reads 0x666's descriptor, grabs pfn 0x666, and only the pmd recheck saves
 * it). The PAE pmd-halves variant (Hugh Dickins 2023) is not modelled.
 *
 * The two variants are the `.scn` texts of
 * corpus/mailing-list/s12-arm64-khugepaged-gup-fast{,-ipi}.scn (kept identical
 * to them by test/unit/scenario-language.test.ts), so their witnesses get the
 * minimizer's program passes. Every execution is the one the TypeScript
 * scenarios they replaced gave; display only, the reference names the pte
 * after its `pte` line (`pte`, was `ptes`).
 */
import type { RetractSync } from '../../kernel';
import type { SettingsByName } from '../types';

/** The comment both variants' texts start with: the thread, the CPUs and the oracle. */
const HEADER = `# DOMAIN §C S12 — khugepaged retracting a pte table vs GUP-fast walking it
# (KNOWN REAL, fixed in 2022). Jann Horn, "mm/khugepaged: fix GUP-fast
# interaction by sending IPI" (2ba99c5e0881): GUP-fast's pmd recheck
# (70cbc3cc78a9) catches a *changed* pmd, but GUP-fast still needs the pte table
# not to be freed or reused while it reads it; where the TLB flush does not IPI
# (arm64, x86 paravirt) pmdp_collapse_flush() does not wait for IRQs-off
# GUP-fast, so khugepaged could free the table under it. Fix:
# tlb_remove_table_sync_one() after the collapse, before the table is freed.
# CPU0 GUP-fast with the pmd level (pmd → table 0x7000, the pte read is the reader
# under test, pmd and pte rechecks); CPU1 khugepaged collapse_file; CPU2 the table
# page's next owner, storing somebody else's descriptor (pfn 0x666) into it.
# Oracle (use-after-free): a walker never reads a table page at another
# generation than the one it took with pte_offset_map(). The PAE pmd-halves
# variant (Hugh Dickins 2023) is not modelled.
`;

const SYNCS: readonly RetractSync[] = ['none', 'ipi'];

const variantName = (sync: RetractSync): string => `s12-arm64-khugepaged-gup-fast${sync === 'ipi' ? '-ipi' : ''}`;

/** The `.scn` text of a variant: before the fix (no sync IPI: bug) or with tlb_remove_table_sync_one(). */
function variantText(sync: RetractSync): string {
  const fixed = sync === 'ipi';
  const e = fixed ? 'correct' : 'bug';
  return `${HEADER}# This variant: ${fixed ? 'with tlb_remove_table_sync_one()' : 'before the fix (no sync IPI)'}.
scenario ${variantName(sync)}
title "${
    fixed
      ? 'arm64: S12 with tlb_remove_table_sync_one() (2ba99c5e0881) — khugepaged waits for GUP-fast before freeing the pte table'
      : 'arm64: S12 before 2ba99c5e0881 — khugepaged frees a pte table under GUP-fast (broadcast TLBI)'
  }"
source "Jann Horn, \\"mm/khugepaged: fix GUP-fast interaction by sending IPI\\", commit 2ba99c5e0881, 2022-11/12 (stable backports); Yang Shi, \\"mm: gup: fix the fast GUP race against THP collapse\\", 70cbc3cc78a9, 2022-09"
claim "${
    fixed
      ? 'fixed: the IPI after pmdp_collapse_flush() waits for IRQs-off GUP-fast, so the table is freed only after the walk'
      : 'KNOWN REAL: with a flush that waits for nobody, khugepaged frees the pte table while GUP-fast still reads it'
  }"
arch arm64
model weak
flush broadcast
pte pte = 0x00e8000001234f43 # pfn 0x1234, writable, young, dirty
pmd pmd = 0x0000000007000003 # table descriptor: the pte table is page 0x7000
page 0x1234 ref 2
page 0x7000 ref 1 table pte # the pte-table page holds pte

reader __ptep_get expect ${e}
reader contpte_ptep_get_lockless expect ${e}

cpu CPU0 "gup_fast($reader)" {
  gup_fast(pte, pmd=pmd)
}

cpu CPU1 "khugepaged" {
  khugepaged_collapse_file(pte, pmd, sync=${sync})
}

cpu CPU2 "next owner of the page" {
  reuse_page(0x7000, pte, 0x00e8000000666f43) # alloc_page(); if it is the old table, a descriptor of pfn 0x666
}
`;
}

export const [S12_SCN, S12_IPI_SCN] = SYNCS.map(variantText) as [string, string];

/** The variants' settings, shown by `ptefuzz list` (the language has no statement for them). */
export const S12_SETTINGS: SettingsByName = Object.fromEntries(
  SYNCS.map((sync) => [
    variantName(sync),
    { flush: 'broadcast', sync: sync === 'ipi' ? 'tlb_remove_table_sync_one' : 'none' },
  ]),
);
