/**
 * DOMAIN §C S8: a per-descriptor walker without hardware access/dirty
 * updates (an SMMU without HTTU, or a CPU without DBM) writing through one
 * entry of a contpte block, with the kernel fault path it triggers.
 * Source: Piotr Jaroszynski, "[PATCH v2] arm64: contpte: fix
 * set_access_flags() no-op check for SMMU/ATS faults", 2026-03-05,
 * <20260305-contpte-fault-loop-v2-1-0216f0026d7f@nvidia.com>.
 *
 * Walk (READ_ONCE of the entry; a write goes through iff valid, AF set and
 * RDONLY clear), else the fault path: orig = the reader under test
 * (handle_pte_fault's `vmf->orig_pte = ptep_get_lockless()`), take the PTL,
 * pte_same(ptep_get(), orig) (the PTL-held gather), entry =
 * pte_mkyoung(pte_mkdirty(orig)), ptep_set_access_flags(entry, dirty = 1) in
 * the given form, unlock, walk again. Its LoopSpec says the walk must end
 * once the reference's entry permits the write (livelock otherwise).
 * The fault path is inlined here (not fault.ts: arm64's contpte
 * ptep_set_access_flags, not the generic one).
 * Omitted: do_wp_page (the write goes through a writable, DBM pte only),
 * flush_tlb_fix_spurious_fault and the local TLB invalidation after the
 * update (there is no TLB on arm64 here), the SMMU's own TLB and ATS
 * translation caching; the device's own give-up (the walk and fault repeat
 * until the write goes through, to the machine's retry bound: the LoopSpec
 * turns a hit into `livelock` when the reference's entry permitted it).
 */
import type { Location, Program } from '../../machine';
import { READ_ONCE, begin, end, retry, spin_lock, spin_unlock } from '../../machine';
import { ARM64, arm64 } from '../arm64';
import type { Arm64Ptep } from '../arm64-block';
import { validCont } from '../arm64-block';
import type { LoopSpec } from '../spec';
import type { SetAccessFlagsForm } from '../writers/contpte';
import { ptep_set_access_flags } from '../writers/contpte';
import { contpte_gather } from '../readers/arm64';

/** A per-descriptor walker (no HA/HD) lets a write through iff the descriptor is valid, accessed and not RDONLY. */
export const perDescriptorWritePermits = (v: bigint): boolean =>
  (v & ARM64.VALID) !== 0n && (v & ARM64.AF) !== 0n && (v & ARM64.RDONLY) === 0n;

/** The SMMU/non-DBM walker writing via `p` with its fault path; `read` reads orig_pte. */
export function* smmu_write(
  p: Arm64Ptep,
  ptl: Location,
  read: (p: Arm64Ptep) => Program<bigint>,
  form: SetAccessFlagsForm,
): Program {
  const spec: LoopSpec = {
    loop: true,
    describe: `per-descriptor walker (SMMU without HTTU) writing via ${p.loc.name}`,
    locId: p.loc.id,
    done: perDescriptorWritePermits,
  };
  yield begin({ name: 'smmu_write', role: 'other', subject: p.name, spec, args: p.loc.name });
  for (;;) {
    if (perDescriptorWritePermits(yield READ_ONCE(p.loc))) break;
    // I/O page fault → handle_mm_fault → handle_pte_fault
    const orig = yield* read(p);
    yield spin_lock(ptl);
    const raw = yield READ_ONCE(p.loc);
    const cur = validCont(raw) ? yield* contpte_gather(p, raw, false) : raw;
    if (cur === orig && arm64.write(orig)) {
      yield* ptep_set_access_flags(p, arm64.mkyoung(arm64.mkdirty(orig)), true, form);
    }
    yield spin_unlock(ptl);
    yield retry();
  }
  yield end();
}
