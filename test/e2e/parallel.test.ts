/**
 * Long campaigns: --jobs (worker threads), and SIGINT/SIGTERM stopping
 * cleanly. Fixed seeds and run counts; the signal test stops a --time
 * campaign after its first status line and checks what is on disk.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describe, expect, test } from 'vitest';
import { loadCrash } from '../../src/crash';
import type { FoundDivergence } from '../../src/campaign';
import { NO_SHARD, selectTargets } from '../../src/campaign';
import { runParallel } from '../../src/cli/parallel';
import type { DivergenceReport } from '../../src/cli/render';
import { builtinReaders } from '../../src/kernel';
import { ROOT, cli, cliInProcess, hasStackTrace } from '../support/cli';

const tmp = (): string => mkdtempSync(join(tmpdir(), 'ptefuzz-par-'));
const sha = (f: string): string => createHash('sha256').update(readFileSync(f)).digest('hex');
const hashes = (dir: string): Record<string, string> =>
  Object.fromEntries(
    readdirSync(dir)
      .sort()
      .map((f) => [f, sha(join(dir, f))]),
  );

describe('fuzz --jobs', () => {
  // Written by ptefuzz 0.1.0 before --jobs existed (commit 18520b3):
  // `ptefuzz fuzz --runs 2000 --seed 42`. The `tool` field is in the bytes: regenerate on a version bump.
  const PAE = [
    's1-pae-double-refault',
    's2-pae-zap-reestablish',
    's2-pae-zap-reestablish-nowmb',
    's2-pae-zap-reestablish-samelow',
  ];

  test('--jobs 1 and --jobs 2 run the same runs: same per-target statistics, the same bugs found', async () => {
    const pae = PAE.flatMap((n) => ['--scenario', n]);
    const go = async (jobs: string) => {
      const dir = tmp();
      const r = await cliInProcess([
        'fuzz',
        ...pae,
        '--engine',
        'random',
        '--runs',
        '2000',
        '--seed',
        '42',
        '--jobs',
        jobs,
        '--crashes',
        dir,
        '--json',
      ]);
      expect(r.code).toBe(1);
      const sum = JSON.parse(r.stdout) as { targets: { executions: number; races: number; verdicts: object }[] };
      // which hit of a bug each job minimizes first may differ, and so may the minimized witness's
      // signature; the bugs found (scenario, reader, model, class) may not
      const bugs = [...new Set(Object.keys(hashes(dir)).map((f) => f.split('.').slice(0, 4).join('.')))].sort();
      return { targets: sum.targets.map((t) => [t.executions, t.races, t.verdicts]), bugs };
    };
    const one = await go('1');
    expect(one.bugs.length).toBeGreaterThan(3);
    expect(await go('2')).toEqual(one);
  });

  const s2 = ['--scenario', 's2-pae-zap-reestablish', '--reader', 'ptep_get', '--model', 'sc', '--seed', '1'];

  test('--jobs 2 finds the naive ptep_get torn reads on S2: one crash file per reduced program, the runs split between the workers, same bytes twice', async () => {
    const a = tmp();
    // 2000 runs, 1000 per worker: 223 hits of the torn read at seed 1
    // the built binary: `2 jobs` on its stderr, exit 1 as a process
    const r = cli(['fuzz', ...s2, '--runs', '2000', '--jobs', '2', '--crashes', a, '--json']);
    expect(hasStackTrace(r.stderr)).toBe(false);
    expect(r.code).toBe(1);
    const sum = JSON.parse(r.stdout) as {
      jobs: number;
      runs: number;
      executions: number;
      divergences: { class: string; file: string; hits: number }[];
    };
    expect(r.stderr).toContain('2 jobs');
    expect(sum.jobs).toBe(2);
    expect(sum.runs).toBe(2000);
    expect(sum.executions).toBe(2000);
    // the program passes reduce the witnesses to S2 with only the re-establish, or only the zap: the same
    // logical values read, so one fingerprint (README, Crash files) — one file across both workers
    expect(sum.divergences.map((d) => d.class)).toEqual(['torn']);
    expect(sum.divergences[0]!.hits).toBeGreaterThan(1);
    expect(readdirSync(a)).toHaveLength(1);
    expect((await cliInProcess(['replay', a])).code).toBe(0);
    const b = tmp();
    expect((await cliInProcess(['fuzz', ...s2, '--runs', '2000', '--jobs', '2', '--crashes', b])).code).toBe(1);
    expect(hashes(b)).toEqual(hashes(a));
  });
});

describe('fuzz --engine coverage --jobs 2: the jobs exchange corpus entries at fixed run counts', () => {
  /** every file below `dir`, by relative path, with its sha256 */
  const tree = (dir: string, sub = ''): Record<string, string> =>
    Object.assign(
      {},
      ...readdirSync(join(dir, sub), { withFileTypes: true })
        .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
        .map((e) =>
          e.isDirectory() ? tree(dir, join(sub, e.name)) : { [join(sub, e.name)]: sha(join(dir, sub, e.name)) },
        ),
    ) as Record<string, string>;

  test('the same command twice: the same crash files, the same corpus entries, the same statistics', async () => {
    const go = async () => {
      const crashes = tmp();
      const corpus = tmp();
      const r = await cliInProcess([
        'fuzz',
        ...['--scenario', 's1-pae-double-refault', '--scenario', 's2-pae-zap-reestablish'],
        // 1000 runs per job: an exchange at run 500 of each (EXCHANGE_EPOCH_RUNS); 316 corpus entries in 6 folders
        ...['--engine', 'coverage', '--runs', '2000', '--seed', '4', '--jobs', '2'],
        ...['--crashes', crashes, '--corpus', corpus, '--json'],
      ]);
      expect(hasStackTrace(r.stderr)).toBe(false);
      expect(r.code).toBe(1);
      const sum = JSON.parse(r.stdout) as Record<string, unknown> & { divergences: Record<string, unknown>[] };
      // the wall clock, and when in the interleaving of the jobs a divergence was first seen (README, --json)
      for (const k of ['seconds', 'execsPerSec']) delete sum[k];
      for (const d of sum.divergences) {
        delete d['first'];
        d['file'] = relative(crashes, d['file'] as string);
      }
      return { crashes: tree(crashes), corpus: tree(corpus), sum };
    };
    const a = await go();
    expect(Object.keys(a.crashes).length).toBeGreaterThan(1);
    // entries of both jobs, in the folders of several targets
    expect(Object.keys(a.corpus).length).toBeGreaterThan(100);
    expect(new Set(Object.keys(a.corpus).map((p) => p.split('/')[0])).size).toBeGreaterThan(4);
    const b = await go();
    expect(b.crashes).toEqual(a.crashes);
    expect(b.corpus).toEqual(a.corpus);
    expect(b.sum).toEqual(a.sum);
  });
});

describe('runParallel hit counts', () => {
  test('two jobs with one shared hit slot each: every divergent execution is a hit of some finding', async () => {
    const selection = {
      scenarios: ['s1-pae-double-refault', 's2-pae-zap-reestablish', 's2-pae-zap-reestablish-nowmb'],
      models: ['sc'],
    };
    const targets = selectTargets(selection, builtinReaders());
    const r = await runParallel({
      jobs: 2,
      shard: NO_SHARD,
      selection,
      targets,
      readerModules: [],
      engine: 'random',
      seed: '42',
      runs: 600,
      timeoutSeconds: 60,
      crashes: tmp(),
      clock: () => Date.now(),
      onStatus: () => {},
      hitSlots: 1,
    }).done;
    // more findings than the two shared slots: some hits travel in the workers' messages
    expect(r.findings.length).toBeGreaterThan(2);
    const divergences = [...r.perTarget.values()].reduce((n, s) => n + s.verdicts.divergence, 0);
    expect(r.findings.reduce((n, f) => n + f.hits, 0)).toBe(divergences);
    for (const f of r.findings) expect(f.hits).toBeGreaterThan(0);
  });
});

describe('runParallel findings of a reduced program', () => {
  test('the finding a new divergence prints runs on the program the minimizer left, and diverges there', async () => {
    // S1's ptep_get_lockless witnesses drop CPU C; the trace is a schedule of the reduced program, which
    // replayed on the full S1 returned {0x00000000:0x00000000} (agree) under the "divergence:" heading
    const selection = { scenarios: ['s1-pae-double-refault'], readers: ['ptep_get_lockless'], models: ['sc'] };
    const targets = selectTargets(selection, builtinReaders());
    const printed: FoundDivergence[] = [];
    const reports: (DivergenceReport | undefined)[] = [];
    const r = await runParallel({
      jobs: 1,
      shard: NO_SHARD,
      selection,
      targets,
      readerModules: [],
      engine: 'coverage',
      seed: '1',
      runs: 300,
      timeoutSeconds: 60,
      crashes: tmp(),
      clock: () => Date.now(),
      onStatus: (_s, event, f, report) => {
        if (event === 'new' && f) {
          printed.push(f);
          reports.push(report);
        }
      },
    }).done;
    expect(printed.length).toBeGreaterThan(0);
    for (const f of [...printed, ...r.findings]) {
      expect(f.target.scenario.reduced?.dropped).toEqual(['cpu C "fault, MADV_DONTNEED"']);
      expect(f.target.built.cpus.map((c) => c.name)).not.toContain('fault, MADV_DONTNEED');
    }
    expect(reports).toHaveLength(printed.length);
    for (const r of reports) {
      // the worker's report of the run it judged: the reduced program's head and diagram, and a torn divergence
      // (no warning: the reader replayed it)
      expect(r!.warning).toBeUndefined();
      const report = r!.diagram;
      expect(report!.split('\n')[0]).toMatch(/^s1-pae-double-refault \(reduced: 1 CPU dropped\): /);
      expect(report).toContain('reduced by the minimizer from built-in s1-pae-double-refault');
      // the diagram's columns: CPU C dropped
      expect(report).toMatch(/^ +A: ptep_get_lockless +B: MADV_DONTNEED +D: fault$/m);
      expect(report).toMatch(/^verdict {3}divergence: torn$/m);
    }
  });
});

describe('fuzz --shard', () => {
  interface Totals {
    runs: number;
    targets: { scenario: string; reader: string; model: string; executions: number; races: number; verdicts: object }[];
  }
  const run = async (extra: string[]): Promise<Totals> => {
    const pae = [
      's1-pae-double-refault',
      's2-pae-zap-reestablish',
      's2-pae-zap-reestablish-nowmb',
      's2-pae-zap-reestablish-samelow',
    ];
    const args = ['--engine', 'random', '--runs', '1000', '--seed', '9', '--model', 'sc', '--crashes', tmp(), '--json'];
    const r = await cliInProcess(['fuzz', ...pae.flatMap((n) => ['--scenario', n]), ...args, ...extra]);
    expect(hasStackTrace(r.stderr)).toBe(false);
    return JSON.parse(r.stdout) as Totals;
  };

  test('shards 1/2 (one job) and 2/2 (two jobs) together do the runs of the whole campaign, none twice', async () => {
    const whole = await run([]);
    const one = await run(['--shard', '1/2']);
    const two = await run(['--shard', '2/2', '--jobs', '2']);
    expect(one.runs + two.runs).toBe(1000);
    expect(one.runs).toBe(500); // whole rounds of the 4 scenarios: rounds 0, 2, 4 … of 250
    const add = (x: Totals['targets'][number], y: Totals['targets'][number]) => ({
      ...x,
      executions: x.executions + y.executions,
      races: x.races + y.races,
      verdicts: Object.fromEntries(
        Object.entries(x.verdicts).map(([k, v]) => [k, (v as number) + (y.verdicts as Record<string, number>)[k]!]),
      ),
    });
    const strip = (t: Totals['targets'][number]) => ({ ...t, verdict: undefined });
    expect(one.targets.map((t, i) => strip(add(t, two.targets[i]!)))).toEqual(whole.targets.map(strip));
  });
});

/** Start `ptefuzz fuzz`, send `signal` after the first status line, collect the rest. */
function interrupted(args: string[], signal: NodeJS.Signals): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(ROOT, 'bin', 'ptefuzz.js'), 'fuzz', ...args], { cwd: ROOT });
    let stderr = '';
    let sent = false;
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      stderr += chunk;
      if (!sent && /^#\d+\t/m.test(stderr)) {
        sent = true;
        child.kill(signal);
      }
    });
    child.stdout.resume();
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

describe('SIGINT/SIGTERM stop a campaign cleanly', () => {
  for (const [jobs, signal] of [
    ['1', 'SIGINT'],
    ['2', 'SIGTERM'],
  ] as const) {
    test(`--jobs ${jobs}, ${signal} after the first status line: summary (interrupted), exit code of the findings, whole files only; a restart adds no duplicate`, async () => {
      const dir = tmp();
      const args = ['--time', '600', '--seed', '5', '--jobs', jobs, '--crashes', dir, '--corpus', tmp()];
      const r = await interrupted(args, signal);
      expect(hasStackTrace(r.stderr)).toBe(false);
      expect(r.stderr).toMatch(/^Done: \d+ executions \(\d+ runs\) in [\d.]+ s \(interrupted\)$/m);
      const files = readdirSync(dir);
      const found = /(\d+) distinct divergence\(s\)/.exec(r.stderr);
      expect(r.code).toBe(found ? 1 : 0);
      expect(files).toHaveLength(found ? Number(found[1]) : 0);
      for (const f of files) expect(loadCrash(join(dir, f)).format).toBe('ptefuzz-crash');
      const before = hashes(dir);
      // the same campaign again, into the same folder: files keyed by fingerprint, the old ones untouched
      // 100 runs: 14 distinct divergences (300 runs: 25–32, each one minimized)
      const again = await cliInProcess([
        'fuzz',
        '--runs',
        '100',
        '--seed',
        '5',
        '--jobs',
        jobs,
        '--crashes',
        dir,
        '--json',
      ]);
      expect(again.code).toBe(1);
      const reported = (JSON.parse(again.stdout) as { divergences: { file: string }[] }).divergences.map((d) =>
        d.file.split('/').pop(),
      );
      // it finds again some of what the interrupted one saved (the same seed: the same first runs)
      if (files.length > 0) expect(files.filter((f) => reported.includes(f)).length).toBeGreaterThan(0);
      const after = hashes(dir);
      for (const [f, h] of Object.entries(before)) expect(after[f]).toBe(h);
      expect(Object.keys(after).sort()).toEqual([...new Set([...files, ...reported])].sort());
    });
  }
});
