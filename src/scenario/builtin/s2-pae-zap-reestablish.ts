/**
 * DOMAIN §C S2 — one zap → re-establish cycle racing the PAE LOW_HIGH reader.
 * Source: Jason Gunthorpe, Re: "ptep_get_lockless() on 32-bit x86/mips/sh
 * looks wrong", 2022-10-06, <Yz7316NubHtw2xCa@nvidia.com>: zap = "write_low
 * (not present); wmb; write_high", re-establish = "write_high; wmb; write_low
 * (present)"; the reader's "read_low; rmb; read_high; rmb; read_low" then
 * returns the pre-zap pte, the re-established pte, or a non-present value.
 * Claim: correct under his "non-torn" definition.
 * The re-established pte has a different low half (l2 ≠ l1), the case the
 * argument is about. `-nowmb` removes the writer's smp_wmb()s: under `weak`
 * the reader can see the new high with the old low (torn); under `tso` store
 * order is kept.
 *
 * FINDING (`-samelow`): DOMAIN §C S2 adds "if l2 == l1 the result {h2:l1}
 * equals the new pte — still non-torn". ptefuzz disagrees: the reader can
 * read the high half *between* the zap and the re-establish, so with
 * lo1 = l1, hi = 0, lo2 = l1 it returns {0x00000000:l1} — present, pfn with
 * its high bits dropped, a value the pte never held at any instant. One
 * cycle suffices, even under sc, and even when the very same pte is
 * re-established (file page refault after MADV_DONTNEED). Like S1 it needs
 * the zap → refault to complete inside the read, i.e. no IPI-blocking flush.
 */
import type { ReaderDef } from '../../kernel';
import { paeMk, pte_clear, set_pte } from '../../kernel';
import type { BuiltScenario, Scenario } from '../types';
import { paeMemory } from './pae-common';

export const S2_INITIAL = paeMk(0x10001_00010n);
/** the re-established pte: a different low half */
export const S2_NEW = paeMk(0x10002_00020n);
/** the re-established pte of the -samelow finding: same low half, different high half */
export const S2_SAMELOW = paeMk(0x10002_00010n);

interface S2Variant {
  readonly name: string;
  readonly title: string;
  readonly barriers: boolean;
  readonly next: bigint;
  readonly claim: string;
  readonly lockless: 'correct' | 'bug';
}

function s2(v: S2Variant): Scenario {
  const { name, title, barriers } = v;
  return {
    name,
    title,
    arch: 'x86-pae',
    model: 'tso',
    readers: ['ptep_get_lockless', 'ptep_get', 'ptep_get_atomic64'],
    source:
      'Jason Gunthorpe, Re: "ptep_get_lockless() on 32-bit x86/mips/sh looks wrong", 2022-10-06, <Yz7316NubHtw2xCa@nvidia.com>',
    claim: v.claim,
    expect: { ptep_get_lockless: v.lockless, ptep_get: 'bug', ptep_get_atomic64: 'correct' },
    build(reader: ReaderDef): BuiltScenario {
      const m = paeMemory(S2_INITIAL);
      const o = { barriers };
      return {
        locations: m.locations,
        subject: m.subject,
        cpus: [
          { name: reader.name, program: () => reader.read(m.pte) },
          {
            name: 'zap + re-establish',
            program: function* () {
              yield* pte_clear(m.pte, o);
              yield* set_pte(m.pte, v.next, o);
            },
          },
        ],
      };
    },
  };
}

export const s2PaeZapReestablish = s2({
  name: 's2-pae-zap-reestablish',
  title: 'PAE: one zap → re-establish cycle racing the reader (S2)',
  barriers: true,
  next: S2_NEW,
  claim: 'ptep_get_lockless is non-torn: ordering alone suffices for a single transition',
  lockless: 'correct',
});

export const s2PaeZapReestablishNowmb = s2({
  name: 's2-pae-zap-reestablish-nowmb',
  title: 'PAE: S2 with the writer smp_wmb()s removed',
  barriers: false,
  next: S2_NEW,
  claim: 'without the writer barriers the ordering argument fails on weakly ordered CPUs (not on x86-TSO)',
  lockless: 'bug',
});

export const s2PaeZapReestablishSamelow = s2({
  name: 's2-pae-zap-reestablish-samelow',
  title: 'PAE: S2 re-establishing a pte with the same low half (finding)',
  barriers: true,
  next: S2_SAMELOW,
  claim: 'DOMAIN §C S2: "if l2 == l1 the result {h2:l1} equals the new pte — still non-torn"; ptefuzz finds {0:l1}',
  lockless: 'bug',
});
