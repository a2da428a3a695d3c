import type { Location } from '../machine';

/** One decoded field of a pte value, for display. */
export interface Field {
  readonly name: string;
  /** bit flags are booleans; multi-bit fields numbers shown in hex */
  readonly value: boolean | bigint;
}

/** What the comparator and the reports need to know about a pte encoding. */
export interface Arch {
  readonly name: ArchName;
  /** `pte_present()` */
  present(v: bigint): boolean;
  /** `pte_none()` */
  none(v: bigint): boolean;
  decode(v: bigint): Field[];
  /** the raw value as the kernel lists print it, e.g. `{0x00010002:0x00010067}` on PAE */
  format(v: bigint): string;
  /** masks of the parts that are written separately (PAE: the two halves); a torn value mixes parts */
  readonly tearUnits: readonly bigint[];
  /**
   * What reports call each tear unit, in tearUnits order (a torn value's "… from v2; … from v0"); without it,
   * two units are the low and high half, more are named by their masks
   */
  readonly tearUnitNames?: readonly string[];
  /** `pte_pfn()` */
  pfn(v: bigint): bigint;
  /** `pte_young()` */
  young(v: bigint): boolean;
  /** `pte_dirty()` (arm64: hardware-dirty or software-dirty) */
  dirty(v: bigint): boolean;
  /** `pte_write()` */
  write(v: bigint): boolean;
  /** `pte_access_permitted(pte, write)`: what GUP-fast and a hardware walker check */
  accessPermitted(v: bigint, write: boolean): boolean;
  /** `pte_mkyoung()`, `pte_mkold()`, `pte_mkdirty()`, `pte_mkclean()` */
  mkyoung(v: bigint): bigint;
  mkold(v: bigint): bigint;
  mkdirty(v: bigint): bigint;
  mkclean(v: bigint): bigint;
  /**
   * The value with its access/dirty information normalised away,
   * `pte_mkold(pte_mkclean(v))` — what `pte_same_norecency()` and the
   * `ad-relaxed` contract compare ("prot ignoring A/D" in contpte.c).
   */
  withoutAD(v: bigint): bigint;
}

export type ArchName = 'x86-pae' | 'arm64' | 'arm64-ext-sw';

/** A pte in memory: one or more locations, lowest first. */
export interface Pte {
  readonly name: string;
  readonly locs: readonly Location[];
}

export function hex(v: bigint, digits = 0): string {
  return '0x' + v.toString(16).padStart(digits, '0');
}

/** "present pfn=0x10 rw user A D" — the set flags and the multi-bit fields. */
export function describeFields(fields: readonly Field[]): string {
  return fields
    .filter((f) => f.value !== false)
    .map((f) => (f.value === true ? f.name : `${f.name}=${hex(f.value as bigint)}`))
    .join(' ');
}
