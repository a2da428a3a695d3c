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
 * zapped page first once it is free (per-cpu lists: hottest first).
 * Claim checked: benign — CPU 2 may still access the old page through its
 * stale entry after CPU 1 installed the new one (two pages at one VA), but
 * the old page is freed only after the flush, so no access reaches a freed
 * or reused page (the use-after-free invariant: no page freed while a TLB
 * maps it, no access through an entry whose page was freed since).
 * Control `-free-before-flush`: a deliberately broken zap that frees before
 * flushing must give use-after-free (the invariant can fail).
 */
import type { PaePte, ReaderDef, ZapFlush } from '../../kernel';
import { PAE_READERS, handle_pte_fault, hw_walk, paeOps, tlb_use, zap_pte_range } from '../../kernel';
import type { BuiltScenario, Expectation, Scenario } from '../types';
import { paeConsumerMemory, paePages } from './pae-consumers';

export const S10_MAPPED = 0x10001_00010n;
export const S10_FREE: readonly bigint[] = [0x10002_00020n];
/** the VA both user CPUs access (the TLB key) */
export const S10_VA = 'va';

/** The hardware walker's read of a PAE entry: one atomic 64-bit read. */
export const paeWalkRead = PAE_READERS.find((r) => r.name === 'ptep_get_atomic64')!.read;

function s10(zap: ZapFlush): Scenario {
  const broken = zap === 'free-before-flush';
  const e: Expectation = broken ? 'bug' : 'benign';
  return {
    name: `s10-pae-dontneed-refault${broken ? '-free-before-flush' : ''}`,
    title: broken
      ? 'PAE: S10 control — a zap that frees the page before the TLB flush'
      : 'PAE: MADV_DONTNEED vs anonymous fault, stale TLB, two pages at one VA (S10)',
    arch: 'x86-pae',
    model: 'tso',
    readers: ['ptep_get_lockless', 'ptep_get', 'ptep_get_atomic64'],
    source:
      'Jann Horn, "ptep_get_lockless() on 32-bit x86/mips/sh looks wrong", 2022-10-06, <CAG48ez3h-mnp9ZFC10v+-BW_8NQvxbwBsMYJFP8JX31o0B17Pg@mail.gmail.com>; include/asm-generic/tlb.h (unhook → invalidate → free)',
    claim: broken
      ? 'control, no kernel does this: freeing the zapped page before the flush is a use-after-free through the stale TLB entry'
      : 'benign ("garbage in, garbage out"): a stale TLB entry and a new page coexist at one VA, but the old page is freed only after the flush',
    expect: { ptep_get_lockless: e, ptep_get: e, ptep_get_atomic64: e },
    consumer: 'handle_pte_fault',
    settings: { flush: 'ipi', zap },
    build(reader: ReaderDef): BuiltScenario {
      const m = paeConsumerMemory(S10_MAPPED);
      const read = reader.read as (p: PaePte) => ReturnType<ReaderDef['read']>;
      return {
        locations: m.locations,
        subject: m.subject,
        flush: 'ipi',
        pages: paePages(S10_MAPPED, S10_FREE),
        cpus: [
          { name: 'CPU0: MADV_DONTNEED', program: () => zap_pte_range(paeOps, m.pte, m.ptl, zap) },
          {
            name: `CPU1: fault(${reader.name}), access`,
            program: function* () {
              yield* handle_pte_fault(paeOps, m.pte, m.ptl, read);
              yield* hw_walk(paeOps, m.pte, S10_VA, paeWalkRead);
              yield* tlb_use(S10_VA);
            },
          },
          {
            name: 'CPU2: walk, access via TLB',
            program: function* () {
              yield* hw_walk(paeOps, m.pte, S10_VA, paeWalkRead);
              yield* tlb_use(S10_VA);
            },
          },
        ],
      };
    },
  };
}

export const s10PaeDontneedRefault = s10('deferred');
export const s10PaeDontneedRefaultFreeBeforeFlush = s10('free-before-flush');
