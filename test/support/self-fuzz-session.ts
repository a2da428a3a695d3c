/**
 * The self-fuzzing tests' shared harness (issue 8.3): seeds, the scratch
 * working folder, the per-kind tally and its report, and the `.scn` variant
 * sequence. The `.scn` cases are most of the self-fuzz time (every `fuzz`
 * case starts a watched worker thread), so they are split over
 * test/e2e/self-fuzz-scn-1.test.ts and -2.test.ts, which vitest can run
 * side by side; both walk the same seeded sequence (`scnVariants`), so
 * together they run exactly the 1000 cases one loop ran.
 */
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createRng } from '../../src/engines/rng';
import { ROOT } from './cli';
import type { Outcome } from './self-fuzz';
import { mutateText, runInProcess, violation } from './self-fuzz';

export const VARIANTS = 1000;
export const SEED = 'issue-8.3-self-fuzz';

export const CRASH_SEEDS = [
  join(ROOT, 'test', 'fixtures', 'crash-v2-reduced.msgpack'),
  join(ROOT, 'test', 'fixtures', 'crash-v2.msgpack'),
];
const SCN_DIR = join(ROOT, 'corpus', 'mailing-list');
export const SCN_SEEDS = readdirSync(SCN_DIR)
  .filter((f) => f.endsWith('.scn'))
  .sort()
  .map((f) => join(SCN_DIR, f));
const LITMUS_DIR = join(ROOT, 'corpus', 'litmus');
export const LITMUS_SEEDS = readdirSync(LITMUS_DIR)
  .filter((f) => f.endsWith('.litmus'))
  .sort()
  .map((f) => join(LITMUS_DIR, f));

export interface Tally {
  variants: number;
  cases: number;
  codes: Record<string, number>;
  /** violations by kind: how many, and the first example */
  failures: Map<string, { count: number; example: string }>;
  violations: number;
  /** milliseconds per command (reported, never asserted) */
  ms: Record<string, number>;
}

export const tally = (): Tally => ({ variants: 0, cases: 0, codes: {}, failures: new Map(), violations: 0, ms: {} });

/** One test file's scratch working folder (the cwd while its tests run) and its pool of kept variants. */
export interface Session {
  scratch: string;
  /** mutated files kept for the argv vectors (paths that exist and are nearly valid) */
  readonly pool: string[];
}

/** A fresh scratch folder as the working folder for the calling test file's tests, restored after them. */
export function selfFuzzSession(): Session {
  const s: Session = { scratch: '', pool: [] };
  let cwd = '';
  beforeAll(() => {
    cwd = process.cwd();
    s.scratch = mkdtempSync(join(tmpdir(), 'ptefuzz-selffuzz-'));
    mkdirSync(join(s.scratch, 'pool'));
    mkdirSync(join(s.scratch, 'failures'));
    process.chdir(s.scratch);
  });
  afterAll(() => {
    process.chdir(cwd);
  });
  return s;
}

export async function runCase(
  s: Session,
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
        kept = join(s.scratch, 'failures', `${t.failures.size}-${input.name}`);
        writeFileSync(kept, input.bytes);
      }
      const example =
        `argv: ${JSON.stringify(argv)}${kept ? `\n  input kept: ${kept}` : ''}\n  stderr: ` + o.stderr.slice(0, 600);
      t.failures.set(kind, { count: 1, example });
    }
  }
  return o;
}

export function report(kind: string, t: Tally): void {
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
export function caseDir(s: Session, name: string): string {
  const d = join(s.scratch, name);
  rmSync(d, { recursive: true, force: true });
  mkdirSync(d);
  return d;
}

/** Every 50th variant is kept in the pool, for the argument vectors. */
export const keep = (s: Session, i: number, file: string, bytes: Buffer): void => {
  if (i % 50 === 0) {
    const p = join(s.scratch, 'pool', `${s.pool.length}-${file}`);
    writeFileSync(p, bytes);
    s.pool.push(p);
  }
};

/** The `.scn` variants in order: variant i is the i-th mutation drawn from one seeded generator. */
export function* scnVariants(): Generator<{ i: number; bytes: Buffer }> {
  const rng = createRng(`${SEED}/scn`);
  const seeds = SCN_SEEDS.map((p) => readFileSync(p, 'utf8'));
  for (let i = 0; i < VARIANTS; i++) yield { i, bytes: mutateText(rng, seeds[i % seeds.length]!) };
}

/**
 * Variants `from` ≤ i < `to` of the `.scn` sequence (the ones before `from`
 * are drawn and dropped, so variant i is the same bytes whichever file runs
 * it) through check --print, fuzz --runs 2 and explore --max-executions 20.
 */
export async function scnCases(s: Session, from: number, to: number): Promise<Tally> {
  const t = tally();
  const engines = ['coverage', 'random', 'pct'];
  for (const { i, bytes } of scnVariants()) {
    if (i >= to) break;
    if (i < from) continue;
    const d = caseDir(s, 'scn-case');
    const f = join(d, 'v.scn');
    writeFileSync(f, bytes);
    t.variants++;
    const input = { name: 'v.scn', path: f, bytes };
    await runCase(s, t, ['check', f, '--print'], input);
    const engine = engines[i % engines.length]!;
    await runCase(
      s,
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
      s,
      t,
      ['explore', '--scenario', f, '--bound', '1', '--max-executions', '20', '--crashes', join(d, 'crashes')],
      input,
    );
  }
  return t;
}

/**
 * The test of one half of the `.scn` sequence, variants [from, to): a session of its own, every case
 * through the oracle. A generous limit (see self-fuzz.test.ts): a timed-out loop would go on after
 * afterAll restored the cwd.
 */
export function scnHalf(from: number, to: number): void {
  const s = selfFuzzSession();
  describe('self-fuzzing the CLI (fixed seed, fixed counts)', { timeout: 360_000 }, () => {
    test(`mutated .scn files ${from}–${to - 1} of ${VARIANTS} through check --print, fuzz --runs 2, explore --max-executions 20`, async () => {
      const t = await scnCases(s, from, to);
      report(`.scn files ${from}–${to - 1}`, t);
      expect(t.variants).toBe(to - from);
      expect([...t.failures.keys()]).toEqual([]);
    });
  });
}
