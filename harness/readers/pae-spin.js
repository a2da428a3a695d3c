'use strict';
/**
 * Worked example for the hang watchdog (`ptefuzz fuzz --timeout`): a PAE
 * lockless reader whose retry path busy-waits in plain JavaScript instead of
 * yielding, so it never returns control to the machine — the module-level
 * equivalent of a C loop that spins on a variable it never re-reads.
 *
 *   npx ptefuzz fuzz --reader-module harness/readers/pae-spin.js --scenario s2-pae-zap-reestablish \
 *       --engine random --runs 200 --seed 1 --timeout 1
 *
 * ptep_get_lockless_spin: low, rmb, high, rmb, re-read low (the kernel's LOW_HIGH
 * order); when the low half changed — a writer raced it — it "waits for the
 * writer" with `while (true) {}` instead of `yield retry()` and re-reading. An
 * unraced read returns normally (the load-time check passes); the first raced
 * one hangs, and the watchdog turns it into a `timeout` crash file.
 */
const { kernel, machine } = require('ptefuzz');

const { begin, end, plain_read, smp_rmb } = machine;

function* ptep_get_lockless_spin(ptep) {
  yield begin({ name: 'ptep_get_lockless_spin', role: 'reader', subject: ptep.name, locs: ptep.locs });
  const lo = yield plain_read(ptep.low);
  yield smp_rmb();
  const hi = yield plain_read(ptep.high);
  yield smp_rmb();
  if (lo !== (yield plain_read(ptep.low))) {
    // BUG (deliberate): spins without yielding; the machine never gets control back
    // eslint-disable-next-line no-empty
    while (true) {}
  }
  const pte = kernel.paeValue(hi, lo);
  yield end(pte);
  return pte;
}

module.exports = {
  reader: {
    name: 'ptep_get_lockless_spin',
    arch: 'x86-pae',
    contract: 'non-torn',
    source: 'deliberately hanging example for the watchdog (a retry loop that never yields)',
    summary: 'low, high, re-read low; spins forever without yielding if low changed',
    read: ptep_get_lockless_spin,
  },
};
