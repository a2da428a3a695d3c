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
 */
import type { PaePte, ReaderDef, GupRecheck } from '../../kernel';
import { do_anonymous_page, gup_fast, paeOps, zap_pte_range } from '../../kernel';
import type { BuiltScenario, Expectation, Scenario } from '../types';
import { paeConsumerMemory, paePages } from './pae-consumers';

export const S4_MAPPED = 0x10001_00010n;
/** allocator order: the same-high page is handed out first, then the same-low one */
export const S4_FREE: readonly bigint[] = [0x10001_00020n, 0x10002_00010n];

function s4(recheck: GupRecheck): Scenario {
  const atomic: Expectation = recheck === 'lockless' ? 'correct' : 'bug';
  return {
    name: `s4-pae-gup-fast-recheck-${recheck === 'ptep_get' ? 'ptep-get' : recheck}`,
    title: `PAE: GUP-fast recheck with ${recheck === 'plain' ? 'pte_val(*ptep) (2022)' : recheck === 'ptep_get' ? 'ptep_get() (v6.5–2026)' : 'the lockless reader (2026 RFC)'} vs two refaults sharing P's halves (S4)`,
    arch: 'x86-pae',
    model: 'tso',
    readers: ['ptep_get_lockless', 'ptep_get_atomic64'],
    source:
      'Ryan Roberts, 2024-04-11 <81aa23ca-18b1-4430-9ad1-00a2c5af8fc2@arm.com>; Alexander Gordeev, "[RFC PATCH 2/2] mm/gup: add lockless access semantics on entries validation", 2026-04-20',
    claim:
      'OPEN in the thread ("highly unlikely"): can a non-atomic recheck stitch the value read1 saw back together after the page was unmapped?',
    expect: { ptep_get_lockless: 'bug', ptep_get_atomic64: atomic },
    consumer: 'gup_fast',
    settings: { flush: 'ipi', zap: 'deferred', recheck },
    build(reader: ReaderDef): BuiltScenario {
      const m = paeConsumerMemory(S4_MAPPED);
      const read = reader.read as (p: PaePte) => ReturnType<ReaderDef['read']>;
      return {
        locations: m.locations,
        subject: m.subject,
        flush: 'ipi',
        pages: paePages(S4_MAPPED, S4_FREE),
        cpus: [
          { name: `A: gup_fast(${reader.name})`, program: () => gup_fast(paeOps, m.pte, read, { recheck }) },
          { name: 'B: MADV_DONTNEED', program: () => zap_pte_range(paeOps, m.pte, m.ptl, 'deferred') },
          {
            name: 'C: fault, MADV_DONTNEED',
            program: function* () {
              yield* do_anonymous_page(paeOps, m.pte, m.ptl);
              yield* zap_pte_range(paeOps, m.pte, m.ptl, 'deferred');
            },
          },
          { name: 'D: fault', program: () => do_anonymous_page(paeOps, m.pte, m.ptl) },
        ],
      };
    },
  };
}

export const s4PaeGupFastRecheckPlain = s4('plain');
export const s4PaeGupFastRecheckPtepGet = s4('ptep_get');
export const s4PaeGupFastRecheckLockless = s4('lockless');
