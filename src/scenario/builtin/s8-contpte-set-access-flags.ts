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
 * CPU SMMU: the per-descriptor walker writing through pte0 — walk (READ_ONCE of
 * pte0; a write goes through iff valid, AF set and RDONLY clear), else the
 * fault path: orig = the reader under test (handle_pte_fault's
 * `vmf->orig_pte = ptep_get_lockless()`), take the PTL, pte_same(ptep_get(),
 * orig) (the PTL-held gather), entry = pte_mkyoung(pte_mkdirty(orig)),
 * ptep_set_access_flags(entry, dirty = 1), unlock, walk again. Its LoopSpec
 * says the walk must end once the reference's pte0 permits the write.
 * CPU DBM: a CPU with FEAT_HAFDBS writing to the folio through the contiguous
 * TLB entry — hardware DBM dirtying of *any* entry of the block (a choice).
 * Initial: a 4-entry block, writable, clean (RDONLY), old (AF clear).
 * Witness: DBM dirties pte2 (AF + RDONLY cleared) before the walker's first
 * fault — then the gathered value equals entry and, pre-fix, nothing changes.
 * Verdict: `livelock` (pre-fix); none with the fixed form.
 *
 * The two variants are the `.scn` texts of
 * corpus/mailing-list/s8-contpte-set-access-flags{,-fixed}.scn (kept identical
 * to them by test/unit/scenario-language.test.ts), so their witnesses get the
 * minimizer's program passes. Every execution is the one the TypeScript
 * scenarios they replaced gave; display only: the reference names the block
 * after its `pte` line (`pte`, was `ptes`), the second CPU is `DBM: a CPU
 * writing to the folio` (was `CPU (DBM): write to the folio`), and `ptefuzz
 * list` names smmu_write as the consumer the reader under test runs inside.
 */
import type { SetAccessFlagsForm } from '../../kernel';

/** The comment both variants' texts start with: the thread, the claim and the CPUs. */
const HEADER = `# DOMAIN §C S8 — contpte ptep_set_access_flags() false no-op leaves a
# per-descriptor walker faulting forever (KNOWN REAL, fixed 2026-03-06).
# Piotr Jaroszynski: the pre-fix check compares the *gathered* ptep_get() value
# with the fault's entry; when only a sibling is dirty and young they are equal,
# the call returns 0 and the target keeps RDONLY — an SMMU without HTTU (or a CPU
# without DBM) re-walks the target, faults again, forever. The fix compares
# RDONLY|AF|WRITE|DIRTY of every entry. Fixes 4602e5757bcc (v6.9).
# The walker writes through pte0: walk, else fault (orig = the reader under test,
# PTL, pte_same against the PTL-held gather, ptep_set_access_flags(entry, 1)),
# retry; its loop must end once the reference's pte0 permits the write, else
# livelock. A CPU with FEAT_HAFDBS writes to the folio through the contiguous TLB
# entry: hardware DBM dirtying of any entry of the block (a choice).
# DOMAIN uses 16 entries; 4 keep the search small (same mechanism).
`;

const FORMS: readonly SetAccessFlagsForm[] = ['gathered', 'per-entry'];

/** The `.scn` text of a variant: the pre-fix gathered no-op check (livelock) or the per-entry fix. */
function variantText(form: SetAccessFlagsForm): string {
  const bug = form === 'gathered';
  const e = bug ? 'bug' : 'correct';
  return `${HEADER}# This variant: the ${form} no-op check.
scenario s8-contpte-set-access-flags${bug ? '' : '-fixed'}
title "${
    bug
      ? 'arm64 contpte: pre-2026 ptep_set_access_flags no-op check vs an SMMU without HTTU (S8)'
      : 'arm64 contpte: S8 with the March 2026 per-entry no-op check'
  }"
source "Piotr Jaroszynski, \\"[PATCH v2] arm64: contpte: fix set_access_flags() no-op check for SMMU/ATS faults\\", 2026-03-05, <20260305-contpte-fault-loop-v2-1-0216f0026d7f@nvidia.com>"
claim "${
    bug
      ? 'KNOWN REAL (v6.9 → 2026-03): the gathered no-op check leaves the target RDONLY; the walker faults forever (livelock)'
      : 'FIXED: every entry is compared; the target is made writable and the walker proceeds'
  }"
arch arm64
model weak
pte pte = [0x0078000000040bc3, 0x0078000000041bc3, 0x0078000000042bc3, 0x0078000000043bc3] # CONT, writable, clean, old

reader contpte_ptep_get_lockless expect ${e}
reader contpte_ptep_get_lockless@2025 expect ${e}

cpu SMMU "write via pte0" {
  smmu_write(pte[0], form=${form})
}

cpu DBM "a CPU writing to the folio" {
  hw_access(pte[0])
}
`;
}

export const [S8_SCN, S8_FIXED_SCN] = FORMS.map(variantText) as [string, string];
