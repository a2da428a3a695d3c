/**
 * DOMAIN §C S9 — contpte fold/unfold racing `contpte_ptep_get_lockless()`
 * (CLAIMED CORRECT; OPEN on the 2025 early termination and on the missing
 * read barriers).
 * Sources: Ryan Roberts, "[RFC PATCH v1 0/4] Reduce cost of
 * ptep_get_lockless on arm64", 2024-02-15,
 * <20240215121756.2734131-1-ryan.roberts@arm.com>, and his 2024-04-11 reply
 * <81aa23ca-18b1-4430-9ad1-00a2c5af8fc2@arm.com> ("all fields … self-consistent
 * except for access and dirty"); the comment above contpte_ptep_get_lockless()
 * (arch/arm64/mm/contpte.c, v6.9); Xavier Xia's 2025 loop optimisation;
 * Mikołaj Lenczewski, "arm64/mm: Elide tlbi in contpte_convert() under BBML2"
 * (83bbd6be7d17, 2025).
 * Claim: the reader returns the old folded value (A/D OR-ed over the old
 * block), the new non-CONT value, or retries — never a value mixing pfn/prot
 * of two generations. Open: with early termination the entries after the
 * point where dirty and young were both found are not validated, and there
 * are no read barriers between the loads.
 *
 * Block of 4 (pfn 0x40…, writable, clean; pte3 young), reader on pte1. CPU B,
 * holding the PTL: unfold (contpte_convert to non-CONT, with the TLBI+DSB, or
 * without it under BBML2), then refold (__contpte_try_fold). CPU C: a CPU with
 * FEAT_HAFDBS writing to the folio through the contiguous TLB entry —
 * hardware DBM dirtying of any entry (a choice), at any time.
 */
import { spin_lock, spin_unlock } from '../../machine';
import type { ReaderDef } from '../../kernel';
import { ARM64, arm64Mk, contpte_try_fold, contpte_unfold, foldedBlock, hw_access } from '../../kernel';
import type { BuiltScenario, Scenario } from '../types';
import { arm64BlockMemory } from './arm64-common';

export function s9Block(): bigint[] {
  const b = foldedBlock(0x40n, 4, arm64Mk(0n, { write: true, cont: true }));
  b[3] = b[3]! | ARM64.AF;
  return b;
}

function s9(name: string, tlbi: boolean): Scenario {
  return {
    name,
    title: `arm64 contpte (4 ptes): unfold + refold${tlbi ? '' : ' without TLBI (BBML2)'} vs the lockless gather of pte1 (S9)`,
    arch: 'arm64',
    model: 'weak',
    readers: [
      'contpte_ptep_get_lockless',
      'contpte_ptep_get_lockless@2025',
      'contpte_ptep_get',
      'contpte_ptep_get@2025',
      '__ptep_get',
    ],
    source:
      'Ryan Roberts, "[RFC PATCH v1 0/4] Reduce cost of ptep_get_lockless on arm64", 2024-02-15, <20240215121756.2734131-1-ryan.roberts@arm.com>; 2024-04-11 <81aa23ca-18b1-4430-9ad1-00a2c5af8fc2@arm.com>',
    claim:
      'CLAIMED CORRECT: non-A/D fields from one generation; OPEN: early termination and no read barriers — A/D may mix generations',
    expect: {
      contpte_ptep_get_lockless: 'correct',
      'contpte_ptep_get_lockless@2025': 'correct',
      contpte_ptep_get: 'benign',
      'contpte_ptep_get@2025': 'benign',
      __ptep_get: 'benign',
    },
    build(reader: ReaderDef): BuiltScenario {
      const m = arm64BlockMemory(s9Block(), 1);
      return {
        locations: m.locations,
        subject: m.subject,
        cpus: [
          { name: `A: ${reader.name}(pte1)`, program: () => reader.read(m.ptep(1)) },
          {
            name: `B: unfold, refold${tlbi ? '' : ' (BBML2)'}`,
            program: function* () {
              yield spin_lock(m.ptl);
              yield* contpte_unfold(m.ptep(1), { tlbi });
              yield* contpte_try_fold(m.ptep(3), { tlbi });
              yield spin_unlock(m.ptl);
            },
          },
          { name: 'C: write to the folio (DBM)', program: () => hw_access(m.ptep(1), true) },
        ],
      };
    },
  };
}

export const s9ContpteFoldUnfold = s9('s9-contpte-fold-unfold', true);
export const s9ContpteFoldUnfoldBbml2 = s9('s9-contpte-fold-unfold-bbml2', false);
