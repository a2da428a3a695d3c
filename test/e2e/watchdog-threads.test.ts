/**
 * The hang watchdog and the worker threads it watches: a worker runs a reader module only inside the executions
 * the watchdog watches, and (`fuzz --jobs 2`) what the main thread decides on one job's hangs holds for every job
 * at once. Reader modules from test/support/hang-readers.ts that hang on purpose — in a worker thread only, or
 * the second job held back (by a file the first job's workers write) until the decision is taken, so that what
 * is checked does not depend on thread timing. Fixed seeds and run counts; --timeout 1. A command that never
 * ends is stopped after 90 s (the failure this file guards against).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import type { CliResult } from '../support/cli';
import { ROOT, hasStackTrace } from '../support/cli';
import { HANG_FIRST_IN_WORKER, hangAllLate, hangCampaign, hangInWorker } from '../support/hang-readers';

const tmp = (): string => mkdtempSync(join(tmpdir(), 'ptefuzz-wd-threads-'));

/** The CLI as cli() runs it, stopped (code -1, signal SIGKILL) if it has not ended after 90 s. */
function cliWithin(args: readonly string[], cwd: string): CliResult & { signal: string | null } {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'ptefuzz.js'), ...args], {
    cwd,
    encoding: 'utf8',
    timeout: 90_000,
    killSignal: 'SIGKILL',
  });
  return { code: r.status ?? -1, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

interface Summary {
  runs: number;
  targets: { model: string; timeouts?: number }[];
  timeouts: { file: string; hits: number; detail: string }[];
  restarts: number;
  dropped: string[];
}

describe('fuzz and replay: a reader that hangs only in a worker thread', () => {
  test('is stopped by the watchdog in its first execution, not hung for ever in the worker’s load of the module', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'hang-first.js'), HANG_FIRST_IN_WORKER);
    const r = cliWithin(
      hangCampaign(
        { engine: 'random', module: './hang-first.js', reader: 'ptep_get_hang_first', runs: 50, seed: 1 },
        '--crashes',
        'c',
        '--json',
      ),
      dir,
    );
    expect(r.signal).toBeNull();
    expect(hasStackTrace(r.stderr)).toBe(false);
    expect(r.code).toBe(1);
    const sum = JSON.parse(r.stdout) as Summary;
    // the first execution of the loop hung (run 0): one timeout, one restart, and the fresh worker ran the rest
    expect(sum.timeouts.map((t) => t.hits)).toEqual([1]);
    expect(sum.restarts).toBe(1);
    expect(sum.dropped).toEqual([]);
    expect(sum.runs).toBe(50);
    expect(r.stderr).toMatch(/^Done: 49 executions \(50 runs\)/m);

    // replay --timeout runs the file in a worker thread: armed again, its execution hangs there (a timeout
    // reproduced), not the worker's load of the module
    rmSync(join(dir, 'hung'));
    const file = sum.timeouts[0]!.file;
    const replay = cliWithin(['replay', '--timeout', '1', '--reader-module', './hang-first.js', file], dir);
    expect(replay.signal).toBeNull();
    expect(existsSync(join(dir, 'hung'))).toBe(true);
    expect(replay.stdout).toContain(`REPRODUCED ${file}: timeout after 1 s (expected: timeout)`);
    expect(replay.code).toBe(0);
  }, 200_000);
});

describe('fuzz --engine coverage: a reader that hangs in the re-execution of a corpus entry (stability check)', () => {
  test('is stopped by the watchdog as a timeout of its target, not hung for ever', () => {
    // the 2nd call in the worker is the admission re-execution of the first entry, which ran outside the watch
    const dir = tmp();
    writeFileSync(join(dir, 'hang-second.js'), hangInWorker(2));
    const r = cliWithin(
      hangCampaign(
        { engine: 'coverage', module: './hang-second.js', reader: 'ptep_get_hang_first', runs: 50, seed: 1 },
        '--crashes',
        'c',
        '--corpus',
        'k',
        '--json',
      ),
      dir,
    );
    expect(r.signal).toBeNull();
    expect(hasStackTrace(r.stderr)).toBe(false);
    expect(existsSync(join(dir, 'hung'))).toBe(true);
    expect(r.code).toBe(1);
    const sum = JSON.parse(r.stdout) as Summary;
    expect(sum.timeouts.map((t) => t.hits)).toEqual([1]);
    expect(sum.restarts).toBe(1);
    expect(sum.runs).toBe(50);
  }, 200_000);
});

describe('fuzz --jobs 2: the watchdog', () => {
  test('a target dropped after 3 hangs is dropped for every job at once, the running one included', () => {
    // Was: only the restarted worker was told; the other job kept executing the dropped target and hung on it
    // once more (4 hangs of a target "dropped after 3", each a restart and a limit). The first job hangs on
    // every call (3 hangs, 3 restarts); the second job starts calling once the first job's worker was loaded
    // 4 times (the 4th after the 3rd hang: the target dropped by then).
    const dir = tmp();
    writeFileSync(join(dir, 'hang-all.js'), hangAllLate(4));
    const r = cliWithin(
      hangCampaign(
        { engine: 'random', module: './hang-all.js', reader: 'ptep_get_hang_all', runs: 8000, seed: 1 },
        '--jobs',
        '2',
        '--crashes',
        'c',
        '--json',
      ),
      dir,
    );
    expect(r.signal).toBeNull();
    expect(hasStackTrace(r.stderr)).toBe(false);
    expect(r.code).toBe(1);
    // the first job's worker was loaded 4 times (no 5th: the target dropped, nothing hung again)
    expect(readFileSync(join(dir, 'loads'), 'utf8')).toBe('xxxx');
    const sum = JSON.parse(r.stdout) as Summary;
    expect(sum.dropped).toEqual(['s2-pae-zap-reestablish ptep_get_hang_all non-torn sc']);
    expect(sum.timeouts.map((t) => t.hits)).toEqual([3]);
    expect(sum.targets.map((t) => t.timeouts)).toEqual([3]);
    expect(sum.restarts).toBe(3);
    expect(r.stderr.match(/\tTIMEOUT\t/g)).toHaveLength(3);
    expect(r.stderr).toMatch(
      /^timeouts: 1 distinct, 3 hung execution\(s\) stopped after 1 s \(s2-pae-zap-reestablish ptep_get_hang_all non-torn sc: 3 \(dropped\)\)/m,
    );
  }, 200_000);
});
