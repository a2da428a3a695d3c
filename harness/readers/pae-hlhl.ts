/**
 * Worked example of a reader module (README "Writing a reader module"): a PAE
 * lockless reader that re-validates BOTH halves — high, low, then re-read
 * high and low, retry if either changed.
 *
 *   npx ptefuzz fuzz --reader-module harness/readers/pae-hlhl.ts --reader ptep_get_lockless_hlhl --runs 2000 --seed 1
 *
 * Not a kernel function: a candidate fix a developer might propose for Jann
 * Horn's S1 report ("ptep_get_lockless() on 32-bit x86/mips/sh looks wrong",
 * 2022-10-06), against the writers of arch/x86/include/asm/pgtable-3level.h
 * (set_pte: high, wmb, low; pte_clear: low, wmb, high).
 *
 * What ptefuzz says: it agrees on every built-in PAE scenario under sc and
 * tso — S1's double refault and the S2 `-samelow` finding included, where
 * the kernel's LOW_HIGH loop is torn — and under weak (the torn read the
 * matrix once reported under weak on S1 rested on a gap of the weak model,
 * spin_lock not being cumulative, since fixed: README Limitations). It is still NOT correct in
 * general, and no reader made of plain loads can be: with enough transitions
 * inside one read, every value it loads can come from a different pte. Here
 * the ABA is on the zero high half of a zapped pte: hi1 = 0 (zapped), then a
 * refault of {h2:l} gives lo1 = l, a zap gives hi2 = 0, a refault of {h3:l}
 * gives lo2 = l, and the reader returns {0x00000000:l} — present, never held.
 * That takes two refaults with the same low half inside one read (no scenario
 * of this ptefuzz has it; test/unit/reader-modules.test.ts builds one and
 * finds the witness). Only an atomic 64-bit read (cmpxchg8b, the built-in
 * control ptep_get_atomic64) or the IPI/flush assumption makes it safe.
 * Omitted: the caller's IRQ disabling (the scenario's business).
 */
import { kernel, machine } from 'ptefuzz';

const { begin, end, plain_read, retry, smp_rmb } = machine;

function* ptep_get_lockless_hlhl(ptep: kernel.PaePte): machine.Program<bigint> {
  yield begin({ name: 'ptep_get_lockless_hlhl', role: 'reader', subject: ptep.name, locs: ptep.locs });
  let hi: bigint;
  let lo: bigint;
  for (;;) {
    hi = yield plain_read(ptep.high);
    yield smp_rmb();
    lo = yield plain_read(ptep.low);
    yield smp_rmb();
    const hi2 = yield plain_read(ptep.high);
    yield smp_rmb();
    const lo2 = yield plain_read(ptep.low);
    if (hi === hi2 && lo === lo2) break;
    yield retry();
  }
  const pte = kernel.paeValue(hi, lo);
  yield end(pte);
  return pte;
}

export const reader: kernel.ReaderDef<kernel.PaePte> = {
  name: 'ptep_get_lockless_hlhl',
  arch: 'x86-pae',
  contract: 'non-torn',
  source: 'harness/readers/pae-hlhl.ts (worked example; a proposed fix, not kernel code)',
  summary: 'high, rmb, low, rmb, re-read high, rmb, re-read low; retry if either half changed',
  read: ptep_get_lockless_hlhl,
};
