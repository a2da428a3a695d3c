/**
 * PteOps for arm64 (arch/arm64/include/asm/pgtable.h, CONFIG_ARM64_CONTPTE;
 * writers and readers of the arm64 model pack, src/kernel/{readers,writers}/):
 * the public, contpte-aware pte API core mm calls (writers/arm64-contpte-api.ts,
 * v6.9 form, unchanged in the newest snapshot read):
 * set_pte_at = set_ptes(nr = 1) (contpte_try_unfold, __set_pte,
 * contpte_try_fold), ptep_get_and_clear (contpte_try_unfold,
 * __ptep_get_and_clear: xchg_relaxed), pte_clear (contpte_try_unfold,
 * __set_pte(0)); ptep_get() with the PTL held = `__ptep_get`, and on a
 * valid+CONT entry contpte_ptep_get's gather of access/dirty over the block
 * (plain loads, v6.9 full scan); ptep_get() without the PTL = the
 * `contpte_ptep_get` reader (a lone pte: one READ_ONCE); 2022's `*ptep` =
 * `__ptep_get` (one single-copy-atomic LDR). The new anonymous pte is young,
 * dirty and writable.
 * On a lone pte (a block of one) every op is its `__` form alone, as it
 * always was here (the wrappers' PTL-held `__ptep_get` test is not emitted;
 * see arm64-contpte-api.ts): lone-pte traces and verdicts are those of the
 * `__` forms.
 * Used with the generic fault path (an arch *without* hardware A/D: no
 * hardware updater runs in the lone-pte scenarios) — arm64's own
 * ptep_set_access_flags() (contpte.ts) is not what handle_pte_fault() calls
 * here: its access/dirty update is set_pte_at(entry), which on a folded
 * block unfolds it.
 * Omitted: the batched forms (nr > 1: get_and_clear_full_ptes over a folio
 * batch, contpte_try_unfold_partial, contpte_set_ptes) in the consumers — they
 * are scenario operations of their own (writers/arm64-contpte-batch.ts:
 * set_ptes, get_and_clear_full_ptes, clear_full_ptes, wrprotect_ptes with
 * nr), but zap_pte_range and the fault path here act on one pte, so their zap
 * of an entry of a folded block unfolds it first (the kernel's folio-batched
 * zap clears a fully covered block without unfolding); the folio is the
 * block's initial one (Arm64Ptep.folio).
 */
import type { Program } from '../../machine';
import { READ_ONCE } from '../../machine';
import { arm64, arm64Mk } from '../arm64';
import type { Arm64Ptep } from '../arm64-block';
import { validCont } from '../arm64-block';
import { ARM64_READERS, contpte_gather } from '../readers/arm64';
import { arm64_pte_clear, arm64_ptep_get_and_clear, arm64_set_ptes } from '../writers/arm64-contpte-api';
import type { PteOps } from './ops';

/** `ptep_get()` under the PTL: `__ptep_get`, and on a valid+CONT block entry the access/dirty gather. */
function* readLocked(p: Arm64Ptep): Program<bigint> {
  const v = yield READ_ONCE(p.loc);
  if (p.block.length === 1 || !validCont(v)) return v;
  return yield* contpte_gather(p, v, false);
}

const reader = (name: string): ((p: Arm64Ptep) => Program<bigint>) => {
  const r = ARM64_READERS.find((x) => x.name === name);
  if (r === undefined) throw new Error(`[ptefuzz internal bug] no arm64 reader ${name}`);
  return r.read;
};

export const arm64Ops: PteOps<Arm64Ptep> = {
  arch: arm64,
  readLocked,
  setPteAt: (p, v) => arm64_set_ptes(p, v),
  getAndClear: (p) => arm64_ptep_get_and_clear(p),
  clear: (p) => arm64_pte_clear(p),
  ptepGet: reader('contpte_ptep_get'),
  plainDeref: reader('__ptep_get'),
  anonPte: (pfn) => arm64Mk(pfn, { write: true, young: true, dirty: true }),
  pteWiderThanLong: false,
  accessFlags: 'generic',
};
