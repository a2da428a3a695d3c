/**
 * DOMAIN §C S1 with GUP-fast as the reader CPU, the TLB flush and the pages
 * modelled: does Jann Horn's ABA race survive the flush, and does GUP-fast
 * hand out a wrong page?
 * Source: Jann Horn, "ptep_get_lockless() on 32-bit x86/mips/sh looks wrong",
 * 2022-10-06, <CAG48ez3h-mnp9ZFC10v+-BW_8NQvxbwBsMYJFP8JX31o0B17Pg@mail.gmail.com>:
 * (1) "zap_pte_range() does not always flush stale TLB entries before dropping
 * the page table lock" and (2) paravirt remote flushes are not IPIs; Peter
 * Zijlstra's ZAP_FLAG_FORCE_FLUSH proposal (2022-10-24..26) for (1).
 *
 * CPUs: A = gup_fast(FOLL_WRITE) — IRQs off, the reader under test as its
 * lockless read, try_grab_folio, recheck with ptep_get() (v6.5–2026);
 * B = MADV_DONTNEED; C = anonymous fault, then MADV_DONTNEED; D = anonymous
 * fault. The initial pte maps pfn 0x1000100010 ({0x00010001:0x00010067}); the
 * faults allocate from the free pages 0x1000200020 and 0x1000300010 (the
 * allocator's choice; the page B frees is reused first once it is free).
 * Each MADV_DONTNEED flushes the TLB and frees the page (zap.ts).
 *
 * Settings: `flush` ipi | broadcast (machine: does IRQs-off block the flush)
 * × `zap` deferred (today: flush in tlb_finish_mmu, after the PTL is dropped)
 * | forced (flush before dropping the PTL).
 * Claims checked: with a broadcast flush the torn read of S1 happens inside
 * GUP-fast; with an IPI flush but the flush *deferred past the PTL* (today's
 * MADV_DONTNEED) the refault can still happen before the flush — Jann's
 * point — so IPIs alone do not save the reader; only IPI + forced flush makes
 * the interleaving impossible (the refault needs the PTL, which the zapper
 * holds until A re-enables IRQs).
 * FINDING (all three racy variants, IPI + deferred flush included): GUP-fast
 * returns a page that was never mapped. Minimized witness (test/unit/
 * consumers.test.ts, crashes/s1-pae-gup-fast-*.wrong-page.*): A reads
 * low = 0x00010067 (P) | B zaps P, drops the PTL (its flush is deferred) |
 * A reads high = 0 | C faults in {0x00010003:0x00010067} (same low half) |
 * A re-reads low: match → {0x00000000:0x00010067}, present, pfn 0x10 — a page
 * in use elsewhere; try_grab_folio(0x10) succeeds; the ptep_get() recheck
 * reads low = 0x00010067 | C zaps | high = 0: the same tear, so the recheck
 * "confirms" it and GUP-fast pins pfn 0x10 (wrong-page). One refault
 * suffices (the S2 -samelow tear, reproduced by the non-atomic recheck); B's
 * and C's IPI flushes wait for A, but nothing waits for those flushes.
 */
import type { FlushKind } from '../../machine';
import type { PaePte, ReaderDef, ZapFlush } from '../../kernel';
import { do_anonymous_page, gup_fast, paeOps, zap_pte_range } from '../../kernel';
import type { BuiltScenario, Expectation, Scenario } from '../types';
import { paeConsumerMemory, paePages } from './pae-consumers';

export const S1G_MAPPED = 0x10001_00010n;
export const S1G_FREE: readonly bigint[] = [0x10003_00010n, 0x10002_00020n];

function s1Gup(flush: FlushKind, zap: ZapFlush): Scenario {
  const safe = flush === 'ipi' && zap === 'forced';
  const lockless: Expectation = safe ? 'correct' : 'bug';
  const name = `s1-pae-gup-fast-${flush}${zap === 'forced' ? '-forceflush' : ''}`;
  const flushText = flush === 'ipi' ? 'IPI flush' : 'broadcast flush';
  const zapText = zap === 'forced' ? 'flushed before the PTL is dropped' : 'flush deferred past the PTL';
  return {
    name,
    title: `PAE: S1 inside GUP-fast, ${flushText}, ${zapText}`,
    arch: 'x86-pae',
    model: 'tso',
    readers: ['ptep_get_lockless', 'ptep_get', 'ptep_get_atomic64'],
    source:
      'Jann Horn, "ptep_get_lockless() on 32-bit x86/mips/sh looks wrong", 2022-10-06, <CAG48ez3h-mnp9ZFC10v+-BW_8NQvxbwBsMYJFP8JX31o0B17Pg@mail.gmail.com>; Peter Zijlstra ZAP_FLAG_FORCE_FLUSH, 2022-10-24..26',
    claim: safe
      ? 'the lockless-read comment: a flush that needs an ack from the IRQs-off GUP-fast CPU makes the double refault impossible'
      : flush === 'broadcast'
        ? 'paravirt/broadcast flushes do not wait for IRQs-off CPUs: the S1 torn read happens inside GUP-fast'
        : "Jann's point (a): MADV_DONTNEED flushes only after dropping the PTL, so a refault can precede the IPI flush",
    expect: { ptep_get_lockless: lockless, ptep_get: 'bug', ptep_get_atomic64: 'correct' },
    consumer: 'gup_fast',
    settings: { flush, zap, recheck: 'ptep_get' },
    build(reader: ReaderDef): BuiltScenario {
      const m = paeConsumerMemory(S1G_MAPPED);
      const read = reader.read as (p: PaePte) => ReturnType<ReaderDef['read']>;
      return {
        locations: m.locations,
        subject: m.subject,
        flush,
        pages: paePages(S1G_MAPPED, S1G_FREE),
        cpus: [
          { name: `A: gup_fast(${reader.name})`, program: () => gup_fast(paeOps, m.pte, read) },
          { name: 'B: MADV_DONTNEED', program: () => zap_pte_range(paeOps, m.pte, m.ptl, zap) },
          {
            name: 'C: fault, MADV_DONTNEED',
            program: function* () {
              yield* do_anonymous_page(paeOps, m.pte, m.ptl);
              yield* zap_pte_range(paeOps, m.pte, m.ptl, zap);
            },
          },
          { name: 'D: fault', program: () => do_anonymous_page(paeOps, m.pte, m.ptl) },
        ],
      };
    },
  };
}

export const s1PaeGupFastBroadcast = s1Gup('broadcast', 'deferred');
export const s1PaeGupFastBroadcastForceflush = s1Gup('broadcast', 'forced');
export const s1PaeGupFastIpi = s1Gup('ipi', 'deferred');
export const s1PaeGupFastIpiForceflush = s1Gup('ipi', 'forced');
