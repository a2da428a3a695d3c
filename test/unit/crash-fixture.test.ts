import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { Packr } from 'msgpackr';
import { CRASH_VERSION, CrashFileError, decodeCrash, encodeCrash } from '../../src/crash';
import { replayCrash } from '../../src/campaign';
import { builtinReaders } from '../../src/kernel';
import { cli, hasStackTrace } from '../support/cli';

const FIXTURE = join(__dirname, '..', 'fixtures', 'crash-v1.msgpack');
const bytes = readFileSync(FIXTURE);

/** Format stability (issue 5): a version-1 crash file written by an earlier ptefuzz keeps working. */
describe('crash file fixture, format version 1', () => {
  test('decodes', () => {
    const c = decodeCrash(bytes, FIXTURE);
    expect(c.format).toBe('ptefuzz-crash');
    expect(c.version).toBe(1);
    expect(CRASH_VERSION).toBe(1); // a bump needs a new fixture and a migration, not an edit of this one
    expect(c.scenario).toEqual({ name: 's1-pae-double-refault', source: 'builtin' });
    expect([c.reader, c.contract, c.model, c.verdict.class]).toEqual(['ptep_get_lockless', 'non-torn', 'sc', 'torn']);
    expect(c.trace.length).toBeGreaterThan(0);
  });
  test('replays its recorded verdict', () => {
    const c = decodeCrash(bytes, FIXTURE);
    const r = replayCrash(c, FIXTURE, builtinReaders());
    expect(r.observed).toBe(c.verdict.observed);
    expect(r.reproduced).toBe(true);
  });
  test('re-encodes to the same bytes', () => {
    expect(Buffer.compare(encodeCrash(decodeCrash(bytes, FIXTURE)), bytes)).toBe(0);
  });
  test('a newer version is refused with one line naming the file', () => {
    const p = new Packr({ useRecords: false });
    const newer = p.pack({ ...(p.unpack(bytes) as object), version: 2 });
    expect(() => decodeCrash(newer, 'crashes/future.msgpack')).toThrow(CrashFileError);
    expect(() => decodeCrash(newer, 'crashes/future.msgpack')).toThrow(
      'crashes/future.msgpack: unsupported crash file format version 2 (this ptefuzz reads version 1)',
    );
  });
  test('the CLI replays the fixture (exit 0)', () => {
    const r = cli(['replay', FIXTURE]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('REPRODUCED');
    expect(hasStackTrace(r.stdout + r.stderr)).toBe(false);
  });
  test('the CLI refuses a newer version: one line, exit 2', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ptefuzz-fixture-'));
    try {
      const p = new Packr({ useRecords: false });
      const file = join(dir, 'future.msgpack');
      writeFileSync(file, p.pack({ ...(p.unpack(bytes) as object), version: 2 }));
      const r = cli(['replay', file]);
      expect(r.code).toBe(2);
      expect(r.stderr).toBe(
        `ptefuzz: ${file}: unsupported crash file format version 2 (this ptefuzz reads version 1)\n`,
      );
      expect(hasStackTrace(r.stdout + r.stderr)).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
