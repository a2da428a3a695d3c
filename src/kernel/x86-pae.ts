/**
 * x86 PAE pte encoding (arch/x86/include/asm/pgtable_types.h, page_32_types.h;
 * pgtable-3level_types.h for the pte_low/pte_high union). Bit numbers as in
 * ../shared/DOMAIN.md §A2:
 *   low:  P=0 RW=1 US=2 PWT=3 PCD=4 A=5 D=6 PSE/PAT=7 G=8 SW1(SPECIAL)=9 SW2=10 SW3(SOFT_DIRTY)=11, PFN 12..31
 *   high: PFN 32..51, SW 57/58, NX=63
 * `_PAGE_PROTNONE` reuses G when P=0; `pte_present()` is P || PROTNONE.
 * Omitted: the inverted swap-entry encoding (decoded here as raw fields).
 */
import type { Location } from '../machine';
import type { Arch, Field, Pte } from './arch';
import { hex } from './arch';

export const PAE = {
  PRESENT: 1n << 0n,
  RW: 1n << 1n,
  USER: 1n << 2n,
  PWT: 1n << 3n,
  PCD: 1n << 4n,
  ACCESSED: 1n << 5n,
  DIRTY: 1n << 6n,
  PSE: 1n << 7n,
  GLOBAL: 1n << 8n,
  PROTNONE: 1n << 8n,
  SPECIAL: 1n << 9n,
  SOFT_DIRTY: 1n << 11n,
  NX: 1n << 63n,
  PFN_MASK: ((1n << 52n) - 1n) & ~0xfffn,
  LOW: 0xffff_ffffn,
  HIGH: 0xffff_ffffn << 32n,
} as const;

/** A PAE pte: two 32-bit locations, `pte_low` (bits 0..31) and `pte_high` (32..63). */
export interface PaePte extends Pte {
  readonly low: Location;
  readonly high: Location;
}

export function paePte(name: string, low: Location, high: Location): PaePte {
  return { name, low, high, locs: [low, high] };
}

export const lowOf = (v: bigint): bigint => v & PAE.LOW;
export const highOf = (v: bigint): bigint => (v >> 32n) & PAE.LOW;
export const paeValue = (high: bigint, low: bigint): bigint => ((high & PAE.LOW) << 32n) | (low & PAE.LOW);

/** A present user pte for pfn with the usual anon flags (P RW US A D). */
export function paeMk(pfn: bigint, flags: bigint = PAE.PRESENT | PAE.RW | PAE.USER | PAE.ACCESSED | PAE.DIRTY): bigint {
  return ((pfn << 12n) & PAE.PFN_MASK) | flags;
}

const flag = (v: bigint, bit: bigint): boolean => (v & bit) !== 0n;

export const x86Pae: Arch = {
  name: 'x86-pae',
  present: (v) => (v & (PAE.PRESENT | PAE.PROTNONE)) !== 0n,
  // arch/x86/include/asm/pgtable.h pte_none(): !(pte.pte & ~_PAGE_KNL_ERRATUM_MASK), the mask being
  // _PAGE_DIRTY | _PAGE_ACCESSED under CONFIG_X86_PAE (Knights Landing may set A/D in a non-present pte)
  none: (v) => (v & ~(PAE.ACCESSED | PAE.DIRTY)) === 0n,
  decode(v): Field[] {
    const p = flag(v, PAE.PRESENT);
    return [
      { name: 'present', value: p },
      { name: 'protnone', value: !p && flag(v, PAE.PROTNONE) },
      { name: 'pfn', value: (v & PAE.PFN_MASK) >> 12n },
      { name: 'rw', value: flag(v, PAE.RW) },
      { name: 'user', value: flag(v, PAE.USER) },
      { name: 'pwt', value: flag(v, PAE.PWT) },
      { name: 'pcd', value: flag(v, PAE.PCD) },
      { name: 'accessed', value: flag(v, PAE.ACCESSED) },
      { name: 'dirty', value: flag(v, PAE.DIRTY) },
      { name: 'pse', value: flag(v, PAE.PSE) },
      { name: 'global', value: p && flag(v, PAE.GLOBAL) },
      { name: 'special', value: flag(v, PAE.SPECIAL) },
      { name: 'soft_dirty', value: flag(v, PAE.SOFT_DIRTY) },
      { name: 'nx', value: flag(v, PAE.NX) },
    ];
  },
  format: (v) => `{${hex(highOf(v), 8)}:${hex(lowOf(v), 8)}}`,
  tearUnits: [PAE.LOW, PAE.HIGH],
  pfn: (v) => (v & PAE.PFN_MASK) >> 12n,
  young: (v) => flag(v, PAE.ACCESSED),
  dirty: (v) => flag(v, PAE.DIRTY),
  write: (v) => flag(v, PAE.RW),
  // arch/x86/include/asm/pgtable.h __pte_access_permitted(): present, user, and RW for a write (pkeys omitted)
  accessPermitted: (v, write) => flag(v, PAE.PRESENT) && flag(v, PAE.USER) && (!write || flag(v, PAE.RW)),
  mkyoung: (v) => v | PAE.ACCESSED,
  mkold: (v) => v & ~PAE.ACCESSED,
  mkdirty: (v) => v | PAE.DIRTY,
  mkclean: (v) => v & ~PAE.DIRTY,
  withoutAD: (v) => v & ~(PAE.ACCESSED | PAE.DIRTY),
};
