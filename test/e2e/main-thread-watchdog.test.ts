/**
 * The commands that run readers in the main thread watch them (src/cli/watched-call.ts): a reader module that
 * spins without yielding no longer hangs them for ever — Ctrl-C did nothing there, the JS thread never returned to
 * the event loop. Each test runs the CLI under cliWithin (killed after 90 s), so on a build without the watch it
 * fails instead of hanging. The hanging reader is HANG_NEW (spins on S2's re-established low half); --timeout 1.
 */
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { hasStackTrace } from '../support/cli';
import { HANG_NEW, cliWithin } from '../support/hang-readers';

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

describe('explore under the watchdog (--timeout)', () => {
  test('a hung execution stops its target’s search (no claim, a timeout file); the other target is searched; exit 1', () => {
    const dir = folder();
    const args = ['explore', '--reader-module', './hang-new.js', ...S2_SC, '--reader', 'ptep_get_hang_new'];
    const r = ends([...args, '--reader', 'ptep_get', '--bound', '1', '--timeout', '1', '--crashes', 'c'], dir);
    expect(r.code).toBe(1);
    const [hung, other] = r.stdout.trimEnd().split('\n\n');
    expect(hung).toMatch(
      /^TIMEOUT: execution \d+ did not return within 1 s \(reader ptep_get_hang_new: CPU 0 \(A: ptep_get_hang_new\) did not yield again after its step \d+ in ptep_get_hang_new\); the search of this target was stopped after \d+ judged execution\(s\): NO CLAIM about preemption bound 1 for this target$/m,
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
      /^ptefuzz: option '--timeout <seconds>' argument '0' is invalid\. expected a positive number of seconds\.\n$/,
    );
    const litmus = ends(['explore', '--litmus', 'MP+wmb+rmb', '--timeout', '1'], dir);
    expect(litmus.code).toBe(2);
    expect(litmus.stderr).toMatch(/^ptefuzz: --timeout does not apply to --litmus: a litmus shape has no reader/);
    expect(existsSync(join(dir, 'crashes'))).toBe(false);
  });
});
