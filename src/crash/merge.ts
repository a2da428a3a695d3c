import { lstatSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { CrashFile } from './format';
import { CRASH_FORMAT, CRASH_VERSIONS, CrashFileError, decodeCrash } from './format';
import { crashFileName } from './fingerprint';
import {
  CORPUS_FORMAT,
  CORPUS_VERSION,
  corpusFileName,
  corpusFolderName,
  decodeCorpusEntry,
  formatOf,
  versionOf,
} from './corpus-store';
import {
  checkOutputFolder,
  emptyPathError,
  fsReason,
  legacyTwin,
  listFolder,
  makeFolder,
  writeFileAtomic,
} from './store';

export interface MergeCounts {
  crashes: { added: number; duplicate: number };
  corpus: { added: number; duplicate: number };
  rejected: number;
  /** files already in `out` under a merged file's name that did not load (truncated, …): replaced, counted in `added` */
  replaced: number;
}

/**
 * Merge crash folders and corpus folders (e.g. the shards of a campaign) into
 * `out`: every `*.msgpack` below each input is loaded and goes where its
 * content says — a crash file to `out/<scenario>.<reader>.<contract>.<model>.<class>.<fingerprint>.msgpack`,
 * a corpus entry to `out/<scenario>.<reader>.<contract>.<model>/<sha256[0:16]>.msgpack`.
 * A name already in `out` (there before, or from an earlier input) is a
 * duplicate and left as it is: crash files with the same fingerprint collapse
 * into the first one, as in a campaign — a crash file kept in `out` under its
 * legacy name (legacyTwin) too, and a legacy-named input is written under the new name. A file that does not load, or a
 * folder that cannot be listed, is reported through `onReject` and skipped. Writes are atomic; inputs are
 * taken in argument order, files in name order, so a merge is deterministic.
 */
export function mergeFolders(
  out: string,
  inputs: readonly string[],
  onReject: (e: CrashFileError) => void,
  onReplace?: (e: CrashFileError) => void,
): MergeCounts {
  if (out === '') throw emptyPathError('the output folder OUT');
  for (const dir of inputs) {
    if (dir === '') throw emptyPathError('a crash or corpus folder');
    let st;
    try {
      st = statSync(dir);
    } catch {
      throw new CrashFileError(dir, 'no such folder');
    }
    if (!st.isDirectory()) throw new CrashFileError(dir, 'not a folder (merge takes crash or corpus folders)');
  }
  const counts: MergeCounts = {
    crashes: { added: 0, duplicate: 0 },
    corpus: { added: 0, duplicate: 0 },
    rejected: 0,
    replaced: 0,
  };
  checkOutputFolder(out, 'merge: OUT');
  try {
    makeFolder(out);
  } catch (e) {
    throw new CrashFileError(out, `cannot create the folder (${fsReason(e)})`);
  }
  const unlistable = (e: CrashFileError): void => {
    counts.rejected++;
    onReject(e);
  };
  for (const dir of inputs) {
    for (const file of msgpackFiles(dir, unlistable)) {
      let bytes: Buffer;
      let rel: string;
      let kind: 'crashes' | 'corpus';
      let crash: CrashFile | undefined;
      try {
        try {
          bytes = readFileSync(file);
        } catch (e) {
          throw new CrashFileError(file, `cannot read (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
        }
        if (formatOf(bytes) === CORPUS_FORMAT) {
          rel = `${corpusFolderName(decodeCorpusEntry(bytes, file))}/${corpusFileName(bytes)}`;
          kind = 'corpus';
        } else {
          crash = decodeCrash(bytes, file);
          rel = crashFileName(crash);
          kind = 'crashes';
        }
      } catch (e) {
        if (!(e instanceof CrashFileError)) throw e;
        counts.rejected++;
        onReject(e);
        continue;
      }
      const dest = join(out, rel);
      const there = existing(dest, kind);
      // the same finding kept in `out` under its legacy name (before names carried the contract) is the duplicate
      if (there === 'whole' || (there === 'none' && crash !== undefined && legacyTwin(out, crash) !== undefined)) {
        counts[kind].duplicate++;
        continue;
      }
      if (there instanceof CrashFileError) {
        // a folder (or a device, …) under the name: nothing to replace it with safely
        counts.rejected++;
        onReject(new CrashFileError(file, `not merged: ${there.message}`));
        continue;
      }
      if (there !== 'none') {
        // a truncated or overwritten file under the name must not swallow the good one as a "duplicate"
        counts.replaced++;
        onReplace?.(new CrashFileError(dest, `${there}; replaced by ${file}`));
      }
      try {
        makeFolder(dirname(dest));
        writeFileAtomic(dest, bytes);
      } catch (e) {
        throw new CrashFileError(dest, `cannot write (${fsReason(e)})`);
      }
      counts[kind].added++;
    }
  }
  return counts;
}

/**
 * What is in `out` under a merged file's name: nothing, a file that loads as the same kind (a
 * duplicate), a regular file that does not (why, in words: it is replaced), or something that is
 * not a regular file (a CrashFileError naming it: the merged file is rejected).
 */
function existing(dest: string, kind: 'crashes' | 'corpus'): 'none' | 'whole' | string | CrashFileError {
  let st;
  try {
    st = lstatSync(dest);
  } catch {
    return 'none';
  }
  if (!st.isFile() && !st.isSymbolicLink()) {
    const what = st.isDirectory() ? 'a folder' : 'not a regular file';
    return new CrashFileError(
      dest,
      `${what} is in the way (expected a ${kind === 'crashes' ? 'crash file' : 'corpus entry'} or nothing)`,
    );
  }
  let bytes: Buffer | undefined;
  try {
    bytes = readFileSync(dest);
    if (kind === 'crashes') decodeCrash(bytes, dest);
    else decodeCorpusEntry(bytes, dest);
    return 'whole';
  } catch (e) {
    // a file of a newer ptefuzz under the same name is the same bug (or entry), kept as it is
    const format = kind === 'crashes' ? CRASH_FORMAT : CORPUS_FORMAT;
    const newest = kind === 'crashes' ? Math.max(...CRASH_VERSIONS) : CORPUS_VERSION;
    if (bytes !== undefined && formatOf(bytes) === format && (versionOf(bytes) ?? 0) > newest) return 'whole';
    if (e instanceof CrashFileError) return e.reason;
    return `cannot read (${fsReason(e)})`;
  }
}

/**
 * Every `*.msgpack` below `dir`, depth first, in name order (temporary files
 * are skipped). A folder that cannot be listed goes to `onUnlistable` and is
 * skipped, as a file that does not load is.
 */
function msgpackFiles(dir: string, onUnlistable: (e: CrashFileError) => void): string[] {
  let ents;
  try {
    ents = listFolder(dir);
  } catch (e) {
    if (!(e instanceof CrashFileError)) throw e;
    onUnlistable(e);
    return [];
  }
  const out: string[] = [];
  for (const ent of ents.sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const p = join(dir, ent.name);
    if (ent.isDirectory()) out.push(...msgpackFiles(p, onUnlistable));
    else if (ent.isFile() && ent.name.endsWith('.msgpack')) out.push(p);
  }
  return out;
}
