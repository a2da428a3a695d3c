/**
 * DOMAIN §C S3 — a zap racing the fault path's lockless read: benign garbage.
 * Source: David Hildenbrand, Re: "[RFC PATCH v1 0/4] Reduce cost of
 * ptep_get_lockless on arm64", 2024-04-10/15 <3e50030d-2289-4470-a727-a293baa21618@redhat.com>:
 * "(2) Lockless page table walkers that later verify under the PTL can handle
 * serious 'garbage PTEs'. This is our page fault handler."; mm/memory.c
 * pte_unmap_same(): on PAE orig_pte "was read non-atomically".
 *
 * CPUs: A = handle_pte_fault (read fault) whose lockless read is the reader
 * under test; B = pte_clear (low = 0, wmb, high = 0) of the present pte under
 * the PTL (the teardown path; DOMAIN §C S3's writer). A may read {h1:0} —
 * neither none nor present — and take it for a swap entry: do_swap_page() →
 * pte_unmap_same() takes the PTL, finds the pte changed, bails.
 * Claim: benign — nothing is committed from the garbage value (the commit
 * invariant), whatever the reader returned. `ptep_get` (no retry) can also
 * return the present torn {0:l1}: a reader-contract divergence, but the fault
 * path's PTL recheck still rejects it.
 *
 * The scenario is the `.scn` text of corpus/mailing-list/s3-pae-fault-garbage.scn
 * (kept identical to it by test/unit/scenario-language.test.ts), so its
 * witnesses get the minimizer's program passes. Every execution is the one the
 * TypeScript scenario it replaced gave (CPU, location and subject names included).
 */
import type { SettingsByName } from '../types';

export const S3_SCN = `# DOMAIN §C S3 — a zap racing the fault path's lockless read: benign garbage.
# Thread claim (David Hildenbrand, 2024-04-15): "(2) Lockless page table walkers
# that later verify under the PTL can handle serious 'garbage PTEs'. This is our
# page fault handler." mm/memory.c pte_unmap_same(): on PAE orig_pte "was read
# non-atomically". The fault path may read {h1:0} (neither none nor present),
# take it for a swap entry, and do_swap_page() -> pte_unmap_same() takes the
# PTL, finds the pte changed and bails: nothing is committed (the commit
# invariant). ptep_get (no retry) can also return the present torn {0:l1}: a
# reader-contract divergence, which the PTL recheck still rejects.
scenario s3-pae-fault-garbage
title "PAE: pte_clear racing the fault path — garbage read, PTL recheck bails (S3)"
source "David Hildenbrand, Re: \\"[RFC PATCH v1 0/4] Reduce cost of ptep_get_lockless on arm64\\", 2024-04-15 <3e50030d-2289-4470-a727-a293baa21618@redhat.com>; mm/memory.c pte_unmap_same()"
claim "benign: the fault path may read a non-present garbage value, but its PTL recheck fails and nothing is committed"
arch x86-pae
model tso
pte pte = {0x00010001:0x00010067} # maps pfn 0x1000100010 (P RW US A D)
page 0x1000100010 ref 1
page 0x1000400040 ref 0 # a free page for do_swap_page / do_anonymous_page

reader ptep_get_lockless expect benign
reader ptep_get expect bug
reader ptep_get_atomic64 expect correct

cpu A "fault($reader)" {
  handle_pte_fault(pte) # read fault: orig_pte = the reader under test
}

cpu B "pte_clear under the PTL" {
  spin_lock(ptl)
  pte_clear(pte) # low = 0; smp_wmb(); high = 0
  spin_unlock(ptl)
}
`;

/** Its settings, shown by `ptefuzz list` (the language has no statement for them). */
export const S3_SETTINGS: SettingsByName = { 's3-pae-fault-garbage': { fault: 'read', same: 'pte_same' } };
