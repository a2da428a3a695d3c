import type { Program } from '../../machine';
import { atomic64_read, begin, end, plain_read, retry, smp_rmb } from '../../machine';
import type { PaePte } from '../x86-pae';
import { paeValue } from '../x86-pae';
import type { ReaderDef } from './reader';

/**
 * ptep_get_lockless() under CONFIG_GUP_GET_PXX_LOW_HIGH (x86 PAE, mips32 with
 * 64-bit phys, sh X2TLB) — include/linux/pgtable.h; identical in 2022
 * (CONFIG_GUP_GET_PTE_LOW_HIGH) and now. DOMAIN §A1 steps 1–6: only the low
 * half is re-validated; the high half is never re-read. The comment above it
 * promises a non-torn result given "high, wmb, low" / "low, wmb, high" writers
 * and IPI-synchronised TLB flushes (disputed by Jann Horn, 2022-10-06).
 * Omitted: nothing of the loop; the caller's IRQ disabling is the scenario's.
 */
function* ptep_get_lockless(p: PaePte): Program<bigint> {
  yield begin({ name: 'ptep_get_lockless', role: 'reader', subject: p.name, locs: p.locs });
  let lo: bigint;
  let hi: bigint;
  for (;;) {
    lo = yield plain_read(p.low, 'pte.pte_low'); // pte.pte_low = ptep->pte_low;
    yield smp_rmb();
    hi = yield plain_read(p.high, 'pte.pte_high'); // pte.pte_high = ptep->pte_high;
    yield smp_rmb();
    if (lo === (yield plain_read(p.low))) break; // while (unlikely(pte.pte_low != ptep->pte_low));
    yield retry();
  }
  const v = paeValue(hi, lo);
  yield end(v);
  return v;
}

/**
 * ptep_get() on PAE = READ_ONCE() of a 64-bit pte_t on a 32-bit CPU: two
 * 32-bit loads, no retry (DOMAIN §A2 item 7). C leaves their order
 * unspecified; this models the order gcc emits for i386, low word first
 * (the GUP-fast recheck's 2022 `pte_val(*ptep)`, consumers/pae-ops.ts, makes
 * the order a choice instead). It is the accessor of GUP-fast's recheck from
 * v6.5 to 2026 (mm/gup.c gup_fast_pte_range()); its non-atomicity is the subject
 * of Ryan Roberts 2024-04-11 <81aa23ca-18b1-4430-9ad1-00a2c5af8fc2@arm.com> and
 * Alexander Gordeev's RFC 2026-04-20 <cover.1776684344.git.agordeev@linux.ibm.com>.
 * Omitted: the high-word-first order a compiler may also emit.
 */
function* ptep_get(p: PaePte): Program<bigint> {
  yield begin({ name: 'ptep_get', role: 'reader', subject: p.name, locs: p.locs });
  const lo = yield plain_read(p.low);
  const hi = yield plain_read(p.high);
  const v = paeValue(hi, lo);
  yield end(v);
  return v;
}

/**
 * Control: an atomic 64-bit read (`lock cmpxchg8b`, as x86-32 atomic64_read()
 * and pxx_xchg64's try_cmpxchg64 do). Must always agree with the reference
 * under `non-torn` — if it does not, the reference or a writer model is wrong.
 * A control, not a kernel reader of any thread; also the model of the
 * hardware walker's read of a PAE entry (consumers/mmu.ts). Omitted: nothing.
 */
function* ptep_get_atomic64(p: PaePte): Program<bigint> {
  yield begin({ name: 'ptep_get_atomic64', role: 'reader', subject: p.name, locs: p.locs });
  const v = yield atomic64_read(p.locs);
  yield end(v);
  return v;
}

export const PAE_READERS: readonly ReaderDef<PaePte>[] = [
  {
    name: 'ptep_get_lockless',
    arch: 'x86-pae',
    contract: 'non-torn',
    source: 'include/linux/pgtable.h ptep_get_lockless(), CONFIG_GUP_GET_PXX_LOW_HIGH; unchanged 2022–now',
    summary: 'low, rmb, high, rmb, re-read low; retry if low changed',
    read: ptep_get_lockless,
  },
  {
    name: 'ptep_get',
    arch: 'x86-pae',
    contract: 'non-torn',
    source: 'include/linux/pgtable.h ptep_get() = READ_ONCE(*ptep) on a 64-bit pte_t, 32-bit CPU',
    summary: 'two 32-bit loads (low, then high), no retry',
    read: ptep_get,
  },
  {
    name: 'ptep_get_atomic64',
    arch: 'x86-pae',
    contract: 'non-torn',
    source: 'arch/x86/include/asm/atomic64_32.h atomic64_read() (cmpxchg8b); control',
    summary: 'one locked cmpxchg8b read of both halves (control: must always agree)',
    read: ptep_get_atomic64,
  },
];
