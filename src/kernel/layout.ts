import type { LocationTable } from '../machine';
import type { ArchName, Pte } from './arch';
import { highOf, lowOf, paePte } from './x86-pae';

/**
 * How a scenario's `pte NAME = VALUE` becomes memory on an architecture: the
 * locations it occupies (lowest first) and the widest value it can hold.
 */
export interface PteLayout {
  /** bits of a pte value */
  readonly bits: 32 | 64;
  alloc(table: LocationTable, name: string, initial: bigint): Pte;
}

/** x86 PAE: two 32-bit words `NAME_low`, `NAME_high` (the pte_t union's halves). */
const paeLayout: PteLayout = {
  bits: 64,
  alloc(table, name, initial) {
    const low = table.add(`${name}_low`, 32, lowOf(initial));
    const high = table.add(`${name}_high`, 32, highOf(initial));
    return paePte(name, low, high);
  },
};

/**
 * Pte layouts per architecture. The arm64 encodings exist (src/kernel/arm64*.ts)
 * but their scenarios are TypeScript built-ins: no `.scn` operations are
 * registered for them yet, so a `.scn` file cannot declare an arm64 pte.
 */
export const PTE_LAYOUTS: Readonly<Record<ArchName, PteLayout | undefined>> = {
  'x86-pae': paeLayout,
  arm64: undefined,
  'arm64-ext-sw': undefined,
};
