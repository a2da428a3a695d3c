/**
 * A reader that hangs on some schedules, met while the campaign *minimizes* a divergence: a candidate
 * of the minimizer hangs. Was: `fuzz` died with `[ptefuzz internal bug] a hung worker names target -1`
 * and a stack trace (a candidate on a reduced program runs on a target the watch buffer has no index
 * for), and the divergence being minimized was lost. Now the divergence is kept unminimized (the main
 * thread replays the trace that diverged), one warning line says where the candidate hung, a hang on a
 * reduced program is counted (no timeout file: the target never runs that program), one on the target's
 * own schedules is a timeout as any other. Fixed seeds and run counts; --timeout 1.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { loadCrash } from '../../src/crash';
import type { CliResult } from '../support/cli';
import { ROOT, cli, hasStackTrace } from '../support/cli';
import {
  HANG,
  HANG_CLEARED,
  HANG_PROBE,
  TORN_ONCE_LATE,
  campaignEnds,
  hangCampaign,
  paeReaderModule,
} from '../support/hang-readers';

const tmp = (): string => mkdtempSync(join(tmpdir(), 'ptefuzz-min-hang-'));

/**
 * Low, high, low; returns a torn value once its loads saw both the cleared pte and the new one (so no program
 * with an operation of the writer dropped diverges: the minimizer only shrinks the target's own schedules),
 * and hangs (HANG) when its first load saw the cleared pte — a schedule the trace passes reach (engine random,
 * seed 2).
 */
const HANG_ZERO = paeReaderModule({
  name: 'ptep_get_hang_zero',
  source: 'test: torn across the whole zap and re-establish; hangs when its first load sees the cleared pte',
  summary: 'low, high, low',
  body: `  const l1 = yield plain_read(ptep.low);
  const h = yield plain_read(ptep.high);
  const l2 = yield plain_read(ptep.low);
  const seen = [l1, h, l2];
  let pte = 0n;
  if (seen.includes(0n) && (seen.includes(0x20067n) || seen.includes(0x10002n))) {
    if (l1 === 0n) {
${HANG}    }
    pte = kernel.paeValue(0x10002n, 0x10067n);
  }
  yield end(pte);
  return pte;
`,
});

/** cli(), asynchronous (two campaigns side by side: they spend most of their time waiting for the watchdog). */
function cliAsync(args: readonly string[], cwd: string): Promise<CliResult> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [join(ROOT, 'bin', 'ptefuzz.js'), ...args], { cwd });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    p.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    p.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** Every file of a folder: name → bytes. */
const folder = (dir: string): Map<string, Buffer> =>
  new Map(
    readdirSync(dir)
      .sort()
      .map((f) => [f, readFileSync(join(dir, f))]),
  );

interface Summary {
  divergences: { reader: string; class: string; file: string }[];
  timeouts: { file: string; hits: number }[];
  restarts: number;
  dropped: string[];
  minimizeHangs: { reader: string; class: string; on: string; file: string; detail: string; timeout?: string }[];
}

/**
 * S2 with no reader it expects correct (test/fixtures/s2-no-controls.scn), and a reader that hangs on a pte zapped
 * between its two loads (HANG_CLEARED): its torn witness reads the re-established high half; the minimizer's
 * candidate without B's set_pte runs the same schedule to the zapped pte, and hangs. (Was: HANG_NEW, which hung on
 * the candidate without B's pte_clear — a set_pte over a present pte, which the reference now refuses before a
 * reduction can be searched.)
 */
const NO_CONTROLS = join(ROOT, 'test', 'fixtures', 's2-no-controls.scn');
const KEY = 's2-no-controls ptep_get_hang_cleared non-torn sc';

describe('fuzz: a candidate of the minimizer hangs', () => {
  test('on a reduced program: no stack trace, exit 1, the divergence kept unminimized and replayable, counted; same seed, same files', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'hang-cleared.js'), HANG_CLEARED);
    copyFileSync(NO_CONTROLS, join(dir, 's2-no-controls.scn'));
    const campaign = (crashes: string, corpus: string, json: string[]): Promise<CliResult> =>
      cliAsync(
        hangCampaign(
          {
            engine: 'coverage',
            module: './hang-cleared.js',
            reader: 'ptep_get_hang_cleared',
            runs: 200,
            seed: 1,
            scenario: 's2-no-controls.scn',
          },
          '--crashes',
          crashes,
          '--corpus',
          corpus,
          ...json,
        ),
        dir,
      );
    // the command of the report as it was given, and the same campaign again (with --json) for its figures
    const [r, again] = await Promise.all([campaign('c', 'k', []), campaign('c2', 'k2', ['--json'])]);
    for (const x of [r, again]) {
      expect(hasStackTrace(x.stderr)).toBe(false);
      expect(x.stderr).not.toContain('internal bug');
      expect(x.code).toBe(1);
    }
    const warning = new RegExp(
      `^WARNING: minimizing the torn witness of ${KEY} hung \\(a candidate on a program the minimizer reduced \\(operations dropped\\): ` +
        `CPU 0 \\(A: ptep_get_hang_cleared\\) did not yield again after its step \\d+ in ptep_get_hang_cleared, having read pte_low=0x10067 pte_high=0x0; no timeout file: not a schedule of the target\\); ` +
        `kept unminimized: (c/s2-no-controls\\.ptep_get_hang_cleared\\.non-torn\\.sc\\.torn\\.[0-9a-f]{12}\\.msgpack) \\(and its later witnesses in this campaign\\)$`,
      'm',
    );
    const m = warning.exec(r.stderr);
    expect(m).not.toBeNull();
    const file = m![1]!;
    expect(r.stderr.match(/^WARNING: /gm)).toHaveLength(1);
    // the summary counts it apart from the target's own hangs (which alone made timeout files)
    expect(r.stderr).toContain(
      'minimization hangs: 1 candidate execution(s) of the minimizer stopped after 1 s (1 on a program the minimizer reduced: ' +
        'no timeout file, not a finding about the target; 0 on the target itself: counted as timeouts); the divergences they were minimizing:\n' +
        `  ${KEY} torn: kept unminimized: ${file}\n`,
    );
    expect(r.stderr).toMatch(
      /^timeouts: 1 distinct, 3 hung execution\(s\) stopped after 1 s \(.*: 2; 1 while minimizing, on a program the minimizer reduced\)/m,
    );
    expect(r.stderr).toContain(`replay --reader-module hang-cleared.js ${file}\n`);

    const sum = JSON.parse(again.stdout) as Summary;
    expect(sum.minimizeHangs).toEqual([
      expect.objectContaining({
        reader: 'ptep_get_hang_cleared',
        class: 'torn',
        on: 'reduced',
        file: file.replace(/^c\//, 'c2/'),
      }),
    ]);
    expect(sum.minimizeHangs[0]).not.toHaveProperty('timeout');
    // the target's own hangs (2: not dropped) and the candidate's, each a worker restart
    expect(sum.timeouts.map((t) => t.hits)).toEqual([2]);
    expect(sum.restarts).toBe(3);
    expect(sum.divergences.map((d) => `${d.reader} ${d.class} ${d.file}`)).toEqual([
      `ptep_get_hang_cleared torn ${file.replace(/^c\//, 'c2/')}`,
    ]);

    // the kept witness is the divergent execution itself (not a reduced program) and replays
    const rec = loadCrash(join(dir, file));
    expect(rec.scenario.dropped).toBeUndefined();
    expect(rec.verdict).toMatchObject({ kind: 'divergence', class: 'torn' });
    const replay = cli(['replay', '--reader-module', './hang-cleared.js', file], dir);
    expect(replay.stdout).toContain(`REPRODUCED ${file}: torn `);
    expect(replay.code).toBe(0);

    // same seed, same files, same bytes
    const one = folder(join(dir, 'c'));
    expect([...one.keys()]).toEqual([
      expect.stringMatching(/\.timeout\.[0-9a-f]{12}\.msgpack$/),
      file.replace(/^c\//, ''),
    ]);
    expect(folder(join(dir, 'c2'))).toEqual(one);
  }, 120_000);

  test('on the target itself (a trace pass): also a timeout of the target, counted towards dropping it', () => {
    const { dir, r, sum } = campaignEnds<Summary>({
      text: HANG_ZERO,
      file: 'hang-zero.js',
      reader: 'ptep_get_hang_zero',
      runs: 200,
      seed: 2,
    });
    expect(sum.minimizeHangs).toHaveLength(1);
    const h = sum.minimizeHangs[0]!;
    expect(h).toMatchObject({ reader: 'ptep_get_hang_zero', class: 'torn', on: 'target' });
    // its timeout file is one of the target's, and this hang was the 3rd: the target is dropped
    expect(sum.timeouts.map((t) => t.file)).toContain(h.timeout);
    expect(sum.timeouts.reduce((n, t) => n + t.hits, 0)).toBe(3);
    expect(sum.restarts).toBe(3);
    expect(sum.dropped).toEqual(['s2-pae-zap-reestablish ptep_get_hang_zero non-torn sc']);
    expect(r.stderr).toContain(
      `WARNING: minimizing the torn witness of s2-pae-zap-reestablish ptep_get_hang_zero non-torn sc hung (a schedule of the target itself, saved as a timeout: ${h.detail}); kept unminimized: ${h.file} (and its later witnesses in this campaign)\n`,
    );
    expect(h.detail).toMatch(
      /^CPU 0 \(A: ptep_get_hang_zero\) did not yield again after its step \d+ in ptep_get_hang_zero, having read pte_low=0x0 /,
    );
    expect(sum.divergences.map((d) => d.file)).toEqual([h.file]);
    const replay = cli(['replay', '--reader-module', './hang-zero.js', h.file], dir);
    expect(replay.stdout).toContain(`REPRODUCED ${h.file}: torn `);
    expect(replay.code).toBe(0);
  }, 120_000);

  test("in the minimizer's statement probe (a replay of the witness before the program passes): seen, a timeout of the target", () => {
    // Was: the probe ran outside the worker's published executions, so the watchdog saw nothing in flight: the
    // campaign printed `#0 pulse … exec/s: 0` for ever, and SIGTERM only asked the hung worker to stop
    const { sum, r } = campaignEnds<Summary>({
      text: HANG_PROBE,
      file: 'hang-probe.js',
      reader: 'ptep_get_hang_probe',
      runs: 50,
    });
    expect(sum.minimizeHangs).toHaveLength(1);
    const h = sum.minimizeHangs[0]!;
    expect(h).toMatchObject({ reader: 'ptep_get_hang_probe', class: 'torn', on: 'target' });
    expect(sum.timeouts.map((t) => [t.file, t.hits])).toEqual([[h.timeout, 1]]);
    expect(sum.restarts).toBe(1);
    expect(h.detail).toMatch(
      /^CPU 0 \(A: ptep_get_hang_probe\) did not yield again after its step \d+ in ptep_get_hang_probe, having read pte_low=0x10067/,
    );
    expect(r.stderr).toMatch(/^Done: 50 executions \(50 runs\) in [\d.]+ s$/m);
    expect(sum.divergences.map((d) => d.file)).toEqual([h.file]);
  }, 120_000);

  test('--jobs 2: once a minimization of a target and class hung, no worker minimizes it again — the running one included', () => {
    // Was: only the restarted worker was told; the second job, still running, minimized the class on its own
    // first torn read and hung again (2 minimization hangs, each a restart and a limit). The second job's
    // reader reads only once the kept witness is on disk, so its first torn read comes after the decision.
    const { dir, r, sum } = campaignEnds<Summary>(
      { text: TORN_ONCE_LATE, file: 'torn-once.js', reader: 'ptep_get_torn_once', runs: 400 },
      '--jobs',
      '2',
    );
    // the second job did read torn after the decision (so it had a witness of the class to hand over)
    expect(existsSync(join(dir, 'job2-torn'))).toBe(true);
    // the first job's minimization hung once (its first candidate, a trace pass: a timeout of the target);
    // every later torn witness, in either job, was handed over as executed — the next call spun as a plain timeout
    expect(sum.minimizeHangs).toHaveLength(1);
    expect(sum.minimizeHangs[0]).toMatchObject({ reader: 'ptep_get_torn_once', class: 'torn', on: 'target' });
    expect(r.stderr.match(/^WARNING: minimizing /gm)).toHaveLength(1);
    const hung = sum.timeouts.reduce((n, t) => n + t.hits, 0);
    expect(hung).toBeGreaterThanOrEqual(3);
    expect(sum.restarts).toBe(hung);
    expect(sum.dropped).toEqual(['s2-pae-zap-reestablish ptep_get_torn_once non-torn sc']);
    expect(r.stderr).toContain(
      'minimization hangs: 1 candidate execution(s) of the minimizer stopped after 1 s (0 on a program the minimizer reduced: ' +
        'no timeout file, not a finding about the target; 1 on the target itself: counted as timeouts)',
    );
    // what the second job found is a witness as executed (of the whole program), never a reduced one
    for (const f of readdirSync(join(dir, 'c')).filter((n) => n.includes('.torn.')))
      expect(loadCrash(join(dir, 'c', f)).scenario.dropped).toBeUndefined();
  }, 120_000);
});
