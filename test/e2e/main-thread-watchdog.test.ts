/**
 * The commands that run readers in the main thread watch them (src/cli/watched-call.ts): a reader module that
 * spins without yielding no longer hangs them for ever — Ctrl-C did nothing there, the JS thread never returned to
 * the event loop. Each test runs the CLI under cliWithin (killed after 90 s), so on a build without the watch it
 * fails instead of hanging. The hanging reader is HANG_NEW (hangs on S2's re-established low half); --timeout 1.
 * The readers hang in HANG, blocked (no CPU); the load-time check's reader spins (SPIN), as a loop that never yields.
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { hasStackTrace } from '../support/cli';
import { HANG, HANG_NEW, READ_TORN, SPIN, campaignEnds, cliWithin, paeReaderModule } from '../support/hang-readers';

/** A fresh folder holding HANG_NEW as `hang-new.js`. */
function folder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ptefuzz-main-wd-'));
  writeFileSync(join(dir, 'hang-new.js'), HANG_NEW);
  return dir;
}

/** cliWithin, checked to have ended by itself, without a stack trace. */
function ends(args: readonly string[], cwd: string): ReturnType<typeof cliWithin> {
  const r = cliWithin(args, cwd);
  expect(r.signal).toBeNull();
  expect(hasStackTrace(r.stderr)).toBe(false);
  return r;
}

const S2_SC = ['--scenario', 's2-pae-zap-reestablish', '--model', 'sc'];

/**
 * A reader module (source text) of the reader `name` that reads low, then high, and returns what it read (torn when
 * the writer runs in between) — but hangs on a torn read when `when` (a JS condition) holds; `requires` and `head`
 * as paeReaderModule's.
 */
function hangsWhenTorn(name: string, summary: string, when: string, requires: string, head = ''): string {
  return paeReaderModule({
    name,
    source: `test: ${summary}`,
    summary: `low, high; ${summary}`,
    requires,
    head,
    body: `${READ_TORN}  if (isTorn && ${when}) {
${HANG}  }
  yield end(pte);
  return pte;
`,
  });
}

/**
 * Reads low, then high, and returns what it read (torn when the writer runs in between) — but hangs on a torn read
 * once the file `armed` exists in the working folder: a crash file found without it hangs on replay with it.
 */
const ARMED = hangsWhenTorn(
  'ptep_get_armed',
  'hangs on a torn read once the file armed exists',
  "fs.existsSync('armed')",
  "const fs = require('node:fs');\n",
);

/** A folder holding ARMED as `armed.js` and the torn crash file explore wrote of it (before arming it); its path. */
function armedCrash(): { dir: string; file: string } {
  const dir = mkdtempSync(join(tmpdir(), 'ptefuzz-main-wd-'));
  writeFileSync(join(dir, 'armed.js'), ARMED);
  const found = ends(
    [
      'explore',
      '--reader-module',
      './armed.js',
      ...S2_SC,
      '--reader',
      'ptep_get_armed',
      '--bound',
      '1',
      '--crashes',
      'c',
    ],
    dir,
  );
  expect(found.code).toBe(1);
  const files = readdirSync(join(dir, 'c'));
  expect(files).toHaveLength(1);
  writeFileSync(join(dir, 'armed'), '');
  return { dir, file: `c/${files[0]!}` };
}

/** The line of a command that stopped the reader of `file` `where`. */
const hungLine = (file: string, where: string): RegExp =>
  new RegExp(
    `^ptefuzz: ${file.replace(/\./g, '\\.')}: reader ptep_get_armed did not return within 1 s ${where}, and was stopped \\(a loop that never yields: .*\\); fix the reader, or give it longer with --timeout SECONDS$`,
    'm',
  );

describe('explore under the watchdog (--timeout)', () => {
  test('a hung execution stops its target’s search (no claim, a timeout file); the other target is searched; exit 1', () => {
    const dir = folder();
    const args = ['explore', '--reader-module', './hang-new.js', ...S2_SC, '--reader', 'ptep_get_hang_new'];
    const r = ends([...args, '--reader', 'ptep_get', '--bound', '1', '--timeout', '1', '--crashes', 'c'], dir);
    expect(r.code).toBe(1);
    const [hung, other] = r.stdout.trimEnd().split('\n\n');
    expect(hung).toMatch(
      /^TIMEOUT: execution \d+ did not return within 1 s \(reader ptep_get_hang_new: CPU 0 \(A: ptep_get_hang_new\) did not yield again after its step \d+ in ptep_get_hang_new, having read pte_low=0x20067\); the search of this target was stopped after \d+ judged execution\(s\): NO CLAIM about preemption bound 1 for this target$/m,
    );
    expect(hung).not.toMatch(/no divergence|States/);
    // what it found before the hang is kept, unminimized (the minimizer would run the reader again)
    expect(hung).toMatch(
      /^DIVERGENCE: 1 divergent state\(s\) in the \d+ executions judged before the hang: \{0x00010002:0x00010067\} torn$/m,
    );
    expect(readdirSync(join(dir, 'c')).filter((f) => f.includes('.ptep_get_hang_new.non-torn.sc.torn.'))).toHaveLength(
      1,
    );
    const timeout = readdirSync(join(dir, 'c')).filter((f) => f.includes('.ptep_get_hang_new.non-torn.sc.timeout.'));
    expect(timeout).toHaveLength(1);
    expect(hung).toContain(`timeout file: c/${timeout[0]!}`);
    // the next target was searched to its end, as without the hang
    expect(other).toMatch(/^reader ptep_get, contract non-torn, model sc, preemption bound 1$/m);
    expect(other).toMatch(/^DIVERGENCE: \d+ divergent state\(s\) within bound 1/m);
    // the timeout file replays as a hang, as fuzz's do
    const again = ends(['replay', '--timeout', '1', '--reader-module', './hang-new.js', `c/${timeout[0]!}`], dir);
    expect(again.stdout).toMatch(/^REPRODUCED c\/.*: timeout after 1 s \(expected: timeout\)/m);
    expect(again.code).toBe(0);
  });

  test('--timeout is checked as fuzz checks it, and refused where no reader runs', () => {
    const dir = folder();
    const bad = ends(['explore', ...S2_SC, '--timeout', '0'], dir);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(
      /^ptefuzz: option '--timeout <seconds>' argument '0' is invalid\. expected a positive number of seconds, in decimal digits \(e\.g\. 30 or 2\.5\)\.\n$/,
    );
    const litmus = ends(['explore', '--litmus', 'MP+wmb+rmb', '--timeout', '1'], dir);
    expect(litmus.code).toBe(2);
    expect(litmus.stderr).toMatch(/^ptefuzz: --timeout does not apply to --litmus: a litmus shape has no reader/);
    expect(existsSync(join(dir, 'crashes'))).toBe(false);
  });
});

/**
 * Reads low, then high, and returns what it read — but hangs on its second torn read in a process and every later
 * one: S2 under sc at bound 1 has one torn execution, so explore's search returns and the minimization of its
 * witness (whose first candidate replays it) hangs, as does the replay that draws the file.
 */
const TORN_ONCE = hangsWhenTorn(
  'ptep_get_torn_once',
  'hangs from its second torn read on',
  '++torn > 1',
  '',
  'let torn = 0;\n',
);

describe('explore: a minimization that hangs', () => {
  test('the witness is saved as found, NOT minimized, and drawn from its search run; exit 1', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ptefuzz-main-wd-'));
    writeFileSync(join(dir, 'torn-once.js'), TORN_ONCE);
    const args = ['explore', '--reader-module', './torn-once.js', ...S2_SC, '--reader', 'ptep_get_torn_once'];
    const r = ends([...args, '--bound', '1', '--timeout', '1', '--crashes', 'c'], dir);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^DIVERGENCE: 1 divergent state\(s\) within bound 1;/m);
    expect(r.stdout).toMatch(
      /^first witness of \{0x00010002:0x00010067\} torn, NOT minimized: a candidate of the minimizer did not return within 1 s \(reader ptep_get_torn_once, stopped\); saved as found:$/m,
    );
    expect(r.stdout).toMatch(/^verdict {3}divergence: torn$/m);
    const files = readdirSync(join(dir, 'c'));
    expect(files).toHaveLength(1);
    // the file is the witness as found: a fresh process (its first torn read returns) reproduces it
    const again = ends(['replay', '--reader-module', './torn-once.js', `c/${files[0]!}`], dir);
    expect(again.stdout).toMatch(/^REPRODUCED c\/.*: torn \{0x00010002:0x00010067\}/m);
    expect(again.code).toBe(0);
  });
});

describe('replay, show and minimize of a divergence file whose reader hangs (--timeout)', () => {
  test('each stops the replay, says so in one line and exits 1; minimize leaves the file as it was', () => {
    const { dir, file } = armedCrash();
    const bytes = readFileSync(join(dir, file));
    const mod = ['--timeout', '1', '--reader-module', './armed.js'];

    const replay = ends(['replay', ...mod, file], dir);
    expect(replay.code).toBe(1);
    expect(replay.stderr).toMatch(hungLine(file, 'on replay'));
    expect(replay.stdout).toMatch(
      new RegExp(`^NOT REPRODUCED ${file}: recorded torn — .*; replay did not return within 1 s$`, 'm'),
    );
    expect(replay.stdout).toMatch(/^1 crash file\(s\): 0 reproduced, 1 not reproduced, 0 unreadable$/m);

    const show = ends(['show', ...mod, file], dir);
    expect(show.code).toBe(1);
    expect(show.stderr).toMatch(hungLine(file, 'on replay \\(nothing to show\\)'));
    expect(show.stdout).toBe('');

    const minimize = ends(['minimize', ...mod, file], dir);
    expect(minimize.code).toBe(1);
    expect(minimize.stderr).toMatch(hungLine(file, 'while minimizing \\(the file is left as it was\\)'));
    expect(minimize.stdout).toBe(
      '1 crash file(s): 0 rewritten, 0 already minimal, 0 not reproduced, 1 hung (left as they were), 0 unreadable\n',
    );
    expect(readFileSync(join(dir, file))).toEqual(bytes);
  });
});

/** Spins on every call, raced or not: the load-time check's first execution of it never returns. */
const SPIN_ALWAYS = paeReaderModule({
  name: 'ptep_get_spin_always',
  source: 'test: spins on every call',
  summary: 'spins without yielding',
  body: SPIN,
});

/**
 * In a worker thread, hangs after its first load, having written the file `hung`; in the main thread it reads low,
 * then high — until `hung` exists, then it hangs as soon as it starts: the main thread's replay of the hung execution
 * up to its last step (which makes the timeout file) hangs, and the load-time check (before any worker) does not.
 */
const HANG_THEN_MAIN = paeReaderModule({
  name: 'ptep_get_hang_then_main',
  source: 'test: hangs in a worker, then in the main thread',
  summary: 'spins in a worker; in the main thread once a worker hung',
  requires: "const fs = require('node:fs');\nconst wt = require('node:worker_threads');\n",
  body: `  if (wt.isMainThread && fs.existsSync('hung')) {
${HANG}  }
  const lo = yield plain_read(ptep.low);
  if (!wt.isMainThread) {
    fs.writeFileSync('hung', '');
${HANG}  }
  const hi = yield plain_read(ptep.high);
  const pte = kernel.paeValue(hi, lo);
  yield end(pte);
  return pte;
`,
});

describe('the main thread of fuzz and the load-time check', () => {
  test('a reader module whose load-time check never returns is one line, exit 2', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ptefuzz-main-wd-'));
    writeFileSync(join(dir, 'spin.js'), SPIN_ALWAYS);
    const r = ends(['explore', '--reader-module', './spin.js', ...S2_SC, '--timeout', '1'], dir);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(
      /^ptefuzz: spin\.js: reader "ptep_get_spin_always" did not return within 1 s on s\S+ \(non-preemptive sc execution, nothing racing it\), and was stopped: a loop that never yields \(.*--timeout SECONDS gives it longer\)\n$/,
    );
  });

  test('fuzz: the replay that makes a timeout file hangs too: the file is written from the hung CPU and step, the campaign ends', () => {
    const { dir, r, sum } = campaignEnds<{ timeouts: { file: string; detail: string }[] }>({
      text: HANG_THEN_MAIN,
      file: 'hang-then-main.js',
      reader: 'ptep_get_hang_then_main',
      runs: 5,
    });
    expect(sum.timeouts).toHaveLength(1);
    expect(sum.timeouts[0]!.detail).toMatch(
      /^CPU 0 \(A: ptep_get_hang_then_main\) did not yield again after its step \d+ \(the replay up to that step, to say in which operation, did not return either\)$/,
    );
    expect(existsSync(join(dir, sum.timeouts[0]!.file))).toBe(true);
    expect(r.stderr).toMatch(/this target is dropped/);
  });
});

describe('matrix under the watchdog (--timeout)', () => {
  test('an execution that never returns ends the matrix with one line, no table, exit 1', () => {
    const dir = folder();
    const args = ['matrix', '--reader-module', './hang-new.js', ...S2_SC, '--reader', 'ptep_get_hang_new'];
    const r = ends([...args, '--engine', 'exhaustive', '--bound', '1', '--timeout', '1'], dir);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(
      /^ptefuzz: matrix: reader ptep_get_hang_new did not return within 1 s on s2-pae-zap-reestablish \(model sc\) in execution \d+ of its reader × model, and was stopped; the matrix ends here, no table \(a cell that hangs has no verdict\); `ptefuzz fuzz --scenario s2-pae-zap-reestablish --reader ptep_get_hang_new --model sc --timeout 1` \(with its --reader-module\) saves such a hang as a timeout crash file$/m,
    );
  });
});
