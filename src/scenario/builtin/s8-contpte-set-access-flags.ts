/**
 * DOMAIN §C S8 — contpte `ptep_set_access_flags()` false no-op leaves a
 * per-descriptor walker faulting forever (KNOWN REAL, fixed March 2026).
 * Source: Piotr Jaroszynski, "[PATCH v2] arm64: contpte: fix
 * set_access_flags() no-op check for SMMU/ATS faults", 2026-03-05,
 * <20260305-contpte-fault-loop-v2-1-0216f0026d7f@nvidia.com>, Fixes
 * 4602e5757bcc ("arm64/mm: wire up PTE_CONT for user mappings", v6.9),
 * applied 2026-03-06.
 * Claim: the pre-fix check compares the *gathered* ptep_get() value with the
 * fault's entry; when only a sibling is dirty and young, they are equal, the
 * call returns 0 and the target keeps RDONLY — an SMMU without HTTU (or a CPU
 * without DBM) re-walks the target, faults again, forever. The fix compares
 * RDONLY|AF|WRITE|DIRTY of every entry.
 *
 * CPU 0: the per-descriptor walker writing through pte0 — walk (READ_ONCE of
 * pte0; a write goes through iff valid, AF set and RDONLY clear), else the
 * fault path: orig = the reader under test (handle_pte_fault's
 * `vmf->orig_pte = ptep_get_lockless()`), take the PTL, pte_same(ptep_get(),
 * orig) (the PTL-held gather), entry = pte_mkyoung(pte_mkdirty(orig)),
 * ptep_set_access_flags(entry, dirty = 1), unlock, walk again. Its LoopSpec
 * says the walk must end once the reference's pte0 permits the write.
 * CPU 1: a CPU with FEAT_HAFDBS writing to the folio through the contiguous
 * TLB entry — hardware DBM dirtying of *any* entry of the block (a choice).
 * Initial: a 4-entry block, writable, clean (RDONLY), old (AF clear).
 * Witness: CPU 1 dirties pte2 (AF + RDONLY cleared) before the walker's first
 * fault — then the gathered value equals entry and, pre-fix, nothing changes.
 * Verdict: `livelock` (pre-fix); none with the fixed form.
 */
import type { ReaderDef, SetAccessFlagsForm } from '../../kernel';
import { arm64Mk, foldedBlock, hw_access, smmu_write } from '../../kernel';
import type { BuiltScenario, Scenario } from '../types';
import { unqualified } from '../types';
import { arm64BlockMemory } from './arm64-common';

export const S8_BLOCK = foldedBlock(0x40n, 4, arm64Mk(0n, { write: true, cont: true }));

function s8(name: string, form: SetAccessFlagsForm, title: string, claim: string, bug: boolean): Scenario {
  return {
    name,
    title,
    arch: 'arm64',
    model: 'weak',
    readers: ['contpte_ptep_get_lockless', 'contpte_ptep_get_lockless@2025'],
    source:
      'Piotr Jaroszynski, "[PATCH v2] arm64: contpte: fix set_access_flags() no-op check for SMMU/ATS faults", 2026-03-05, <20260305-contpte-fault-loop-v2-1-0216f0026d7f@nvidia.com>',
    claim,
    expect: unqualified({
      contpte_ptep_get_lockless: bug ? 'bug' : 'correct',
      'contpte_ptep_get_lockless@2025': bug ? 'bug' : 'correct',
    }),
    build(reader: ReaderDef): BuiltScenario {
      const m = arm64BlockMemory(S8_BLOCK, 0);
      return {
        locations: m.locations,
        subject: m.subject,
        cpus: [
          { name: 'SMMU: write via pte0', program: () => smmu_write(m.ptep(0), m.ptl, reader.read, form) },
          { name: 'CPU (DBM): write to the folio', program: () => hw_access(m.ptep(0), true) },
        ],
      };
    },
  };
}

export const s8ContpteSetAccessFlags = s8(
  's8-contpte-set-access-flags',
  'gathered',
  'arm64 contpte: pre-2026 ptep_set_access_flags no-op check vs an SMMU without HTTU (S8)',
  'KNOWN REAL (v6.9 → 2026-03): the gathered no-op check leaves the target RDONLY; the walker faults forever (livelock)',
  true,
);

export const s8ContpteSetAccessFlagsFixed = s8(
  's8-contpte-set-access-flags-fixed',
  'per-entry',
  'arm64 contpte: S8 with the March 2026 per-entry no-op check',
  'FIXED: every entry is compared; the target is made writable and the walker proceeds',
  false,
);
