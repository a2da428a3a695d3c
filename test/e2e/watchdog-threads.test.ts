/**
 * The hang watchdog and the worker threads it watches: a worker runs a reader module only inside the executions
 * the watchdog watches, and (`fuzz --jobs 2`) what the main thread decides on one job's hangs holds for every job
 * at once. Reader modules from test/support/hang-readers.ts that hang on purpose — in a worker thread only, or
 * the second job held back (by a file the first job's workers write) until the decision is taken, so that what
 * is checked does not depend on thread timing. Fixed seeds and run counts; --timeout 1. A command that never
 * ends is stopped after 90 s (the failure this file guards against).
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { loadCrash } from '../../src/crash';
import {
  HANG_FIRST_IN_WORKER,
  TORN_BOTH_JOBS,
  hangAllLate,
  campaignEnds,
  cliWithin,
  hangInWorker,
  tornHangsInMain,
} from '../support/hang-readers';

interface Summary {
  runs: number;
  targets: { model: string; timeouts?: number }[];
  divergences: { class: string; file: string; hits: number }[];
  timeouts: { file: string; hits: number; detail: string }[];
  restarts: number;
  dropped: string[];
  minimizeHangs: { class: string; file: string; again?: boolean }[];
}

describe('fuzz and replay: a reader that hangs only in a worker thread', () => {
  test('is stopped by the watchdog in its first execution, not hung for ever in the worker’s load of the module', () => {
    const { dir, r, sum } = campaignEnds<Summary>({
      text: HANG_FIRST_IN_WORKER,
      file: 'hang-first.js',
      reader: 'ptep_get_hang_first',
      runs: 50,
    });
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
    const { dir, sum } = campaignEnds<Summary>(
      { text: hangInWorker(2), file: 'hang-second.js', reader: 'ptep_get_hang_first', runs: 50, engine: 'coverage' },
      '--corpus',
      'k',
    );
    expect(existsSync(join(dir, 'hung'))).toBe(true);
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
    const { dir, r, sum } = campaignEnds<Summary>(
      { text: hangAllLate(4), file: 'hang-all.js', reader: 'ptep_get_hang_all', runs: 8000 },
      '--jobs',
      '2',
    );
    // the first job's worker was loaded 4 times (no 5th: the target dropped, nothing hung again)
    expect(readFileSync(join(dir, 'loads'), 'utf8')).toBe('xxxx');
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

describe('fuzz: the main thread never runs the reader of a witness (a reader that hangs in the main thread only)', () => {
  test('a new divergence: its diagram is drawn by the worker that judged it, the campaign ends', () => {
    // Was: the main thread replayed each new witness to draw its diagram, unwatched: it spun there for ever
    const { dir, r, sum } = campaignEnds<Summary>({
      text: tornHangsInMain(false),
      file: 'torn-main.js',
      reader: 'ptep_get_torn_main',
      runs: 200,
    });
    expect(sum.runs).toBe(200);
    expect(sum.restarts).toBe(0);
    expect(sum.divergences.map((d) => d.class)).toEqual(['torn']);
    const file = sum.divergences[0]!.file;
    expect(loadCrash(join(dir, file)).verdict).toMatchObject({ kind: 'divergence', class: 'torn' });
    // its status line, then its report: head, diagram, verdict
    const at = r.stderr.indexOf(
      `divergence: torn — ptep_get_torn_main on s2-pae-zap-reestablish (non-torn, sc), no stated expectation -> ${file}\n`,
    );
    expect(at).toBeGreaterThan(0);
    const report = r.stderr.slice(at, r.stderr.indexOf('\treplay: ', at));
    expect(report).toContain('\ns2-pae-zap-reestablish');
    expect(report).toMatch(/^verdict {3}divergence: torn$/m);
  }, 200_000);

  test('a minimization that hangs: the divergence it was minimizing is kept as the worker sent it, the campaign ends', () => {
    // Was: the main thread replayed the divergent trace to keep it, unwatched: it spun there for ever
    const { dir, r, sum } = campaignEnds<Summary>({
      text: tornHangsInMain(true),
      file: 'torn-main.js',
      reader: 'ptep_get_torn_main',
      runs: 200,
    });
    expect(sum.runs).toBe(200);
    expect(sum.minimizeHangs).toHaveLength(1);
    const kept = sum.minimizeHangs[0]!.file;
    expect(sum.divergences.map((d) => d.file)).toContain(kept);
    expect(loadCrash(join(dir, kept)).verdict).toMatchObject({ kind: 'divergence', class: 'torn' });
    expect(r.stderr.match(/^WARNING: minimizing the torn witness of .* kept unminimized: (\S+) /m)?.[1]).toBe(kept);
    // its report too came from the worker: the status line of the kept witness, then its diagram
    expect(r.stderr).toContain(`-> ${kept}\n`);
    // the fresh workers handed the later torn witnesses over unminimized, then spun: the target was dropped
    expect(sum.dropped).toEqual(['s2-pae-zap-reestablish ptep_get_torn_main non-torn sc']);
    // its diagram, drawn by a watched replay of its file
    const at = r.stderr.indexOf(`-> ${kept}\n`);
    expect(r.stderr.slice(at, r.stderr.indexOf('\treplay: ', at))).toMatch(/^verdict {3}divergence: torn$/m);
  }, 200_000);

  test('… and the watched replay that draws its diagram hangs too: a warning line, the crash file kept, the campaign ends', () => {
    const { dir, r, sum } = campaignEnds<Summary>({
      text: tornHangsInMain(true, true),
      file: 'torn-main.js',
      reader: 'ptep_get_torn_main',
      runs: 200,
    });
    expect(sum.minimizeHangs).toHaveLength(1);
    const kept = sum.minimizeHangs[0]!.file;
    expect(loadCrash(join(dir, kept)).verdict).toMatchObject({ kind: 'divergence', class: 'torn' });
    // under its status line, one warning line in place of the diagram, then its replay command
    expect(r.stderr).toMatch(
      new RegExp(
        `-> ${kept.replace(/\./g, '\\.')}\n` +
          'ptefuzz: warning: no diagram of this divergence: its replay, in a watched worker thread, did not return ' +
          "within 1 s \\(the campaign's run of it returned\\); the crash file is kept\n\treplay: ",
      ),
    );
    expect(sum.dropped).toEqual(['s2-pae-zap-reestablish ptep_get_torn_main non-torn sc']);
  }, 200_000);
});

describe('fuzz --jobs 2: two minimizations of one target and class hang together', () => {
  test('one warning, both hangs counted, both divergences kept', () => {
    // Was: one WARNING line per hang, the second naming the same target and class again. The two jobs start
    // minimizing their first torn witness within a few executions of each other (TORN_BOTH_JOBS): both are in
    // flight when the first hang is detected.
    const { r, sum } = campaignEnds<Summary>(
      { text: TORN_BOTH_JOBS, file: 'torn-both.js', reader: 'ptep_get_torn_both', runs: 8000 },
      '--jobs',
      '2',
    );
    // both minimizations hung (the first decided, the second already in flight)
    expect(sum.minimizeHangs.map((h) => h.class)).toEqual(['torn', 'torn']);
    expect(sum.minimizeHangs.filter((h) => h.again === true)).toHaveLength(1);
    expect(r.stderr.match(/^WARNING: minimizing /gm)).toHaveLength(1);
    // each kept divergence is a crash file of the campaign
    for (const h of sum.minimizeHangs) expect(sum.divergences.map((d) => d.file)).toContain(h.file);
    expect(r.stderr).toMatch(/^minimization hangs: 2 candidate execution\(s\) of the minimizer stopped after 1 s /m);
  }, 200_000);
});
