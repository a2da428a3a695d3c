import type { Location, LocationTable } from '../machine';
import type { ArchName, Pte } from './arch';
import type { EntriesModel } from './spec';
import { highOf, lowOf, paePte } from './x86-pae';
import { arm64PmdTableOf } from './arm64';
import { arm64Ptep, blockFolio, contpteModel } from './arm64-block';
import { extHw, extSw, extValue } from './arm64-ext-sw';

/**
 * A pte whose logical history the reference tracks: what it needs to know
 * about the pte a reader under test reads (a built scenario's `subject`).
 */
export interface PteSubject {
  readonly name: string;
  readonly initial: bigint;
  readonly locIds: readonly number[];
  /** a subject made of several entries (arm64 contpte block, pte + extended SW bits): how the reference sees it */
  readonly entries?: EntriesModel;
}

/** A pte allocated in a scenario's memory: one entry, or a contpte block of entries. */
export interface AllocatedPte {
  /** what an operation or reader gets for entry i (0 for a lone pte) */
  ptep(i: number): Pte;
  /** the reader's subject when it reads entry i */
  subject(i: number): PteSubject;
  /** the locations, lowest first (a page-table page holds them) */
  readonly locs: readonly Location[];
}

/**
 * How a scenario's `pte NAME = VALUE` (or `= [v0, …, vn-1]`, a contpte block)
 * becomes memory on an architecture: the locations it occupies and the widest
 * value it can hold.
 */
export interface PteLayout {
  /** bits of a pte value written as one number */
  readonly bits: 32 | 64 | 128;
  /** `{a:b}` pairs: the bits of each half, and what the halves are called (for messages); absent: no pairs */
  readonly pair?: { readonly bits: 32 | 64; readonly names: string };
  /** the entry counts a block declaration may have (CONT_PTES), besides a lone pte */
  readonly blocks: readonly number[];
  alloc(table: LocationTable, name: string, entries: readonly bigint[]): AllocatedPte;
  /** the pte-table page a pmd value points to (null: none or not a table); absent: no pmd level */
  readonly pmdTable?: (pmd: bigint) => bigint | null;
}

/** x86 PAE: two 32-bit words `NAME_low`, `NAME_high` (the pte_t union's halves). */
const paeLayout: PteLayout = {
  bits: 64,
  pair: { bits: 32, names: '{high:low}' },
  blocks: [],
  alloc(table, name, entries) {
    const initial = entries[0]!;
    const low = table.add(`${name}_low`, 32, lowOf(initial));
    const high = table.add(`${name}_high`, 32, highOf(initial));
    const pte = paePte(name, low, high);
    return { ptep: () => pte, subject: () => ({ name, initial, locIds: [low.id, high.id] }), locs: [low, high] };
  },
};

/**
 * arm64 (4K granule): one 64-bit descriptor per entry, `NAME0` … `NAME{n-1}`;
 * a block of CONT_PTES = 4 or 16 entries is judged at entry t against the
 * contpte view (arm64-block.ts).
 */
const arm64Layout: PteLayout = {
  bits: 64,
  blocks: [4, 16],
  alloc(table, name, entries) {
    const block = entries.map((v, i) => table.add(`${name}${i}`, 64, v));
    const folio = blockFolio(entries);
    return {
      ptep: (i) => arm64Ptep(name, block, i, folio),
      subject: (i) => {
        const model = contpteModel(block, entries, i);
        return { name, initial: model.view(entries), locIds: model.locIds, entries: model };
      },
      locs: block,
    };
  },
  pmdTable: arm64PmdTableOf,
};

/** arm64 + extended SW bits (Ryan Roberts 2024-04-19): `NAME` (HW descriptor) and `NAME_sw`; values `{sw:hw}`. */
const arm64ExtSwLayout: PteLayout = {
  bits: 128,
  pair: { bits: 64, names: '{sw:hw}' },
  blocks: [],
  alloc(table, name, entries) {
    const initial = entries[0]!;
    const hw = table.add(name, 64, extHw(initial));
    const sw = table.add(`${name}_sw`, 64, extSw(initial));
    const pte: Pte = { name, locs: [hw, sw] };
    const ids = [hw.id, sw.id];
    return {
      ptep: () => pte,
      subject: () => ({
        name,
        initial,
        locIds: ids,
        entries: {
          locIds: ids,
          initial: [extHw(initial), extSw(initial)],
          view: (e) => extValue(e[0]!, e[1]!),
          descriptors: [hw.id],
        },
      }),
      locs: [hw, sw],
    };
  },
};

/** Pte layouts per architecture. */
export const PTE_LAYOUTS: Readonly<Record<ArchName, PteLayout | undefined>> = {
  'x86-pae': paeLayout,
  arm64: arm64Layout,
  'arm64-ext-sw': arm64ExtSwLayout,
};
