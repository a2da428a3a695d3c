/**
 * DOMAIN §C S5 and S6 — arm64 contpte access/dirty gathered locklessly while
 * the block is unfolded and its first page remapped.
 * Source: Ryan Roberts, Re: "[RFC PATCH v1 0/4] Reduce cost of
 * ptep_get_lockless on arm64", 2024-04-15 (thread root
 * <20240215121756.2734131-1-ryan.roberts@arm.com>; his worked examples 1 and 2,
 * answering David Hildenbrand's question of 2024-04-12 whether a
 * false-positive dirty could escape GUP-fast's recheck).
 *
 * Block pte0..pte{n-1} CONT-maps FolioA (pfn 0x40…); the reader under test
 * (GUP-fast's read) reads entry n-1. CPU B, holding the PTL, remaps an
 * order-0 FolioB (pfn 0x80) at pte0: the single-entry change unfolds the
 * block (contpte_convert: clear all, TLBI+DSB, repaint non-CONT with the A/D
 * replicated), then __ptep_get_and_clear(pte0), __set_pte(pte0, FolioB).
 *
 * S5 (claim: BENIGN false-negative dirty): dirty only in pte0. The plain
 * gather (`contpte_ptep_get`) reads pte{n-1} still CONT, then pte0..pte{n-2}
 * already cleared: it returns FolioA clean although the block was dirty at
 * every instant — `false-clean`, a divergence under `exact` only;
 * `ad-relaxed` and `no-false-dirty` hold. `contpte_ptep_get_lockless` sees a
 * zero / non-CONT sibling and retries.
 *
 * S6 (claim: CORRECT — the false positive is caught by GUP-fast's recheck):
 * FolioA clean; CPU C writes to the page at pte0 — a hardware DBM update of
 * pte0 (non-CONT translation). If it lands after the remap, the dirty belongs
 * to FolioB; the plain gather, having read pte{n-1} CONT before the unfold,
 * ORs it in: FolioA reported dirty — `false-dirty`, a violation of
 * `no-false-dirty` at reader level (what David's KVM use — only dirty ptes
 * writable in a secondary MMU — could not tolerate). Whether GUP-fast's
 * recheck then rejects the read (pte{n-1} changed) is a consumer property:
 * checked by the consumers' GUP-fast model, not here.
 * `s6-kvm-dirty-check` is S6 on the real CONT_PTES = 16 with the reader on
 * entry 15 — a KVM-style "is it dirty" check (David Hildenbrand 2024-04-12:
 * "getting false-positive dirty bits would be problematic"); judge it with
 * `--contract no-false-dirty`.
 */
import type { Program } from '../../machine';
import { spin_lock, spin_unlock } from '../../machine';
import type { ReaderDef } from '../../kernel';
import { __ptep_get_and_clear, __set_pte, arm64Mk, contpte_unfold, foldedBlock, hw_access } from '../../kernel';
import type { BuiltScenario, Expectation, Scenario } from '../types';
import type { Arm64BlockMemory } from './arm64-common';
import { arm64BlockMemory } from './arm64-common';

export const FOLIO_A = 0x40n;
export const FOLIO_B = 0x80n;
/** the user pte template: writable, young, clean (pfn ignored) */
const TEMPLATE = arm64Mk(0n, { write: true, young: true, cont: true });
export const folioBPte = arm64Mk(FOLIO_B, { write: true, young: true });

export function s5Block(n: number, dirtyPte0: boolean): bigint[] {
  const b = foldedBlock(FOLIO_A, n, TEMPLATE);
  if (dirtyPte0) b[0] = arm64Mk(FOLIO_A, { write: true, young: true, cont: true, dirty: true });
  return b;
}

/** B: remap FolioB at pte0 under the PTL (unfold, clear, set). */
function* remapPte0(m: Arm64BlockMemory): Program {
  yield spin_lock(m.ptl);
  yield* contpte_unfold(m.ptep(0));
  yield* __ptep_get_and_clear(m.ptep(0));
  yield* __set_pte(m.ptep(0), folioBPte);
  yield spin_unlock(m.ptl);
}

const READERS = [
  'contpte_ptep_get',
  'contpte_ptep_get@2025',
  'contpte_ptep_get_lockless',
  'contpte_ptep_get_lockless@2025',
  '__ptep_get',
];
const SOURCE =
  'Ryan Roberts, Re: "[RFC PATCH v1 0/4] Reduce cost of ptep_get_lockless on arm64", 2024-04-15, examples 1 and 2 (thread <20240215121756.2734131-1-ryan.roberts@arm.com>); David Hildenbrand 2024-04-12 (KVM: false-positive dirty is a problem)';

function gatherScenario(o: {
  name: string;
  title: string;
  n: number;
  dirtyPte0: boolean;
  hwWrite: boolean;
  claim: string;
  expect: Record<string, Expectation>;
}): Scenario {
  return {
    name: o.name,
    title: o.title,
    arch: 'arm64',
    model: 'weak',
    readers: READERS,
    source: SOURCE,
    claim: o.claim,
    expect: o.expect,
    build(reader: ReaderDef): BuiltScenario {
      const t = o.n - 1;
      const m = arm64BlockMemory(s5Block(o.n, o.dirtyPte0), t);
      const cpus = [
        { name: `A: ${reader.name}(pte${t})`, program: () => reader.read(m.ptep(t)) },
        { name: 'B: remap FolioB at pte0', program: () => remapPte0(m) },
      ];
      if (o.hwWrite)
        cpus.push({ name: 'C: write via pte0 (DBM)', program: () => hw_access(m.ptep(0), true, 'target') });
      return { locations: m.locations, subject: m.subject, cpus };
    },
  };
}

export const s5ContpteUnfoldGather = gatherScenario({
  name: 's5-contpte-unfold-gather',
  title: 'arm64 contpte (4 ptes): dirty pte0, plain ptep_get gather while pte0 is remapped (S5)',
  n: 4,
  dirtyPte0: true,
  hwWrite: false,
  claim: 'BENIGN: the plain gather may report FolioA clean (false-negative dirty); contpte_ptep_get_lockless retries',
  expect: {
    contpte_ptep_get: 'benign',
    'contpte_ptep_get@2025': 'benign',
    contpte_ptep_get_lockless: 'correct',
    'contpte_ptep_get_lockless@2025': 'correct',
    __ptep_get: 'benign',
  },
});

export const s5ContpteUnfoldGather16 = gatherScenario({
  name: 's5-contpte-unfold-gather-16',
  title: 'S5 with CONT_PTES = 16 (4K granule), reader on pte15',
  n: 16,
  dirtyPte0: true,
  hwWrite: false,
  claim: s5ContpteUnfoldGather.claim,
  expect: s5ContpteUnfoldGather.expect,
});

const S6_EXPECT: Record<string, Expectation> = {
  contpte_ptep_get: 'bug',
  'contpte_ptep_get@2025': 'bug',
  contpte_ptep_get_lockless: 'correct',
  'contpte_ptep_get_lockless@2025': 'correct',
  __ptep_get: 'correct',
};

export const s6ContpteRemapFalseDirty = gatherScenario({
  name: 's6-contpte-remap-false-dirty',
  title: 'arm64 contpte (4 ptes): clean FolioA, pte0 remapped to FolioB and written; plain gather (S6)',
  n: 4,
  dirtyPte0: false,
  hwWrite: true,
  claim:
    'CLAIMED SAFE for GUP-fast (its recheck catches it); at reader level the plain gather reports FolioB’s dirty for FolioA: a no-false-dirty violation',
  expect: S6_EXPECT,
});

export const s6KvmDirtyCheck = gatherScenario({
  name: 's6-kvm-dirty-check',
  title: 'KVM-style "is it dirty" check on a 16-pte contpte block racing a remap + write of pte0',
  n: 16,
  dirtyPte0: false,
  hwWrite: true,
  claim: 'David Hildenbrand: a false-positive dirty is a bug if KVM maps only dirty ptes writable',
  expect: S6_EXPECT,
});
