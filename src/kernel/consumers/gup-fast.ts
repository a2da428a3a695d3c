/**
 * GUP-fast on one pte — mm/gup.c gup_fast() + gup_fast_pte_range() (v6.10+
 * names; 2022: lockless_pages_from_mm() + gup_pte_range()), DOMAIN §A5:
 *   1. local_irq_save()   (blocks IPI TLB flushes; the RCU table-free read side)
 *   2. pte = <lockless read>            — the reader under test
 *   3. !pte_access_permitted(pte, write) → stop   (also rejects non-present and
 *      PROT_NONE values: both have the hardware present/valid bit clear)
 *   4. folio = try_grab_folio_fast(pte_page(pte)) → stop on failure (refcount 0);
 *      fully ordered (atomic_add_unless; smp_mb__after_atomic for FOLL_PIN)
 *   5. recheck: pte_val(pte) != pte_val(<fresh read>) → gup_put_folio(), stop.
 *      The fresh-read accessor by era (`recheck`):
 *        `plain`    2022: pte_val(*ptep)
 *        `ptep_get` v6.5 … 2026: ptep_get(ptep)
 *        `lockless` Alexander Gordeev's RFC 2026-04-20 / linux-mm snapshot:
 *                   ptep_get_lockless(ptep) — the reader under test again
 *   6. local_irq_restore(); the page is returned.
 * Its OpMark carries ConsumerSpec `gup-fast`; the op's result is the pinned pfn.
 * The pmd level is optional (`pmd`, S12); without it the pmd never changes.
 * Omitted: pte_special/devmap, gup_must_unshare and
 * folio_fast_pin_allowed, the write_protect_seq check, large folios.
 * Threads: Jann Horn 2022-10-06 (S1); Ryan Roberts 2024-04-11
 * <81aa23ca-18b1-4430-9ad1-00a2c5af8fc2@arm.com> and Alexander Gordeev
 * 2026-04-20 <cover.1776684344.git.agordeev@linux.ibm.com> (S4, the recheck).
 */
import type { Location, Program } from '../../machine';
import {
  READ_ONCE,
  begin,
  end,
  local_irq_restore,
  local_irq_save,
  pmdp_get_lockless,
  put_page,
  try_grab_folio,
} from '../../machine';
import type { Pte } from '../arch';
import type { ConsumerSpec, PteOps } from './ops';

export type GupRecheck = 'plain' | 'ptep_get' | 'lockless';
export const GUP_RECHECKS: readonly GupRecheck[] = ['plain', 'ptep_get', 'lockless'];

/**
 * The pmd level (S12): GUP-fast reads the pmd (pmdp_get_lockless, one
 * READ_ONCE on a 64-bit arch), maps the pte table it points to
 * (pte_offset_map of the local copy), and rechecks the pmd after the grab
 * (pmd_val(pmd) != pmd_val(*pmdp), Yang Shi 70cbc3cc78a9, 2022-09) before
 * the pte recheck.
 */
export interface GupPmd {
  readonly loc: Location;
  /** the pte-table page a pmd value points to, or null (none, or not a table) */
  table(pmd: bigint): bigint | null;
}

export interface GupFastOptions {
  /** walk the pmd level first (default: the pte alone) */
  readonly pmd?: GupPmd;
  /** FOLL_WRITE (default true) */
  readonly write?: boolean;
  /** the recheck accessor (default `ptep_get`) */
  readonly recheck?: GupRecheck;
}

/** Returns the pinned pfn, or null when GUP-fast gave up (the caller would fall back to the slow path). */
export function* gup_fast<P extends Pte>(
  ops: PteOps<P>,
  p: P,
  read: (p: P) => Program<bigint>,
  o: GupFastOptions = {},
): Program<bigint | null> {
  const write = o.write ?? true;
  const recheck = o.recheck ?? 'ptep_get';
  const spec: ConsumerSpec = { consumer: 'gup-fast', write };
  yield begin({ name: 'gup_fast', role: 'other', subject: p.name, spec, args: `${write ? 'FOLL_WRITE' : '0'}` });
  yield local_irq_save();
  let pinned: bigint | null = null;
  // pmdp_get_lockless() + pte_offset_map() of the local copy
  const pmd = o.pmd === undefined ? null : yield pmdp_get_lockless(o.pmd.loc, o.pmd.table);
  if (pmd === null || o.pmd!.table(pmd) !== null) {
    const pte = yield* read(p);
    if (ops.arch.accessPermitted(pte, write)) {
      const pfn = ops.arch.pfn(pte);
      if ((yield try_grab_folio(pfn)) === 1n) {
        const pmdSame = pmd === null || (yield READ_ONCE(o.pmd!.loc)) === pmd;
        const again = !pmdSame
          ? null
          : recheck === 'plain'
            ? yield* ops.plainDeref(p)
            : recheck === 'ptep_get'
              ? yield* ops.ptepGet(p)
              : yield* read(p);
        if (again === pte) pinned = pfn;
        else yield put_page(pfn);
      }
    }
  }
  yield local_irq_restore();
  yield pinned === null ? end() : end(pinned);
  return pinned;
}
