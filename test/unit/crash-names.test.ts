/**
 * Crash file names carry the contract (`SCENARIO.READER.CONTRACT.MODEL.CLASS.FP12.msgpack`, the
 * order of corpus folders); the fingerprint — the identity — does not change, and a file kept
 * under its legacy name (no contract) is the duplicate of the finding it stores.
 */
import { copyFileSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import type { CrashFile } from '../../src/crash';
import { crashFileName, fingerprint, legacyCrashFileName, legacyTwin, loadCrash, saveCrash } from '../../src/crash';

const CRASHES = join(__dirname, '..', '..', 'crashes');
// committed before the contract was in the name as s2-pae-zap-reestablish.ptep_get.sc.torn.22b9400becc7.msgpack
const S2 = 's2-pae-zap-reestablish.ptep_get.non-torn.sc.torn.22b9400becc7.msgpack';
const S2_LEGACY = 's2-pae-zap-reestablish.ptep_get.sc.torn.22b9400becc7.msgpack';
const S11 = 's11-pae-file-zap-early-rmap.ptep_get_atomic64.non-torn.tso.lost-dirty.3d05784c5eb2.msgpack';
const tmp = (): string => mkdtempSync(join(tmpdir(), 'ptefuzz-names-'));

describe('crash file names', () => {
  const s2 = loadCrash(join(CRASHES, S2));

  test('SCENARIO.READER.CONTRACT.MODEL.CLASS.FP12.msgpack; the legacy name has no contract; same fingerprint', () => {
    expect(crashFileName(s2)).toBe(S2);
    expect(legacyCrashFileName(s2)).toBe(S2_LEGACY);
    // the identity did not change with the name: the 12 digits of the name committed before
    expect(fingerprint(s2).slice(0, 12)).toBe('22b9400becc7');
  });

  test('the same reader, model and class under three contracts: three names, each saying its contract', () => {
    const names = ['exact', 'ad-relaxed', 'no-false-dirty'].map((contract) =>
      crashFileName({ ...s2, reader: 'ptep_get_atomic64', contract }),
    );
    expect(names.map((n) => n.split('.').slice(0, 5).join('.'))).toEqual([
      's2-pae-zap-reestablish.ptep_get_atomic64.exact.sc.torn',
      's2-pae-zap-reestablish.ptep_get_atomic64.ad-relaxed.sc.torn',
      's2-pae-zap-reestablish.ptep_get_atomic64.no-false-dirty.sc.torn',
    ]);
    expect(new Set(names).size).toBe(3);
  });

  test('a timeout file is named the same way (class timeout)', () => {
    const t = { ...s2, verdict: { kind: 'timeout', class: 'timeout', seconds: 1, step: 3, cpu: 0, detail: 'x' } };
    expect(crashFileName(t as CrashFile)).toMatch(
      /^s2-pae-zap-reestablish\.ptep_get\.non-torn\.sc\.timeout\.[0-9a-f]{12}\.msgpack$/,
    );
  });
});

describe('saveCrash and a file under the legacy name', () => {
  const s2 = loadCrash(join(CRASHES, S2));

  test('the same finding under its legacy name is the duplicate: kept, no second file', () => {
    const dir = tmp();
    copyFileSync(join(CRASHES, S2), join(dir, S2_LEGACY));
    expect(legacyTwin(dir, s2)).toBe(join(dir, S2_LEGACY));
    expect(saveCrash(dir, { ...s2, engine: 'pct', seed: '7' })).toEqual({ path: join(dir, S2_LEGACY), fresh: false });
    expect(readdirSync(dir)).toEqual([S2_LEGACY]);
    expect(readFileSync(join(dir, S2_LEGACY))).toEqual(readFileSync(join(CRASHES, S2)));
  });

  test('another finding under that legacy name, or a file that does not load, is no twin: the new name is written', () => {
    for (const bytes of [readFileSync(join(CRASHES, S11)), Buffer.from('garbage\n')]) {
      const dir = tmp();
      writeFileSync(join(dir, S2_LEGACY), bytes);
      expect(legacyTwin(dir, s2)).toBeUndefined();
      expect(saveCrash(dir, s2)).toEqual({ path: join(dir, S2), fresh: true });
      expect(readdirSync(dir).sort()).toEqual([S2, S2_LEGACY]);
      expect(readFileSync(join(dir, S2_LEGACY))).toEqual(bytes);
    }
  });

  test('a file under the new name wins over the legacy lookup (kept when it loads)', () => {
    const dir = tmp();
    copyFileSync(join(CRASHES, S2), join(dir, S2));
    copyFileSync(join(CRASHES, S2), join(dir, S2_LEGACY));
    expect(saveCrash(dir, s2)).toEqual({ path: join(dir, S2), fresh: false });
    expect(readdirSync(dir).sort()).toEqual([S2, S2_LEGACY]);
  });
});
