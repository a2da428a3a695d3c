/**
 * DOMAIN §C S4 — GUP-fast's recheck false match via a non-atomic recheck
 * (OPEN QUESTION in the thread).
 * Sources: Ryan Roberts, Re: "[RFC PATCH v1 0/4] Reduce cost of
 * ptep_get_lockless on arm64", 2024-04-11 <81aa23ca-18b1-4430-9ad1-00a2c5af8fc2@arm.com>:
 * "GUP-fast currently rechecks the pte originally obtained with
 * ptep_get_lockless(), using ptep_get(). Is that correct? … that garbage could
 * just happen to be the same as the originally obtained pte"; Alexander
 * Gordeev, "[RFC PATCH 2/2] mm/gup: add lockless access semantics on entries
 * validation", 2026-04-20 <55c295e17221dc882e09b4caddc7b3bf4f1309ba.1776684344.git.agordeev@linux.ibm.com>.
 *
 * CPUs as in S1 (A = gup_fast, B = MADV_DONTNEED, C = fault + MADV_DONTNEED,
 * D = fault), IPI flush with today's deferred MADV_DONTNEED flush. The initial
 * pte maps P = 0x1000100010 ({0x00010001:0x00010067}); the free pages are
 * 0x1000200010 (same low half as P: {0x00010002:0x00010067}) and 0x1000100020
 * (same high half: {0x00010001:0x00020067}), so two refaults can stitch P's
 * value back together in a two-load recheck.
 * Variants: the recheck accessor — `plain` (2022 pte_val(*ptep), load order a
 * compiler choice), `ptep_get` (v6.5–2026), `lockless` (the reader under test
 * again, the 2026 RFC).
 * Oracle (consumer invariant wrong-page): GUP-fast may return P only if the
 * pte mapped P (same generation) at some instant between its try_grab_folio()
 * and the end of its recheck — "grab, then verify still mapped".
 * ANSWER: yes. With a `ptep_get` (or `plain`) recheck GUP-fast pins P after
 * its unmap even when read1 is atomic (`ptep_get_atomic64`): A: read1 = P |
 * B: zap P | A: try_grab_folio(P) | C: fault in {0x00010002:0x00010067} |
 * A: recheck low | C: zap | D: fault in {0x00010001:0x00020067} | A: recheck
 * high → {0x00010001:0x00010067} == P → success (wrong-page; the scripted
 * witness in test/unit/consumers.test.ts; `--engine pct --depth 6 --runs
 * 20000 --seed 1 --model sc` finds it, the random engine does not in 20000
 * runs: it needs 7 context switches). The same schedule with the `lockless`
 * recheck fails the recheck and drops the reference. With the PAE
 * `ptep_get_lockless` as read1, the S1 tear reaches GUP-fast whatever the
 * recheck.
 *
 * The three variants are the `.scn` texts of
 * corpus/mailing-list/s4-pae-gup-fast-recheck-{plain,ptep-get,lockless}.scn
 * (kept identical to them by test/unit/scenario-language.test.ts; their CPU
 * blocks are S1 inside GUP-fast's, `gupFastCpusText`), so their witnesses get
 * the minimizer's program passes.
 */
import type { GupRecheck } from '../../kernel';
import type { SettingsByName } from '../types';
import { gupFastCpusText } from './s1-pae-gup-fast';

/** P, the page the initial pte maps */
export const S4_MAPPED = 0x10001_00010n;
/** allocator order: the same-high page is handed out first, then the same-low one (the texts' `page` lines) */
export const S4_FREE: readonly bigint[] = [0x10001_00020n, 0x10002_00010n];

/** The comment every variant's text starts with: the thread, the oracle and the answer. */
const HEADER = `# DOMAIN §C S4 — GUP-fast's recheck false match via a non-atomic recheck (OPEN
# QUESTION in the thread). Ryan Roberts, 2024-04-11: "GUP-fast currently
# rechecks the pte originally obtained with ptep_get_lockless(), using
# ptep_get(). Is that correct? … that garbage could just happen to be the same
# as the originally obtained pte" — "highly unlikely"; Alexander Gordeev's 2026
# RFC makes the recheck lockless.
# CPUs as in S1, IPI flush with today's deferred MADV_DONTNEED flush. The free
# pages share P's low half ({0x00010002:0x00010067}) and high half
# ({0x00010001:0x00020067}), so two refaults can stitch P back together in a
# two-load recheck. Oracle (wrong-page): GUP-fast may return P only if the pte
# mapped P at some instant between its try_grab_folio() and its recheck.
# Answer: with the plain or ptep_get() recheck GUP-fast pins P after its unmap
# even when read1 is atomic (ptep_get_atomic64); the lockless recheck is
# correct with an atomic read1; the PAE LOW_HIGH read1 is S1 whatever the recheck.
`;

/** What each recheck accessor is (the title and the variant's comment line). */
const RECHECK_TEXT: Readonly<Record<GupRecheck, string>> = {
  plain: 'pte_val(*ptep) (2022)',
  ptep_get: 'ptep_get() (v6.5–2026)',
  lockless: 'the lockless reader (2026 RFC)',
};

const RECHECKS: readonly GupRecheck[] = ['plain', 'ptep_get', 'lockless'];

const variantName = (recheck: GupRecheck): string =>
  `s4-pae-gup-fast-recheck-${recheck === 'ptep_get' ? 'ptep-get' : recheck}`;

/** The `.scn` text of a variant: only the lockless recheck is correct with an atomic read1. */
function variantText(recheck: GupRecheck): string {
  return `${HEADER}# This variant: recheck with ${RECHECK_TEXT[recheck]}.
scenario ${variantName(recheck)}
title "PAE: GUP-fast recheck with ${RECHECK_TEXT[recheck]} vs two refaults sharing P's halves (S4)"
source "Ryan Roberts, Re: \\"[RFC PATCH v1 0/4] Reduce cost of ptep_get_lockless on arm64\\", 2024-04-11 <81aa23ca-18b1-4430-9ad1-00a2c5af8fc2@arm.com>; Alexander Gordeev, \\"[RFC PATCH 2/2] mm/gup: add lockless access semantics on entries validation\\", 2026-04-20 <55c295e17221dc882e09b4caddc7b3bf4f1309ba.1776684344.git.agordeev@linux.ibm.com>"
claim "OPEN in the thread (\\"highly unlikely\\"): can a non-atomic recheck stitch the value read1 saw back together after the page was unmapped?"
arch x86-pae
model tso
flush ipi
pte pte = {0x00010001:0x00010067} # P = pfn 0x1000100010
page 0x1000100010 ref 1
page 0x1000100020 ref 0 # same high half as P; handed out first
page 0x1000200010 ref 0 # same low half as P

reader ptep_get_lockless expect bug
reader ptep_get_atomic64 expect ${recheck === 'lockless' ? 'correct' : 'bug'}

${gupFastCpusText(recheck, false)}`;
}

export const [S4_PLAIN_SCN, S4_PTEP_GET_SCN, S4_LOCKLESS_SCN] = RECHECKS.map(variantText) as [string, string, string];

/** The variants' settings, shown by `ptefuzz list` (the language has no statement for them). */
export const S4_SETTINGS: SettingsByName = Object.fromEntries(
  RECHECKS.map((recheck) => [variantName(recheck), { flush: 'ipi', zap: 'deferred', recheck }]),
);
