/**
 * An arm64 pte pointer inside its naturally aligned contpte block
 * (arch/arm64/include/asm/pgtable.h, CONFIG_ARM64_CONTPTE, v6.9+): the
 * accessors that gather access/dirty (`ptep_get`, `contpte_ptep_get_lockless`)
 * and the block writers (`contpte_convert`) need the block's CONT_PTES
 * locations, not just the target's. Outside a contpte block `block` is the
 * one location and `index` 0.
 */
import type { Location } from '../machine';
import type { EntriesModel } from './spec';
import type { Pte } from './arch';
import { ARM64, arm64 } from './arm64';

export interface Arm64Ptep extends Pte {
  /** the subject: the whole block, shared by every ptep into it */
  readonly name: string;
  /** the descriptor this ptep points at */
  readonly loc: Location;
  /** its index in the block (`ptep - contpte_align_down(ptep)`) */
  readonly index: number;
  /** the CONT_PTES descriptors of the block, lowest address first */
  readonly block: readonly Location[];
  /** = block */
  readonly locs: readonly Location[];
  /**
   * The pfn of the first page of the large folio that covers the whole block
   * (`__contpte_try_fold()`'s folio-coverage test): present when the block's
   * initial entries are a folded or foldable block (blockFolio), absent for a
   * lone pte or any other block. Pages are order-0 in the machine: a page
   * alloc_page() hands out is never part of this folio (unless it is one of
   * these pfns, freed and reused — not told apart).
   */
  readonly folio?: bigint;
}

export function arm64Ptep(name: string, block: readonly Location[], index: number, folio?: bigint): Arm64Ptep {
  const loc = block[index];
  if (loc === undefined)
    throw new Error(`[ptefuzz internal bug] ptep index ${index} outside a block of ${block.length}`);
  return { name, loc, index, block, locs: block, ...(folio !== undefined ? { folio } : {}) };
}

/**
 * The large folio a block's initial entries map, by its first pfn: a block of
 * more than one entry that maps one aligned range (mapsAlignedRange: folded, or
 * foldable — the kernel folds only a range one folio covers, and a scenario
 * that maps a block so declares that folio). Otherwise undefined.
 */
export function blockFolio(entries: readonly bigint[]): bigint | undefined {
  return entries.length >= 2 && mapsAlignedRange(entries) ? arm64.pfn(entries[0]!) : undefined;
}

/**
 * Every entry valid, entry i mapping pfn0 + i with pfn0 aligned to the block,
 * one prot ignoring access/dirty (the CONT bit included: all folded or none) —
 * what `__contpte_try_fold()` checks of a block before folding it (contpte.ts
 * `foldable` adds: none CONT yet).
 */
export function mapsAlignedRange(entries: readonly bigint[]): boolean {
  const first = entries[0]!;
  const pfn0 = arm64.pfn(first);
  if (pfn0 % BigInt(entries.length) !== 0n) return false;
  return entries.every(
    (v, i) =>
      (v & ARM64.VALID) !== 0n && arm64.pfn(v) === pfn0 + BigInt(i) && protIgnoringAD(v) === protIgnoringAD(first),
  );
}

/** `pte_valid_cont()`: VALID and CONT. */
export const validCont = (v: bigint): boolean => (v & (ARM64.VALID | ARM64.CONT)) === (ARM64.VALID | ARM64.CONT);

/** `pte_pgprot(pte_mkold(pte_mkclean(v)))`: every bit but the output address, access/dirty normalised away. */
export const protIgnoringAD = (v: bigint): bigint => arm64.withoutAD(v) & ~ARM64.ADDR_MASK;

/** `pfn_pte(pfn, prot)` */
export const pfnPte = (pfn: bigint, prot: bigint): bigint =>
  ((pfn << 12n) & ARM64.ADDR_MASK) | (prot & ~ARM64.ADDR_MASK);

/** OR the access/dirty state of `from` into `v` (`pte_mkdirty`/`pte_mkyoung` as contpte.c does). */
export function orAD(v: bigint, from: bigint): bigint {
  let out = v;
  if (arm64.dirty(from)) out = arm64.mkdirty(out);
  if (arm64.young(from)) out = arm64.mkyoung(out);
  return out;
}

/**
 * The reference's logical value of entry t of a block (DESIGN §6), written
 * from the documented meaning of a contpte mapping — one translation for the
 * whole block whose access/dirty state is the OR over its entries (contpte.c:
 * A/D "may be populated in any of the ptes of the contig range") — not from
 * any reader: if entry t is VALID and CONT, entry t with access and dirty
 * OR-ed over every entry of the block; otherwise entry t raw.
 */
export function contpteView(t: number): (entries: readonly bigint[]) => bigint {
  return (entries) => {
    const v = entries[t]!;
    return validCont(v) ? entries.reduce(orAD, v) : v;
  };
}

/**
 * The reference model of a block subject read at entry t; the other entries
 * are interchangeable in its view (contpteView only ORs their access/dirty bits).
 */
export function contpteModel(block: readonly Location[], initial: readonly bigint[], t: number): EntriesModel {
  return {
    locIds: block.map((l) => l.id),
    initial: [...initial],
    descriptors: block.map((l) => l.id),
    view: contpteView(t),
    standalone: (entries) => !validCont(entries[t]!),
    interchangeable: block.filter((_, i) => i !== t).map((l) => l.id),
    ...(block.length > 1
      ? {
          block: block.map((l) => l.id),
          label: {
            entry: block[t]!.name,
            view: `while valid+CONT, access/dirty OR-ed over ${block[0]!.name}..${block[block.length - 1]!.name}, as ptep_get() returns it`,
          },
        }
      : {}),
  };
}

/**
 * The entries of a folded block mapping pfn0..pfn0+n-1 with the same prot:
 * `template` gives every bit but the output address (its pfn is ignored).
 */
export function foldedBlock(pfn0: bigint, n: number, template: bigint): bigint[] {
  return Array.from({ length: n }, (_, i) => pfnPte(pfn0 + BigInt(i), template));
}

/**
 * How a contpte block's entries can be misprogrammed (Arm ARM DDI 0487, "The Contiguous bit", D8.7.1 in issue K):
 * - `mixed`: valid entries of the block disagree on the CONT bit;
 * - `range`: valid CONT entries that do not map one aligned range (entry i at pfn0 + i, pfn0 a multiple of the
 *   block's entry count);
 * - `partial`: when the execution ends, some entries valid and CONT, others not valid — a break nothing repaints.
 */
export type ContiguousFault = 'mixed' | 'range' | 'partial';

/**
 * What is wrong with a contpte block whose entries hold `entries` (lowest address first), or undefined: `mixed`
 * and `range` always, `partial` only when `final` (at the end of an execution: the kernel passes through partly
 * cleared blocks — `contpte_convert()`'s break, the in-place clear of a fully covered block by
 * `get_and_clear_full_ptes()` — but finishes them). Invalid entries count for none of the first two: a break clears
 * entries one by one, a make writes them one by one.
 */
export function contiguousFault(entries: readonly bigint[], final: boolean): ContiguousFault | undefined {
  const n = BigInt(entries.length);
  let cont = 0;
  let plain = 0;
  let base: bigint | undefined;
  let range = true;
  entries.forEach((v, i) => {
    if ((v & ARM64.VALID) === 0n) return;
    if (!validCont(v)) {
      plain++;
      return;
    }
    cont++;
    const b = arm64.pfn(v) - BigInt(i);
    base ??= b;
    if (b !== base || b % n !== 0n) range = false;
  });
  if (cont > 0 && plain > 0) return 'mixed';
  if (!range) return 'range';
  if (final && cont > 0 && cont < entries.length) return 'partial';
  return undefined;
}
