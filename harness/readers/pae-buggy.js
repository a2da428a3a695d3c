'use strict';
/**
 * Worked example of a reader module in plain CommonJS: two deliberately
 * buggy PAE lockless readers, exported as `readers: [...]`.
 *
 *   npx ptefuzz matrix --scenario s2-pae-zap-reestablish --reader-module harness/readers/pae-buggy.js
 *
 * - ptep_get_lockless_normb: the kernel's LOW_HIGH loop (include/linux/pgtable.h
 *   ptep_get_lockless) with its two smp_rmb() removed — "x86 never reorders
 *   loads". True under tso; under weak (mips32, sh) the high load may be
 *   satisfied before the first low load and S2 returns a torn {h1:l2}.
 * - ptep_get_recheck_high: re-validates the wrong half (low, rmb, high, rmb,
 *   re-read high). A single zap → re-establish (S2) between the low load and
 *   the high loads returns {h2:l1} — torn even under sc.
 */
const { kernel, machine } = require('ptefuzz');

const { begin, end, plain_read, retry, smp_rmb } = machine;

function* ptep_get_lockless_normb(ptep) {
  yield begin({ name: 'ptep_get_lockless_normb', role: 'reader', subject: ptep.name, locs: ptep.locs });
  let lo;
  let hi;
  for (;;) {
    lo = yield plain_read(ptep.low);
    hi = yield plain_read(ptep.high); // no smp_rmb() before or after
    if (lo === (yield plain_read(ptep.low))) break;
    yield retry();
  }
  const pte = kernel.paeValue(hi, lo);
  yield end(pte);
  return pte;
}

function* ptep_get_recheck_high(ptep) {
  yield begin({ name: 'ptep_get_recheck_high', role: 'reader', subject: ptep.name, locs: ptep.locs });
  let lo;
  let hi;
  for (;;) {
    lo = yield plain_read(ptep.low);
    yield smp_rmb();
    hi = yield plain_read(ptep.high);
    yield smp_rmb();
    if (hi === (yield plain_read(ptep.high))) break; // validates the high half, not the low one
    yield retry();
  }
  const pte = kernel.paeValue(hi, lo);
  yield end(pte);
  return pte;
}

module.exports = {
  readers: [
    {
      name: 'ptep_get_lockless_normb',
      arch: 'x86-pae',
      contract: 'non-torn',
      source: 'include/linux/pgtable.h ptep_get_lockless() LOW_HIGH, smp_rmb()s removed (deliberately buggy example)',
      summary: 'low, high, re-read low; retry if low changed — no read barriers',
      read: ptep_get_lockless_normb,
    },
    {
      name: 'ptep_get_recheck_high',
      arch: 'x86-pae',
      contract: 'non-torn',
      source: 'deliberately buggy example: re-validates the high half instead of the low one',
      summary: 'low, rmb, high, rmb, re-read high; retry if high changed',
      read: ptep_get_recheck_high,
    },
  ],
};
