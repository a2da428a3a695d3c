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
 *
 * The two variants are the `.scn` texts of
 * corpus/mailing-list/s7-arm64-fault-{norecency,pte-same}.scn (kept identical
 * to them by test/unit/scenario-language.test.ts), so their witnesses get the
 * minimizer's program passes. Every execution is the one the TypeScript
 * scenarios they replaced gave; display only, the reference names the pte after
 * its `pte` line (`pte`, was `ptes`).
 */
import type { PteSameKind } from '../../kernel';
import type { SettingsByName } from '../types';

/** The comment both variants' texts start with: the thread, the CPUs and the oracle. */
const HEADER = `# DOMAIN §C S7 — the fault path with pte_same_norecency() loses a dirty bit.
# David Hildenbrand on Ryan Roberts' "[RFC PATCH v1 3/4] mm/memory: Use
# ptep_get_lockless_norecency() for orig_pte", 2024-03-26/27; Ryan agreed ("I
# absolutely knew that you would be correct"). Never merged.
# An arch without hardware A/D: the arm64 encoding with no hardware updater and
# the generic ptep_set_access_flags() (if !pte_same(*ptep, entry)
# set_pte_at(entry)). One lone pte: present, writable, clean, old.
# A read fault reads orig (clean); a write fault makes the pte dirty under the
# PTL; with pte_same_norecency(ptep_get(), orig) the read fault ignores the
# dirty bit, computes entry = pte_mkyoung(orig) (clean) and writes it: the dirty
# bit is gone (lost-dirty). With today's full pte_same() it backs out.
`;

const SAMES: readonly PteSameKind[] = ['pte_same_norecency', 'pte_same'];

const variantName = (same: PteSameKind): string =>
  `s7-arm64-fault-${same === 'pte_same_norecency' ? 'norecency' : 'pte-same'}`;

/** The `.scn` text of a variant: the RFC's pte_same_norecency recheck (bug) or today's pte_same. */
function variantText(same: PteSameKind): string {
  const e = same === 'pte_same_norecency' ? 'bug' : 'correct';
  return `${HEADER}# This variant: the PTL recheck is ${same}.
scenario ${variantName(same)}
title "arm64 without HW A/D: read fault vs write fault, PTL recheck with ${same} (S7)"
source "David Hildenbrand, Re: \\"[RFC PATCH v1 3/4] mm/memory: Use ptep_get_lockless_norecency() for orig_pte\\", 2024-03-26/27 (series <20240215121756.2734131-1-ryan.roberts@arm.com>)"
claim "${
    e === 'bug'
      ? 'BUG in the 2024 RFC design: pte_same_norecency lets a read fault overwrite a concurrent dirty bit'
      : "today's full-value pte_same: the read fault sees the changed pte and backs out"
  }"
arch arm64
model weak
pte pte = 0x0068000001234bc3 # pfn 0x1234, writable, clean (RDONLY), old
page 0x1234 ref 1

reader ptep_get_lockless_norecency expect ${e}
reader __ptep_get expect ${e}

cpu A "read fault($reader)" {
  handle_pte_fault(pte, same=${same})
}

cpu B "write fault($reader)" {
  handle_pte_fault(pte, write=true, same=${same})
}
`;
}

export const [S7_NORECENCY_SCN, S7_PTE_SAME_SCN] = SAMES.map(variantText) as [string, string];

/** The variants' settings, shown by `ptefuzz list` (the language has no statement for them). */
export const S7_SETTINGS: SettingsByName = Object.fromEntries(
  SAMES.map((same) => [variantName(same), { same, setAccessFlags: 'generic', hwAD: 'none' }]),
);
