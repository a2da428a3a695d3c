/**
 * What writeFileAtomic fsyncs. Every file is fsync'ed before its rename (whole or absent after a power loss);
 * the folder after the rename too (the rename durable), except for corpus entries: a cache the next campaign
 * re-finds, written by the thousand, where that second fsync costs more wall time than the fuzzing. `merge`
 * syncs each folder it wrote corpus entries into once, at its end. openSync and fsyncSync are wrapped to
 * record the path behind each fsync'ed descriptor.
 */
import type * as fs from 'node:fs';
import { mkdirSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, test, vi } from 'vitest';
import {
  FileCorpusStore,
  corpusFolderName,
  encodeCorpusEntry,
  loadCrash,
  mergeFolders,
  saveCrash,
  writeFileAtomic,
} from '../../src/crash';
import { ROOT } from '../support/cli';

const synced = vi.hoisted(() => ({ paths: [] as string[], open: new Map<number, string>() }));

vi.mock('node:fs', async (importOriginal) => {
  const real = await importOriginal<typeof fs>();
  const openSync = ((p: fs.PathLike, ...rest: unknown[]) => {
    const fd = (real.openSync as (p: fs.PathLike, ...r: unknown[]) => number)(p, ...rest);
    synced.open.set(fd, String(p));
    return fd;
  }) as typeof fs.openSync;
  const fsyncSync = ((fd: number) => {
    synced.paths.push(synced.open.get(fd) ?? `fd ${fd}`);
    real.fsyncSync(fd);
  }) as typeof fs.fsyncSync;
  return { ...real, openSync, fsyncSync, default: { ...real, openSync, fsyncSync } };
});

const tmp = (): string => mkdtempSync(join(tmpdir(), 'ptefuzz-fsync-'));
/** The fsync'ed paths, a temporary file named by its final name + `.tmp`, a folder with a trailing `/`. */
const fsynced = (): string[] =>
  synced.paths.map((p) => (/\.tmp-\d+-\d+-\d+$/.test(p) ? p.replace(/-\d+-\d+-\d+$/, '') : `${p}/`));
const target = { scenario: 's2-pae-zap-reestablish', reader: 'ptep_get', contract: 'non-torn', model: 'sc' };

beforeEach(() => {
  synced.paths.length = 0;
});

describe('fsync policy', () => {
  test('writeFileAtomic: the file, then its folder; syncFolder: false, the file only', () => {
    const d = tmp();
    writeFileAtomic(join(d, 'a.msgpack'), 'a');
    writeFileAtomic(join(d, 'b.msgpack'), 'b', { syncFolder: false });
    expect(fsynced()).toEqual([join(d, 'a.msgpack.tmp'), `${d}/`, join(d, 'b.msgpack.tmp')]);
  });

  test('a crash file: file and folder; a corpus entry: its file only', () => {
    const d = tmp();
    const crash = loadCrash(
      join(ROOT, 'crashes', 's2-pae-zap-reestablish.ptep_get.non-torn.sc.torn.22b9400becc7.msgpack'),
    );
    const { path } = saveCrash(d, crash);
    const corpus = join(d, 'corpus');
    const store = new FileCorpusStore(corpus, () => undefined);
    store.save(target, [0, 1]);
    store.save(target, [1, 0]);
    const folder = join(corpus, corpusFolderName(target));
    expect(fsynced()).toEqual([
      `${path}.tmp`,
      `${d}/`,
      expect.stringContaining(folder),
      expect.stringContaining(folder),
    ]);
    expect(
      fsynced()
        .slice(2)
        .every((p) => p.endsWith('.msgpack.tmp')),
    ).toBe(true);
    expect(store.saved).toBe(2);
  });

  test('merge: every entry file, then each corpus folder once; a crash file with its folder', () => {
    const a = tmp();
    const folder = corpusFolderName(target);
    mkdirSync(join(a, folder));
    for (const trace of [[0], [1], [0, 1]])
      writeFileAtomic(join(a, folder, `${trace.join('-')}.msgpack`), encodeCorpusEntry(target, trace));
    const crash = loadCrash(
      join(ROOT, 'crashes', 's2-pae-zap-reestablish.ptep_get.non-torn.sc.torn.22b9400becc7.msgpack'),
    );
    saveCrash(a, crash);
    const out = join(tmp(), 'out');
    synced.paths.length = 0;
    const counts = mergeFolders(out, [a], (e) => {
      throw e;
    });
    expect([counts.corpus.added, counts.crashes.added]).toEqual([3, 1]);
    const paths = fsynced();
    const entries = paths.filter((p) => p.startsWith(join(out, folder) + '/') && p.endsWith('.msgpack.tmp'));
    expect(entries).toHaveLength(3);
    // the crash file's folder (OUT) right after it; the corpus folder once, last
    expect(paths.filter((p) => p === `${out}/`)).toHaveLength(1);
    expect(paths.filter((p) => p === `${join(out, folder)}/`)).toHaveLength(1);
    expect(paths.at(-1)).toBe(`${join(out, folder)}/`);
    expect(paths).toHaveLength(3 + 2 + 1);
    expect(statSync(join(out, folder)).isDirectory()).toBe(true);
  });
});
