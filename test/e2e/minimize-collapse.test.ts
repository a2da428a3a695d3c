import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { crashFileName, decodeCrash, encodeCrash } from '../../src/crash';
import { cli, cliInProcess, ROOT } from '../support/cli';

/**
 * `ptefuzz minimize` rewrites a file under its fingerprint name; when two
 * files turn out to be one bug (e.g. written before a signature change made
 * them one), the folder keeps the lighter witness, whichever file comes first.
 * S8: the DBM CPU dirties pte1 (trace [1, 1]) or pte3 ([3, 1]) — one bug, and
 * [1, 1] is the lighter trace (smaller choices).
 */
describe('minimize: duplicates collapse into the lighter witness', () => {
  const dir = join(ROOT, 'crashes');
  const s8 = readdirSync(dir).find((f) =>
    f.startsWith('s8-contpte-set-access-flags.contpte_ptep_get_lockless.ad-relaxed.weak.livelock.'),
  )!;
  const template = decodeCrash(readFileSync(join(dir, s8)), s8);

  for (const [light, heavy] of [
    ['old signature A', 'old signature B'],
    ['old signature B', 'old signature A'],
  ] as const) {
    test(`lighter witness under "${light}", heavier under "${heavy}"`, async () => {
      const tmp = mkdtempSync(join(tmpdir(), 'ptefuzz-collapse-'));
      for (const [signature, trace] of [
        [light, [1, 1]],
        [heavy, [3, 1]],
      ] as const) {
        const c = { ...template, signature, trace: [...trace] };
        writeFileSync(join(tmp, crashFileName(c)), encodeCrash(c));
      }
      // in this process (the next test runs minimize as a process)
      const r = await cliInProcess(['minimize', tmp]);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const left = readdirSync(tmp);
      expect(left).toHaveLength(1);
      const kept = decodeCrash(readFileSync(join(tmp, left[0]!)), left[0]!);
      expect(kept.trace).toEqual([1, 1]);
      expect(kept.signature).toBe('pte0←v0 siblings←{v0,v1}');
      expect(r.stdout).toMatch(/which is lighter: removed|renamed to/);
    });
  }
});

describe('minimize: a file under the fingerprint name that is no crash file', () => {
  test('is replaced by the witness (not reported as the unreadable file being minimized)', () => {
    const name = 's2-pae-zap-reestablish.ptep_get.non-torn.sc.torn.22b9400becc7.msgpack';
    const tmp = mkdtempSync(join(tmpdir(), 'ptefuzz-collapse-'));
    writeFileSync(join(tmp, 'copy.msgpack'), readFileSync(join(ROOT, 'crashes', name)));
    writeFileSync(join(tmp, name), 'garbage\n');
    const r = cli(['minimize', join(tmp, 'copy.msgpack')]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`renamed to ${join(tmp, name)}`);
    expect(readdirSync(tmp)).toEqual([name]);
    expect(readFileSync(join(tmp, name))).toEqual(readFileSync(join(ROOT, 'crashes', name)));
  });
});

describe('minimize: a witness written before the drop-pairs pass', () => {
  test("loses the clear and the make that go only together, listed under one cpu B, and takes the new witness's name", async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'ptefuzz-pairs-'));
    const old = 's6-kvm-dirty-check.contpte_ptep_get.exact.weak.false-dirty.ab4a01b54f5d.msgpack';
    writeFileSync(join(tmp, old), readFileSync(join(ROOT, 'test', 'fixtures', 'crash-before-pairs.msgpack')));
    const r = await cliInProcess(['minimize', tmp]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      'dropped from cpu B "remap FolioB at pte0": __ptep_get_and_clear(pte[0]), __set_pte(pte[0], 0x0068000000080fc3); ',
    );
    const [left] = readdirSync(tmp);
    expect(left).not.toBe(old);
    const text = decodeCrash(readFileSync(join(tmp, left!)), left!).scenario.text!;
    expect(text).not.toMatch(/__ptep_get_and_clear|__set_pte\(/);
    // the file `fuzz --runs 20000 --seed 1` writes now
    expect(left).toBe('s6-kvm-dirty-check.contpte_ptep_get.exact.weak.false-dirty.3156adf09f90.msgpack');
  });
});
