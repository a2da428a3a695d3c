import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { decodeCrash } from '../../src/crash';
import { ROOT, cliInProcess, expectOneLineError } from '../support/cli';

/**
 * `ptefuzz minimize --schedules N` on a copy of a committed crash file (crashes/ is never written): S2-nowmb's torn
 * ptep_get_lockless witness under weak. Its CPU B's set_pte goes only under schedules of the smaller program's
 * own — the witness's, carried over, does not tear without it; its pte_clear does not go: without it
 * ptep_get_atomic64, which the scenario expects correct, tears too (test/unit/minimize-search.test.ts).
 */
const NAME = 's2-pae-zap-reestablish-nowmb.ptep_get_lockless.non-torn.weak.torn.263c2d3e9e6a.msgpack';

function copy(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ptefuzz-schedules-'));
  copyFileSync(join(ROOT, 'crashes', NAME), join(dir, NAME));
  return dir;
}

/** The one crash file left in `dir`: its name, its scenario text and source. */
function left(dir: string): {
  readonly name: string;
  readonly text: string;
  readonly source: string;
  readonly bytes: Buffer;
} {
  const files = readdirSync(dir);
  expect(files).toHaveLength(1);
  const bytes = readFileSync(join(dir, files[0]!));
  const { scenario } = decodeCrash(bytes, files[0]!);
  return { name: files[0]!, text: scenario.text!, source: scenario.source, bytes };
}

describe('minimize --schedules', () => {
  test('0 keeps both calls; 16 drops the set_pte and refuses the pte_clear, says why, sums the executions', async () => {
    const none = copy();
    const r0 = await cliInProcess(['minimize', '--schedules', '0', none]);
    expect(r0.code).toBe(0);
    expect(r0.stdout).not.toContain('schedule search');
    expect(left(none).text).toContain('pte_clear(pte');
    expect(left(none).text).toContain('set_pte(pte');
    // the file came from the built-in S2-nowmb, whose `expect` line has changed since: it stays as it was
    // (was: rewritten with `source` "file", which made `show` say "reduced … from scenario file")
    expect(r0.stdout).toMatch(/^UNCHANGED /m);
    expect(left(none).bytes.equals(readFileSync(join(ROOT, 'crashes', NAME)))).toBe(true);

    const some = copy();
    const r = await cliInProcess(['minimize', '--schedules', '16', some]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /^MINIMIZED .*: trace 8 → \d+ choices, .*dropped from cpu B "zap \+ re-establish": set_pte\(pte, \{0x00010002:0x00020067\}, barriers=false\); \d+ predicate evaluations \(\d+ in the schedule search, \d+ by the controls\); schedule search: dropped from cpu B "zap \+ re-establish": set_pte\(pte, \{0x00010002:0x00020067\}, barriers=false\) after \d+ schedule\(s\); refused: dropped from cpu B "zap \+ re-establish": pte_clear\(pte, barriers=false\) \(outside the reference's contract: a PAE set_pte over a present pte\); renamed to /m,
    );
    // dropping the pte_clear leaves B's set_pte over a present pte, which the reference refuses before any control
    // runs (reference/pae-set.ts; was: `refused (schedule search): … pte_clear … (ptep_get_atomic64, which the
    // scenario expects correct, fails on it the same way …)`)
    expect(r.stdout).toMatch(/^1 crash file\(s\): 1 rewritten, .*; schedule search: [1-9]\d* execution\(s\)\n$/m);
    const out = left(some);
    expect(out.name).not.toBe(NAME);
    expect(out.text).not.toContain('set_pte(pte');
    expect(out.text).toContain('pte_clear(pte');
    expect(out.source).toBe('builtin');
    const shown = await cliInProcess(['show', join(some, out.name)]);
    expect(shown.stdout).toContain('reduced by the minimizer from built-in s2-pae-zap-reestablish-nowmb');
    // the rewritten file replays its divergence
    const replay = await cliInProcess(['replay', some]);
    expect(replay.code).toBe(0);
    expect(replay.stdout).toMatch(/^REPRODUCED .*: torn /m);
  });

  test('same input, same N: same output, same file name, same bytes', async () => {
    const [a, b] = [copy(), copy()];
    const ra = await cliInProcess(['minimize', '--schedules', '16', a]);
    const rb = await cliInProcess(['minimize', '--schedules', '16', b]);
    expect(rb.stdout.split(b).join('DIR')).toBe(ra.stdout.split(a).join('DIR'));
    expect(ra.stdout).toContain('schedule search: dropped');
    const [fa, fb] = [left(a), left(b)];
    expect(fb.name).toBe(fa.name);
    expect(fb.bytes.equals(fa.bytes)).toBe(true);
  });

  test('a bad value: one line naming the flag, exit 2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ptefuzz-schedules-'));
    mkdirSync(join(dir, 'c'));
    for (const bad of ['-1', 'many', '2.5']) {
      const r = await cliInProcess(['minimize', '--schedules', bad, join(dir, 'c')]);
      expectOneLineError(
        r,
        new RegExp(
          `^ptefuzz: option '--schedules <n>' argument '${bad.replace('.', '\\.')}' is invalid\\. expected a non-negative integer`,
          'm',
        ),
      );
    }
  });
});

/**
 * A campaign's minimizations search schedules too (`--minimize-schedules N`, default 64): S2-nowmb's torn
 * ptep_get_lockless under weak, 300 runs. With the search every witness collapses into the smallest program, B's
 * barrier-less pte_clear alone; without it, witnesses of the whole program stay. Either way no file keeps B's
 * set_pte without its pte_clear: a set_pte over a present pte, which ptep_get_atomic64 — expected correct — also
 * reads half-written (the controls refuse it; was: `…e5d5b305a50e`, the quick start's first crash file).
 */
describe('fuzz --minimize-schedules', () => {
  const campaign = (dir: string, extra: readonly string[]) =>
    cliInProcess([
      ...['fuzz', '--scenario', 's2-pae-zap-reestablish-nowmb', '--reader', 'ptep_get_lockless', '--model', 'weak'],
      ...['--runs', '300', '--seed', '1', '--crashes', dir, '--diagrams', 'none', ...extra],
    ]);
  const programs = (dir: string): string[] =>
    readdirSync(dir)
      .sort()
      .map((f) => {
        const cpuB = /cpu B [^{]*\{([^}]*)\}/.exec(decodeCrash(readFileSync(join(dir, f)), f).scenario.text!)![1]!;
        return [...cpuB.matchAll(/^\s*(\w+)\(/gm)].map((m) => m[1]).join(' ');
      });

  test('64 by default: one file, B reduced to its pte_clear; 0: the whole program stays; never set_pte alone', async () => {
    const [dflt, none] = [mkdtempSync(join(tmpdir(), 'ptefuzz-cmin-')), mkdtempSync(join(tmpdir(), 'ptefuzz-cmin-'))];
    const a = await campaign(dflt, []);
    const b = await campaign(none, ['--minimize-schedules', '0']);
    expect([a.code, b.code]).toEqual([1, 1]);
    expect(programs(dflt)).toEqual(['pte_clear']);
    expect(programs(none)).toContain('pte_clear set_pte');
    expect(programs(none).length).toBeGreaterThan(1);
    for (const p of [...programs(dflt), ...programs(none)]) expect(p).not.toBe('set_pte');
  });

  test('a bad value: one line naming the flag, exit 2; refused where no witness is minimized', async () => {
    for (const cmd of [['fuzz'], ['explore', '--scenario', 's2-pae-zap-reestablish'], ['matrix', '--crashes', 'c']]) {
      for (const bad of ['-1', 'many']) {
        const r = await cliInProcess([...cmd, '--minimize-schedules', bad]);
        expectOneLineError(
          r,
          new RegExp(
            `^ptefuzz: option '--minimize-schedules <n>' argument '${bad}' is invalid\\. expected a non-negative integer`,
            'm',
          ),
        );
      }
    }
    const litmus = join(ROOT, 'corpus', 'litmus', 'MP+wmb+rmb.litmus');
    for (const [args, msg] of [
      [
        ['fuzz', '--scenario', litmus, '--runs', '10'],
        /^ptefuzz: --minimize-schedules does not apply to litmus tests/m,
      ],
      [['explore', '--litmus', 'MP'], /^ptefuzz: --minimize-schedules does not apply to --litmus/m],
      [['explore', '--scenario', litmus], /^ptefuzz: --minimize-schedules does not apply to .*MP\+wmb\+rmb\.litmus/m],
      [
        ['matrix', '--scenario', 's2-pae-zap-reestablish'],
        /^ptefuzz: --minimize-schedules applies with --crashes only/m,
      ],
    ] as const) {
      expectOneLineError(await cliInProcess([...args, '--minimize-schedules', '8']), msg);
    }
  });
});
