/**
 * arm64 level-3 page descriptor, 4K granule (arch/arm64/include/asm/pgtable-hwdef.h,
 * pgtable-prot.h, pgtable.h; linux-mm snapshot 0075c5f7, v6.10+ bit allocation).
 * Bit numbers as in ../shared/DOMAIN.md §A3.1:
 *   VALID=0 TYPE_PAGE=1:0 AttrIndx=4:2 USER=6 RDONLY=7 SHARED=9:8 AF=10 NG=11
 *   (PRESENT_INVALID when VALID=0) OA=12..49 GP=50 DBM(WRITE)=51 CONT=52
 *   PXN=53 UXN=54 DIRTY(SW)=55 SPECIAL=56 UFFD_WP=58 POIndex=62:60
 * One descriptor is one 64-bit location, read and written single-copy
 * atomically (one LDR/STR); a contpte block is CONT_PTES such locations.
 * Dirty is hardware-dirty (DBM set, RDONLY clear) or software-dirty (DIRTY).
 * Omitted: LPA2/52-bit output addresses, the CONFIG_ARM64_D128 descriptor,
 * swap-entry encoding (decoded as raw fields), POE permission overlays.
 */
import type { Location } from '../machine';
import type { Arch, Field, Pte } from './arch';
import { hex } from './arch';

export const ARM64 = {
  VALID: 1n << 0n,
  TABLE_BIT: 1n << 1n,
  /** PTE_TYPE_PAGE: bits 1:0 = 0b11 */
  TYPE_PAGE: 3n,
  ATTRINDX_MASK: 7n << 2n,
  USER: 1n << 6n,
  RDONLY: 1n << 7n,
  SHARED: 3n << 8n,
  AF: 1n << 10n,
  NG: 1n << 11n,
  /** overlays NG when VALID is clear (PROT_NONE and friends) */
  PRESENT_INVALID: 1n << 11n,
  ADDR_MASK: ((1n << 50n) - 1n) & ~0xfffn,
  GP: 1n << 50n,
  /** PTE_WRITE == PTE_DBM */
  DBM: 1n << 51n,
  WRITE: 1n << 51n,
  CONT: 1n << 52n,
  PXN: 1n << 53n,
  UXN: 1n << 54n,
  DIRTY: 1n << 55n,
  SPECIAL: 1n << 56n,
  UFFD_WP: 1n << 58n,
  POINDEX_MASK: 7n << 60n,
  ALL: (1n << 64n) - 1n,
} as const;

/** An arm64 table descriptor: next-level table address | TABLE | VALID. */
export const arm64PmdTable = (pfn: bigint): bigint => (pfn << 12n) | 3n;
/** The next-level table of an arm64 pmd, or null when it is not a table descriptor. */
export const arm64PmdTableOf = (pmd: bigint): bigint | null =>
  (pmd & 3n) === 3n ? (pmd >> 12n) & 0xf_ffff_ffffn : null;

/** CONT_PTES: 16 with the 4K granule; 4 is allowed to keep scenarios small (DOMAIN §C S5). */
export type ContPtes = 4 | 16;
export const DEFAULT_CONT_PTES: ContPtes = 16;

/** An arm64 pte: one 64-bit location. */
export interface Arm64Pte extends Pte {
  readonly loc: Location;
}

export function arm64Pte(name: string, loc: Location): Arm64Pte {
  return { name, loc, locs: [loc] };
}

/** Normal memory, inner-shareable, user, not executable: PAGE_READONLY's attributes. */
export const ARM64_USER_ATTRS: bigint = ARM64.TYPE_PAGE | ARM64.USER | ARM64.SHARED | ARM64.NG | ARM64.PXN | ARM64.UXN;

/**
 * A valid user page descriptor for pfn. `write` gives PAGE_SHARED-style
 * permissions (DBM set, RDONLY set while clean: "clean-writable"); `young`
 * sets AF; `dirty` makes it hardware-dirty (RDONLY clear) when writable,
 * else software-dirty.
 */
export function arm64Mk(
  pfn: bigint,
  opts: { write?: boolean; young?: boolean; dirty?: boolean; cont?: boolean; extra?: bigint } = {},
): bigint {
  let v = ((pfn << 12n) & ARM64.ADDR_MASK) | ARM64_USER_ATTRS | ARM64.RDONLY;
  if (opts.write === true) v |= ARM64.WRITE;
  if (opts.young === true) v |= ARM64.AF;
  if (opts.cont === true) v |= ARM64.CONT;
  if (opts.dirty === true) v = arm64.mkdirty(v);
  return v | (opts.extra ?? 0n);
}

const flag = (v: bigint, bit: bigint): boolean => (v & bit) !== 0n;
const valid = (v: bigint): boolean => flag(v, ARM64.VALID);
const hwDirty = (v: bigint): boolean => flag(v, ARM64.DBM) && !flag(v, ARM64.RDONLY);

/** What break-before-make governs in a change of one valid descriptor into another (arm64UnbrokenChange). */
export type Arm64BbmPart = 'output address' | 'contiguous bit';

/**
 * Break-before-make (Arm ARM DDI 0487, "Using break-before-make when updating translation table entries": D8.16
 * in issue K, D5.10.1 before): a valid descriptor may become another valid descriptor in one store only when the
 * translation stays the same; changing its output address, or its block size — for a level-3 descriptor the
 * contiguous bit, which makes CONT_PTES entries one TLB entry — needs the break first: write an invalid entry,
 * DSB, broadcast TLBI, DSB, then the new entry. Otherwise two translations of one address may be live at once
 * (TLB conflict aborts, loss of coherence, the old page written after the new one is mapped). Linux keeps to it:
 * the generic mm moves a live user pte to another page through a clear (mm/memory.c `wp_page_copy()`:
 * `ptep_clear_flush()`, then `set_pte_at()`); arm64's `set_ptes()` (arch/arm64/include/asm/pgtable.h, v6.9+) runs
 * `contpte_try_unfold()` before `__set_ptes()` over a CONT entry, and `contpte_convert()` (arch/arm64/mm/contpte.c,
 * v6.9+; DOMAIN §A3.5) clears every entry of the block with `__ptep_get_and_clear()` (xchg) before `__set_ptes()`
 * repaints it with the CONT bit set or cleared — with FEAT_BBML2 (2025, "arm64/mm: Elide tlbi in contpte_convert()
 * under BBML2") only the TLBI is skipped, the clear stays. `__set_pte()` itself checks nothing (a plain
 * WRITE_ONCE); under CONFIG_DEBUG_VM `set_ptes()` warns through `__check_safe_pte_update()` and
 * `pgattr_change_is_safe()` (arch/arm64/mm/mmu.c, since 2023: "A live entry's pfn should not change").
 *
 * What counts here: both descriptors VALID (bit 0 — hardware validity, not `pte_present()`: a PROT_NONE entry is
 * invalid to the walker, so replacing or creating it is a break or a make, never a forbidden change) and their
 * output address or CONT bit differ. Permission, access/dirty and software bits may change in place: the
 * hardware's AF and DBM updates, `__ptep_set_access_flags()`, `ptep_set_wrprotect()`,
 * `ptep_test_and_clear_young()` and `contpte_wrprotect_ptes()` over a whole block do exactly that. Not checked
 * (no modelled writer makes such a change valid to valid): memory type, shareability, a non-global entry made
 * global, which the Arm ARM also lists.
 *
 * The parts of the translation `next` changes, written over `prev` in one store, that need the break; undefined
 * when the store is allowed.
 */
export function arm64UnbrokenChange(prev: bigint, next: bigint): Arm64BbmPart[] | undefined {
  if ((prev & next & ARM64.VALID) === 0n) return undefined;
  const diff = prev ^ next;
  if ((diff & (ARM64.ADDR_MASK | ARM64.CONT)) === 0n) return undefined;
  const parts: Arm64BbmPart[] = [];
  if ((diff & ARM64.ADDR_MASK) !== 0n) parts.push('output address');
  if ((diff & ARM64.CONT) !== 0n) parts.push('contiguous bit');
  return parts;
}

export const arm64: Arch = {
  name: 'arm64',
  // pte_present() = pte_valid() || pte_present_invalid()
  present: (v) => valid(v) || flag(v, ARM64.PRESENT_INVALID),
  none: (v) => v === 0n,
  decode(v): Field[] {
    const ok = valid(v);
    return [
      { name: 'valid', value: ok },
      { name: 'present_invalid', value: !ok && flag(v, ARM64.PRESENT_INVALID) },
      { name: 'pfn', value: (v & ARM64.ADDR_MASK) >> 12n },
      { name: 'cont', value: flag(v, ARM64.CONT) },
      { name: 'user', value: flag(v, ARM64.USER) },
      { name: 'rdonly', value: flag(v, ARM64.RDONLY) },
      { name: 'write', value: flag(v, ARM64.WRITE) },
      { name: 'af', value: flag(v, ARM64.AF) },
      { name: 'hw_dirty', value: hwDirty(v) },
      { name: 'sw_dirty', value: flag(v, ARM64.DIRTY) },
      { name: 'ng', value: ok && flag(v, ARM64.NG) },
      { name: 'special', value: flag(v, ARM64.SPECIAL) },
      { name: 'uffd_wp', value: flag(v, ARM64.UFFD_WP) },
      { name: 'pxn', value: flag(v, ARM64.PXN) },
      { name: 'uxn', value: flag(v, ARM64.UXN) },
      { name: 'attrindx', value: (v & ARM64.ATTRINDX_MASK) >> 2n },
    ];
  },
  format: (v) => hex(v, 16),
  // a descriptor is single-copy atomic: it cannot tear by itself
  tearUnits: [ARM64.ALL],
  pfn: (v) => (v & ARM64.ADDR_MASK) >> 12n,
  young: (v) => flag(v, ARM64.AF),
  // pte_dirty() = pte_hw_dirty() || pte_sw_dirty()
  dirty: (v) => hwDirty(v) || flag(v, ARM64.DIRTY),
  write: (v) => flag(v, ARM64.WRITE),
  // pte_access_permitted(): valid && user && (!write || pte_write()); POE omitted
  accessPermitted: (v, write) => valid(v) && flag(v, ARM64.USER) && (!write || flag(v, ARM64.WRITE)),
  mkyoung: (v) => v | ARM64.AF,
  mkold: (v) => v & ~ARM64.AF,
  // pte_mkdirty(): set PTE_DIRTY and, if writable, clear RDONLY (make it hardware-dirty too)
  mkdirty: (v) => {
    const d = v | ARM64.DIRTY;
    return flag(v, ARM64.WRITE) ? d & ~ARM64.RDONLY : d;
  },
  // pte_mkclean(): clear PTE_DIRTY and set RDONLY
  mkclean: (v) => (v & ~ARM64.DIRTY) | ARM64.RDONLY,
  withoutAD: (v) => ((v & ~ARM64.DIRTY) | ARM64.RDONLY) & ~ARM64.AF,
};
