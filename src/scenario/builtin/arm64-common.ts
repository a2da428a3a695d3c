import type { Location } from '../../machine';
import { LocationTable } from '../../machine';
import type { Arm64Ptep } from '../../kernel';
import { arm64Ptep, blockFolio, contpteModel } from '../../kernel';
import type { Subject } from '../types';

/** The memory of an arm64 block scenario: one contpte block (or a lone pte), the split PTL. */
export interface Arm64BlockMemory {
  readonly locations: LocationTable;
  /** pte0 … pte{n-1} */
  readonly block: readonly Location[];
  readonly ptl: Location;
  /** the ptep of entry i */
  ptep(i: number): Arm64Ptep;
  /** the reader's subject: entry t, judged against the contpte view of the block */
  readonly subject: Subject;
}

/**
 * `entries` are the initial descriptors of the block (CONT_PTES of them, or
 * one for a lone pte); `t` is the entry the reader under test reads.
 * `extra` locations are added after the block and the PTL.
 */
export function arm64BlockMemory(entries: readonly bigint[], t: number, name = 'ptes'): Arm64BlockMemory {
  const locations = new LocationTable();
  const block = entries.map((v, i) => locations.add(`pte${i}`, 64, v));
  const ptl = locations.add('ptl', 32, 0n);
  const model = contpteModel(block, entries, t);
  const folio = blockFolio(entries);
  return {
    locations,
    block,
    ptl,
    ptep: (i) => arm64Ptep(name, block, i, folio),
    subject: { name, initial: model.view(entries), locIds: model.locIds, entries: model },
  };
}
