/**
 * Worked example of the new-user journey (README "Worked example: settling a proposed reader"): a PAE
 * lockless reader proposed as a cheaper ptep_get_lockless — read the high half, the low half, then the
 * high half again; retry only if the high half changed.
 *
 * Not a kernel function: a plausible reply to Jann Horn, "ptep_get_lockless() on 32-bit x86/mips/sh
 * looks wrong", 2022-10-06 <CAG48ez3h-mnp9ZFC10v+-BW_8NQvxbwBsMYJFP8JX31o0B17Pg@mail.gmail.com>, whose
 * reader (include/linux/pgtable.h, CONFIG_GUP_GET_PXX_LOW_HIGH, unchanged 2022–now) re-validates only
 * the low half. Against the writers of arch/x86/include/asm/pgtable-3level.h (set_pte: high, wmb, low;
 * pte_clear: low, wmb, high; ptep_get_and_clear: cmpxchg8b).
 *
 * What ptefuzz says (corpus/mailing-list/s1-pae-nx-double-refault.scn): on x86-PAE every present user
 * pte of a page below 4 GiB has the same high half (NX, 0x80000000), so re-reading it detects nothing;
 * a zapped pte's high half is 0, and two zap → refault cycles inside one read give hi = 0, lo = the
 * refaulted low half, hi = 0 again: it returns {0x00000000:lo} — present, NX cleared, never held.
 * Omitted: the caller's IRQ disabling (the scenario's), compiler reordering of the plain loads.
 */
import { kernel, machine } from 'ptefuzz';
const { begin, end, plain_read, retry, smp_rmb } = machine;

function* ptep_get_lockless_hlh(ptep: kernel.PaePte): machine.Program<bigint> {
  yield begin({ name: 'ptep_get_lockless_hlh', role: 'reader', subject: ptep.name, locs: ptep.locs });
  let hi: bigint, lo: bigint;
  for (;;) {
    hi = yield plain_read(ptep.high);
    yield smp_rmb();
    lo = yield plain_read(ptep.low);
    yield smp_rmb();
    if (hi === (yield plain_read(ptep.high))) break;
    yield retry();
  }
  const pte = kernel.paeValue(hi, lo);
  yield end(pte);
  return pte;
}

export const reader: kernel.ReaderDef<kernel.PaePte> = {
  name: 'ptep_get_lockless_hlh',
  arch: 'x86-pae',
  contract: 'non-torn',
  source: 'a proposal, not kernel code: high, low, re-read high (reply to Jann Horn 2022-10-06)',
  summary: 'high, rmb, low, rmb, re-read high; retry if the high half changed',
  read: ptep_get_lockless_hlh,
};
