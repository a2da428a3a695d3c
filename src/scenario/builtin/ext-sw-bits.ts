/**
 * Ryan Roberts' "extended SW bits" (mailing-list/002): Re: "[PATCH v1 0/5]
 * arm64/mm: uffd write-protect and soft-dirty tracking", 2024-04-19,
 * <24999e38-e4f7-4616-8eae-dfdeba327558@arm.com>. Claim: with SW bits in a
 * region linked from struct ptdesc, "it is not possible to read the HW pte
 * and the extended SW bits atomically so it is impossible to implement
 * ptep_get_lockless() in its current form" — the experiment was abandoned.
 *
 * The pte: HW descriptor (pfn 0x40, present) and its extended SW word
 * (soft-dirty set). CPU B zaps it (xchg HW, clear SW) and a fault installs
 * pfn 0x41 with a clean SW word (SW, smp_wmb, HW — the order most favourable
 * to the reader). The reader (HW, smp_rmb, SW) can pair the old HW pte with
 * the new SW word: a present pte the reference never held — torn, under sc.
 *
 * The scenario is the `.scn` text of corpus/mailing-list/ext-sw-bits-zap-refault.scn
 * (kept identical to it by test/unit/scenario-language.test.ts), so its
 * witnesses get the minimizer's program passes. One difference from the
 * TypeScript scenario it replaced: the memory also holds the PTL every `.scn`
 * scenario declares (after the pte's two words; nothing takes it), so every
 * execution is the same.
 */
export const EXT_SW_SCN = `# Ryan Roberts' "extended SW bits" (mailing-list/002), an appendix to his uffd-wp
# / soft-dirty series: an "extended SW bits" region linked by the struct ptdesc
# would give more SW bits per pte, but "2) it is not possible to read the HW pte
# and the extended SW bits atomically so it is impossible to implement
# ptep_get_lockess() in its current form. So I've abandoned this experiment."
# The pte: HW descriptor (pfn 0x40, present) and its extended SW word (soft-dirty
# set). CPU B zaps it (xchg HW, clear SW) and a fault installs pfn 0x41 with a
# clean SW word (SW, smp_wmb, HW — the order most favourable to the reader). The
# reader (HW, smp_rmb, SW) can pair the old HW pte with the new SW word: a present
# pte the reference never held — torn, even under sc. The store and load orders
# are assumptions: the experiment was never posted.
scenario ext-sw-bits-zap-refault
title "arm64 pte + extended SW bits in a separate location: zap → refault vs a lockless read"
source "Ryan Roberts, Re: \\"[PATCH v1 0/5] arm64/mm: uffd write-protect and soft-dirty tracking\\", 2024-04-19, <24999e38-e4f7-4616-8eae-dfdeba327558@arm.com>"
claim "the HW pte and the extended SW bits cannot be read atomically: ptep_get_lockless() is impossible (torn)"
arch arm64-ext-sw
model weak
pte pte = {0x0000000000000001:0x0068000000040fc3} # {sw:hw}: soft-dirty; pfn 0x40, writable, young

reader ptep_get_ext_sw expect bug

cpu A "$reader" {
  reader(pte)
}

cpu B "zap, refault" {
  ptep_get_and_clear_ext_sw(pte)
  set_pte_ext_sw(pte, {0x0000000000000000:0x0068000000041fc3}) # pfn 0x41, clean SW word
}
`;
