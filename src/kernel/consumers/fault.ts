/**
 * The page-fault path on one pte — mm/memory.c handle_pte_fault() (now),
 * DOMAIN §A6, a class-R walker: a lockless read, then a recheck under the PTL.
 *   1. orig = <lockless read>          — the reader under test (now
 *      ptep_get_lockless; 2022 a plain *vmf->pte; Ryan Roberts' 2024 RFC
 *      ptep_get_lockless_norecency)
 *   2. pte_none(orig) → do_anonymous_page()
 *   3. !pte_present(orig) → do_swap_page(): pte_unmap_same() first — only
 *      on 32-bit PAE (sizeof(pte_t) > sizeof(long), PteOps.pteWiderThanLong)
 *      it takes the PTL and bails unless pte_same(ptep_get(), orig); on arm64
 *      it does nothing; then the swap-in installs a new page after a
 *      pte_same() recheck under the PTL.
 *   4. present: take the PTL; if !<same>(ptep_get(), orig) → unlock, return.
 *      <same> is `pte_same` (today: full-value compare) or
 *      `pte_same_norecency` (the 2024 RFC patch 3: compare ignoring A/D,
 *      arch.withoutAD).
 *   5. entry = orig; write fault: entry = pte_mkdirty(entry) (the pte must
 *      be writable: do_wp_page is not modelled — a write fault on a
 *      read-only pte stops here); entry = pte_mkyoung(entry).
 *   6. ptep_set_access_flags(entry, dirty = write), the arch's form
 *      (PteOps.accessFlags): generic (mm/pgtable-generic.c, arches without
 *      hardware A/D; used for arm64 here) if !pte_same(*ptep, entry)
 *      set_pte_at(entry); x86 (arch/x86/mm/pgtable.c) only if also dirty —
 *      a read fault never writes an x86 pte.
 *   7. unlock.
 * Every pte store is nested in a `commit` consumer op naming the value it
 * was computed from (ConsumerSpec), which the invariants check against the
 * reference. Omitted: do_numa_page, do_fault (file), the pmd level,
 * update_mmu_cache, flush_tlb_fix_spurious_fault, the arm64 cmpxchg form of
 * __ptep_set_access_flags (which ORs A/D in and cannot lose dirty).
 * Thread (S7): David Hildenbrand on "[RFC PATCH v1 3/4] mm/memory: Use
 * ptep_get_lockless_norecency() for orig_pte", 2024-03-26/27.
 */
import type { Location, Program } from '../../machine';
import { alloc_page, begin, end, put_page, spin_lock, spin_unlock } from '../../machine';
import type { Pte } from '../arch';
import type { ConsumerSpec, PteOps } from './ops';

export type PteSameKind = 'pte_same' | 'pte_same_norecency';
export const PTE_SAME_KINDS: readonly PteSameKind[] = ['pte_same', 'pte_same_norecency'];

export interface FaultOptions {
  /** a write fault (default false: a read fault) */
  readonly write?: boolean;
  /** the PTL recheck of the present case (default pte_same) */
  readonly same?: PteSameKind;
}

function same<P extends Pte>(ops: PteOps<P>, kind: PteSameKind, a: bigint, b: bigint): boolean {
  return kind === 'pte_same' ? a === b : ops.arch.withoutAD(a) === ops.arch.withoutAD(b);
}

/** A pte store computed from `from`: the unit the fault-commit invariant checks. */
function* commit<P extends Pte>(ops: PteOps<P>, p: P, from: bigint, v: bigint, name: string): Program {
  const spec: ConsumerSpec = { consumer: 'commit', from };
  yield begin({ name, role: 'other', subject: p.name, spec, args: ops.arch.format(v) });
  yield* ops.setPteAt(p, v);
  yield end();
}

/**
 * do_anonymous_page() (mm/memory.c, now): allocate a page, take the PTL,
 * install it if the pte is still none (vmf_pte_changed), else release the
 * page after unlocking. Returns the pfn installed, or null.
 */
export function* do_anonymous_page<P extends Pte>(ops: PteOps<P>, p: P, ptl: Location): Program<bigint | null> {
  yield begin({ name: 'do_anonymous_page', role: 'other', subject: p.name });
  const pfn = yield alloc_page();
  const v = ops.anonPte(pfn);
  yield spin_lock(ptl);
  const cur = yield* ops.readLocked(p);
  const installed = ops.arch.none(cur);
  if (installed) yield* commit(ops, p, 0n, v, 'set_pte_at');
  yield spin_unlock(ptl);
  if (!installed) yield put_page(pfn);
  yield end();
  return installed ? pfn : null;
}

/**
 * do_swap_page() from pte_unmap_same() on; the swap device read is not
 * modelled. pte_unmap_same() (mm/memory.c, 2022 = now) rechecks under the PTL
 * only when sizeof(pte_t) > sizeof(unsigned long) (PAE); on arm64 it is a
 * no-op and only the recheck before the install remains.
 */
function* do_swap_page<P extends Pte>(ops: PteOps<P>, p: P, ptl: Location, orig: bigint): Program {
  yield begin({ name: 'do_swap_page', role: 'other', subject: p.name, args: ops.arch.format(orig) });
  let unchanged = true;
  if (ops.pteWiderThanLong) {
    // pte_unmap_same(): orig "was read non-atomically" on PAE
    yield spin_lock(ptl);
    unchanged = (yield* ops.readLocked(p)) === orig;
    yield spin_unlock(ptl);
  }
  if (unchanged) {
    const pfn = yield alloc_page();
    yield spin_lock(ptl);
    const ok = (yield* ops.readLocked(p)) === orig;
    if (ok) yield* commit(ops, p, orig, ops.anonPte(pfn), 'set_pte_at');
    yield spin_unlock(ptl);
    if (!ok) yield put_page(pfn);
  }
  yield end();
}

export function* handle_pte_fault<P extends Pte>(
  ops: PteOps<P>,
  p: P,
  ptl: Location,
  read: (p: P) => Program<bigint>,
  o: FaultOptions = {},
): Program {
  const write = o.write ?? false;
  const kind = o.same ?? 'pte_same';
  const a = ops.arch;
  yield begin({ name: 'handle_pte_fault', role: 'other', subject: p.name, args: write ? 'write' : 'read' });
  const orig = yield* read(p);
  if (a.none(orig)) {
    yield* do_anonymous_page(ops, p, ptl);
  } else if (!a.present(orig)) {
    yield* do_swap_page(ops, p, ptl, orig);
  } else {
    yield spin_lock(ptl);
    const cur = yield* ops.readLocked(p);
    if (same(ops, kind, cur, orig) && (!write || a.write(orig))) {
      let entry = orig;
      if (write) entry = a.mkdirty(entry);
      entry = a.mkyoung(entry);
      // ptep_set_access_flags(vma, addr, ptep, entry, vmf->flags & FAULT_FLAG_WRITE)
      yield begin({ name: 'ptep_set_access_flags', role: 'other', subject: p.name, args: a.format(entry) });
      const changed = (yield* ops.readLocked(p)) !== entry; // !pte_same(*ptep, entry)
      // generic: if (changed) set_pte_at(); x86: if (changed && dirty) set_pte()
      if (changed && (ops.accessFlags === 'generic' || write)) yield* commit(ops, p, orig, entry, 'set_pte_at');
      yield end();
    }
    yield spin_unlock(ptl);
  }
  yield end();
}
