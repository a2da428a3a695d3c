/**
 * Legacy crash file names (`SCENARIO.READER.MODEL.CLASS.FP12.msgpack`, before the contract was
 * in the name) through the CLI: a campaign, `merge` and `minimize` over folders holding them.
 */
import { copyFileSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { ROOT, cli, cliInProcess, hasStackTrace } from '../support/cli';

const S2 = 's2-pae-zap-reestablish.ptep_get.non-torn.sc.torn.22b9400becc7.msgpack';
const S2_LEGACY = 's2-pae-zap-reestablish.ptep_get.sc.torn.22b9400becc7.msgpack';
const COMMITTED = readFileSync(join(ROOT, 'crashes', S2));
const tmp = (): string => mkdtempSync(join(tmpdir(), 'ptefuzz-names-'));
const CAMPAIGN = ['--scenario', 's2-pae-zap-reestablish', '--reader', 'ptep_get', '--model', 'sc'];
const FUZZ = ['fuzz', ...CAMPAIGN, '--engine', 'random', '--runs', '200', '--seed', '1', '--json'];

interface Summary {
  divergences: { class: string; file: string; hits: number }[];
}

describe('a campaign over a folder holding its finding under the legacy name', () => {
  test('into an empty folder, the campaign writes the new name (the file the next test finds under its old name)', () => {
    const dir = tmp();
    const r = cli([...FUZZ, '--crashes', dir]);
    expect(r.code).toBe(1);
    expect(readdirSync(dir)).toEqual([S2]);
  });

  // the campaign above as a process; the other commands of this file in this process
  for (const jobs of ['1', '2']) {
    test(`fuzz --jobs ${jobs}: no new file; the legacy file is kept and named as the finding's file`, async () => {
      const dir = tmp();
      copyFileSync(join(ROOT, 'crashes', S2), join(dir, S2_LEGACY));
      const r = await cliInProcess([...FUZZ, '--jobs', jobs, '--crashes', dir]);
      expect(hasStackTrace(r.stderr)).toBe(false);
      expect(r.code).toBe(1);
      expect(readdirSync(dir)).toEqual([S2_LEGACY]);
      expect(readFileSync(join(dir, S2_LEGACY))).toEqual(COMMITTED);
      const sum = JSON.parse(r.stdout) as Summary;
      expect(sum.divergences.map((d) => d.file)).toEqual([join(dir, S2_LEGACY)]);
    });
  }

  test('explore: no new file either', async () => {
    const dir = tmp();
    copyFileSync(join(ROOT, 'crashes', S2), join(dir, S2_LEGACY));
    const r = await cliInProcess(['explore', ...CAMPAIGN, '--bound', '1', '--crashes', dir]);
    expect(r.code).toBe(1);
    expect(readdirSync(dir)).toEqual([S2_LEGACY]);
    expect(r.stdout).toContain(`replay ${join(dir, S2_LEGACY)}`);
  });
});

describe('merge and legacy names', () => {
  test('a legacy-named file and its new-named twin merge into one file, under the new name', async () => {
    const a = tmp();
    const b = tmp();
    copyFileSync(join(ROOT, 'crashes', S2), join(a, S2_LEGACY));
    copyFileSync(join(ROOT, 'crashes', S2), join(b, S2));
    for (const inputs of [
      [a, b],
      [b, a],
    ]) {
      const out = join(tmp(), 'out');
      const r = await cliInProcess(['merge', out, ...inputs]);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('1 new, 1 duplicate');
      expect(readdirSync(out)).toEqual([S2]);
      expect(readFileSync(join(out, S2))).toEqual(COMMITTED);
    }
  });

  test('into an OUT that holds the finding under its legacy name: a duplicate, nothing written', async () => {
    const out = tmp();
    const b = tmp();
    copyFileSync(join(ROOT, 'crashes', S2), join(out, S2_LEGACY));
    copyFileSync(join(ROOT, 'crashes', S2), join(b, S2));
    const r = await cliInProcess(['merge', out, b]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('0 new, 1 duplicate');
    expect(readdirSync(out)).toEqual([S2_LEGACY]);
  });
});

describe('minimize and legacy names', () => {
  test('an already minimal legacy-named file is renamed to the new name, bytes unchanged', async () => {
    const dir = tmp();
    copyFileSync(join(ROOT, 'crashes', S2), join(dir, S2_LEGACY));
    const r = await cliInProcess(['minimize', dir]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const line = r.stdout.split('\n')[0]!;
    expect(line.startsWith(`RENAMED ${join(dir, S2_LEGACY)}: trace 2 → 2 choices, preemptions 1 → 1, `)).toBe(true);
    expect(line.endsWith(`; already minimal, legacy name renamed to ${join(dir, S2)}`)).toBe(true);
    expect(r.stdout).toContain(
      '1 crash file(s): 0 rewritten, 0 already minimal, 1 already minimal renamed from a legacy name, 0 not reproduced',
    );
    expect(readdirSync(dir)).toEqual([S2]);
    expect(readFileSync(join(dir, S2))).toEqual(COMMITTED);
  });

  test('a legacy-named file next to its new-named twin: one file is left, the new name', async () => {
    const dir = tmp();
    copyFileSync(join(ROOT, 'crashes', S2), join(dir, S2_LEGACY));
    copyFileSync(join(ROOT, 'crashes', S2), join(dir, S2));
    const r = await cliInProcess(['minimize', dir]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`same fingerprint as ${join(dir, S2)}, which is the same file: removed`);
    expect(readdirSync(dir)).toEqual([S2]);
    expect(readFileSync(join(dir, S2))).toEqual(COMMITTED);
  });
});
