/**
 * Self-fuzzing (issue 8.3): 1000 mutated variants each of a valid crash file,
 * a valid `.scn` file and a valid `.litmus` file, and 1000 random argument
 * vectors, fed to the CLI in-process (src/cli/main.ts `main(argv)`, stdout and
 * stderr captured). Fixed seed, fixed counts. Every case must end with exit
 * 0, 1 or 2, with no stack trace, no "[ptefuzz internal bug]" and no rejected
 * promise, and an exit 2 must say why on a `ptefuzz: …` line.
 *
 * Each case is bounded by construction: campaigns get `--runs` ≤ 8,
 * enumerations `--max-executions` ≤ 500, a matrix without `--scenario` gets
 * one (S2), and `--engine jsfuzz` and
 * `--jobs` > 1 (child processes, worker threads) are left out of the argv
 * vocabulary. Everything runs in a scratch working folder, so relative
 * defaults (crashes/, corpus/generated/) never touch the repository.
 *
 * The `.scn` variants' cases (most of the time: every `fuzz` case starts a
 * watched worker thread) run in self-fuzz-scn-1.test.ts and -2.test.ts, so
 * vitest can run them beside the rest; this file keeps every 50th `.scn`
 * variant in the argument vectors' pool all the same.
 */
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import type { Rng } from '../../src/engines/rng';
import { createRng } from '../../src/engines/rng';
import { mutateCrash, mutateText } from '../support/self-fuzz';
import {
  CRASH_SEEDS,
  LITMUS_SEEDS,
  SEED,
  VARIANTS,
  caseDir,
  keep,
  report,
  runCase,
  scnVariants,
  selfFuzzSession,
  tally,
} from '../support/self-fuzz-session';
import { ROOT } from '../support/cli';

const s = selfFuzzSession();

const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[rng.int(xs.length)]!;

// a generous limit: each test is a fixed count of variants, ~40–75 s on an idle 2-core machine and
// twice that under load; a timed-out test's loop would go on after afterAll restored the cwd and write
// into the repository's folders
describe('self-fuzzing the CLI (fixed seed, fixed counts)', { timeout: 360_000 }, () => {
  test(`${VARIANTS} mutated crash files through replay, show, show --litmus, show --html, minimize`, async () => {
    const rng = createRng(`${SEED}/crash`);
    const seeds = CRASH_SEEDS.map((p) => readFileSync(p));
    const t = tally();
    for (let i = 0; i < VARIANTS; i++) {
      const bytes = mutateCrash(rng, seeds[i % seeds.length]!);
      const d = caseDir(s, 'crash-case');
      const f = join(d, 'v.msgpack');
      writeFileSync(f, bytes);
      keep(s, i, 'v.msgpack', bytes);
      t.variants++;
      const input = { name: 'v.msgpack', path: f, bytes };
      await runCase(s, t, ['replay', f], input);
      await runCase(s, t, ['show', f], input);
      await runCase(s, t, ['show', f, '--litmus'], input);
      await runCase(s, t, ['show', f, '--html', join(d, 'out.html')], input);
      await runCase(s, t, ['minimize', f], input);
    }
    report('crash files', t);
    expect([...t.failures.keys()]).toEqual([]);
  });

  test(`${VARIANTS} mutated .litmus files through litmus, check, explore`, async () => {
    // the .scn variants the argument vectors may name (their cases run in self-fuzz-scn-*.test.ts), kept in
    // the pool here, between the crash files' and the .litmus files', where the one loop over them kept them
    for (const { i, bytes } of scnVariants()) keep(s, i, 'v.scn', bytes);
    const rng = createRng(`${SEED}/litmus`);
    const seeds = LITMUS_SEEDS.map((p) => readFileSync(p, 'utf8'));
    const t = tally();
    for (let i = 0; i < VARIANTS; i++) {
      const bytes = mutateText(rng, seeds[i % seeds.length]!);
      const d = caseDir(s, 'litmus-case');
      const f = join(d, 'v.litmus');
      writeFileSync(f, bytes);
      keep(s, i, 'v.litmus', bytes);
      t.variants++;
      const input = { name: 'v.litmus', path: f, bytes };
      await runCase(s, t, ['litmus', f, '--max-executions', '500'], input);
      await runCase(s, t, ['check', f], input);
      await runCase(s, t, ['explore', '--scenario', f, '--model', 'tso', '--max-executions', '200'], input);
    }
    report('.litmus files', t);
    expect([...t.failures.keys()]).toEqual([]);
  });

  test(`${VARIANTS} random argument vectors`, async () => {
    const rng = createRng(`${SEED}/argv`);
    const t = tally();
    const folder = join(s.scratch, 'crash-folder');
    mkdirSync(folder);
    writeFileSync(join(s.scratch, 'a-file'), 'not a folder');
    for (const p of CRASH_SEEDS) copyFileSync(p, join(folder, p.split('/').pop()!));
    const COMMANDS = [
      'fuzz',
      'explore',
      'replay',
      'show',
      'minimize',
      'check',
      'litmus',
      'merge',
      'list',
      'matrix',
      'help',
      '',
      'fuz',
      'FUZZ',
      '--help',
      '-h',
      '--version',
      '-V',
    ];
    const FLAGS = [
      '--scenario',
      '--reader',
      '--contract',
      '--model',
      '--engine',
      '--depth',
      '--runs',
      '--time',
      '--seed',
      '--crashes',
      '--corpus',
      '--json',
      '--jobs',
      '--shard',
      '--reader-module',
      '--litmus',
      '--bound',
      '--max-executions',
      '--diagram',
      '--html',
      '--print',
      '--help',
      '--bogus',
      '-x',
      '--',
      '--runs=3',
      '--model=sc',
      '--scenario=s2-pae-zap-reestablish',
    ];
    const NUMBERS = ['0', '1', '2', '3', '-1', '1.5', '1e3', '0x10', 'abc', '', ' 7', '99999999999999999999', 'NaN'];
    const NAMES = [
      's1-pae-double-refault',
      's2-pae-zap-reestablish',
      's2-pae-zap-reestablish-samelow',
      's3-pae-fault-garbage',
      's7-arm64-fault-norecency',
      'no-such-scenario',
      'ptep_get_lockless',
      'ptep_get',
      'ptep_get_atomic64',
      '__ptep_get',
      'no_such_reader',
      'exact',
      'non-torn',
      'nope-contract',
      'sc',
      'tso',
      'weak',
      'x86',
      'coverage',
      'random',
      'pct',
      'exhaustive',
      'bogus-engine',
      'MP',
      'MP+wmb+rmb',
      'SB+mb+mb',
      'IRIW+mb+mb',
      'NOPE+shape',
      '1/2',
      '0/4',
      '5/4',
      'a/b',
      '__proto__',
      'constructor',
    ];
    const PATHS = (): string[] => [
      folder,
      join(folder, CRASH_SEEDS[0]!.split('/').pop()!),
      join(folder, 'crash-v2.msgpack'),
      join(s.scratch, 'missing.msgpack'),
      join(s.scratch, 'missing.scn'),
      join(s.scratch, 'missing.litmus'),
      join(s.scratch, 'missing.js'),
      join(ROOT, 'harness', 'readers', 'pae-buggy.js'),
      join(ROOT, 'corpus', 'mailing-list', 's2-pae-zap-reestablish.scn'),
      join(ROOT, 'corpus', 'litmus', 'MP+wmb+rmb.litmus'),
      join(s.scratch, 'out.html'),
      join(s.scratch, 'merged'),
      s.scratch,
      '/',
      // a regular file where a folder is expected (never a device: an atomic write must not replace one)
      join(s.scratch, 'a-file'),
      join(s.scratch, 'a-file', 'below'),
      'crashes',
      'crashes/',
      ...s.pool,
    ];
    const randomString = (): string => {
      const alphabet = 'abcXYZ019-_./\\:=,;*?"\' é\t\u0000';
      return Array.from({ length: rng.int(12) }, () => alphabet[rng.int(alphabet.length)]).join('');
    };
    const value = (): string => {
      const k = rng.int(10);
      if (k < 3) return pick(rng, NUMBERS);
      if (k < 6) return pick(rng, NAMES);
      if (k < 9) return pick(rng, PATHS());
      return randomString();
    };
    for (let i = 0; i < VARIANTS; i++) {
      const cmd = pick(rng, COMMANDS);
      const argv = cmd === '' ? [] : [cmd];
      const n = rng.int(7);
      for (let j = 0; j < n; j++) {
        if (rng.int(2) === 0) {
          argv.push(pick(rng, FLAGS));
          if (rng.int(5) > 0) argv.push(value());
        } else argv.push(value());
      }
      // bound every case: campaigns and enumerations get a small cap (a second, different value is a usage error), no worker threads
      for (let j = 0; j < argv.length; j++) {
        if (argv[j] === '--jobs' && /^[0-9]+$/.test(argv[j + 1] ?? '') && Number(argv[j + 1]) > 1) argv[j + 1] = '1';
        // no wall-clock budget decides a case: a --time below 600 s becomes 600 s, so the --runs appended below
        // ends every campaign (a value that does not parse stays, for the usage error)
        const v = Number(argv[j + 1]);
        if (argv[j] === '--time' && Number.isFinite(v) && v > 0 && v < 600) argv[j + 1] = '600';
      }
      if (cmd === 'fuzz') {
        argv.push('--runs', String(1 + rng.int(8)));
        // nor a seed drawn from the clock: a case without --seed gets the case's index (no draw: the sequence stays)
        if (!argv.some((a) => a === '--seed' || a.startsWith('--seed='))) argv.push('--seed', String(i));
        // S2's naive ptep_get tears within a few runs: crash files get written (--crashes paths exercised)
        if (!argv.some((a) => a.startsWith('--scenario'))) argv.push('--scenario', 's2-pae-zap-reestablish');
      }
      if (cmd === 'explore' || cmd === 'litmus') argv.push('--max-executions', String(1 + rng.int(300)));
      if (cmd === 'matrix') {
        argv.push('--runs', String(1 + rng.int(3)), '--max-executions', String(1 + rng.int(100)));
        // the default (every built-in scenario) costs ~0.3 s a case; test/e2e/matrix covers it
        if (!argv.some((a) => a.startsWith('--scenario'))) argv.push('--scenario', 's2-pae-zap-reestablish');
      }
      t.variants++;
      await runCase(s, t, argv);
    }
    report('argument vectors', t);
    expect([...t.failures.keys()]).toEqual([]);
  });
});
