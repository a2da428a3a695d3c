/**
 * A scenario file edited between two campaigns into one `--crashes` folder (crash/format.ts `scenario.program`).
 * Before crash files recorded the program, the second campaign reported its finding in the first campaign's file —
 * same name, same reader, contract, model, class and logical values read — whose `show` drew the old program's
 * values.
 */
import { copyFileSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { decodeCrash } from '../../src/crash';
import { ROOT, cli, cliInProcess, hasStackTrace } from '../support/cli';

interface Summary {
  divergences: { class: string; file: string }[];
}

describe('a campaign on an edited scenario file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ptefuzz-edited-'));
  const scn = join(dir, 'faults.scn');
  const crashes = join(dir, 'crashes');
  copyFileSync(join(ROOT, 'test', 'fixtures', 'pae-fault-ptl.scn'), scn);
  const fuzz = (jobs: string): string[] => [
    ...'fuzz --reader ptep_get --model weak --engine random --runs 1500 --seed 1 --json'.split(' '),
    ...['--scenario', scn, '--crashes', crashes, '--jobs', jobs],
  ];
  const files = (): string[] => readdirSync(crashes).sort();
  const reported = (stdout: string): string[] => (JSON.parse(stdout) as Summary).divergences.map((d) => d.file);
  let first = '';
  let firstBytes: Buffer = Buffer.alloc(0);

  test('the first campaign writes one file, which records the program', () => {
    const r = cli(fuzz('1'));
    expect(hasStackTrace(r.stderr)).toBe(false);
    expect(r.code).toBe(1);
    expect(files().length).toBe(1);
    first = files()[0]!;
    firstBytes = readFileSync(join(crashes, first));
    expect(decodeCrash(firstBytes, first).scenario.program).toMatch(/^[0-9a-f]{16}$/);
    expect(reported(r.stdout)).toEqual([join(crashes, first)]);
  });

  test('comments, the title and an expect clause edited: the same program, the same file', async () => {
    const src = readFileSync(scn, 'utf8');
    const edited = src
      .replace(/^# Two anonymous/m, '# Edited. Two anonymous')
      .replace(/^title .*$/m, 'title "renamed"')
      .replace('reader ptep_get_lockless expect correct', 'reader ptep_get_lockless expect benign');
    expect(edited).not.toBe(src);
    writeFileSync(scn, edited);
    const r = await cliInProcess(fuzz('1'));
    expect(r.code).toBe(1);
    expect(files()).toEqual([first]);
    expect(reported(r.stdout)).toEqual([join(crashes, first)]);
    expect(readFileSync(join(crashes, first)).equals(firstBytes)).toBe(true);
  });

  test('a value edited: the finding is a file of its own, holding the edited program (also with --jobs 2)', async () => {
    const src = readFileSync(scn, 'utf8');
    const edited = src.replace('{0x00010002:0x00020067}', '{0x00010002:0x00040067}');
    expect(edited).not.toBe(src);
    writeFileSync(scn, edited);
    for (const jobs of ['1', '2']) {
      const r = await cliInProcess(fuzz(jobs));
      expect(hasStackTrace(r.stderr)).toBe(false);
      expect(r.code).toBe(1);
      expect(files().length).toBe(2);
      const second = files().find((f) => f !== first)!;
      expect(second).toMatch(/^pae-fault-ptl\.ptep_get\.non-torn\.weak\.torn\.[0-9a-f]{12}\.msgpack$/);
      expect(reported(r.stdout)).toEqual([join(crashes, second)]);
      const c = decodeCrash(readFileSync(join(crashes, second)), second);
      expect(c.scenario.text).toContain('0x00040067');
      expect(c.scenario.text).not.toContain('0x00020067');
      expect(c.scenario.program).not.toBe(decodeCrash(firstBytes, first).scenario.program);
    }
    // the old program's file is left as it was
    expect(readFileSync(join(crashes, first)).equals(firstBytes)).toBe(true);
  });

  test('both files replay, each on the program it stores', async () => {
    const r = await cliInProcess(['replay', crashes]);
    expect(r.code).toBe(0);
    expect(r.stdout.match(/^REPRODUCED /gm)?.length).toBe(2);
  });
});
