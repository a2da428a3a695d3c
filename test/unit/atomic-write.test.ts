/**
 * writeFileAtomic (temporary name + fsync + rename) and the temporary files a
 * killed process can leave behind: loaders never pick them up, and a campaign
 * removes its own stale ones.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import {
  FileCorpusStore,
  TEMP_NAME,
  corpusFolderName,
  crashFileName,
  encodeCrash,
  expandCrashPaths,
  loadCrash,
  removeStaleTemps,
  saveCrash,
  writeFileAtomic,
} from '../../src/crash';

const tmp = (): string => mkdtempSync(join(tmpdir(), 'ptefuzz-atomic-'));

describe('writeFileAtomic', () => {
  test('writes the whole content under the final name and leaves no temporary file', () => {
    const d = tmp();
    writeFileAtomic(join(d, 'a.msgpack'), Buffer.from([1, 2, 3]));
    writeFileAtomic(join(d, 'a.msgpack'), 'replaced');
    expect(readdirSync(d)).toEqual(['a.msgpack']);
    expect(readFileSync(join(d, 'a.msgpack'), 'utf8')).toBe('replaced');
  });

  test('a failed write throws and leaves neither the final nor a temporary file', () => {
    const d = tmp();
    expect(() => writeFileAtomic(join(d, 'missing-folder', 'a.msgpack'), 'x')).toThrow(/ENOENT/);
    // the final name is a folder: the rename fails after the temporary file was written
    mkdirSync(join(d, 'b.msgpack'));
    writeFileSync(join(d, 'b.msgpack', 'inside'), '');
    expect(() => writeFileAtomic(join(d, 'b.msgpack'), 'x')).toThrow();
    expect(readdirSync(d)).toEqual(['b.msgpack']);
  });

  test('temporary names match TEMP_NAME and never end in .msgpack', () => {
    expect(TEMP_NAME.test('s1.r.non-torn.sc.torn.0123456789ab.msgpack.tmp-4242-0-17')).toBe(true);
    expect(TEMP_NAME.test('s1.r.non-torn.sc.torn.0123456789ab.msgpack')).toBe(false);
    expect(TEMP_NAME.test('notes.tmp')).toBe(false);
  });
});

describe('leftover temporary files', () => {
  const target = { scenario: 's2-pae-zap-reestablish', reader: 'ptep_get', contract: 'non-torn', model: 'sc' };

  test('crash and corpus loaders ignore them', () => {
    const d = tmp();
    writeFileSync(join(d, 'x.ptep_get.non-torn.sc.torn.0123456789ab.msgpack.tmp-99999-0-3'), Buffer.from([0xc1, 0x00]));
    expect(expandCrashPaths([d])).toEqual([]);
    const folder = join(d, corpusFolderName(target));
    mkdirSync(folder);
    writeFileSync(join(folder, '0123456789abcdef.msgpack.tmp-99999-1-0'), 'half');
    const warnings: string[] = [];
    const store = new FileCorpusStore(d, (l) => warnings.push(l));
    expect(store.poll(target)).toEqual([]);
    expect(store.skipped).toBe(0);
    expect(warnings).toEqual([]);
  });

  test('removeStaleTemps removes old temporary files of the folder and its subfolders only', () => {
    const d = tmp();
    const sub = join(d, corpusFolderName(target));
    const deeper = join(sub, 'deeper');
    mkdirSync(deeper, { recursive: true });
    const files = {
      oldTop: join(d, 'a.msgpack.tmp-1-0-0'),
      oldSub: join(sub, 'b.msgpack.tmp-2-3-4'),
      fresh: join(d, 'c.msgpack.tmp-5-0-0'),
      entry: join(sub, '0123456789abcdef.msgpack'),
      notOurs: join(d, 'd.msgpack.tmp'),
      tooDeep: join(deeper, 'e.msgpack.tmp-6-0-0'),
    };
    for (const f of Object.values(files)) writeFileSync(f, 'x');
    const now = 2_000_000_000_000;
    const old = new Date(now - 11 * 60 * 1000);
    for (const f of [files.oldTop, files.oldSub, files.entry, files.notOurs, files.tooDeep]) utimesSync(f, old, old);
    const fresh = new Date(now - 1000);
    utimesSync(files.fresh, fresh, fresh);
    expect(removeStaleTemps(d, now, 10 * 60 * 1000)).toBe(2);
    expect(readdirSync(d).sort()).toEqual(['c.msgpack.tmp-5-0-0', 'd.msgpack.tmp', corpusFolderName(target)].sort());
    expect(readdirSync(sub).sort()).toEqual(['0123456789abcdef.msgpack', 'deeper']);
    expect(readdirSync(deeper)).toEqual(['e.msgpack.tmp-6-0-0']);
    expect(removeStaleTemps(join(d, 'no-such-folder'), now, 0)).toBe(0);
  });
});

describe('saveCrash: a file already under the fingerprint name', () => {
  const committed = join(
    __dirname,
    '..',
    '..',
    'crashes',
    's2-pae-zap-reestablish.ptep_get.non-torn.sc.torn.22b9400becc7.msgpack',
  );

  test('a crash file there (an earlier campaign’s) is kept, byte for byte', () => {
    const d = tmp();
    const c = loadCrash(committed);
    const path = join(d, crashFileName(c));
    const other = { ...c, seed: 'an earlier campaign' };
    writeFileSync(path, encodeCrash(other));
    expect(saveCrash(d, c)).toEqual({ path, fresh: false });
    expect(loadCrash(path).seed).toBe('an earlier campaign');
  });

  test('a file there that is no crash file (truncated, overwritten) is replaced, so the path replays', () => {
    const d = tmp();
    const c = loadCrash(committed);
    const path = join(d, crashFileName(c));
    writeFileSync(path, 'garbage\n');
    expect(saveCrash(d, c)).toEqual({ path, fresh: true });
    expect(readFileSync(path)).toEqual(encodeCrash(c));
    expect(readdirSync(d)).toEqual([crashFileName(c)]);
  });
});
