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
 */
import { LocationTable } from '../../machine';
import type { PaePte, ReaderDef, RmapEra } from '../../kernel';
import { PAE, highOf, lowOf, paeMk, paeOps, paePte, user_write, writeback, zap_pte_range_file } from '../../kernel';
import type { BuiltScenario, Expectation, Scenario } from '../types';
import { unqualified } from '../types';

export const S11_PFN = 0x10005_00050n;

function s11(era: RmapEra): Scenario {
  const bug = era === 'v6.0';
  const e: Expectation = bug ? 'bug' : 'correct';
  return {
    name: `s11-pae-file-zap-${bug ? 'early' : 'delayed'}-rmap`,
    title: bug
      ? 'PAE: S11 before v6.1 — page_remove_rmap() before the TLB flush, writeback vs a stale writable TLB entry'
      : 'PAE: S11 since v6.1 (5df397dec7c4) — rmap removal delayed until after the TLB flush',
    arch: 'x86-pae',
    model: 'tso',
    readers: ['ptep_get_atomic64'],
    source:
      'Linus Torvalds, "[PATCH 4/4] mm: delay page_remove_rmap() until after the TLB has been flushed", 2022-11-08, <20221108194139.57604-4-torvalds@linux-foundation.org>, commit 5df397dec7c4 (v6.1); Nadav Amit\'s stale-TLB report, Oct 2022',
    claim: bug
      ? 'KNOWN REAL (pre-v6.1): with the rmap removed before the flush, writeback cleans and writes out the folio while a stale writable TLB entry still writes to it — the write is lost'
      : 'fixed: the rmap is removed only after the flush, before the PTL is dropped, so writeback either serialises on the PTL or runs after every stale TLB entry is gone',
    expect: unqualified({ ptep_get_atomic64: e }),
    consumer: 'user_write',
    settings: { flush: 'ipi', rmap: bug ? 'before flush (v6.0)' : 'after flush (v6.1)' },
    build(reader: ReaderDef): BuiltScenario {
      const initial = paeMk(S11_PFN);
      const locations = new LocationTable();
      const low = locations.add('pte_low', 32, lowOf(initial));
      const high = locations.add('pte_high', 32, highOf(initial));
      const ptl = locations.add('ptl', 32, 0n);
      const folio = {
        pfn: S11_PFN,
        flags: locations.add('folio_flags', 32, 0n),
        mapcount: locations.add('folio_mapcount', 32, 1n),
        data: locations.add('page_data', 32, 1n),
        disk: locations.add('disk', 32, 0n),
      };
      const pte = paePte('pte', low, high);
      const read = reader.read as (p: PaePte) => ReturnType<ReaderDef['read']>;
      return {
        locations,
        subject: { name: 'pte', initial, locIds: [low.id, high.id] },
        flush: 'ipi',
        // the mapping's reference and the page cache's
        pages: [{ pfn: S11_PFN, ref: 2 }],
        cpus: [
          { name: `CPU0: zap_pte_range (${era})`, program: () => zap_pte_range_file(paeOps, pte, ptl, folio, era) },
          { name: `CPU1: user write(${reader.name})`, program: () => user_write(paeOps, pte, 'va', folio, 2n, read) },
          {
            name: 'CPU2: writeback',
            program: () => writeback(paeOps, pte, ptl, folio, (v) => v & ~PAE.RW),
          },
        ],
      };
    },
  };
}

export const s11PaeFileZapEarlyRmap = s11('v6.0');
export const s11PaeFileZapDelayedRmap = s11('v6.1');
