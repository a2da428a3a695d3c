/**
 * PteOps for arm64 (arch/arm64/include/asm/pgtable.h; writers and readers of
 * the arm64 model pack, src/kernel/{readers,writers}/arm64.ts):
 * set_pte_at = __set_pte (one WRITE_ONCE), ptep_get_and_clear =
 * __ptep_get_and_clear (xchg_relaxed), pte_clear = __set_pte(0),
 * ptep_get() = the contpte-gathering `contpte_ptep_get` reader (a lone pte:
 * one READ_ONCE), 2022's `*ptep` = `__ptep_get` (one single-copy-atomic
 * LDR). The new anonymous pte is young, dirty and writable.
 * Used with the generic fault path (an arch *without* hardware A/D: no
 * hardware updater runs in these scenarios) — arm64's own
 * __ptep_set_access_flags() cmpxchg loop is not what handle_pte_fault()
 * calls here.
 * Omitted: the contpte wrappers of these writers — set_ptes() →
 * contpte_try_unfold()/contpte_try_fold(), ptep_get_and_clear() →
 * contpte_try_unfold(), get_and_clear_full_ptes() → contpte_try_unfold_partial()
 * — so these ops are faithful on a lone pte (every consumer scenario's), not
 * on an entry of a folded block: clearing one entry of a CONT block here
 * leaves the block half CONT, which arm64 never does.
 */
import type { Program } from '../../machine';
import { READ_ONCE } from '../../machine';
import { arm64, arm64Mk } from '../arm64';
import type { Arm64Ptep } from '../arm64-block';
import { ARM64_READERS } from '../readers/arm64';
import { __ptep_get_and_clear, __set_pte } from '../writers/arm64';
import type { PteOps } from './ops';

function* readLocked(p: Arm64Ptep): Program<bigint> {
  return yield READ_ONCE(p.loc);
}

const reader = (name: string): ((p: Arm64Ptep) => Program<bigint>) => {
  const r = ARM64_READERS.find((x) => x.name === name);
  if (r === undefined) throw new Error(`[ptefuzz internal bug] no arm64 reader ${name}`);
  return r.read;
};

export const arm64Ops: PteOps<Arm64Ptep> = {
  arch: arm64,
  readLocked,
  setPteAt: (p, v) => __set_pte(p, v),
  getAndClear: (p) => __ptep_get_and_clear(p),
  clear: (p) => __set_pte(p, 0n),
  ptepGet: reader('contpte_ptep_get'),
  plainDeref: reader('__ptep_get'),
  anonPte: (pfn) => arm64Mk(pfn, { write: true, young: true, dirty: true }),
  pteWiderThanLong: false,
};
