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
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Rng } from '../../src/engines/rng';
import { createRng } from '../../src/engines/rng';
import type { Outcome } from '../support/self-fuzz';
import { mutateCrash, mutateText, runInProcess, violation } from '../support/self-fuzz';
import { ROOT } from '../support/cli';

const VARIANTS = 1000;
const SEED = 'issue-8.3-self-fuzz';

const CRASH_SEEDS = [
  join(ROOT, 'test', 'fixtures', 'crash-v2-reduced.msgpack'),
  join(ROOT, 'test', 'fixtures', 'crash-v2.msgpack'),
];
const SCN_DIR = join(ROOT, 'corpus', 'mailing-list');
const SCN_SEEDS = readdirSync(SCN_DIR)
  .filter((f) => f.endsWith('.scn'))
  .sort()
  .map((f) => join(SCN_DIR, f));
const LITMUS_DIR = join(ROOT, 'corpus', 'litmus');
const LITMUS_SEEDS = readdirSync(LITMUS_DIR)
  .filter((f) => f.endsWith('.litmus'))
  .sort()
  .map((f) => join(LITMUS_DIR, f));

interface Tally {
  variants: number;
  cases: number;
  codes: Record<string, number>;
  /** violations by kind: how many, and the first example */
  failures: Map<string, { count: number; example: string }>;
  violations: number;
  /** milliseconds per command (reported, never asserted) */
  ms: Record<string, number>;
}

const tally = (): Tally => ({ variants: 0, cases: 0, codes: {}, failures: new Map(), violations: 0, ms: {} });

let scratch = '';
let cwd = '';
/** mutated files kept for the argv vectors (paths that exist and are nearly valid) */
const pool: string[] = [];

beforeAll(() => {
  cwd = process.cwd();
  scratch = mkdtempSync(join(tmpdir(), 'ptefuzz-selffuzz-'));
  mkdirSync(join(scratch, 'pool'));
  mkdirSync(join(scratch, 'failures'));
  process.chdir(scratch);
});

afterAll(() => {
  process.chdir(cwd);
});

async function runCase(
  t: Tally,
  argv: readonly string[],
  input?: { name: string; path: string; bytes: Buffer },
): Promise<Outcome> {
  const t0 = performance.now();
  const o = await runInProcess(argv);
  const cmd = argv[0] ?? '(none)';
  t.ms[cmd] = (t.ms[cmd] ?? 0) + performance.now() - t0;
  t.cases++;
  const key = o.code === undefined ? 'rejected' : String(o.code);
  t.codes[key] = (t.codes[key] ?? 0) + 1;
  const v = violation(o, input?.path);
  if (v !== undefined) {
    t.violations++;
    const kind = `${argv[0] ?? ''}: ${v}`;
    const seen = t.failures.get(kind);
    if (seen) seen.count++;
    else {
      let kept = '';
      if (input) {
        kept = join(scratch, 'failures', `${t.failures.size}-${input.name}`);
        writeFileSync(kept, input.bytes);
      }
      const example =
        `argv: ${JSON.stringify(argv)}${kept ? `\n  input kept: ${kept}` : ''}\n  stderr: ` + o.stderr.slice(0, 600);
      t.failures.set(kind, { count: 1, example });
    }
  }
  return o;
}

function report(kind: string, t: Tally): void {
  const codes = Object.entries(t.codes)
    .sort()
    .map(([c, n]) => `exit ${c}: ${n}`)
    .join(', ');
  const ms = Object.entries(t.ms)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 6)
    .map(([c, v]) => `${c} ${(v / 1000).toFixed(1)} s`)
    .join(', ');
  console.log(
    `self-fuzz ${kind}: ${t.variants} variants, ${t.cases} cases; ${codes}; ${t.violations} violations (time: ${ms})`,
  );
  for (const [k, f] of t.failures) console.log(`  ${f.count}× ${k}\n  ${f.example}`);
}

/** A fresh folder of the scratch area for one variant. */
function caseDir(name: string): string {
  const d = join(scratch, name);
  rmSync(d, { recursive: true, force: true });
  mkdirSync(d);
  return d;
}

const keep = (i: number, file: string, bytes: Buffer): void => {
  if (i % 50 === 0) {
    const p = join(scratch, 'pool', `${pool.length}-${file}`);
    writeFileSync(p, bytes);
    pool.push(p);
  }
};

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
      const d = caseDir('crash-case');
      const f = join(d, 'v.msgpack');
      writeFileSync(f, bytes);
      keep(i, 'v.msgpack', bytes);
      t.variants++;
      const input = { name: 'v.msgpack', path: f, bytes };
      await runCase(t, ['replay', f], input);
      await runCase(t, ['show', f], input);
      await runCase(t, ['show', f, '--litmus'], input);
      await runCase(t, ['show', f, '--html', join(d, 'out.html')], input);
      await runCase(t, ['minimize', f], input);
    }
    report('crash files', t);
    expect([...t.failures.keys()]).toEqual([]);
  });

  test(`${VARIANTS} mutated .scn files through check --print, fuzz --runs 2, explore --max-executions 20`, async () => {
    const rng = createRng(`${SEED}/scn`);
    const seeds = SCN_SEEDS.map((p) => readFileSync(p, 'utf8'));
    const t = tally();
    const engines = ['coverage', 'random', 'pct'];
    for (let i = 0; i < VARIANTS; i++) {
      const bytes = mutateText(rng, seeds[i % seeds.length]!);
      const d = caseDir('scn-case');
      const f = join(d, 'v.scn');
      writeFileSync(f, bytes);
      keep(i, 'v.scn', bytes);
      t.variants++;
      const input = { name: 'v.scn', path: f, bytes };
      await runCase(t, ['check', f, '--print'], input);
      const engine = engines[i % engines.length]!;
      await runCase(
        t,
        [
          'fuzz',
          '--scenario',
          f,
          '--runs',
          '2',
          '--seed',
          String(i),
          '--engine',
          engine,
          '--crashes',
          join(d, 'crashes'),
          ...(engine === 'coverage' ? ['--corpus', join(d, 'corpus')] : []),
        ],
        input,
      );
      await runCase(
        t,
        ['explore', '--scenario', f, '--bound', '1', '--max-executions', '20', '--crashes', join(d, 'crashes')],
        input,
      );
    }
    report('.scn files', t);
    expect([...t.failures.keys()]).toEqual([]);
  });

  test(`${VARIANTS} mutated .litmus files through litmus, check, explore`, async () => {
    const rng = createRng(`${SEED}/litmus`);
    const seeds = LITMUS_SEEDS.map((p) => readFileSync(p, 'utf8'));
    const t = tally();
    for (let i = 0; i < VARIANTS; i++) {
      const bytes = mutateText(rng, seeds[i % seeds.length]!);
      const d = caseDir('litmus-case');
      const f = join(d, 'v.litmus');
      writeFileSync(f, bytes);
      keep(i, 'v.litmus', bytes);
      t.variants++;
      const input = { name: 'v.litmus', path: f, bytes };
      await runCase(t, ['litmus', f, '--max-executions', '500'], input);
      await runCase(t, ['check', f], input);
      await runCase(t, ['explore', '--scenario', f, '--model', 'tso', '--max-executions', '200'], input);
    }
    report('.litmus files', t);
    expect([...t.failures.keys()]).toEqual([]);
  });

  test(`${VARIANTS} random argument vectors`, async () => {
    const rng = createRng(`${SEED}/argv`);
    const t = tally();
    const folder = join(scratch, 'crash-folder');
    mkdirSync(folder);
    writeFileSync(join(scratch, 'a-file'), 'not a folder');
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
      join(scratch, 'missing.msgpack'),
      join(scratch, 'missing.scn'),
      join(scratch, 'missing.litmus'),
      join(scratch, 'missing.js'),
      join(ROOT, 'harness', 'readers', 'pae-buggy.js'),
      join(ROOT, 'corpus', 'mailing-list', 's2-pae-zap-reestablish.scn'),
      join(ROOT, 'corpus', 'litmus', 'MP+wmb+rmb.litmus'),
      join(scratch, 'out.html'),
      join(scratch, 'merged'),
      scratch,
      '/',
      // a regular file where a folder is expected (never a device: an atomic write must not replace one)
      join(scratch, 'a-file'),
      join(scratch, 'a-file', 'below'),
      'crashes',
      'crashes/',
      ...pool,
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
      }
      if (cmd === 'fuzz') {
        argv.push('--runs', String(1 + rng.int(8)));
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
      await runCase(t, argv);
    }
    report('argument vectors', t);
    expect([...t.failures.keys()]).toEqual([]);
  });
});
