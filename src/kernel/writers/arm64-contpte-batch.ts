/**
 * The batched (`nr > 1`) forms of arm64's public pte API under
 * CONFIG_ARM64_CONTPTE — what core mm calls to map, zap or write-protect a
 * whole large folio at once (`set_ptes` from the fault/fork paths,
 * `get_and_clear_full_ptes` / `clear_full_ptes` from zap_present_ptes()'
 * folio batching, `wrprotect_ptes` from fork's copy_present_ptes()). Read in
 * torvalds/linux (arch/arm64/mm/contpte.c @044d659a, v6.10 era;
 * arch/arm64/include/asm/pgtable.h, the v6.9+ form): Ryan Roberts' series
 * "Transparent Contiguous PTEs for User Mappings" (v6, 2024-02-15, merged for
 * v6.9) — "arm64/mm: wire up PTE_CONT for user mappings" (4602e5757bcc:
 * contpte_set_ptes), "arm64/mm: Implement new [get_and_]clear_full_ptes()
 * batch APIs" and "arm64/mm: Implement new wrprotect_ptes() batch API"
 * (contpte_try_unfold_partial, contpte_clear_full_ptes,
 * contpte_get_and_clear_full_ptes, contpte_wrprotect_ptes):
 *
 * - `set_ptes(pte, nr)`: `pte_mknoncont(pte)`; nr == 1 → the single-entry
 *   wrapper (arm64-contpte-api.ts); else `contpte_set_ptes()`: for each chunk
 *   up to the next block boundary (`pte_cont_addr_end`), the pte is
 *   `pte_mkcont` when addr, next and the pfn are all block-aligned — a fully
 *   covered, aligned block is written folded, entry by entry, with no
 *   break-before-make ("the set_ptes() spec guarantees that when nr > 1, the
 *   initial state of all ptes is not-present") — else `pte_mknoncont`; then
 *   `__set_ptes(chunk)`: `__set_pte` (WRITE_ONCE) of each entry ascending,
 *   `pte_advance_pfn` between them.
 * - `get_and_clear_full_ptes(nr)` / `clear_full_ptes(nr)`: nr == 1 →
 *   `contpte_try_unfold(__ptep_get)` then `__ptep_get_and_clear`; else
 *   `contpte_try_unfold_partial()` then `__get_and_clear_full_ptes()` /
 *   `__clear_full_ptes()`: `__ptep_get_and_clear` (xchg_relaxed with 0) of
 *   each entry ascending — the former returns the first entry's old value
 *   with dirty and young OR-ed in from the others.
 * - `wrprotect_ptes(nr)`: nr == 1 → the single-entry wrapper; else
 *   `contpte_wrprotect_ptes()`: `contpte_try_unfold_partial()` then
 *   `__wrprotect_ptes()`: `__ptep_set_wrprotect` of each entry ascending
 *   (`___ptep_set_wrprotect(__ptep_get(ptep))`: a READ_ONCE, then the
 *   cmpxchg_relaxed loop). A fully covered block stays CONT: "If
 *   wrprotecting an entire contig range, we can avoid unfolding … Until the
 *   flush, the page may or may not be wrprotected."
 * - `contpte_try_unfold_partial(ptep, nr)`: if ptep is not block-aligned or
 *   nr < CONT_PTES, `contpte_try_unfold(__ptep_get(ptep))`; then if ptep + nr
 *   is not block-aligned, `contpte_try_unfold(__ptep_get(ptep + nr - 1))`.
 *   Both loads are emitted (PTL-held plain loads), even when the first
 *   unfold already repainted the block the second one reads.
 *
 * Each memory-touching step is an instruction of its own, and each `__`
 * sub-function its own writer operation with its own specification (the
 * unfold's break-before-make, one entry := none, one entry write-protected,
 * one entry := v), as in arm64-contpte-api.ts: a batch is not atomic to a
 * lockless reader — the generic get_and_clear_full_ptes()/wrprotect_ptes()
 * are loops over the single-entry calls —, so the reference passes through
 * every partly cleared / partly write-protected / partly mapped block, and a
 * lockless reader of any entry can run between two of them. The batch itself
 * is an `other` operation named after the contpte.c function, for traces.
 *
 * A range is given as its first entry (`p`, entry `p.index` of its block) and
 * `nr`; a scenario's pte is one block, so the range lies inside it
 * (1 ≤ nr ≤ entries from p.index to the block's end; checked by
 * batchRangeError, and by the scenario language): a batch crossing into the
 * next block (its second unfold on another block) cannot be written.
 *
 * Omitted: `mm_is_user()` (scenarios are user mms), `full` (arm64 ignores it),
 * `__sync_cache_and_tags` / `__check_safe_pte_update` / page-table-check
 * hooks (no memory effect on the pte), the kernel-mapping barriers of
 * `__set_pte` (user ptes get none), the core-mm callers themselves
 * (folio_pte_batch, rmap, mmu_gather, the TLB flush after the batch — see
 * README Limitations), and the newer `__set_ptes_anysz` split of v6.15+
 * (same stores for PAGE_SIZE).
 */
import type { Program } from '../../machine';
import { begin, end } from '../../machine';
import { ARM64, arm64 } from '../arm64';
import type { Arm64Ptep } from '../arm64-block';
import { arm64Ptep, orAD, pfnPte } from '../arm64-block';
import { __ptep_get_and_clear, __set_pte, ptep_set_wrprotect } from './arm64';
import { arm64_ptep_get_and_clear, arm64_ptep_set_wrprotect, arm64_set_ptes, tryUnfold } from './arm64-contpte-api';

/**
 * Why `nr` entries from `p` are not a range of its block (a one-line message
 * naming what was expected), or undefined when they are.
 */
export function batchRangeError(p: Pick<Arm64Ptep, 'index' | 'block'>, nr: number): string | undefined {
  const room = p.block.length - p.index;
  if (Number.isInteger(nr) && nr >= 1 && nr <= room) return undefined;
  return `nr from 1 to ${room} (the entries from entry ${p.index} to the end of its ${p.block.length === 1 ? 'lone pte' : `block of ${p.block.length}`})`;
}

function checkRange(p: Arm64Ptep, nr: number): void {
  const e = batchRangeError(p, nr);
  if (e !== undefined) throw new Error(`[ptefuzz internal bug] batch of ${nr} at ${p.loc.name}: expected ${e}`);
}

/** entry `i` of p's block as a ptep of its own */
const at = (p: Arm64Ptep, i: number): Arm64Ptep => arm64Ptep(p.name, p.block, i, p.folio);

/** the range's entries, first to last */
const range = (p: Arm64Ptep, nr: number): Arm64Ptep[] => Array.from({ length: nr }, (_, k) => at(p, p.index + k));

const rangeText = (p: Arm64Ptep, nr: number): string => `${p.loc.name}, nr=${nr}`;

/**
 * `contpte_try_unfold_partial(mm, addr, ptep, nr)`: unfold the block at either
 * end of the range that the range covers only partly (within one block: the
 * start test fires unless the range is the whole block; the end test unless
 * the range ends at the block's end).
 */
export function* contpte_try_unfold_partial(p: Arm64Ptep, nr: number): Program {
  const n = p.block.length;
  if (p.index !== 0 || nr < n) yield* tryUnfold(p);
  if ((p.index + nr) % n !== 0) yield* tryUnfold(at(p, p.index + nr - 1));
}

/**
 * `set_ptes(mm, addr, ptep, pte, nr)`: nr == 1 → the single-entry wrapper
 * (unfold, `__set_pte`, try to fold); else `contpte_set_ptes()`: the range
 * written CONT if it is the whole block and the pfn is block-aligned, else
 * non-CONT, one `__set_pte` per entry ascending (pfn + i).
 */
export function* arm64_set_ptes_nr(p: Arm64Ptep, value: bigint, nr: number): Program {
  checkRange(p, nr);
  if (nr === 1) return yield* arm64_set_ptes(p, value);
  const n = p.block.length;
  const aligned = p.index === 0 && nr === n && arm64.pfn(value) % BigInt(n) === 0n;
  yield begin({ name: 'contpte_set_ptes', role: 'other', subject: p.name, args: rangeText(p, nr) });
  // pte_mknoncont() in set_ptes(), then pte_mkcont()/pte_mknoncont() per chunk; v6.9–v6.13's pte_mkcont() also
  // sets PTE_TYPE_PAGE (bits 1:0, VALID included) — no change on a valid pte; dropped by Anshuman Khandual,
  // "arm64/mm: Drop setting PTE_TYPE_PAGE in pte_mkcont()", 2024-11-04 <20241104041617.3804617-1-anshuman.khandual@arm.com>
  const pte = aligned ? value | ARM64.CONT | ARM64.TYPE_PAGE : value & ~ARM64.CONT;
  const pfn0 = arm64.pfn(pte);
  const entries = range(p, nr);
  for (let k = 0; k < nr; k++) yield* __set_pte(entries[k]!, pfnPte(pfn0 + BigInt(k), pte)); // pte_advance_pfn
  yield end();
}

/**
 * `__get_and_clear_full_ptes()` / `__clear_full_ptes()`: `__ptep_get_and_clear`
 * of each entry ascending; returns the first entry's old value with the
 * others' dirty and young OR-ed in (pte_mkdirty / pte_mkyoung).
 */
function* clearEach(p: Arm64Ptep, nr: number): Program<bigint> {
  let pte = 0n;
  let k = 0;
  for (const q of range(p, nr)) {
    const old = yield* __ptep_get_and_clear(q);
    pte = k++ === 0 ? old : orAD(pte, old);
  }
  return pte;
}

/**
 * `get_and_clear_full_ptes(mm, addr, ptep, nr, full)`: nr == 1 →
 * `contpte_try_unfold` + `__ptep_get_and_clear`; else
 * `contpte_get_and_clear_full_ptes()`: `contpte_try_unfold_partial`, then
 * clear each entry, gathering dirty/young into the first's old value (returned).
 */
export function* arm64_get_and_clear_full_ptes(p: Arm64Ptep, nr: number): Program<bigint> {
  checkRange(p, nr);
  if (nr === 1) return yield* arm64_ptep_get_and_clear(p);
  yield begin({ name: 'contpte_get_and_clear_full_ptes', role: 'other', subject: p.name, args: rangeText(p, nr) });
  yield* contpte_try_unfold_partial(p, nr);
  const pte = yield* clearEach(p, nr);
  yield end(pte);
  return pte;
}

/**
 * `clear_full_ptes(mm, addr, ptep, nr, full)`: as get_and_clear_full_ptes,
 * nothing returned (`__clear_full_ptes` is the same xchg per entry).
 */
export function* arm64_clear_full_ptes(p: Arm64Ptep, nr: number): Program {
  checkRange(p, nr);
  if (nr === 1) {
    yield* arm64_ptep_get_and_clear(p);
    return;
  }
  yield begin({ name: 'contpte_clear_full_ptes', role: 'other', subject: p.name, args: rangeText(p, nr) });
  yield* contpte_try_unfold_partial(p, nr);
  yield* clearEach(p, nr);
  yield end();
}

/**
 * `wrprotect_ptes(mm, addr, ptep, nr)`: nr == 1 → the single-entry wrapper
 * (arm64_ptep_set_wrprotect); else `contpte_wrprotect_ptes()`:
 * `contpte_try_unfold_partial`, then `__ptep_set_wrprotect` of each entry
 * ascending (its own READ_ONCE, then the cmpxchg loop) — a fully covered
 * block is write-protected in place, CONT kept.
 */
export function* arm64_wrprotect_ptes(p: Arm64Ptep, nr: number): Program {
  checkRange(p, nr);
  if (nr === 1) return yield* arm64_ptep_set_wrprotect(p);
  yield begin({ name: 'contpte_wrprotect_ptes', role: 'other', subject: p.name, args: rangeText(p, nr) });
  yield* contpte_try_unfold_partial(p, nr);
  for (const q of range(p, nr)) yield* ptep_set_wrprotect(q);
  yield end();
}
