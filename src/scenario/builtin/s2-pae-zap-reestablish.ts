/**
 * DOMAIN §C S2 — one zap → re-establish cycle racing the PAE LOW_HIGH reader
 * (Jason Gunthorpe's argument), with its -nowmb counterfactual and the
 * -samelow finding, as the `.scn` texts of corpus/mailing-list/s2-*.scn
 * (kept identical to them by test/unit/scenario-language.test.ts).
 */
import { paeMk } from '../../kernel';

export const S2_INITIAL = paeMk(0x10001_00010n);
/** the re-established pte: a different low half */
export const S2_NEW = paeMk(0x10002_00020n);
/** the re-established pte of the -samelow finding: same low half, different high half */
export const S2_SAMELOW = paeMk(0x10002_00010n);

export const S2_SCN = `# DOMAIN §C S2 — one zap → re-establish cycle racing the PAE LOW_HIGH reader.
# Thread claim (Jason Gunthorpe): with zap = "write_low (not present); wmb;
# write_high" and re-establish = "write_high; wmb; write_low (present)", the
# reader's "read_low; rmb; read_high; rmb; read_low" returns the pre-zap pte,
# the re-established pte, or a non-present value: non-torn by ordering alone.
# The re-established pte has a different low half (l2 != l1).
scenario s2-pae-zap-reestablish
title "PAE: one zap → re-establish cycle racing the reader (S2)"
source "Jason Gunthorpe, Re: \\"ptep_get_lockless() on 32-bit x86/mips/sh looks wrong\\", 2022-10-06, <Yz7316NubHtw2xCa@nvidia.com>"
claim "ptep_get_lockless is non-torn: ordering alone suffices for a single transition"
arch x86-pae
model tso
pte pte = {0x00010001:0x00010067}

reader ptep_get_lockless expect correct
reader ptep_get expect bug
reader ptep_get_atomic64 expect correct

cpu A "$reader" {
  reader(pte)
}

cpu B "zap + re-establish" {
  pte_clear(pte) # low = 0; smp_wmb(); high = 0
  set_pte(pte, {0x00010002:0x00020067}) # high; smp_wmb(); low
}
`;

export const S2_NOWMB_SCN = `# DOMAIN §C S2 without the writer's smp_wmb()s (a counterfactual): what
# Jason Gunthorpe's argument relies on. Under weak the reader can see the new
# high half with the old low half (torn); x86-TSO keeps store order, so under
# tso (and sc) the reader stays non-torn.
scenario s2-pae-zap-reestablish-nowmb
title "PAE: S2 with the writer smp_wmb()s removed"
source "Jason Gunthorpe, Re: \\"ptep_get_lockless() on 32-bit x86/mips/sh looks wrong\\", 2022-10-06, <Yz7316NubHtw2xCa@nvidia.com>"
claim "without the writer barriers the ordering argument fails on weakly ordered CPUs (not on x86-TSO)"
arch x86-pae
model tso
pte pte = {0x00010001:0x00010067}

reader ptep_get_lockless expect correct under tso, bug under weak
reader ptep_get expect bug
reader ptep_get_atomic64 expect correct

cpu A "$reader" {
  reader(pte)
}

cpu B "zap + re-establish" {
  pte_clear(pte, barriers=false) # low = 0; high = 0
  set_pte(pte, {0x00010002:0x00020067}, barriers=false) # high; low
}
`;

export const S2_SAMELOW_SCN = `# FINDING on DOMAIN §C S2: "if l2 == l1 the result {h2:l1} equals the new
# PTE — still non-torn". ptefuzz disagrees: the reader can read the high half
# *between* the zap and the re-establish, so with lo1 = l1, hi = 0, lo2 = l1
# it returns {0x00000000:l1} — present, the pfn's high bits dropped, a value
# the pte never held. One zap → refault cycle suffices, under sc; like S1 it
# needs the refault to complete inside the read (no IPI-blocking flush).
scenario s2-pae-zap-reestablish-samelow
title "PAE: S2 re-establishing a pte with the same low half (finding)"
source "Jason Gunthorpe, Re: \\"ptep_get_lockless() on 32-bit x86/mips/sh looks wrong\\", 2022-10-06, <Yz7316NubHtw2xCa@nvidia.com>"
claim "DOMAIN §C S2: \\"if l2 == l1 the result {h2:l1} equals the new pte — still non-torn\\"; ptefuzz finds {0:l1}"
arch x86-pae
model tso
pte pte = {0x00010001:0x00010067}

reader ptep_get_lockless expect bug
reader ptep_get expect bug
reader ptep_get_atomic64 expect correct

cpu A "$reader" {
  reader(pte)
}

cpu B "zap + re-establish" {
  pte_clear(pte) # low = 0; smp_wmb(); high = 0
  set_pte(pte, {0x00010002:0x00010067}) # same low half, different high half
}
`;
