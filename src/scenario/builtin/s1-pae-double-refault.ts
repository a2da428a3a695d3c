/**
 * DOMAIN §C S1 — Jann Horn's ABA race on the PAE LOW_HIGH reader, as the
 * `.scn` text of corpus/mailing-list/s1-pae-double-refault.scn (kept
 * identical to it by test/unit/scenario-language.test.ts: the built-in
 * scenarios and the corpus are one thing). The comments in the text give the
 * thread, its claim and what the model leaves out.
 */
import { paeMk } from '../../kernel';

export const S1_INITIAL = paeMk(0x10001_00010n);
export const S1_C = paeMk(0x10002_00020n);
export const S1_D = paeMk(0x10003_00010n);

export const S1_SCN = `# DOMAIN §C S1 — Jann Horn's ABA race on the PAE LOW_HIGH reader: two
# zap → re-establish cycles inside one read.
# Thread claim (Jann Horn): the comment above ptep_get_lockless() assumes a
# present pte never becomes a different present pte without an IPI-blocking
# TLB flush in between; with MADV_DONTNEED racing anonymous faults (and a
# paravirt flush) it can, so the reader returns {0x00010002:0x00010067}, a
# present pte the pte never held. Jason Gunthorpe <Yz7/JtbinFmNpQMM@nvidia.com>:
# "It does seem broken then". KNOWN REAL, unfixed; a bug even under sc.
# DOMAIN's values have no present bit in the low half; the flags 0x067
# (P RW US A D) were added so every installed pte is present. No TLB model
# yet: this is the "no IPI-blocking flush between zap and refault" setting.
scenario s1-pae-double-refault
title "PAE: two zap → re-establish cycles inside one lockless read (S1, ABA)"
source "Jann Horn, \\"ptep_get_lockless() on 32-bit x86/mips/sh looks wrong\\", 2022-10-06, <CAG48ez3h-mnp9ZFC10v+-BW_8NQvxbwBsMYJFP8JX31o0B17Pg@mail.gmail.com>"
claim "KNOWN REAL, unfixed: the low/high loop can return a torn present pte when the pte is refaulted twice"
arch x86-pae
model tso
pte pte = {0x00010001:0x00010067}

reader ptep_get_lockless expect bug
reader ptep_get expect bug
reader ptep_get_atomic64 expect correct

cpu A "$reader" {
  reader(pte) # GUP-fast
}

cpu B "MADV_DONTNEED" {
  madv_dontneed_pae(pte)
}

cpu C "fault, MADV_DONTNEED" {
  do_anonymous_page_pae(pte, {0x00010002:0x00020067})
  madv_dontneed_pae(pte)
}

cpu D "fault" {
  do_anonymous_page_pae(pte, {0x00010003:0x00010067}) # same low half as the initial pte
}
`;
