/**
 * x86 PAE pte writers — arch/x86/include/asm/pgtable-3level.h.
 *
 * - native_set_pte: store high; smp_wmb(); store low (WRITE_ONCE since
 *   "x86/mm/pae: Use WRITE_ONCE()", v6.2; plain stores in 2022 — same
 *   visibility in these models). Meant for not-present → present.
 * - native_pte_clear: store low = 0; smp_wmb(); store high = 0.
 * - native_ptep_get_and_clear (SMP): now `pxx_xchg64(pte, 0)` — seed `old`
 *   with a plain (possibly torn) 64-bit read, then `try_cmpxchg64` until it
 *   succeeds; 2022: one `arch_atomic64_xchg` (cmpxchg8b). Both an atomic
 *   64-bit exchange; `era` picks the instruction sequence.
 * - native_set_pte_atomic: atomic 64-bit store (2022 `set_64bit()`, now
 *   `pxx_xchg64`), modelled as one xchg64.
 * Threads: Jann Horn, "ptep_get_lockless() on 32-bit x86/mips/sh looks wrong",
 * 2022-10-06; Jason Gunthorpe's reply <Yz7316NubHtw2xCa@nvidia.com> gives the
 * zap "low, wmb, high" / re-establish "high, wmb, low" ordering.
 * `barriers: false` removes the smp_wmb()s (a counterfactual: what Jason's
 * argument relies on). Omitted: the !SMP variants, pmd/pud forms, and the
 * non-atomic native_local_ptep_get_and_clear() that x86's
 * ptep_get_and_clear_full(full = 1) (whole-mm teardown) uses.
 * Checked against: the pxx_xchg64 form, Kingxukai/linux pgtable-3level.h
 * @0291023e (post-v6.2) and the "x86/mm/pae: Use WRITE_ONCE()" / pxx_xchg64
 * patches; the 2022 form, the diff of "x86/mm/pae: Don't (ab)use atomic64"
 * (torvalds/linux @9a64e8e0 is older still: xchg of the low half, then the
 * high half read and cleared — not modelled). DOMAIN §D.
 */
import type { Program } from '../../machine';
import { WRITE_ONCE, begin, cmpxchg, end, plain_read, retry, smp_wmb, xchg } from '../../machine';
import type { PaePte } from '../x86-pae';
import { highOf, lowOf, paeValue, x86Pae } from '../x86-pae';
import { clearSpec, setSpec } from '../spec';

export interface PaeWriterOptions {
  /** keep the writer's smp_wmb() (default true) */
  readonly barriers?: boolean;
  /** instruction sequence of ptep_get_and_clear (default "now") */
  readonly era?: '2022' | 'now';
}

export function* set_pte(p: PaePte, v: bigint, o: PaeWriterOptions = {}): Program {
  const text = x86Pae.format(v);
  yield begin({ name: 'set_pte', role: 'writer', subject: p.name, locs: p.locs, spec: setSpec(v, text), args: text });
  yield WRITE_ONCE(p.high, highOf(v));
  if (o.barriers !== false) yield smp_wmb();
  yield WRITE_ONCE(p.low, lowOf(v));
  yield end();
}

export function* pte_clear(p: PaePte, o: PaeWriterOptions = {}): Program {
  yield begin({ name: 'pte_clear', role: 'writer', subject: p.name, locs: p.locs, spec: clearSpec });
  yield WRITE_ONCE(p.low, 0n);
  if (o.barriers !== false) yield smp_wmb();
  yield WRITE_ONCE(p.high, 0n);
  yield end();
}

export function* ptep_get_and_clear(p: PaePte, o: PaeWriterOptions = {}): Program<bigint> {
  yield begin({ name: 'ptep_get_and_clear', role: 'writer', subject: p.name, locs: p.locs, spec: clearSpec });
  let old: bigint;
  if (o.era === '2022') {
    old = yield xchg(p.locs, 0n);
  } else {
    // pxx_xchg64: a plain 64-bit read is only a guess; try_cmpxchg64 refreshes it.
    const lo = yield plain_read(p.low);
    const hi = yield plain_read(p.high);
    old = paeValue(hi, lo);
    for (;;) {
      const seen = yield cmpxchg(p.locs, old, 0n);
      if (seen === old) break;
      old = seen;
      yield retry();
    }
  }
  yield end();
  return old;
}

export function* set_pte_atomic(p: PaePte, v: bigint): Program {
  const text = x86Pae.format(v);
  yield begin({
    name: 'set_pte_atomic',
    role: 'writer',
    subject: p.name,
    locs: p.locs,
    spec: setSpec(v, text),
    args: text,
  });
  yield xchg(p.locs, v);
  yield end();
}
