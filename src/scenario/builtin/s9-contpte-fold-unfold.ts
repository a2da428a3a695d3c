/**
 * DOMAIN §C S9 — contpte fold/unfold racing `contpte_ptep_get_lockless()`
 * (CLAIMED CORRECT; OPEN on the 2025 early termination and on the missing
 * read barriers).
 * Sources: Ryan Roberts, "[RFC PATCH v1 0/4] Reduce cost of
 * ptep_get_lockless on arm64", 2024-02-15,
 * <20240215121756.2734131-1-ryan.roberts@arm.com>, and his 2024-04-11 reply
 * <81aa23ca-18b1-4430-9ad1-00a2c5af8fc2@arm.com> ("all fields … self-consistent
 * except for access and dirty"); the comment above contpte_ptep_get_lockless()
 * (arch/arm64/mm/contpte.c, v6.9); Xavier Xia's 2025 loop optimisation;
 * Mikołaj Lenczewski, "arm64/mm: Elide tlbi in contpte_convert() under BBML2"
 * (83bbd6be7d17, 2025).
 * Claim: the reader returns the old folded value (A/D OR-ed over the old
 * block), the new non-CONT value, or retries — never a value mixing pfn/prot
 * of two generations. Open: with early termination the entries after the
 * point where dirty and young were both found are not validated, and there
 * are no read barriers between the loads.
 *
 * Block of 4 (pfn 0x40…, writable, clean; pte3 young), reader on pte1. CPU B,
 * holding the PTL: unfold (contpte_convert to non-CONT, with the TLBI+DSB, or
 * without it under BBML2), then refold (__contpte_try_fold). CPU C: a CPU with
 * FEAT_HAFDBS writing to the folio through the contiguous TLB entry —
 * hardware DBM dirtying of any entry (a choice), at any time.
 *
 * The two variants are the `.scn` texts of
 * corpus/mailing-list/s9-contpte-fold-unfold{,-bbml2}.scn (kept identical to
 * them by test/unit/scenario-language.test.ts), so their witnesses get the
 * minimizer's program passes. One difference from the TypeScript scenarios
 * they replaced, display only: the reference names the block after its `pte`
 * line (`pte`, was `ptes`); every execution is the same.
 */
/** The comment both variants' texts start with: the thread, the claim and the open points. */
const HEADER = `# DOMAIN §C S9 — contpte fold/unfold racing contpte_ptep_get_lockless() (CLAIMED
# CORRECT; OPEN on the 2025 early termination and the missing read barriers).
# Ryan Roberts (2024-02-15 series; 2024-04-11: "all fields … self-consistent
# except for access and dirty"); the comment above contpte_ptep_get_lockless()
# (arch/arm64/mm/contpte.c, v6.9); Xavier Xia's 2025 early termination; Mikołaj
# Lenczewski, "arm64/mm: Elide tlbi in contpte_convert() under BBML2" (2025).
# Claim: the reader returns the old folded value (A/D OR-ed over the old block),
# the new non-CONT value, or retries — never pfn/prot of two generations. Open:
# entries after the point where dirty and young were both found are not
# validated, and there are no read barriers between the loads.
# Block of 4 (pfn 0x40…, writable, clean; pte3 young), reader on pte1. CPU B
# (PTL held): unfold, then refold. CPU C: hardware DBM dirtying of any entry.
`;

/** The `.scn` text of a variant: contpte_convert with its TLBI+DSB, or without it (BBML2). */
function variantText(tlbi: boolean): string {
  const args = tlbi ? '' : ', tlbi=false';
  return `${HEADER}# This variant: contpte_convert ${tlbi ? 'with its TLBI+DSB' : 'without the TLBI (BBML2+noabort)'}.
scenario s9-contpte-fold-unfold${tlbi ? '' : '-bbml2'}
title "arm64 contpte (4 ptes): unfold + refold${tlbi ? '' : ' without TLBI (BBML2)'} vs the lockless gather of pte1 (S9)"
source "Ryan Roberts, \\"[RFC PATCH v1 0/4] Reduce cost of ptep_get_lockless on arm64\\", 2024-02-15, <20240215121756.2734131-1-ryan.roberts@arm.com>; 2024-04-11 <81aa23ca-18b1-4430-9ad1-00a2c5af8fc2@arm.com>"
claim "CLAIMED CORRECT: non-A/D fields from one generation; OPEN: early termination and no read barriers — A/D may mix generations"
arch arm64
model weak
pte pte = [0x0078000000040bc3, 0x0078000000041bc3, 0x0078000000042bc3, 0x0078000000043fc3] # CONT, writable, clean; pte3 young

reader contpte_ptep_get_lockless expect correct
reader contpte_ptep_get_lockless@2025 expect correct
reader contpte_ptep_get expect benign
reader contpte_ptep_get@2025 expect benign
reader __ptep_get expect benign

cpu A "$reader(pte1)" {
  reader(pte[1])
}

cpu B "unfold, refold${tlbi ? '' : ' (BBML2)'}" {
  spin_lock(ptl)
  contpte_unfold(pte[1]${args})
  contpte_try_fold(pte[3]${args})
  spin_unlock(ptl)
}

cpu C "write to the folio (DBM)" {
  hw_access(pte[1])
}
`;
}

export const S9_SCN = variantText(true);
export const S9_BBML2_SCN = variantText(false);
