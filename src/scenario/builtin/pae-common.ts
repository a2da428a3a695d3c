import { LocationTable } from '../../machine';
import type { PaePte } from '../../kernel';
import { highOf, lowOf, paePte } from '../../kernel';
import type { Subject } from '../types';

/** The memory of a one-pte PAE scenario: pte_low, pte_high and the split PTL. */
export function paeMemory(initial: bigint): {
  locations: LocationTable;
  pte: PaePte;
  ptl: ReturnType<LocationTable['add']>;
  subject: Subject;
} {
  const locations = new LocationTable();
  const low = locations.add('pte_low', 32, lowOf(initial));
  const high = locations.add('pte_high', 32, highOf(initial));
  const ptl = locations.add('ptl', 32, 0n);
  const pte = paePte('pte', low, high);
  return { locations, pte, ptl, subject: { name: 'pte', initial, locIds: [low.id, high.id] } };
}
