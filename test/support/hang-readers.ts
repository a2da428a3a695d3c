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
/**
 * A PAE reader module (source text) for `fuzz --jobs 2`: it reads low, then high (torn when the writer runs in
 * between), and once it has returned a torn value in a worker thread, spins on its every later call in that
 * thread — so the first candidate of a minimization of its torn witness hangs (a trace pass, on the target
 * itself), and so does the next execution of a worker that hands the witness over unminimized. In the
 * second job's worker (its `workerData.partition.offset` is 1: fuzz-worker.ts's WorkerInput) it returns 0
 * (a non-present value: agree), 20 ms per call, until the crash folder `c/` holds a torn crash file — the one
 * the main thread keeps unminimized once the first job's minimization hung —, and marks its own first torn
 * read by writing the file `job2-torn`. The main thread (replay) reads as the first job does, without the spin.
 */
export const TORN_ONCE_LATE = `'use strict';
const fs = require('node:fs');
const wt = require('node:worker_threads');
const { kernel, machine } = require('ptefuzz');
const { begin, end, plain_read } = machine;
const job = wt.isMainThread ? -1 : wt.workerData && wt.workerData.partition ? wt.workerData.partition.offset : -1;
const nap = new Int32Array(new SharedArrayBuffer(4));
let open = job !== 1;
let torn = false;
function* ptep_get_torn_once(ptep) {
  yield begin({ name: 'ptep_get_torn_once', role: 'reader', subject: ptep.name, locs: ptep.locs });
  if (!open) open = fs.existsSync('c') && fs.readdirSync('c').some((f) => f.includes('.torn.'));
  if (!open) {
    Atomics.wait(nap, 0, 0, 20);
    yield end(0n);
    return 0n;
  }
  if (torn && job >= 0) {
    // eslint-disable-next-line no-empty
    while (true) {}
  }
  const lo = yield plain_read(ptep.low);
  const hi = yield plain_read(ptep.high);
  const pte = kernel.paeValue(hi, lo);
  if (lo === 0x10067n && hi !== 0x10001n) {
    torn = true;
    if (job === 1) fs.writeFileSync('job2-torn', '');
  }
  yield end(pte);
  return pte;
}
module.exports = {
  reader: {
    name: 'ptep_get_torn_once',
    arch: 'x86-pae',
    contract: 'non-torn',
    source: 'test: spins after its first torn read in a worker; the second job reads once a torn witness is kept',
    summary: 'low, high; spins after its first torn read',
    read: ptep_get_torn_once,
  },
};
`;
/**
 * A PAE reader module (source text) for `fuzz --jobs 2` that hangs on every call in a worker thread, the first
 * job's from the start: each load of the module in the first job's worker appends a byte to the file `loads`
 * (one per worker: the first, then one per restart). The second job's worker returns 0 (non-present: agree),
 * 20 ms per call, until `loads` holds `loads` bytes, then hangs too. The main thread (which replays a hung
 * execution up to its last step) reads low, then high, and never hangs.
 */
export const hangAllLate = (loads: number): string => `'use strict';
const fs = require('node:fs');
const wt = require('node:worker_threads');
const { kernel, machine } = require('ptefuzz');
const { begin, end, plain_read } = machine;
const job = wt.isMainThread ? -1 : wt.workerData && wt.workerData.partition ? wt.workerData.partition.offset : -1;
if (job === 0) fs.appendFileSync('loads', 'x');
const nap = new Int32Array(new SharedArrayBuffer(4));
const want = ${loads};
let open = job !== 1;
function* ptep_get_hang_all(ptep) {
  yield begin({ name: 'ptep_get_hang_all', role: 'reader', subject: ptep.name, locs: ptep.locs });
  if (!open) open = fs.existsSync('loads') && fs.readFileSync('loads').length >= want;
  if (!open) {
    Atomics.wait(nap, 0, 0, 20);
    yield end(0n);
    return 0n;
  }
  if (job >= 0) {
    // eslint-disable-next-line no-empty
    while (true) {}
  }
  const lo = yield plain_read(ptep.low);
  const hi = yield plain_read(ptep.high);
  const pte = kernel.paeValue(hi, lo);
  yield end(pte);
  return pte;
}
module.exports = {
  reader: {
    name: 'ptep_get_hang_all',
    arch: 'x86-pae',
    contract: 'non-torn',
    source: 'test: hangs on every call in a worker; the second job only once the first was restarted enough',
    summary: 'low, high; spins on every call in a worker',
    read: ptep_get_hang_all,
  },
};
`;
/**
 * A PAE reader module (source text) that hangs on its first call in a worker thread of the whole command (marked
 * by creating the file `hung`; remove it to arm it again), and otherwise reads low, then high. In the main thread
 * it never hangs, so the main thread's load-time probe of the module passes. Was: every worker thread probed the
 * module again when it loaded it, outside any watched execution, so this hang stopped the worker for ever — a
 * `fuzz` campaign (even one with `--time`) or a `replay --timeout` that never ended.
 */
export const HANG_FIRST_IN_WORKER = hangInWorker(1);

/**
 * The same, hanging on its `call`-th call in a worker thread (counted per worker: a fresh worker counts from 1
 * again) — the 2nd is, in a `coverage` campaign, the re-execution of its first corpus entry on admission (the
 * stability check), which ran unwatched: the worker hung for ever.
 */
export function hangInWorker(call: number): string {
  return `'use strict';
const fs = require('node:fs');
const wt = require('node:worker_threads');
const { kernel, machine } = require('ptefuzz');
const { begin, end, plain_read } = machine;
let calls = 0;
function* ptep_get_hang_first(ptep) {
  yield begin({ name: 'ptep_get_hang_first', role: 'reader', subject: ptep.name, locs: ptep.locs });
  if (!wt.isMainThread && ++calls === ${call} && !fs.existsSync('hung')) {
    fs.writeFileSync('hung', '');
    // eslint-disable-next-line no-empty
    while (true) {}
  }
  const lo = yield plain_read(ptep.low);
  const hi = yield plain_read(ptep.high);
  const pte = kernel.paeValue(hi, lo);
  yield end(pte);
  return pte;
}
module.exports = {
  reader: {
    name: 'ptep_get_hang_first',
    arch: 'x86-pae',
    contract: 'non-torn',
    source: 'test: hangs on its first call in a worker thread',
    summary: 'low, high; spins on its first call in a worker',
    read: ptep_get_hang_first,
  },
};
`;
}
