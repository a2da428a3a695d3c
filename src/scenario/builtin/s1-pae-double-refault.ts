/**
 * DOMAIN §C S1 — Jann Horn's ABA race on the PAE LOW_HIGH reader: two
 * zap → re-establish cycles inside one read.
 * Source: Jann Horn, "ptep_get_lockless() on 32-bit x86/mips/sh looks wrong",
 * 2022-10-06, <CAG48ez3h-mnp9ZFC10v+-BW_8NQvxbwBsMYJFP8JX31o0B17Pg@mail.gmail.com>,
 * and his 4-thread race in <CAG48ez1Oz4tT-N2Y=Zs6jumu=zOp7SQRZ=V2c+b5bT9P4retJA@mail.gmail.com>;
 * Jason Gunthorpe <Yz7/JtbinFmNpQMM@nvidia.com>: "It does seem broken then".
 *
 * CPUs: A reads (the reader under test, as in GUP-fast); B = MADV_DONTNEED;
 * C = anonymous fault installing {0x00010002:0x00020067}, then MADV_DONTNEED;
 * D = anonymous fault installing {0x00010003:0x00010067}, whose low half
 * equals the initial one. A: low → (B zaps, C installs) → high → (C zaps,
 * D installs) → low again matches → returns {0x00010002:0x00010067}, a
 * present pte the reference never held. Needs no weak memory: a bug under sc.
 * DOMAIN's values have no present bit in the low half; the flags 0x067
 * (P RW US A D) were added so every installed pte is present.
 * No TLB / flush model yet: this is the "no IPI-blocking flush between zap
 * and refault" configuration (paravirt flush, or MADV_DONTNEED flushing only
 * after dropping the PTL).
 */
import type { ReaderDef } from '../../kernel';
import { do_anonymous_page_pae, madv_dontneed_pae, paeMk } from '../../kernel';
import type { BuiltScenario, Scenario } from '../types';
import { paeMemory } from './pae-common';

export const S1_INITIAL = paeMk(0x10001_00010n);
export const S1_C = paeMk(0x10002_00020n);
export const S1_D = paeMk(0x10003_00010n);

export const s1PaeDoubleRefault: Scenario = {
  name: 's1-pae-double-refault',
  title: 'PAE: two zap → re-establish cycles inside one lockless read (S1, ABA)',
  arch: 'x86-pae',
  model: 'tso',
  readers: ['ptep_get_lockless', 'ptep_get', 'ptep_get_atomic64'],
  source:
    'Jann Horn, "ptep_get_lockless() on 32-bit x86/mips/sh looks wrong", 2022-10-06, <CAG48ez3h-mnp9ZFC10v+-BW_8NQvxbwBsMYJFP8JX31o0B17Pg@mail.gmail.com>',
  claim: 'KNOWN REAL, unfixed: the low/high loop can return a torn present pte when the pte is refaulted twice',
  expect: { ptep_get_lockless: 'bug', ptep_get: 'bug', ptep_get_atomic64: 'correct' },
  build(reader: ReaderDef): BuiltScenario {
    const m = paeMemory(S1_INITIAL);
    return {
      locations: m.locations,
      subject: m.subject,
      cpus: [
        { name: `A: ${reader.name}`, program: () => reader.read(m.pte) },
        { name: 'B: MADV_DONTNEED', program: () => madv_dontneed_pae(m.pte, m.ptl) },
        {
          name: 'C: fault, MADV_DONTNEED',
          program: function* () {
            yield* do_anonymous_page_pae(m.pte, m.ptl, S1_C);
            yield* madv_dontneed_pae(m.pte, m.ptl);
          },
        },
        { name: 'D: fault', program: () => do_anonymous_page_pae(m.pte, m.ptl, S1_D) },
      ],
    };
  },
};
