/**
 * PteOps for x86 PAE (arch/x86/include/asm/pgtable-3level.h): set_pte_at =
 * native_set_pte (high, wmb, low), ptep_get_and_clear = pxx_xchg64 (now),
 * pte_clear = native_pte_clear (low, wmb, high); ptep_get() = READ_ONCE of a
 * 64-bit pte_t on a 32-bit CPU (two loads, low first, as the `ptep_get`
 * reader); 2022's `pte_val(*ptep)` = two plain 32-bit loads whose order the
 * compiler chooses (an `op` choice: 0 = low first); ptep_set_access_flags =
 * x86's (arch/x86/mm/pgtable.c: set_pte only when the pte changed and the
 * fault is a write: the hardware sets A/D itself). Era: now (the writers'
 * `era` default, writers/x86-pae.ts). Omitted: the pmd/pud forms, and a PAE
 * hardware walker (no modelled CPU sets A/D on a PAE pte).
 */
import type { Program } from '../../machine';
import { begin, end, pick, plain_read } from '../../machine';
import type { PaePte } from '../x86-pae';
import { paeMk, paeValue, x86Pae } from '../x86-pae';
import { PAE_READERS } from '../readers/x86-pae';
import { pte_clear, ptep_get_and_clear, set_pte } from '../writers/x86-pae';
import type { PteOps } from './ops';

function* readLocked(p: PaePte): Program<bigint> {
  const lo = yield plain_read(p.low);
  const hi = yield plain_read(p.high);
  return paeValue(hi, lo);
}

function* plainDeref(p: PaePte): Program<bigint> {
  yield begin({ name: 'pte_val(*ptep)', role: 'reader', subject: p.name, locs: p.locs });
  const highFirst = (yield pick('load order of pte_val(*ptep)', 2)) === 1n;
  let lo: bigint;
  let hi: bigint;
  if (highFirst) {
    hi = yield plain_read(p.high);
    lo = yield plain_read(p.low);
  } else {
    lo = yield plain_read(p.low);
    hi = yield plain_read(p.high);
  }
  const v = paeValue(hi, lo);
  yield end(v);
  return v;
}

const ptepGet = PAE_READERS.find((r) => r.name === 'ptep_get')!.read;

export const paeOps: PteOps<PaePte> = {
  arch: x86Pae,
  readLocked,
  setPteAt: (p, v) => set_pte(p, v),
  getAndClear: (p) => ptep_get_and_clear(p),
  clear: (p) => pte_clear(p),
  ptepGet,
  plainDeref,
  anonPte: (pfn) => paeMk(pfn),
  pteWiderThanLong: true,
  accessFlags: 'x86',
};
