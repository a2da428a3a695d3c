/**
 * DOMAIN §C S7 — the fault path with pte_same_norecency() loses a dirty bit.
 * Source: David Hildenbrand on "[RFC PATCH v1 3/4] mm/memory: Use
 * ptep_get_lockless_norecency() for orig_pte" (Ryan Roberts, "[RFC PATCH v1
 * 0/4] Reduce cost of ptep_get_lockless on arm64", 2024-02-15
 * <20240215121756.2734131-1-ryan.roberts@arm.com>), 2024-03-26/27; Ryan
 * agreed ("I absolutely knew that you would be correct"). Never merged.
 *
 * An arch without hardware A/D: the arm64 encoding with no hardware updater,
 * and the generic ptep_set_access_flags() (if !pte_same(*ptep, entry)
 * set_pte_at(entry)). One lone pte, present, writable, clean, old.
 * CPUs: A = read fault, B = write fault, both handle_pte_fault() with the
 * reader under test as the lockless read (the RFC's
 * ptep_get_lockless_norecency = __ptep_get on arm64) and the variant's PTL
 * recheck. A reads orig (clean); B makes the pte dirty under the PTL; A's
 * pte_same_norecency(ptep_get(), orig) ignores the dirty bit, A computes
 * entry = pte_mkyoung(orig) (clean) and the generic set_access_flags writes it:
 * the dirty bit is gone (lost-dirty). With today's full pte_same() A backs out.
 */
import type { Arm64Ptep, PteSameKind, ReaderDef } from '../../kernel';
import { arm64Mk, arm64Ops, handle_pte_fault } from '../../kernel';
import type { BuiltScenario, Scenario } from '../types';
import { unqualified } from '../types';
import { arm64BlockMemory } from './arm64-common';

export const S7_PFN = 0x1234n;

function s7(same: PteSameKind): Scenario {
  const bug = same === 'pte_same_norecency';
  const e = bug ? 'bug' : 'correct';
  return {
    name: `s7-arm64-fault-${bug ? 'norecency' : 'pte-same'}`,
    title: `arm64 without HW A/D: read fault vs write fault, PTL recheck with ${same} (S7)`,
    arch: 'arm64',
    model: 'weak',
    readers: ['ptep_get_lockless_norecency', '__ptep_get'],
    source:
      'David Hildenbrand, Re: "[RFC PATCH v1 3/4] mm/memory: Use ptep_get_lockless_norecency() for orig_pte", 2024-03-26/27 (series <20240215121756.2734131-1-ryan.roberts@arm.com>)',
    claim: bug
      ? 'BUG in the 2024 RFC design: pte_same_norecency lets a read fault overwrite a concurrent dirty bit'
      : "today's full-value pte_same: the read fault sees the changed pte and backs out",
    expect: unqualified({ ptep_get_lockless_norecency: e, __ptep_get: e }),
    consumer: 'handle_pte_fault',
    settings: { same, setAccessFlags: 'generic', hwAD: 'none' },
    build(reader: ReaderDef): BuiltScenario {
      const m = arm64BlockMemory([arm64Mk(S7_PFN, { write: true })], 0);
      const p = m.ptep(0);
      const read = reader.read as (p: Arm64Ptep) => ReturnType<ReaderDef['read']>;
      return {
        locations: m.locations,
        subject: m.subject,
        pages: [{ pfn: S7_PFN, ref: 1 }],
        cpus: [
          {
            name: `A: read fault(${reader.name})`,
            program: () => handle_pte_fault(arm64Ops, p, m.ptl, read, { same }),
          },
          {
            name: `B: write fault(${reader.name})`,
            program: () => handle_pte_fault(arm64Ops, p, m.ptl, read, { same, write: true }),
          },
        ],
      };
    },
  };
}

export const s7Arm64FaultNorecency = s7('pte_same_norecency');
export const s7Arm64FaultPteSame = s7('pte_same');
