/**
 * `fuzz --engine jsfuzz --timeout S`: the harness stops an execution that does not return after S s (jsfuzz then
 * writes its input as a crash artifact), and the command converts that artifact with every execution watched — its
 * replay hangs too, and becomes a `timeout` crash file as the native engines write one. Was: `--timeout` refused,
 * and a `--reader-module` reader was unknown to jsfuzz's worker (`jsfuzz stopped without a crash or a budget
 * reached`); with it known, a spinning reader would have hung jsfuzz's worker until jsfuzz's own 30 s, then the
 * command's unwatched replay of the artifact for ever. Every CLI run is under cliWithin (killed after 90 s), so a
 * build without the watch fails instead of hanging the suite. jsfuzz cannot be seeded: its corpus holds one input
 * that hangs (jsfuzz runs it first, unmodified), and `--runs 1` ends the campaign after the next session's first
 * execution (the empty input, which does not race: the reader returns). A minimization that hangs keeps the
 * witness unminimized, as the native engines do (HANG_CLEARED, whose torn witness's minimizer hangs on a candidate).
 * The campaigns run with jsfuzzEnv: jsfuzz's worker instruments the harness's modules once per test run, not once
 * per session (~8 s of CPU each).
 */
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { loadCrash } from '../../src/crash';
import { ROOT, cli, hasStackTrace } from '../support/cli';
import { HANG_CLEARED, cliWithin } from '../support/hang-readers';
import { jsfuzzEnv } from '../support/jsfuzz-cache';

const SPIN = join(ROOT, 'harness', 'readers', 'pae-spin.js');
const S2_SPIN = ['--scenario', 's2-pae-zap-reestablish', '--reader', 'ptep_get_lockless_spin'];
/**
 * The timeout file of the input below: S2 under tso, the reader's low load raced by the writer, so its re-read of
 * low differs (0x20067, set_pte's new low half, read in the step that never returned) and it spins (fingerprint:
 * the operation in flight and the values it had read).
 */
const TIMEOUT_FILE = 's2-pae-zap-reestablish.ptep_get_lockless_spin.non-torn.tso.timeout.bb08cf1b8d63.msgpack';
/** byte 0: the (only) target; then the choices of that execution */
const HANGING_INPUT = [0, 0, 1, 0, 0, 1, 1, 2, 0, 0, 0, 0, 0];

const tmp = (): string => mkdtempSync(join(tmpdir(), 'ptefuzz-jsfuzz-wd-'));

describe('fuzz --engine jsfuzz --timeout', () => {
  test('a reader that spins: the campaign ends, a timeout file as the native engines write it, replay --timeout reproduces it', () => {
    const dir = tmp();
    mkdirSync(join(dir, 'k'));
    writeFileSync(join(dir, 'k', 'hangs'), Buffer.from(HANGING_INPUT));
    const args = ['fuzz', '--engine', 'jsfuzz', '--reader-module', SPIN, ...S2_SPIN, '--runs', '1', '--seed', '3'];
    const r = cliWithin([...args, '--timeout', '1', '--corpus', 'k', '--crashes', 'c', '--json'], dir, jsfuzzEnv());
    expect(r.signal).toBeNull();
    expect(hasStackTrace(r.stderr)).toBe(false);
    expect(r.code).toBe(1);
    expect(readdirSync(join(dir, 'c'))).toEqual([TIMEOUT_FILE]);
    const rec = loadCrash(join(dir, 'c', TIMEOUT_FILE));
    expect([rec.engine, rec.seed, rec.verdict.kind, rec.trace]).toEqual([
      'jsfuzz',
      '3',
      'timeout',
      HANGING_INPUT.slice(1),
    ]);
    expect(r.stderr).toMatch(
      /^jsfuzz\[1\] an execution of s2-pae-zap-reestablish ptep_get_lockless_spin non-torn tso did not return within 1 s$/m,
    );
    expect(r.stderr).toMatch(/^#0\tTIMEOUT\t/m);
    expect(r.stderr).toContain(
      `\ttimeout: ptep_get_lockless_spin on s2-pae-zap-reestablish (non-torn, tso) ran over 1 s -> c/${TIMEOUT_FILE}; restarting jsfuzz\n` +
        '\tCPU 0 (A: ptep_get_lockless_spin) did not yield again after its step 10 in ptep_get_lockless_spin, having read pte_low=0x10067 pte_high=0x10002 pte_low=0x20067 (12 choices)\n',
    );
    expect(r.stderr).toContain(
      '\ntimeouts: 1 distinct, 1 hung execution(s) stopped after 1 s (s2-pae-zap-reestablish ptep_get_lockless_spin non-torn tso: 1); replay with:\n',
    );
    const sum = JSON.parse(r.stdout) as {
      executions: number;
      timeout: number;
      timeouts: { file: string; hits: number }[];
      restarts: number;
      targets: { verdict: string; timeouts?: number }[];
      jsfuzz: { sessions: number; artifacts: number };
    };
    // the hung execution is not counted; the next session ran the empty input, the one execution of --runs 1
    expect([sum.executions, sum.timeout, sum.restarts, sum.jsfuzz.sessions, sum.jsfuzz.artifacts]).toEqual([
      1, 1, 1, 2, 1,
    ]);
    expect(sum.timeouts).toMatchObject([{ file: `c/${TIMEOUT_FILE}`, hits: 1 }]);
    expect(sum.targets).toMatchObject([{ verdict: 'timeout', timeouts: 1 }]);
    const replay = cliWithin(['replay', '--timeout', '1', '--reader-module', SPIN, join('c', TIMEOUT_FILE)], dir);
    expect(replay.signal).toBeNull();
    expect(replay.code).toBe(0);
    expect(replay.stdout + replay.stderr).toContain(
      'timeout: the execution did not return within 1 s: it hung in step 10 on CPU 0',
    );
    expect(replay.stdout + replay.stderr).toContain('1 crash file(s): 1 reproduced, 0 not reproduced, 0 unreadable');
  });

  test("a minimization that hangs: the witness kept unminimized, with the native engines' warning and summary line", () => {
    const dir = tmp();
    writeFileSync(join(dir, 'hang-cleared.js'), HANG_CLEARED);
    // S2 with no control reader (test/fixtures/s2-no-controls.scn, test/e2e/fuzz-minimize-hang.test.ts): the
    // minimizer takes B's pte_clear without its set_pte as a smaller program
    copyFileSync(join(ROOT, 'test', 'fixtures', 's2-no-controls.scn'), join(dir, 's2-no-controls.scn'));
    mkdirSync(join(dir, 'k'));
    // the torn read of S2 (byte 0 the only target, then the trace [0, 1]: the reader's low load, the whole writer,
    // its high load); the candidate without the set_pte, on that schedule, has the reader read the initial low half
    // under the cleared high half, on which it spins
    writeFileSync(join(dir, 'k', 'torn'), Buffer.from([0, 0, 1]));
    const s2 = ['--scenario', 's2-no-controls.scn', '--reader', 'ptep_get_hang_cleared', '--model', 'sc'];
    const args = ['fuzz', '--engine', 'jsfuzz', '--reader-module', './hang-cleared.js', ...s2, '--runs', '1'];
    const r = cliWithin(
      [...args, '--seed', '2', '--timeout', '1', '--corpus', 'k', '--crashes', 'c'],
      dir,
      jsfuzzEnv(),
    );
    expect(r.signal).toBeNull();
    expect(hasStackTrace(r.stderr)).toBe(false);
    expect(r.code).toBe(1);
    // the name the native engines give it (the same reader and campaign with --engine coverage,
    // test/e2e/fuzz-minimize-hang.test.ts)
    const file = 's2-no-controls.ptep_get_hang_cleared.non-torn.sc.torn.2ed212fe5c3c.msgpack';
    expect(readdirSync(join(dir, 'c'))).toEqual([file]);
    expect(loadCrash(join(dir, 'c', file)).trace).toEqual([0, 1, 0, 0, 0, 0, 0]);
    expect(r.stderr).toContain(
      '\nWARNING: minimizing the torn witness of s2-no-controls ptep_get_hang_cleared non-torn sc hung (a candidate ' +
        'on a program the minimizer reduced (operations dropped): CPU 0 (A: ptep_get_hang_cleared) did not yield again ' +
        'after its step 4 in ptep_get_hang_cleared, having read pte_low=0x10067 pte_high=0x0; no timeout file: not a ' +
        'schedule of the target); kept unminimized: ' +
        `c/${file} (and its later witnesses in this campaign)\n`,
    );
    expect(r.stderr).toContain(
      '\nminimization hangs: 1 candidate execution(s) of the minimizer stopped after 1 s (1 on a program the minimizer ' +
        'reduced: no timeout file, not a finding about the target; 0 on the target itself: counted as timeouts); the ' +
        `divergences they were minimizing:\n  s2-no-controls ptep_get_hang_cleared non-torn sc torn: kept unminimized: c/${file}\n`,
    );
  });

  test('--timeout is validated as the other commands validate it: one line, exit 2', () => {
    for (const bad of ['0', '-1', 'x']) {
      const r = cli([
        'fuzz',
        '--engine',
        'jsfuzz',
        ...S2_SPIN.slice(0, 2),
        '--runs',
        '1',
        '--timeout',
        bad,
        '--crashes',
        tmp(),
      ]);
      expect(r.code, bad).toBe(2);
      expect(hasStackTrace(r.stderr)).toBe(false);
      expect(r.stderr.trim().split('\n'), bad).toEqual([expect.stringContaining('--timeout')]);
    }
  });
});
