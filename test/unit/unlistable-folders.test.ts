/**
 * A folder that cannot be listed (EACCES, EIO, a file where a folder should
 * be, a folder removed between stat and readdir) is one line naming it and
 * why, for every reader of folders: merge, crash-path expansion (replay,
 * minimize) and the corpus. Tests run as root, where chmod cannot deny a
 * listing, so readdirSync is made to fail with EIO on folders named `*.eio`.
 */
import type * as fs from 'node:fs';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { describe, expect, test, vi } from 'vitest';
import {
  CrashFileError,
  FileCorpusStore,
  corpusFileName,
  encodeCorpusEntry,
  expandCrashPaths,
  listFolder,
  mergeFolders,
} from '../../src/crash';
import { ROOT } from '../support/cli';
import { runInProcess } from '../support/self-fuzz';

vi.mock('node:fs', async (importOriginal) => {
  const real = await importOriginal<typeof fs>();
  const readdirSync = ((p: fs.PathLike, o?: unknown) => {
    if (basename(String(p)).endsWith('.eio') && real.existsSync(p))
      throw Object.assign(new Error(`EIO: i/o error, scandir '${String(p)}'`), { code: 'EIO' });
    return (real.readdirSync as (p: fs.PathLike, o?: unknown) => unknown)(p, o);
  }) as typeof fs.readdirSync;
  return { ...real, readdirSync, default: { ...real, readdirSync } };
});

const tmp = (): string => mkdtempSync(join(tmpdir(), 'ptefuzz-unlistable-'));
const messageOf = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    if (e instanceof CrashFileError) return e.message;
    throw e;
  }
  throw new Error('no error');
};

describe('a folder that cannot be listed: one line naming it and why', () => {
  test('listFolder on a file: not a folder (ENOTDIR)', () => {
    const f = join(tmp(), 'file');
    writeFileSync(f, 'x');
    expect(messageOf(() => listFolder(f))).toBe(`${f}: cannot list the folder (not a folder, ENOTDIR)`);
  });

  test('expandCrashPaths (replay, minimize)', () => {
    const d = join(tmp(), 'crashes.eio');
    mkdirSync(d);
    expect(messageOf(() => expandCrashPaths([d]))).toBe(`${d}: cannot list the folder (EIO)`);
  });

  test('merge: the folder is reported and skipped, as a file that does not load; the rest is merged', () => {
    const input = tmp();
    const good = readdirSync(join(ROOT, 'crashes')).find((f) => f.endsWith('.msgpack'))!;
    copyFileSync(join(ROOT, 'crashes', good), join(input, good));
    mkdirSync(join(input, 'shard.eio'));
    const out = join(tmp(), 'out');
    const rejected: string[] = [];
    const c = mergeFolders(out, [input], (e) => rejected.push(e.message));
    expect(rejected).toEqual([`${join(input, 'shard.eio')}: cannot list the folder (EIO)`]);
    expect(c.rejected).toBe(1);
    expect(c.crashes.added).toBe(1);
  });

  test('the corpus: a target folder that cannot be listed, or a file in its place, stops the campaign', () => {
    const dir = tmp();
    const store = new FileCorpusStore(dir, () => undefined);
    const t = { scenario: 's', reader: 'r', contract: 'c', model: 'eio' };
    expect(store.poll(t)).toEqual([]); // not created yet: no entries
    mkdirSync(join(dir, 's.r.c.eio'));
    expect(messageOf(() => store.poll(t))).toBe(`${join(dir, 's.r.c.eio')}: cannot list the folder (EIO)`);
    writeFileSync(join(dir, 's.r.c.sc'), 'a file where a folder should be');
    expect(messageOf(() => store.poll({ ...t, model: 'sc' }))).toBe(
      `${join(dir, 's.r.c.sc')}: not a folder (the corpus keeps each target's entries in a folder of this name: move the file away)`,
    );
    // saving (the file appeared after the folder was polled): the same line
    const fresh = new FileCorpusStore(dir, () => undefined);
    expect(messageOf(() => fresh.save({ ...t, model: 'sc' }, [0, 1]))).toBe(
      `${join(dir, 's.r.c.sc')}: not a folder (the corpus keeps each target's entries in a folder of this name: move the file away)`,
    );
  });

  test('merge --distill does not read OUT’s folder of a target it cannot resolve: its new entries are merged whole', async () => {
    const key = { scenario: 'not-built-in', reader: 'ptep_get', contract: 'non-torn', model: 'eio' };
    const folder = 'not-built-in.ptep_get.non-torn.eio';
    const input = tmp();
    const bytes = encodeCorpusEntry(key, [0, 1]);
    writeFileSync(join(input, 'entry.msgpack'), bytes);
    const out = tmp();
    mkdirSync(join(out, folder)); // listing it fails (EIO)
    const r = await runInProcess(['merge', '--distill', out, input]);
    expect(r.stderr).toBe(
      `ptefuzz: warning: ${join(input, 'entry.msgpack')}: cannot distill ${folder} (scenario "not-built-in" is not built in (a .scn scenario's corpus entries record only its name: give the file with --scenario FILE.scn)); its 1 new entries are merged whole\n`,
    );
    expect(r.code).toBe(0);
    expect(readFileSync(join(out, folder, corpusFileName(bytes)))).toEqual(bytes);
  });
});
