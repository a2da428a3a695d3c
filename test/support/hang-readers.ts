import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { CliResult } from './cli';
import { ROOT, hasStackTrace } from './cli';

/**
 * The source text of a PAE reader module (CommonJS, as `--reader-module` loads it) of the reader NAME under the
 * `non-torn` contract: `'use strict'`, the `requires` lines, ptefuzz's `kernel` and `machine` (with the
 * `machine` helpers named in `helpers`), the `head` lines, then `function* NAME(ptep)` — its `start` lines, the
 * `begin` of the reader invocation, its `body` (which yields `end` and returns) — and the `module.exports` of the
 * reader. The frame every test reader module of the watchdog and campaign-failure tests shares.
 */
export function paeReaderModule(r: {
  readonly name: string;
  readonly source: string;
  readonly summary: string;
  readonly body: string;
  readonly requires?: string;
  readonly helpers?: string;
  readonly head?: string;
  readonly start?: string;
}): string {
  return `'use strict';
${r.requires ?? ''}const { kernel, machine } = require('ptefuzz');
const { ${r.helpers ?? 'begin, end, plain_read'} } = machine;
${r.head ?? ''}function* ${r.name}(ptep) {
${r.start ?? ''}  yield begin({ name: '${r.name}', role: 'reader', subject: ptep.name, locs: ptep.locs });
${r.body}}
module.exports = {
  reader: {
    name: '${r.name}',
    arch: 'x86-pae',
    contract: 'non-torn',
    source: '${r.source}',
    summary: '${r.summary}',
    read: ${r.name},
  },
};
`;
}

/** Low, high and the pte they make, returned: the end of most test readers' bodies. */
export const READ_LOW_HIGH = `  const lo = yield plain_read(ptep.low);
  const hi = yield plain_read(ptep.high);
  const pte = kernel.paeValue(hi, lo);
  yield end(pte);
  return pte;
`;

/** The `fs` and `worker_threads` requires of the modules that behave by thread and job. */
const FS_WT = `const fs = require('node:fs');
const wt = require('node:worker_threads');
`;

/** The job of this thread: -1 in the main thread, else the worker's partition offset (fuzz-worker.ts's WorkerInput). */
const JOB = `const job = wt.isMainThread ? -1 : wt.workerData && wt.workerData.partition ? wt.workerData.partition.offset : -1;
`;

/** A job's gate: until `open` (which `opens` computes) it returns 0 (non-present: agree), 20 ms per call. */
const waitUntilOpen = (opens: string): string => `  if (!open) open = ${opens};
  if (!open) {
    Atomics.wait(nap, 0, 0, 20);
    yield end(0n);
    return 0n;
  }
`;

/**
 * A spin that never yields (the hang the watchdog has to stop): a core kept busy until the watchdog stops it. The
 * test readers that hang to exercise what a command does with a hang use HANG; the tests of the spin itself keep it
 * (harness/readers/pae-spin.js in watchdog.test.ts and fuzz-jsfuzz-watchdog.test.ts — a fuzz worker, replay's
 * worker, jsfuzz's —, and the main thread's load-time check in main-thread-watchdog.test.ts).
 */
export const SPIN = `    // eslint-disable-next-line no-empty
    while (true) {}
`;

/**
 * A call that never returns, as SPIN, but blocked instead of busy: it waits on a shared word nothing ever changes
 * (`Atomics.wait`, no time limit). The watchdog stops it as it stops a spin — V8 terminates the call (a worker's
 * `terminate()`, the main thread's `node:vm` limit), which ends the wait too — so for the command it is the same
 * hang (same steps, lines and files), at no CPU cost: each hang of a hang test takes its second of wall time, and
 * no core for that second (was: a spin, ~1 s of CPU in every hang).
 */
export const HANG = `    for (const stuck = new Int32Array(new SharedArrayBuffer(4)); ; ) Atomics.wait(stuck, 0, 0);
`;

/**
 * A PAE reader module (source text) that hangs (HANG) when its first load sees the low half of
 * S2's re-established pte (0x00020067): exactly the executions where the writer (CPU B) ran first. It reads
 * low, then high, so it also returns torn values when the writer runs in between. The same text without HANG is
 * the reference that does not hang. Used by the watchdog tests of `merge --distill`
 * (test/e2e/merge-distill-watchdog.test.ts) and of the main thread (test/e2e/main-thread-watchdog.test.ts).
 */
export const HANG_NEW = paeReaderModule({
  name: 'ptep_get_hang_new',
  source: 'test: hangs once the writer has re-established the pte',
  summary: 'low, high; hangs for ever on the new low half',
  body: `  const lo = yield plain_read(ptep.low);
  if (lo === 0x20067n) {
${HANG}  }
  const hi = yield plain_read(ptep.high);
  const pte = kernel.paeValue(hi, lo);
  yield end(pte);
  return pte;
`,
});
/**
 * Low, high; hangs for ever when it read the initial low half under a cleared high half ({0x00000000:0x00010067}:
 * a zap between its loads). On test/fixtures/s2-no-controls.scn its torn witness reads the re-established high
 * half; the minimizer's candidate without B's set_pte (the pte_clear alone, a program within the contract) runs
 * the same schedule to that zapped pte and hangs: a hang on a program the minimizer reduced.
 */
export const HANG_CLEARED = paeReaderModule({
  name: 'ptep_get_hang_cleared',
  source: 'test: hangs on the old low half under a cleared high half',
  summary: 'low, high; hangs for ever on {0:old low}',
  body: `  const lo = yield plain_read(ptep.low);
  const hi = yield plain_read(ptep.high);
  if (lo === 0x10067n && hi === 0n) {
${HANG}  }
  const pte = kernel.paeValue(hi, lo);
  yield end(pte);
  return pte;
`,
});
/**
 * A PAE reader module (source text) for `fuzz --jobs 2`: it reads low, then high (torn when the writer runs in
 * between), and once it has returned a torn value in a worker thread, hangs on its every later call in that
 * thread — so the first candidate of a minimization of its torn witness hangs (a trace pass, on the target
 * itself), and so does the next execution of a worker that hands the witness over unminimized. In the
 * second job's worker (its `workerData.partition.offset` is 1: fuzz-worker.ts's WorkerInput) it returns 0
 * (a non-present value: agree), 20 ms per call, until the crash folder `c/` holds a torn crash file — the one
 * the main thread keeps unminimized once the first job's minimization hung —, and marks its own first torn
 * read by writing the file `job2-torn`. The main thread (replay) reads as the first job does, without the hang.
 */
export const TORN_ONCE_LATE = paeReaderModule({
  name: 'ptep_get_torn_once',
  source: 'test: hangs after its first torn read in a worker; the second job reads once a torn witness is kept',
  summary: 'low, high; hangs after its first torn read',
  requires: FS_WT,
  head: `${JOB}const nap = new Int32Array(new SharedArrayBuffer(4));
let open = job !== 1;
let torn = false;
`,
  body: `${waitUntilOpen("fs.existsSync('c') && fs.readdirSync('c').some((f) => f.includes('.torn.'))")}  if (torn && job >= 0) {
${HANG}  }
  const lo = yield plain_read(ptep.low);
  const hi = yield plain_read(ptep.high);
  const pte = kernel.paeValue(hi, lo);
  if (lo === 0x10067n && hi !== 0x10001n) {
    torn = true;
    if (job === 1) fs.writeFileSync('job2-torn', '');
  }
  yield end(pte);
  return pte;
`,
});
/**
 * A PAE reader module (source text) for `fuzz --jobs 2` that hangs on every call in a worker thread, the first
 * job's from the start: each load of the module in the first job's worker appends a byte to the file `loads`
 * (one per worker: the first, then one per restart). The second job's worker returns 0 (non-present: agree),
 * 20 ms per call, until `loads` holds `loads` bytes, then hangs too. The main thread (which replays a hung
 * execution up to its last step) reads low, then high, and never hangs.
 */
export const hangAllLate = (loads: number): string =>
  paeReaderModule({
    name: 'ptep_get_hang_all',
    source: 'test: hangs on every call in a worker; the second job only once the first was restarted enough',
    summary: 'low, high; hangs on every call in a worker',
    requires: FS_WT,
    head: `${JOB}if (job === 0) fs.appendFileSync('loads', 'x');
const nap = new Int32Array(new SharedArrayBuffer(4));
const want = ${loads};
let open = job !== 1;
`,
    body: `${waitUntilOpen("fs.existsSync('loads') && fs.readFileSync('loads').length >= want")}  if (job >= 0) {
${HANG}  }
${READ_LOW_HIGH}`,
  });
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
  return paeReaderModule({
    name: 'ptep_get_hang_first',
    source: 'test: hangs on its first call in a worker thread',
    summary: 'low, high; hangs on its first call in a worker',
    requires: FS_WT,
    head: 'let calls = 0;\n',
    body: `  if (!wt.isMainThread && ++calls === ${call} && !fs.existsSync('hung')) {
    fs.writeFileSync('hung', '');
${HANG}  }
${READ_LOW_HIGH}`,
  });
}

/**
 * The `fuzz` command line of the hang tests: `engine` over S2 under `sc` with the reader `reader` of the module
 * `module` (a path relative to the test's folder), `runs` runs from `seed`, the watchdog at 1 s, then `rest`
 * (`--jobs`, `--crashes`, `--corpus`, `--json`, in the order given).
 */
export function hangCampaign(
  c: {
    readonly engine: string;
    readonly module: string;
    readonly reader: string;
    readonly runs: number;
    readonly seed: number;
    /** default s2-pae-zap-reestablish */
    readonly scenario?: string;
  },
  ...rest: string[]
): string[] {
  return [
    'fuzz',
    '--engine',
    c.engine,
    '--reader-module',
    c.module,
    '--scenario',
    c.scenario ?? 's2-pae-zap-reestablish',
    '--reader',
    c.reader,
    '--model',
    'sc',
    '--runs',
    String(c.runs),
    '--seed',
    String(c.seed),
    '--timeout',
    '1',
    ...rest,
  ];
}

/**
 * The CLI as cli() runs it (in the environment `env`, default this process's), stopped (code -1, signal SIGKILL)
 * if it has not ended after 90 s.
 */
export function cliWithin(
  args: readonly string[],
  cwd: string,
  env?: NodeJS.ProcessEnv,
): CliResult & { signal: string | null } {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'ptefuzz.js'), ...args], {
    cwd,
    encoding: 'utf8',
    timeout: 90_000,
    killSignal: 'SIGKILL',
    ...(env ? { env } : {}),
  });
  return { code: r.status ?? -1, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

/**
 * A hang test's campaign, checked to have ended as such campaigns must: the reader module `text` written to `file`
 * in a new folder, then hangCampaign's command line (`engine` default `random`, `seed` default 1) with `rest`, then
 * `--crashes c --json`, run by cliWithin; it ended by itself, without a stack trace, exit 1 (it found something).
 * Returns the folder, the result and the parsed `--json` summary (`S`: the fields the test reads).
 */
export function campaignEnds<S>(
  c: {
    readonly text: string;
    readonly file: string;
    readonly reader: string;
    readonly runs: number;
    readonly engine?: string;
    readonly seed?: number;
  },
  ...rest: string[]
): { dir: string; r: ReturnType<typeof cliWithin>; sum: S } {
  const dir = mkdtempSync(join(tmpdir(), 'ptefuzz-hang-'));
  writeFileSync(join(dir, c.file), c.text);
  const engine = c.engine ?? 'random';
  const campaign = { engine, module: `./${c.file}`, reader: c.reader, runs: c.runs, seed: c.seed ?? 1 };
  const r = cliWithin(hangCampaign(campaign, ...rest, '--crashes', 'c', '--json'), dir);
  expect(r.signal).toBeNull();
  expect(hasStackTrace(r.stderr)).toBe(false);
  expect(r.code).toBe(1);
  return { dir, r, sum: JSON.parse(r.stdout) as S };
}

/** Low, high and the pte they make, then whether they are torn (the writer ran in between: low new, high old). */
export const READ_TORN = `  const lo = yield plain_read(ptep.low);
  const hi = yield plain_read(ptep.high);
  const pte = kernel.paeValue(hi, lo);
  const isTorn = lo === 0x10067n && hi !== 0x10001n;
`;

/**
 * A PAE reader module (source text) that reads low, then high, and returns what it read (torn when the writer runs in
 * between) — but hangs when it reads torn in the **main thread**, which a `fuzz` campaign must never make it do: its
 * executions all run in watched workers. Was: the main thread replayed every new witness to draw its diagram, and
 * the divergence a hung minimization was minimizing to keep it, unwatched: a reader that hangs there (one that keeps
 * state between calls, or behaves by thread) hung the whole campaign, `--time` included. `hangAfterTorn`: in a worker
 * thread, it also hangs on every call after its first torn read — the first candidate of the minimization of its
 * torn witness hangs, and so does the next execution of a worker that hands the witness over unminimized.
 * `inReplay`: it also hangs on a torn read in the worker thread of a watched replay that draws a report (its
 * `workerData.report` is set: replay-watched.ts's ReplayInput), as when `fuzz` draws the diagram of a divergence it
 * kept unminimized.
 */
export function tornHangsInMain(hangAfterTorn: boolean, inReplay = false): string {
  return paeReaderModule({
    name: 'ptep_get_torn_main',
    source: 'test: hangs on a torn read in the main thread',
    summary: 'low, high; hangs on a torn read in the main thread',
    requires: FS_WT,
    head: 'let torn = false;\n',
    body: `  if (torn) {
${HANG}  }
${READ_TORN}  if (isTorn && (wt.isMainThread || (${inReplay} && wt.workerData && wt.workerData.report === true))) {
${HANG}  }
  if (isTorn && ${hangAfterTorn}) torn = true;
  yield end(pte);
  return pte;
`,
  });
}

/**
 * A PAE reader module (source text) for `fuzz --jobs 2` whose two jobs start minimizing their first torn witness at
 * nearly the same moment, and whose minimizations both hang: in a worker thread it reads low, then high; on its
 * first torn read it marks its job by writing the file `ready-<job>` (job: its partition offset), and until both
 * jobs have written theirs it returns 0 (non-present: agree), 20 ms per call; then it returns the next torn value
 * read, and hangs on every later call in that thread (so the first candidate of the minimization hangs). Both
 * minimizations are in flight when the first hang is detected, a limit (1 s) after it began. The main thread reads
 * low, then high, and never hangs.
 */
export const TORN_BOTH_JOBS = paeReaderModule({
  name: 'ptep_get_torn_both',
  source: 'test: both jobs minimize their first torn witness at once, and hang there',
  summary: 'low, high; hangs after its first torn read, once both jobs read torn',
  requires: FS_WT,
  head: `${JOB}const nap = new Int32Array(new SharedArrayBuffer(4));
const both = () => fs.existsSync('ready-0') && fs.existsSync('ready-1');
let ready = false;
let open = true;
let torn = false;
`,
  body: `  if (torn) {
${HANG}  }
${waitUntilOpen('both()')}${READ_TORN}  if (isTorn && job >= 0) {
    if (!ready) fs.writeFileSync('ready-' + job, '');
    ready = true;
    open = both();
    if (!open) {
      yield end(0n);
      return 0n;
    }
    torn = true;
  }
  yield end(pte);
  return pte;
`,
});

/**
 * A PAE reader module (source text) that hangs on its 3rd torn read in a worker thread — in a `random` campaign the
 * minimizer's statement probe of the first torn witness: the witness itself is the 1st, the minimizer's check that
 * it still diverges the 2nd, the probe that maps the witness's steps to statements (before the first program pass)
 * the 3rd — once per command (the file `hung` marks it). Everywhere else it reads low, then high.
 */
export const HANG_PROBE = paeReaderModule({
  name: 'ptep_get_hang_probe',
  source: 'test: hangs on its third torn read in a worker (the minimizer statement probe)',
  summary: 'low, high; hangs on its third torn read in a worker',
  requires: FS_WT,
  head: 'let torn = 0;\n',
  body: `${READ_TORN}  if (isTorn && !wt.isMainThread && ++torn === 3 && !fs.existsSync('hung')) {
    fs.writeFileSync('hung', '');
${HANG}  }
  yield end(pte);
  return pte;
`,
});
