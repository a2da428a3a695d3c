import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { crashFileName, decodeCrash, encodeCrash } from '../../src/crash';
import { cli, cliInProcess, ROOT } from '../support/cli';

/**
 * `ptefuzz minimize` rewrites a file under its fingerprint name; when two
 * files turn out to be one bug (two witnesses of one fingerprint, the one
 * under another name: copied, renamed), the folder keeps the lighter witness,
 * whichever file comes first. S8: the DBM CPU dirties pte1 (trace [1, 1]) or
 * pte3 ([3, 1]) — one bug, and [1, 1] is the lighter trace (smaller choices).
 */
describe('minimize: duplicates collapse into the lighter witness', () => {
  const dir = join(ROOT, 'crashes');
  const s8 = readdirSync(dir).find((f) =>
    f.startsWith('s8-contpte-set-access-flags.contpte_ptep_get_lockless.ad-relaxed.weak.livelock.'),
  )!;
  const template = decodeCrash(readFileSync(join(dir, s8)), s8);

  for (const [first, second] of [
    ['light', 'heavy'],
    ['heavy', 'light'],
  ] as const) {
    test(`the ${first} witness first, then the ${second} one`, async () => {
      const tmp = mkdtempSync(join(tmpdir(), 'ptefuzz-collapse-'));
      const trace = { light: [1, 1], heavy: [3, 1] };
      // both with the signature their replay gives (the same): one bug under two names
      writeFileSync(join(tmp, 'a-copy.msgpack'), encodeCrash({ ...template, trace: trace[first] }));
      writeFileSync(join(tmp, 'z-copy.msgpack'), encodeCrash({ ...template, trace: trace[second] }));
      // in this process (the next test runs minimize as a process)
      const r = await cliInProcess(['minimize', tmp]);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const left = readdirSync(tmp);
      expect(left).toEqual([crashFileName(template)]);
      const kept = decodeCrash(readFileSync(join(tmp, left[0]!)), left[0]!);
      expect(kept.trace).toEqual([1, 1]);
      expect(kept.signature).toBe('pte0←v0 siblings←{v0,v1}');
      expect(r.stdout).toMatch(/which is lighter: removed|renamed to/);
    });
  }

  test('a file whose signature is not the one its replay gives is left as it is: not reproduced, exit 1', async () => {
    // was: minimize rewrote it under the signature its replay gave — as the duplicate of the file already under
    // that name, it was removed (an edited file, or another bug's trace under this bug's name, lost that way)
    const tmp = mkdtempSync(join(tmpdir(), 'ptefuzz-collapse-'));
    const good = join(tmp, crashFileName(template));
    writeFileSync(good, encodeCrash(template));
    const other = { ...template, signature: 'pte0←v1 siblings←{v0,v1}', trace: [3, 1] };
    const bad = join(tmp, crashFileName(other));
    const bytes = encodeCrash(other);
    writeFileSync(bad, bytes);
    const r = await cliInProcess(['minimize', '--schedules', '0', tmp]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`NOT REPRODUCED ${bad}: recorded livelock `);
    expect(r.stdout).toContain(
      `with signature "pte0←v0 siblings←{v0,v1}", the file records "pte0←v1 siblings←{v0,v1}"`,
    );
    expect(r.stdout).toMatch(/: 0 rewritten, 1 already minimal, 1 not reproduced, 0 unreadable\n$/);
    expect(readdirSync(tmp).sort()).toEqual([bad, good].map((f) => f.slice(tmp.length + 1)).sort());
    expect(readFileSync(bad)).toEqual(bytes);
  });
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
