import type { PageDecl } from '../../machine';
import type { PaePte } from '../../kernel';
import { paeMk } from '../../kernel';
import { paeMemory } from './pae-common';

/** The pte maps `mapped` (refcount 1: the mapping's reference); `free` are the allocator's pages, hottest last. */
export function paePages(mapped: bigint, free: readonly bigint[]): PageDecl[] {
  return [{ pfn: mapped, ref: 1 }, ...free.map((pfn) => ({ pfn, ref: 0 }))];
}

/** One-pte PAE memory whose initial pte maps `pfn` with the anon flags (P RW US A D). */
export function paeConsumerMemory(pfn: bigint): ReturnType<typeof paeMemory> & { pte: PaePte } {
  return paeMemory(paeMk(pfn));
}
