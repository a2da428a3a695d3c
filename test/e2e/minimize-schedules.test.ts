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
      /^MINIMIZED .*: trace 8 → \d+ choices, .*dropped from cpu B "zap \+ re-establish": set_pte\(pte, \{0x00010002:0x00020067\}, barriers=false\); \d+ predicate evaluations \(\d+ in the schedule search, \d+ by the controls\); schedule search: dropped from cpu B "zap \+ re-establish": set_pte\(pte, \{0x00010002:0x00020067\}, barriers=false\) after \d+ schedule\(s\); refused \(schedule search\): dropped from cpu B "zap \+ re-establish": pte_clear\(pte, barriers=false\) \(ptep_get_atomic64, which the scenario expects correct, fails on it the same way after \d+ schedule\(s\): the reduction, not the reader\); renamed to /m,
    );
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
