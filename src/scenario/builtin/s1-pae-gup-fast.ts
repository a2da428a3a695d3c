/**
 * DOMAIN §C S1 with GUP-fast as the reader CPU, the TLB flush and the pages
 * modelled — four variants: flush ipi | broadcast (machine: does IRQs-off
 * block the flush) × MADV_DONTNEED's flush deferred past the PTL (today) |
 * forced before the PTL is dropped (Peter Zijlstra's ZAP_FLAG_FORCE_FLUSH) —
 * as the `.scn` texts of corpus/mailing-list/s1-pae-gup-fast-*.scn (kept
 * identical to them by test/unit/scenario-language.test.ts), so their
 * witnesses get the minimizer's program passes. The comments in the texts
 * give the thread, its claims and the finding (wrong-page).
 */
import type { GupRecheck } from '../../kernel';
import type { SettingsByName } from '../types';

/** The comment every variant's text starts with: the thread, its claims and the finding. */
const HEADER = `# DOMAIN §C S1 with GUP-fast as the reader CPU, the TLB flush and the pages
# modelled: does Jann Horn's ABA race survive the flush, and does GUP-fast hand
# out a wrong page? Jann Horn: (1) "zap_pte_range() does not always flush stale
# TLB entries before dropping the page table lock" and (2) paravirt remote
# flushes are not IPIs; Peter Zijlstra's ZAP_FLAG_FORCE_FLUSH (2022-10-24..26)
# for (1).
# CPUs: A = gup_fast(FOLL_WRITE): IRQs off, the reader under test as its
# lockless read, try_grab_folio, recheck with ptep_get() (v6.5–2026);
# B = MADV_DONTNEED; C = anonymous fault, then MADV_DONTNEED; D = anonymous
# fault. Each MADV_DONTNEED flushes the TLB, then frees the page; each fault
# allocates a free page (the allocator's choice; a freed page is reused first).
# Claims: with a broadcast flush the S1 tear happens inside GUP-fast; with an
# IPI flush *deferred past the PTL* (today's MADV_DONTNEED) a refault can still
# precede the flush (Jann's point (a)), so IPIs alone do not save the reader;
# only IPI + forced flush makes the interleaving impossible (the refault needs
# the PTL, which the zapper holds until A re-enables IRQs).
# FINDING (the three racy variants): GUP-fast returns a page that was never
# mapped. A reads low = 0x00010067 | B zaps, drops the PTL | A reads high = 0 |
# C faults in {0x00010003:0x00010067} (same low half) | A re-reads low: match →
# {0x00000000:0x00010067}, pfn 0x10, a page in use elsewhere; try_grab_folio
# succeeds; the ptep_get() recheck reads low | C zaps | high = 0: the same
# tear, so the recheck "confirms" it (wrong-page).
`;

/** One of the four variants: the flush kind (machine) and whether MADV_DONTNEED flushes before dropping the PTL. */
interface Variant {
  readonly name: string;
  readonly flush: 'broadcast' | 'ipi';
  readonly forced: boolean;
  readonly claim: string;
  /** ptep_get_lockless's expectation: only IPI + forced flush makes S1 impossible */
  readonly lockless: 'bug' | 'correct';
}

const FLUSH_TEXT = {
  broadcast: 'broadcast flush (paravirt: waits for nobody)',
  ipi: 'IPI flush (waits for IRQs-off CPUs)',
};

/**
 * The four CPU blocks S1 inside GUP-fast and S4 share: A = GUP-fast (the reader
 * under test as its lockless read, then the `recheck` accessor), B =
 * MADV_DONTNEED, C = fault then MADV_DONTNEED, D = fault; each MADV_DONTNEED
 * flushes before dropping the PTL when `forced`, else after (today).
 */
export function gupFastCpusText(recheck: GupRecheck, forced: boolean): string {
  const zapArgs = forced ? 'pte, flush=forced' : 'pte';
  const zapNote = forced
    ? 'flush before the PTL is dropped, then the page is freed'
    : 'flush deferred past the PTL, then the page is freed';
  return `cpu A "gup_fast($reader)" {
  gup_fast(pte, recheck=${recheck})
}

cpu B "MADV_DONTNEED" {
  zap_pte_range(${zapArgs}) # ${zapNote}
}

cpu C "fault, MADV_DONTNEED" {
  do_anonymous_page(pte)
  zap_pte_range(${zapArgs})
}

cpu D "fault" {
  do_anonymous_page(pte)
}
`;
}

/** The `.scn` text of a variant (the four texts share everything but the lines this fills in). */
function variantText(v: Variant): string {
  const when = v.forced ? 'flush forced before the PTL is dropped' : 'flush deferred past the PTL';
  const titleWhen = v.forced ? 'flushed before the PTL is dropped' : 'flush deferred past the PTL';
  return `${HEADER}# This variant: ${FLUSH_TEXT[v.flush]}, ${when}.
scenario ${v.name}
title "PAE: S1 inside GUP-fast, ${v.flush === 'ipi' ? 'IPI' : 'broadcast'} flush, ${titleWhen}"
source "Jann Horn, \\"ptep_get_lockless() on 32-bit x86/mips/sh looks wrong\\", 2022-10-06, <CAG48ez3h-mnp9ZFC10v+-BW_8NQvxbwBsMYJFP8JX31o0B17Pg@mail.gmail.com>; Peter Zijlstra ZAP_FLAG_FORCE_FLUSH, 2022-10-24..26"
claim "${v.claim}"
arch x86-pae
model tso
flush ${v.flush}
pte pte = {0x00010001:0x00010067} # maps pfn 0x1000100010
page 0x1000100010 ref 1
page 0x1000300010 ref 0
page 0x1000200020 ref 0 # handed out first

reader ptep_get_lockless expect ${v.lockless}
reader ptep_get expect bug
reader ptep_get_atomic64 expect correct

${gupFastCpusText('ptep_get', v.forced)}`;
}

const BROADCAST_CLAIM =
  'paravirt/broadcast flushes do not wait for IRQs-off CPUs: the S1 torn read happens inside GUP-fast';

const VARIANTS: readonly Variant[] = [
  { name: 's1-pae-gup-fast-broadcast', flush: 'broadcast', forced: false, claim: BROADCAST_CLAIM, lockless: 'bug' },
  {
    name: 's1-pae-gup-fast-broadcast-forceflush',
    flush: 'broadcast',
    forced: true,
    claim: BROADCAST_CLAIM,
    lockless: 'bug',
  },
  {
    name: 's1-pae-gup-fast-ipi',
    flush: 'ipi',
    forced: false,
    claim:
      "Jann's point (a): MADV_DONTNEED flushes only after dropping the PTL, so a refault can precede the IPI flush",
    lockless: 'bug',
  },
  {
    name: 's1-pae-gup-fast-ipi-forceflush',
    flush: 'ipi',
    forced: true,
    claim:
      'the lockless-read comment: a flush that needs an ack from the IRQs-off GUP-fast CPU makes the double refault impossible',
    lockless: 'correct',
  },
];

export const [S1G_BROADCAST_SCN, S1G_BROADCAST_FORCEFLUSH_SCN, S1G_IPI_SCN, S1G_IPI_FORCEFLUSH_SCN] = VARIANTS.map(
  variantText,
) as [string, string, string, string];

/** The variants' settings, shown by `ptefuzz list` (the flush line and zap_pte_range's flush= argument). */
export const S1G_SETTINGS: SettingsByName = Object.fromEntries(
  VARIANTS.map((v) => [v.name, { flush: v.flush, zap: v.forced ? 'forced' : 'deferred', recheck: 'ptep_get' }]),
);
