/**
 * The public pte API arm64 gives core mm under CONFIG_ARM64_CONTPTE
 * (arch/arm64/include/asm/pgtable.h): each wraps the private `__` writer in
 * the contpte bookkeeping, so that no single-entry change ever leaves a block
 * half CONT. Read in torvalds/linux as merged for v6.9 (Ryan Roberts,
 * "Transparent Contiguous PTEs for User Mappings", v6 2024-02-15; patches
 * "arm64/mm: wire up PTE_CONT for user mappings" 4602e5757bcc, "arm64/mm:
 * Implement new wrprotect_ptes() batch API" — v5 20/25
 * <20240202080756.1453939-21-ryan.roberts@arm.com> —, "arm64/mm:
 * Automatically fold contpte mappings") and unchanged in form in the newest
 * snapshot read (linux-mm @0075c5f7):
 * - `set_ptes(nr = 1)` (set_pte_at): pte_mknoncont(pte);
 *   `contpte_try_unfold(__ptep_get(ptep))`; `__set_ptes(pte, 1)`;
 *   `contpte_try_fold(pte)` — which calls `__contpte_try_fold` only when the
 *   entry is the block's last by VA and by pfn, the pte is valid, not CONT,
 *   not special; that then checks that one folio covers the block and every
 *   entry is pfn0 + i with one prot ignoring A/D, and folds.
 * - `ptep_get_and_clear()` (and `get_and_clear_full_ptes(nr = 1)`, zap of one
 *   pte): `contpte_try_unfold(__ptep_get(ptep))`; `__ptep_get_and_clear()`.
 * - `pte_clear()`: `contpte_try_unfold(__ptep_get(ptep))`; `__pte_clear()` =
 *   `__set_pte(ptep, 0)`.
 * - `ptep_set_wrprotect()` = `wrprotect_ptes(nr = 1)` (since v6.9; the
 *   series' first form was `contpte_try_unfold` + `__ptep_set_wrprotect`):
 *   orig = `__ptep_get`; if `pte_cont(orig)` (CONT alone: wrprotect only sees
 *   present ptes) `__contpte_try_unfold(orig)` and orig = pte_mknoncont(orig);
 *   `___ptep_set_wrprotect(ptep, orig)`: the cmpxchg loop starts from orig
 *   without reading again (after an unfold its first cmpxchg fails if the
 *   gather added A/D, and it retries).
 * `contpte_try_unfold(pte)` = if `pte_valid_cont(pte)` `__contpte_try_unfold`
 * (contpte.ts: `contpte_convert(pte_mknoncont(pte))`, every entry repainted
 * non-CONT with the block's A/D).
 *
 * Each step is its own writer operation with its own specification (the
 * unfold's break-before-make EntriesSpec, the `__` store's, the fold's), so
 * the reference history passes through every state a lockless reader can see:
 * the folded value, the break, the unfolded block, the store, and a refold.
 * The `__ptep_get` the wrappers test is a plain load under the PTL.
 *
 * A lone pte (a block of one entry) is outside any contpte block: there each
 * wrapper is exactly its `__` operation, as before — the kernel's
 * `__ptep_get` + `pte_valid_cont` test there is a PTL-held load whose value
 * can change nothing, and it is not emitted so that lone-pte traces (every
 * consumer scenario before this file) stay the same.
 *
 * Omitted here: `nr > 1` (`contpte_set_ptes`, `contpte_get_and_clear_full_ptes`
 * with `contpte_try_unfold_partial`, `contpte_wrprotect_ptes`: see
 * arm64-contpte-batch.ts, which calls these for nr = 1), the
 * `mm_is_user()` test (scenarios are user mms), `set_pte()`'s WARN, the
 * newest `contpte_ptep_get` early termination in the PTL-held gather
 * (consumers/arm64-ops.ts reads the v6.9 full scan).
 */
import type { Program } from '../../machine';
import { READ_ONCE } from '../../machine';
import { ARM64, arm64 } from '../arm64';
import type { Arm64Ptep } from '../arm64-block';
import { validCont } from '../arm64-block';
import { __ptep_get_and_clear, __set_pte, ptep_set_wrprotect } from './arm64';
import { __contpte_try_unfold, contpte_try_fold } from './contpte';

const lone = (p: Arm64Ptep): boolean => p.block.length === 1;

/** `contpte_try_unfold(mm, addr, ptep, __ptep_get(ptep))` (also the batch forms', arm64-contpte-batch.ts) */
export function* tryUnfold(p: Arm64Ptep): Program {
  const cur = yield READ_ONCE(p.loc); // __ptep_get(ptep), under the PTL
  if (validCont(cur)) yield* __contpte_try_unfold(p, cur);
}

/**
 * `contpte_try_fold(mm, addr, ptep, pte)`'s inline test: the entry is the
 * last of its block by VA (`p.index`) and by pfn, and `pte` is valid, not
 * CONT, not special.
 */
export function tryFoldCandidate(p: Arm64Ptep, pte: bigint): boolean {
  const n = BigInt(p.block.length);
  return (
    p.block.length > 1 &&
    p.index === p.block.length - 1 &&
    arm64.pfn(pte) % n === n - 1n &&
    (pte & ARM64.VALID) !== 0n &&
    (pte & ARM64.CONT) === 0n &&
    (pte & ARM64.SPECIAL) === 0n
  );
}

/** `__contpte_try_fold()`'s folio-coverage test: the entries map the folio of the block (Arm64Ptep.folio). */
const folioCovers =
  (p: Arm64Ptep) =>
  (entries: readonly bigint[]): boolean =>
    p.folio !== undefined && arm64.pfn(entries[0]!) === p.folio;

/** `set_ptes(mm, addr, ptep, pte, 1)` (set_pte_at): unfold, `__set_pte`, try to fold. */
export function* arm64_set_ptes(p: Arm64Ptep, value: bigint): Program {
  if (lone(p)) return yield* __set_pte(p, value);
  const pte = value & ~ARM64.CONT; // pte_mknoncont()
  yield* tryUnfold(p);
  yield* __set_pte(p, pte);
  if (tryFoldCandidate(p, pte)) yield* contpte_try_fold(p, {}, folioCovers(p));
}

/** `ptep_get_and_clear()` / `get_and_clear_full_ptes(nr = 1)`: unfold, then `__ptep_get_and_clear`. */
export function* arm64_ptep_get_and_clear(p: Arm64Ptep): Program<bigint> {
  if (lone(p)) return yield* __ptep_get_and_clear(p);
  yield* tryUnfold(p);
  return yield* __ptep_get_and_clear(p);
}

/** `pte_clear()`: unfold, then `__pte_clear()` = `__set_pte(ptep, 0)`. */
export function* arm64_pte_clear(p: Arm64Ptep): Program {
  if (lone(p)) return yield* __set_pte(p, 0n);
  yield* tryUnfold(p);
  yield* __set_pte(p, 0n);
}

/** `ptep_set_wrprotect()` = `wrprotect_ptes(nr = 1)` (v6.9+): unfold a CONT entry, then `___ptep_set_wrprotect(orig)`. */
export function* arm64_ptep_set_wrprotect(p: Arm64Ptep): Program {
  if (lone(p)) return yield* ptep_set_wrprotect(p);
  let orig = yield READ_ONCE(p.loc); // __ptep_get(ptep), under the PTL
  if ((orig & ARM64.CONT) !== 0n) {
    yield* __contpte_try_unfold(p, orig);
    orig &= ~ARM64.CONT;
  }
  yield* ptep_set_wrprotect(p, orig);
}
