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
 * tlb_remove_table_sync_one()], pte_free(T); 2 = the table page's next owner:
 * alloc_page() (it gets T once freed) and a store of a valid-looking
 * descriptor of somebody else's page (pfn 0x666) into it.
 * Oracle (invariants.ts, use-after-free): a walker never reads a table page
 * at another generation than the one it took with pte_offset_map().
 * Pre-fix witness (test/unit/consumers-tlb.test.ts): 0 reads the pmd, maps T |
 * 1 unmaps the page, clears the pmd, flushes (nobody waits), frees T | 0 reads
 * the pte from the freed table → use-after-free (with the reuse: GUP-fast
 * reads 0x666's descriptor, grabs pfn 0x666, and only the pmd recheck saves
 * it). The PAE pmd-halves variant (Hugh Dickins 2023) is not modelled.
 */
import { LocationTable } from '../../machine';
import type { Arm64Ptep, ReaderDef, RetractSync } from '../../kernel';
import {
  arm64Mk,
  arm64Ops,
  arm64PmdTable,
  arm64PmdTableOf,
  arm64Ptep,
  contpteModel,
  gup_fast,
  khugepaged_collapse_file,
} from '../../kernel';
import type { BuiltScenario, Expectation, Scenario } from '../types';
import { unqualified } from '../types';
import { WRITE_ONCE, alloc_page } from '../../machine';

export const S12_PAGE = 0x1234n;
export const S12_TABLE = 0x7000n;
export const S12_GARBAGE = arm64Mk(0x666n, { write: true, young: true, dirty: true });

function s12(sync: RetractSync): Scenario {
  const fixed = sync === 'ipi';
  const e: Expectation = fixed ? 'correct' : 'bug';
  return {
    name: `s12-arm64-khugepaged-gup-fast${fixed ? '-ipi' : ''}`,
    title: fixed
      ? 'arm64: S12 with tlb_remove_table_sync_one() (2ba99c5e0881) — khugepaged waits for GUP-fast before freeing the pte table'
      : 'arm64: S12 before 2ba99c5e0881 — khugepaged frees a pte table under GUP-fast (broadcast TLBI)',
    arch: 'arm64',
    model: 'weak',
    readers: ['__ptep_get', 'contpte_ptep_get_lockless'],
    source:
      'Jann Horn, "mm/khugepaged: fix GUP-fast interaction by sending IPI", commit 2ba99c5e0881, 2022-11/12 (stable backports); Yang Shi, "mm: gup: fix the fast GUP race against THP collapse", 70cbc3cc78a9, 2022-09',
    claim: fixed
      ? 'fixed: the IPI after pmdp_collapse_flush() waits for IRQs-off GUP-fast, so the table is freed only after the walk'
      : 'KNOWN REAL: with a flush that waits for nobody, khugepaged frees the pte table while GUP-fast still reads it',
    expect: unqualified({ __ptep_get: e, contpte_ptep_get_lockless: e }),
    consumer: 'gup_fast',
    settings: { flush: 'broadcast', sync: fixed ? 'tlb_remove_table_sync_one' : 'none' },
    build(reader: ReaderDef): BuiltScenario {
      const initial = arm64Mk(S12_PAGE, { write: true, young: true, dirty: true });
      const locations = new LocationTable();
      const pte0 = locations.add('pte0', 64, initial);
      const ptl = locations.add('ptl', 32, 0n);
      const pmd = locations.add('pmd', 64, arm64PmdTable(S12_TABLE));
      const pmdLock = locations.add('page_table_lock', 32, 0n);
      const model = contpteModel([pte0], [initial], 0);
      const p = arm64Ptep('ptes', [pte0], 0);
      const read = reader.read as (p: Arm64Ptep) => ReturnType<ReaderDef['read']>;
      const table = { pmd, pmdLock, pfn: S12_TABLE };
      return {
        locations,
        subject: { name: 'ptes', initial: model.view([initial]), locIds: model.locIds, entries: model },
        flush: 'broadcast',
        pages: [
          { pfn: S12_PAGE, ref: 2 },
          { pfn: S12_TABLE, ref: 1, locs: [pte0.id] },
        ],
        cpus: [
          {
            name: `CPU0: gup_fast(${reader.name})`,
            program: () => gup_fast(arm64Ops, p, read, { pmd: { loc: pmd, table: arm64PmdTableOf } }),
          },
          {
            name: 'CPU1: khugepaged',
            program: () => khugepaged_collapse_file(arm64Ops, p, ptl, table, sync),
          },
          {
            name: 'CPU2: next owner of the page',
            program: function* () {
              if ((yield alloc_page()) === S12_TABLE) yield WRITE_ONCE(pte0, S12_GARBAGE);
            },
          },
        ],
      };
    },
  };
}

export const s12Arm64KhugepagedGupFast = s12('none');
export const s12Arm64KhugepagedGupFastIpi = s12('ipi');
