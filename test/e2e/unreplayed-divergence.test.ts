/**
 * A reader that does not replay what it did — its result depends on state kept between calls (a counter, a
 * cache), not on the schedule alone. Each command that re-executes a divergence's schedule must say so in one
 * line, never as `[ptefuzz internal bug]`:
 * - `fuzz` keeps the divergence as executed, unminimized, with a warning, and goes on (was: "job 1's worker
 *   thread died (Error: [ptefuzz internal bug] divergence on … did not replay)", the finding not saved, exit 2);
 * - `matrix --crashes` and `explore`, which claim verdicts over schedules, stop with a one-line error naming the
 *   reader and its module (was: the same internal-bug error and a stack trace);
 * - `fuzz --engine jsfuzz`: an input jsfuzz's worker judged a divergence that replays here as none is kept with a
 *   warning saying so (was: counted as a finding LOST — "jsfuzz could not write its artifact … a full disk?" —
 *   exit 2).
 */
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { loadCrash } from '../../src/crash';
import { ROOT, cli, hasStackTrace } from '../support/cli';
import { cliWithin, paeReaderModule } from '../support/hang-readers';
import { jsfuzzEnv } from '../support/jsfuzz-cache';

/**
 * The body of the kernel's LOW_HIGH loop (low, rmb, high, rmb, re-read low; retry if low changed), which also
 * returns the pair it read, without a retry, when `noRetry` (a JavaScript condition on `lo` and `hi`) holds.
 */
const lowHighUnless = (noRetry: string): string => `  for (;;) {
    const lo = yield plain_read(ptep.low);
    yield smp_rmb();
    const hi = yield plain_read(ptep.high);
    yield smp_rmb();
    if (lo === (yield plain_read(ptep.low)) || ${noRetry}) {
      const pte = kernel.paeValue(hi, lo);
      yield end(pte);
      return pte;
    }
    yield retry();
  }
`;

/**
 * The LOW_HIGH loop, except that the first time in this thread that it read S2's old low half with a new high
 * half, it returns that torn pair. So the first such execution of a campaign diverges, and the same schedule
 * executed again (the minimizer's first check) does not.
 */
const TORN_FIRST = paeReaderModule({
  name: 'ptep_get_torn_first',
  source: 'test: returns the first torn pair it reads, retries from then on',
  summary: 'LOW_HIGH retry loop; no retry the first time',
  helpers: 'begin, end, plain_read, smp_rmb, retry',
  head: 'let torn = 0;\n',
  body: lowHighUnless('(lo === 0x10067n && hi !== 0x10001n && ++torn === 1)'),
});

/** The same loop that never retries in jsfuzz's worker (whose harness alone has PTEFUZZ_JSFUZZ_STATS set). */
const TORN_IN_JSFUZZ = paeReaderModule({
  name: 'ptep_get_torn_in_jsfuzz',
  source: 'test: no retry in a jsfuzz worker, the LOW_HIGH retry loop elsewhere',
  summary: 'LOW_HIGH retry loop; no retry in jsfuzz',
  helpers: 'begin, end, plain_read, smp_rmb, retry',
  head: 'const inJsfuzz = process.env.PTEFUZZ_JSFUZZ_STATS !== undefined;\n',
  body: lowHighUnless('inJsfuzz'),
});

const S2 = ['--scenario', 's2-pae-zap-reestablish'];

function folderWith(file: string, text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'ptefuzz-unreplayed-'));
  writeFileSync(join(dir, file), text);
  return dir;
}

describe('a reader that does not replay its divergence', () => {
  test('fuzz: kept as executed, unminimized, with a warning; the campaign goes on to its end', () => {
    const dir = folderWith('torn-first.js', TORN_FIRST);
    const args = ['fuzz', '--reader-module', './torn-first.js', ...S2, '--reader', 'ptep_get_torn_first'];
    const r = cliWithin([...args, '--model', 'sc', '--engine', 'random', '--runs', '300', '--seed', '1'], dir);
    expect(r.signal).toBeNull();
    expect(hasStackTrace(r.stderr)).toBe(false);
    expect(r.stderr).not.toContain('internal bug');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^Done: 300 executions \(300 runs\)/m);
    const files = readdirSync(join(dir, 'crashes'));
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(
      /^s2-pae-zap-reestablish\.ptep_get_torn_first\.non-torn\.sc\.torn\.[0-9a-f]{12}\.msgpack$/,
    );
    expect(r.stderr).toContain(
      'WARNING: ptep_get_torn_first did not replay this divergence: the same schedule, executed again to minimize ' +
        'it, did not diverge as it did (a reader that keeps state between calls?); kept as executed, unminimized — ' +
        'its replay may not reproduce it\n',
    );
    // as executed: the reader's first raced execution, which a fresh process (its own first raced call) replays
    const rec = loadCrash(join(dir, 'crashes', files[0]!));
    expect(rec.verdict.kind).toBe('divergence');
    const replay = cli(['replay', '--reader-module', './torn-first.js', join('crashes', files[0]!)], dir);
    expect(replay.code).toBe(0);
    expect(replay.stdout).toMatch(/^REPRODUCED /m);
  });

  test("fuzz --diagrams none: the warning is said all the same, under the divergence's one line", () => {
    const dir = folderWith('torn-first.js', TORN_FIRST);
    const args = ['fuzz', '--reader-module', './torn-first.js', ...S2, '--reader', 'ptep_get_torn_first'];
    const r = cliWithin(
      [...args, '--model', 'sc', '--engine', 'random', '--runs', '300', '--seed', '1', '--diagrams', 'none'],
      dir,
    );
    expect(r.code).toBe(1);
    const files = readdirSync(join(dir, 'crashes'));
    expect(files).toHaveLength(1);
    const lines = r.stderr.split('\n');
    const at = lines.findIndex((l) => l.startsWith('\tdivergence: '));
    expect(lines[at]).toBe(
      '\tdivergence: torn — ptep_get_torn_first on s2-pae-zap-reestablish (non-torn, sc), no stated expectation; ' +
        `show: node ${join(ROOT, 'bin', 'ptefuzz.js')} show --reader-module torn-first.js crashes/${files[0]!}`,
    );
    expect(lines[at + 1]).toMatch(/^WARNING: ptep_get_torn_first did not replay this divergence: /);
    expect(r.stderr).not.toMatch(/^verdict {3}/m);
  });

  test.each([
    ['matrix', ['matrix', '--runs', '300', '--crashes', 'c']],
    ['explore', ['explore', '--model', 'sc', '--crashes', 'c']],
  ])('%s: one line naming the reader and its module, exit 2', (_name, command) => {
    const dir = folderWith('torn-first.js', TORN_FIRST);
    const r = cli([...command, '--reader-module', './torn-first.js', ...S2, '--reader', 'ptep_get_torn_first'], dir);
    expect(hasStackTrace(r.stderr)).toBe(false);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^ptefuzz: ptep_get_torn_first \(torn-first\.js\): the torn divergence of s2-pae-zap-reestablish ptep_get_torn_first \S+ \S+ did not replay: the same schedule, executed again, did not diverge as it did — the reader is not deterministic \(does it keep state between calls\?\); ptefuzz needs a reader whose result depends on the schedule alone$/m,
    );
    expect(r.stderr).not.toContain('internal bug');
  });

  test('fuzz --engine jsfuzz: an input its worker judged a divergence that replays here as none is kept with a warning, not counted LOST', () => {
    const dir = folderWith('torn-jsfuzz.js', TORN_IN_JSFUZZ);
    // jsfuzz runs its corpus first, unmodified: this input races the reader's low load (test/e2e/fuzz-jsfuzz-watchdog)
    mkdirSync(join(dir, 'k'));
    writeFileSync(join(dir, 'k', 'raced'), Buffer.from([0, 0, 1, 0, 0, 1, 1, 2, 0, 0, 0, 0, 0]));
    const args = ['fuzz', '--engine', 'jsfuzz', '--reader-module', './torn-jsfuzz.js', ...S2];
    const r = cliWithin(
      [...args, '--reader', 'ptep_get_torn_in_jsfuzz', '--runs', '1', '--corpus', 'k', '--crashes', 'c', '--json'],
      dir,
      jsfuzzEnv(),
    );
    expect(r.signal).toBeNull();
    expect(hasStackTrace(r.stderr)).toBe(false);
    expect(r.stderr).not.toContain('LOST');
    expect(r.code).toBe(1);
    const kept = readdirSync(join(dir, 'c'));
    expect(kept).toHaveLength(1);
    expect(kept[0]).toMatch(/^jsfuzz-crash-[0-9a-f]{12}\.bin$/);
    expect(r.stderr).toContain(
      "WARNING: jsfuzz's worker judged an input a torn divergence of s2-pae-zap-reestablish ptep_get_torn_in_jsfuzz " +
        'non-torn tso that replays here as agree on s2-pae-zap-reestablish ptep_get_torn_in_jsfuzz non-torn tso: ' +
        'ptep_get_torn_in_jsfuzz did not replay what it did (a reader that keeps state between calls?); input kept ' +
        `in c/${kept[0]}\n`,
    );
    const sum = JSON.parse(r.stdout) as {
      jsfuzz: { artifacts: number; notDivergences: string[]; lostDivergences?: number };
    };
    expect(sum.jsfuzz).toEqual(expect.objectContaining({ artifacts: 1, notDivergences: [`c/${kept[0]}`] }));
    expect(sum.jsfuzz.lostDivergences).toBeUndefined();
  });
});
