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
 * recheck then rejects the read (pte{n-1} changed) is a consumer property,
 * not checked here: corpus/mailing-list/s6-contpte-remap-false-dirty-gup.scn
 * runs the reader inside GUP-fast under the contract `gup-no-false-dirty`.
 * `s6-kvm-dirty-check` is S6 on the real CONT_PTES = 16 with the reader on
 * entry 15 — a KVM-style "is it dirty" check (David Hildenbrand 2024-04-12:
 * "getting false-positive dirty bits would be problematic"); judge it with
 * `--contract no-false-dirty`.
 *
 * The four scenarios are the `.scn` texts of
 * corpus/mailing-list/s5-contpte-unfold-gather{,-16}.scn and
 * s6-{contpte-remap-false-dirty,kvm-dirty-check}.scn (kept identical to them by
 * test/unit/scenario-language.test.ts), so their witnesses get the minimizer's
 * program passes. One difference from the TypeScript scenarios they replaced,
 * display only: the reference names the block after its `pte` line (`pte`, was
 * `ptes`); every execution is the same.
 */
import { arm64Mk, foldedBlock } from '../../kernel';

export const FOLIO_A = 0x40n;
export const FOLIO_B = 0x80n;
/** the user pte template: writable, young, clean (pfn ignored) */
const TEMPLATE = arm64Mk(0n, { write: true, young: true, cont: true });
export const folioBPte = arm64Mk(FOLIO_B, { write: true, young: true });

/** The block of n entries CONT-mapping FolioA; S5 dirties pte0 only. */
export function s5Block(n: number, dirtyPte0: boolean): bigint[] {
  const b = foldedBlock(FOLIO_A, n, TEMPLATE);
  if (dirtyPte0) b[0] = arm64Mk(FOLIO_A, { write: true, young: true, cont: true, dirty: true });
  return b;
}

const hex = (v: bigint): string => `0x${v.toString(16).padStart(16, '0')}`;

/** The block's `pte` line: four entries per line, continuation lines indented. */
function pteLine(block: readonly bigint[]): string {
  const rows: string[] = [];
  for (let i = 0; i < block.length; i += 4)
    rows.push(
      block
        .slice(i, i + 4)
        .map(hex)
        .join(', '),
    );
  return `pte pte = [${rows.join(',\n  ')}] # FolioA (pfn 0x40…), CONT, writable, young`;
}

/** The comments the S5 and S6 texts start with: the thread's example and its claim. */
const S5_HEADER = `# DOMAIN §C S5 — arm64 contpte access/dirty gathered with the plain ptep_get()
# while the block is unfolded and its first page remapped (Ryan Roberts' example 1,
# 2024-04-15, answering David Hildenbrand's question of 2024-04-12). Dirty only in
# pte0; the reader under test (GUP-fast's read) reads the last entry; CPU B,
# holding the PTL, remaps an order-0 FolioB at pte0 (unfold, clear, set).
# Thread claim: BENIGN false-negative dirty — the plain gather reads the last
# entry still CONT, then pte0.. already cleared, and returns FolioA clean although
# the block was dirty at every instant (false-clean, a divergence under exact
# only); contpte_ptep_get_lockless sees a zero / non-CONT sibling and retries.
`;
const S6_HEADER = `# DOMAIN §C S6 — arm64 false-positive dirty (Ryan Roberts' example 2, 2024-04-15).
# FolioA clean; CPU B remaps FolioB at pte0 (unfold, clear, set); CPU C writes to
# the page at pte0 (a hardware DBM update). If the write lands after the remap,
# the dirty belongs to FolioB; the plain gather, having read the last entry CONT
# before the unfold, ORs it in: FolioA reported dirty (false-dirty, a violation of
# no-false-dirty at reader level). Thread claim: CLAIMED SAFE for GUP-fast, whose
# recheck catches it (a consumer property, not modelled here); David Hildenbrand:
# "getting false-positive dirty bits would be problematic" (KVM).
`;

const SOURCE =
  'Ryan Roberts, Re: \\"[RFC PATCH v1 0/4] Reduce cost of ptep_get_lockless on arm64\\", 2024-04-15, examples 1 and 2 (thread <20240215121756.2734131-1-ryan.roberts@arm.com>); David Hildenbrand 2024-04-12 (KVM: false-positive dirty is a problem)';

/** The `.scn` text of one gather scenario: S5 (dirty pte0, no writer C) or S6 (clean, C's DBM write of pte0). */
function gatherText(o: {
  header: string;
  /** the variant's own comment lines (after the header) */
  variant: string;
  name: string;
  title: string;
  claim: string;
  n: number;
  s6: boolean;
}): string {
  const t = o.n - 1;
  const plain = o.s6 ? 'bug' : 'benign';
  return `${o.header}${o.variant}scenario ${o.name}
title "${o.title}"
source "${SOURCE}"
claim "${o.claim}"
arch arm64
model weak
${pteLine(s5Block(o.n, !o.s6))}

reader contpte_ptep_get expect ${plain}
reader contpte_ptep_get@2025 expect ${plain}
reader contpte_ptep_get_lockless expect correct
reader contpte_ptep_get_lockless@2025 expect correct
reader __ptep_get expect ${o.s6 ? 'correct' : 'benign'}

cpu A "$reader(pte${t})" {
  reader(pte[${t}]) # GUP-fast's read
}

cpu B "remap FolioB at pte0" {
  spin_lock(ptl)
  contpte_unfold(pte[0]) # contpte_convert: clear all, TLBI+DSB, repaint non-CONT with A/D replicated
  __ptep_get_and_clear(pte[0])
  __set_pte(pte[0], ${hex(folioBPte)}) # FolioB (pfn 0x80), writable, young, clean
  spin_unlock(ptl)
}
${
  o.s6
    ? `
cpu C "write via pte0 (DBM)" {
  hw_access(pte[0], where=target) # hardware DBM dirtying of pte0 (non-CONT translation after the remap)
}
`
    : ''
}`;
}

const S5_CLAIM =
  'BENIGN: the plain gather may report FolioA clean (false-negative dirty); contpte_ptep_get_lockless retries';

export const S5_SCN = gatherText({
  header: S5_HEADER,
  variant: '',
  name: 's5-contpte-unfold-gather',
  title: 'arm64 contpte (4 ptes): dirty pte0, plain ptep_get gather while pte0 is remapped (S5)',
  claim: S5_CLAIM,
  n: 4,
  s6: false,
});

export const S5_16_SCN = gatherText({
  header: S5_HEADER,
  variant: '# This variant: the real CONT_PTES = 16 of the 4K granule.\n',
  name: 's5-contpte-unfold-gather-16',
  title: 'S5 with CONT_PTES = 16 (4K granule), reader on pte15',
  claim: S5_CLAIM,
  n: 16,
  s6: false,
});

export const S6_SCN = gatherText({
  header: S6_HEADER,
  variant: '',
  name: 's6-contpte-remap-false-dirty',
  title: 'arm64 contpte (4 ptes): clean FolioA, pte0 remapped to FolioB and written; plain gather (S6)',
  claim:
    'CLAIMED SAFE for GUP-fast (its recheck catches it); at reader level the plain gather reports FolioB’s dirty for FolioA: a no-false-dirty violation',
  n: 4,
  s6: true,
});

export const S6_KVM_SCN = gatherText({
  header: S6_HEADER,
  variant:
    '# This variant: S6 on the real CONT_PTES = 16, reader on entry 15 — a KVM-style\n# "is it dirty" check; judge it with --contract no-false-dirty.\n',
  name: 's6-kvm-dirty-check',
  title: 'KVM-style \\"is it dirty\\" check on a 16-pte contpte block racing a remap + write of pte0',
  claim: 'David Hildenbrand: a false-positive dirty is a bug if KVM maps only dirty ptes writable',
  n: 16,
  s6: true,
});
