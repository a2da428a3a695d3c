/**
 * SIGINT/SIGTERM stop `explore` cleanly (README *Commands*, `explore`): the
 * target being searched is printed as interrupted — its partial states, no
 * claim about the bound —, the divergences found so far in it are minimized
 * and written (replayable, nothing half-written), the targets not started
 * are named, and the exit code is the campaign's (1 if a divergence was
 * found, else 0). Each signal is sent when the child says on stderr that the
 * search is running (its `INFO: exploring` or `NEW` line), never after a
 * fixed sleep; the fixture's search lasts minutes, so it is still running
 * when the signal arrives however loaded the machine is.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { TEMP_NAME, loadCrash } from '../../src/crash';
import { ROOT, cli, hasStackTrace } from '../support/cli';

const SCN = join(ROOT, 'test', 'fixtures', 'explore-interrupt.scn');
const BOUND = '6';
const tmpCrashes = (): string => join(mkdtempSync(join(tmpdir(), 'ptefuzz-explore-int-')), 'crashes');

interface Ended {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Start `ptefuzz explore ARGS`; each time stderr first matches `steps[i].when`, send `steps[i].signal`.
 * A child still running 60 s after it started is killed (the test then fails on its output).
 */
function interruptedExplore(
  args: readonly string[],
  steps: readonly { when: RegExp; signal: NodeJS.Signals }[],
): Promise<Ended> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(ROOT, 'bin', 'ptefuzz.js'), 'explore', ...args], { cwd: ROOT });
    let stdout = '';
    let stderr = '';
    let next = 0;
    const guard = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
      while (next < steps.length && steps[next]!.when.test(stderr)) child.kill(steps[next++]!.signal);
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(guard);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** Every crash file in `dir` loads and `ptefuzz replay` reproduces it (exit 0). */
function expectReplayable(dir: string, files: readonly string[]): void {
  for (const f of files) {
    expect(f).toMatch(/\.msgpack$/);
    expect(loadCrash(join(dir, f)).format).toBe('ptefuzz-crash');
    const r = cli(['replay', join(dir, f)]);
    expect(r.code, `${f}: ${r.stdout}${r.stderr}`).toBe(0);
  }
}

describe('explore stops cleanly on SIGINT/SIGTERM', () => {
  test('SIGINT after the first divergence: the partial block, the crash files found so far, the next target named; exit 1', async () => {
    const crashes = tmpCrashes();
    const r = await interruptedExplore(
      [
        ...['--scenario', SCN, '--reader', 'ptep_get', '--reader', 'ptep_get_atomic64'],
        ...['--bound', BOUND, '--crashes', crashes],
      ],
      [{ when: /^#\d+\tNEW\tdivergent state /m, signal: 'SIGINT' }],
    );
    expect(hasStackTrace(r.stderr)).toBe(false);
    expect(r.signal).toBeNull();
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      'INFO: SIGINT: stopping the search of explore-interrupt ptep_get non-torn sc after the current execution',
    );
    // the interrupted target: marked, its partial states with counts, never a claim about the bound
    const marker =
      /^INTERRUPTED by SIGINT after (\d+) executions: the outcome set below is partial — not a claim about preemption bound 6$/m.exec(
        r.stdout,
      );
    expect(marker, r.stdout).not.toBeNull();
    const n = Number(marker![1]);
    expect(n).toBeGreaterThan(0);
    expect(r.stdout).toContain(`\nExecutions ${n} (traces); INTERRUPTED by SIGINT: the states above are partial\n`);
    expect(r.stdout).not.toMatch(/no divergence within bound|complete search|complete \(/);
    const states = /^States (\d+)\n((?:.*\n)*?)Fields/m.exec(r.stdout)!;
    const lines = states[2]!.trimEnd().split('\n');
    expect(lines).toHaveLength(Number(states[1]));
    // each first NEW state the child announced is a line of the partial block, labelled torn
    for (const m of r.stderr.matchAll(/^#\d+\tNEW\tdivergent state (\S+) {2}torn\t/gm))
      expect(lines.some((l) => new RegExp(`^ *\\d+  ${m[1]!.replace(/[{}]/g, '\\$&')}  torn$`).test(l))).toBe(true);
    const counted = lines.map((l) => Number(/^ *(\d+) /.exec(l)![1]));
    // one reader call per execution, so one state per execution: the counts add up to the n executions run
    expect(counted.reduce((a, b) => a + b, 0)).toBe(n);
    const div =
      /^DIVERGENCE: (\d+) divergent state\(s\) in the (\d+) executions explored before SIGINT \(search interrupted; more may exist within bound 6\); the first witness of each, minimized: (\d+) crash file\(s\)/m.exec(
        r.stdout,
      );
    expect(div, r.stdout).not.toBeNull();
    expect(Number(div![2])).toBe(n);
    // the target never started is named, not silently absent
    expect(r.stdout).toContain(
      'NOT SEARCHED (SIGINT before their search began): 1 target(s), no claim about them\n' +
        '  explore-interrupt: reader ptep_get_atomic64, contract non-torn, model sc',
    );
    expect(r.stdout).not.toContain('reader ptep_get_atomic64, contract non-torn, model sc, preemption bound');
    // the crash files: minimized, whole (no temporary left), one per printed replay command, each replays
    const files = readdirSync(crashes);
    expect(files.filter((f) => TEMP_NAME.test(f))).toEqual([]);
    expect(files).toHaveLength(Number(div![3]));
    const replays = [...r.stdout.matchAll(/^\treplay: .* replay (\S+)$/gm)].map((m) => m[1]!);
    expect(replays.sort()).toEqual(files.map((f) => join(crashes, f)).sort());
    expectReplayable(crashes, files);
    // minimized: the noise CPUs are dropped from the witness
    for (const f of files) expect(loadCrash(join(crashes, f)).scenario.dropped?.length ?? 0).toBeGreaterThan(0);
  }, 120_000);

  test('SIGTERM before any divergence: the partial block says no divergence among the executions run, no claim; exit 0', async () => {
    const crashes = tmpCrashes();
    const r = await interruptedExplore(
      ['--scenario', SCN, '--reader', 'ptep_get_atomic64', '--bound', BOUND, '--crashes', crashes],
      [{ when: /^INFO: exploring explore-interrupt ptep_get_atomic64 /m, signal: 'SIGTERM' }],
    );
    expect(hasStackTrace(r.stderr)).toBe(false);
    expect(r.code).toBe(0);
    const n = /^INTERRUPTED by SIGTERM after (\d+) executions: the outcome set below is partial/m.exec(r.stdout)?.[1];
    expect(n, r.stdout).toBeDefined();
    expect(r.stdout).toContain(
      `\nno divergence in the ${n} executions explored before SIGTERM (search interrupted: not a claim about preemption bound 6)`,
    );
    expect(r.stdout).not.toMatch(/no divergence within bound|complete search|DIVERGENCE|NOT SEARCHED/);
    expect(existsSync(crashes) ? readdirSync(crashes) : []).toEqual([]);
  }, 120_000);

  test('a second SIGINT while minimizing ends the process without losing a divergence: every file left replays', async () => {
    const crashes = tmpCrashes();
    const r = await interruptedExplore(
      ['--scenario', SCN, '--reader', 'ptep_get', '--bound', BOUND, '--crashes', crashes],
      [
        { when: /^#\d+\tNEW\tdivergent state /m, signal: 'SIGINT' },
        {
          when: /^INFO: SIGINT: \d+ divergence\(s\) found in .* written unminimized; minimizing them/m,
          signal: 'SIGINT',
        },
      ],
    );
    expect(hasStackTrace(r.stderr)).toBe(false);
    const standIns = /keep the unminimized files: (.*)\)$/m.exec(r.stderr)![1]!.split(' ');
    expect(standIns.length).toBeGreaterThan(0);
    const files = readdirSync(crashes).filter((f) => !TEMP_NAME.test(f));
    if (r.signal === 'SIGINT') {
      // ended by the second signal (the usual case: the minimization takes longer than the signal's way):
      // the unminimized files are there, whole, and replay
      expect(r.stdout).toBe('');
      for (const s of standIns) expect(existsSync(s)).toBe(true);
    } else {
      // the minimization ended first: the interrupted block and its minimized files, as with one signal
      expect(r.code).toBe(1);
      expect(r.stdout).toContain('INTERRUPTED by SIGINT after ');
    }
    expect(files.length).toBeGreaterThan(0);
    expectReplayable(crashes, files);
  }, 120_000);
});
