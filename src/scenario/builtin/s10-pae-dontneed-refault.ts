/**
 * DOMAIN §C S10 — MADV_DONTNEED vs an anonymous fault: the flush deferred
 * past the PTL leaves a stale TLB entry, and two pages live at one VA.
 * Source: Jann Horn, "ptep_get_lockless() on 32-bit x86/mips/sh looks wrong",
 * 2022-10-06, <CAG48ez3h-mnp9ZFC10v+-BW_8NQvxbwBsMYJFP8JX31o0B17Pg@mail.gmail.com>,
 * point (1): "zap_pte_range() does not always flush stale TLB entries before
 * dropping the page table lock", so present → none → different present can
 * happen without a flush in between; for userspace racing MADV_DONTNEED with
 * its own accesses this is "garbage in, garbage out" (benign). The rule that
 * keeps it benign is the mmu_gather one (include/asm-generic/tlb.h): unhook →
 * TLB invalidate → free; mm/memory.c zap_pte_range() defers the flush and the
 * free to tlb_finish_mmu() for anonymous pages (DOMAIN §A7).
 *
 * CPUs (x86 PAE, IPI flush — bare metal): 0 = MADV_DONTNEED (zap_pte_range,
 * flush deferred past the PTL, then the page is freed); 1 = a read fault
 * (handle_pte_fault — its lockless read is the reader under test — which
 * finds the pte none and installs a new page, do_anonymous_page), then an
 * access through the MMU (walk + TLB); 2 = a CPU that walked the old pte into
 * its TLB and then accesses the VA through its TLB. The initial pte maps
 * pfn 0x1000100010; the allocator holds 0x1000200020, and hands out the
 * zapped page first once it is free (per-cpu lists: hottest first). The
 * hardware walker's read of a PAE entry is one atomic 64-bit load
 * (`read=ptep_get_atomic64`).
 * Claim checked: benign — CPU 2 may still access the old page through its
 * stale entry after CPU 1 installed the new one (two pages at one VA), but
 * the old page is freed only after the flush, so no access reaches a freed
 * or reused page (the use-after-free invariant: no page freed while a TLB
 * maps it, no access through an entry whose page was freed since).
 * Control `-free-before-flush`: a deliberately broken zap that frees before
 * flushing must give use-after-free (the invariant can fail).
 *
 * The two variants are the `.scn` texts of
 * corpus/mailing-list/s10-pae-dontneed-refault{,-free-before-flush}.scn (kept
 * identical to them by test/unit/scenario-language.test.ts), so their
 * witnesses get the minimizer's program passes. Every execution is the one
 * the TypeScript scenarios they replaced gave (CPU, location and block names
 * included).
 */
import type { ZapFlush } from '../../kernel';
import type { SettingsByName } from '../types';

/** the page the initial pte maps */
export const S10_MAPPED = 0x10001_00010n;
/** the allocator's free page (the texts' second `page` line) */
export const S10_FREE: readonly bigint[] = [0x10002_00020n];

/** The comment both variants' texts start with: the thread, the CPUs and the oracle. */
const HEADER = `# DOMAIN §C S10 — MADV_DONTNEED vs an anonymous fault: the flush deferred past
# the PTL leaves a stale TLB entry, and two pages live at one VA.
# Jann Horn, point (1): "zap_pte_range() does not always flush stale TLB entries
# before dropping the page table lock", so present → none → different present can
# happen without a flush in between; for userspace racing MADV_DONTNEED with its
# own accesses "it's a 'garbage in, garbage out' kind of situation" (benign). What
# keeps it benign is the mmu_gather rule: unhook → TLB invalidate → free.
# CPU0 zaps; CPU1 faults (its lockless read is the reader under test) and then
# accesses the VA through the MMU; CPU2 walked the old pte into its TLB and
# accesses through it. Oracle (use-after-free): no page freed while a TLB maps it,
# no access through an entry whose page was freed since.
`;

type S10Zap = Extract<ZapFlush, 'deferred' | 'free-before-flush'>;
const ZAPS: readonly S10Zap[] = ['deferred', 'free-before-flush'];

const variantName = (zap: S10Zap): string =>
  `s10-pae-dontneed-refault${zap === 'free-before-flush' ? '-free-before-flush' : ''}`;

/** The `.scn` text of a variant: today's zap (benign), or the control that frees before the flush (bug). */
function variantText(zap: S10Zap): string {
  const broken = zap === 'free-before-flush';
  const e = broken ? 'bug' : 'benign';
  return `${HEADER}# This variant: ${
    broken
      ? 'the control — a deliberately broken zap that frees before flushing must give use-after-free (the invariant can fail).'
      : "today's zap: flush deferred past the PTL, the page freed after the flush."
  }
scenario ${variantName(zap)}
title "${
    broken
      ? 'PAE: S10 control — a zap that frees the page before the TLB flush'
      : 'PAE: MADV_DONTNEED vs anonymous fault, stale TLB, two pages at one VA (S10)'
  }"
source "Jann Horn, \\"ptep_get_lockless() on 32-bit x86/mips/sh looks wrong\\", 2022-10-06, <CAG48ez3h-mnp9ZFC10v+-BW_8NQvxbwBsMYJFP8JX31o0B17Pg@mail.gmail.com>; include/asm-generic/tlb.h (unhook → invalidate → free)"
claim "${
    broken
      ? 'control, no kernel does this: freeing the zapped page before the flush is a use-after-free through the stale TLB entry'
      : 'benign (\\"garbage in, garbage out\\"): a stale TLB entry and a new page coexist at one VA, but the old page is freed only after the flush'
  }"
arch x86-pae
model tso
flush ipi
pte pte = {0x00010001:0x00010067} # maps pfn 0x1000100010
page 0x1000100010 ref 1
page 0x1000200020 ref 0

reader ptep_get_lockless expect ${e}
reader ptep_get expect ${e}
reader ptep_get_atomic64 expect ${e}

cpu CPU0 "MADV_DONTNEED" {
  zap_pte_range(pte${broken ? ', flush=free-before-flush' : ''})
}

cpu CPU1 "fault($reader), access" {
  handle_pte_fault(pte)
  hw_walk(pte, va, read=ptep_get_atomic64) # the hardware walker's read: one atomic 64-bit load
  tlb_use(va)
}

cpu CPU2 "walk, access via TLB" {
  hw_walk(pte, va, read=ptep_get_atomic64)
  tlb_use(va)
}
`;
}

export const [S10_SCN, S10_FREE_BEFORE_FLUSH_SCN] = ZAPS.map(variantText) as [string, string];

/** The variants' settings, shown by `ptefuzz list` (the language has no statement for them). */
export const S10_SETTINGS: SettingsByName = Object.fromEntries(
  ZAPS.map((zap) => [variantName(zap), { flush: 'ipi', zap }]),
);
