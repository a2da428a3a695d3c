/**
 * A PAE reader module (source text) that spins without yielding when its first load sees the low half of
 * S2's re-established pte (0x00020067): exactly the executions where the writer (CPU B) ran first. It reads
 * low, then high, so it also returns torn values when the writer runs in between. The same text with
 * `while (true) {}` made `{}` is the reference that does not hang. Used by the watchdog tests of
 * `merge --distill` (test/e2e/merge-distill-watchdog.test.ts) and of the minimizer's candidates
 * (test/e2e/fuzz-minimize-hang.test.ts).
 */
export const HANG_NEW = `'use strict';
const { kernel, machine } = require('ptefuzz');
const { begin, end, plain_read } = machine;
function* ptep_get_hang_new(ptep) {
  yield begin({ name: 'ptep_get_hang_new', role: 'reader', subject: ptep.name, locs: ptep.locs });
  const lo = yield plain_read(ptep.low);
  if (lo === 0x20067n) {
    // eslint-disable-next-line no-empty
    while (true) {}
  }
  const hi = yield plain_read(ptep.high);
  const pte = kernel.paeValue(hi, lo);
  yield end(pte);
  return pte;
}
module.exports = {
  reader: {
    name: 'ptep_get_hang_new',
    arch: 'x86-pae',
    contract: 'non-torn',
    source: 'test: hangs once the writer has re-established the pte',
    summary: 'low, high; spins forever on the new low half',
    read: ptep_get_hang_new,
  },
};
`;
