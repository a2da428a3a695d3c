/**
 * What the consumers (GUP-fast, the fault path, zap) need from an
 * architecture besides its encoding: the pte accessors they call, as
 * programs. The consumers are generic over it; the reader under test (the
 * lockless read) is a parameter of each consumer, never part of PteOps.
 */
import type { Program } from '../../machine';
import type { Arch, Pte } from '../arch';

export interface PteOps<P extends Pte = Pte> {
  readonly arch: Arch;
  /** `ptep_get()` with the PTL held: plain loads, not a reader under test (no writer can race it) */
  readLocked(p: P): Program<bigint>;
  /** `set_pte_at()` / `set_ptes(nr = 1)`: a writer operation */
  setPteAt(p: P, v: bigint): Program;
  /** `ptep_get_and_clear()`: a writer operation returning the old value */
  getAndClear(p: P): Program<bigint>;
  /** `pte_clear()`: a writer operation (non-present entries) */
  clear(p: P): Program;
  /** the `ptep_get()` accessor used without the PTL, as a reader operation (GUP-fast recheck, v6.5–2026) */
  ptepGet(p: P): Program<bigint>;
  /** 2022's plain `pte_val(*ptep)` used without the PTL, as a reader operation (GUP-fast recheck, 2022) */
  plainDeref(p: P): Program<bigint>;
  /** the pte do_anonymous_page() installs for a freshly allocated page */
  anonPte(pfn: bigint): bigint;
  /**
   * `sizeof(pte_t) > sizeof(unsigned long)` (x86 PAE: a 64-bit pte on a 32-bit
   * CPU): only then does mm/memory.c pte_unmap_same() take the PTL and
   * recheck orig_pte before do_swap_page() goes on (the read "might give a mix
   * of unmatched parts"); on a 64-bit arch it is a no-op.
   */
  readonly pteWiderThanLong: boolean;
  /**
   * Which `ptep_set_access_flags(vma, addr, ptep, entry, dirty)` the fault path calls:
   * - `generic` (mm/pgtable-generic.c, an arch without hardware A/D): stores `entry` whenever it differs from the pte;
   * - `x86` (arch/x86/mm/pgtable.c): `changed = !pte_same(*ptep, entry); if (changed && dirty) set_pte(ptep, entry)`
   *   — the hardware sets A/D itself, so only a write fault (`dirty` = FAULT_FLAG_WRITE) stores; a read fault
   *   never writes the pte.
   */
  readonly accessFlags: 'generic' | 'x86';
}

/**
 * The semantics a consumer operation declares on its OpMark (`spec`), for
 * the consumer invariants (src/compare/invariants.ts). Opaque to the machine.
 * - `gup-fast`: returns (as its result) the pfn it pinned, nothing on failure;
 *   the page it pinned is the one its successful try_grab_folio() took.
 * - `commit`: a pte store computed from `from` (the value the consumer read
 *   and, under the PTL, believes the pte still holds) — every writer
 *   operation nested in it must find exactly `from` in the pte.
 * - `writeback`: folio_clear_dirty_for_io() + the write to disk of a shared
 *   file page (file.ts): at the end of the execution the page's contents
 *   must be on disk, or the folio dirty, or a present dirty pte must map it
 *   — else a write is lost.
 */
export type ConsumerSpec =
  | { readonly consumer: 'gup-fast'; readonly write: boolean }
  | { readonly consumer: 'commit'; readonly from: bigint }
  | {
      readonly consumer: 'writeback';
      readonly pfn: bigint;
      /** location ids: folio flags, the page contents, the file on disk */
      readonly flags: number;
      readonly dirtyBit: bigint;
      readonly data: number;
      readonly disk: number;
    };

export function isConsumerSpec(x: unknown): x is ConsumerSpec {
  return typeof x === 'object' && x !== null && typeof (x as { consumer?: unknown }).consumer === 'string';
}
