import {
  closeSync,
  existsSync,
  fsyncSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import type { Dirent } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { threadId } from 'node:worker_threads';
import { byCodeUnit } from '../machine';
import type { CrashFile } from './format';
import { CrashFileError, decodeCrash, encodeCrash } from './format';
import { crashFileName, fingerprint, legacyCrashFileName } from './fingerprint';
import { notARegularFile } from './regular-file';

let tmpCounter = 0;

/**
 * The temporary names of writeFileAtomic: `<final name>.tmp-<pid>-<thread>-<n>`.
 * They never end in `.msgpack` (or any name a loader looks for), so a
 * leftover of a killed process is never loaded as a crash file or corpus entry.
 */
export const TEMP_NAME = /\.tmp-\d+-\d+-\d+$/;

/**
 * Write a file atomically: a temporary name in the same folder, written,
 * fsync'ed, then renamed over the final name, so a crash, a SIGKILL or a
 * power loss leaves either no file or the whole file, never a truncated one.
 * The temporary name is unique per process, thread and call (opened with
 * O_EXCL): worker threads share a pid, and two of them writing the same
 * content-addressed name at once must not write into one temporary file.
 * On a write error the temporary file is removed and the error rethrown.
 *
 * `syncFolder: false` leaves out the folder's fsync (the rename's durability): after a power loss the file may
 * be missing, never truncated. Corpus entries are written so — a cache the next campaign re-finds, written by the
 * thousand, where that fsync costs more wall time than the fuzzing —, and `merge` syncs each folder it wrote
 * entries into once, at its end (syncFolder below).
 */
export function writeFileAtomic(
  given: string,
  data: Uint8Array | string,
  opts: { readonly syncFolder?: boolean } = {},
): void {
  let path = given;
  const st = statOrUndefined(given, lstatSync);
  if (st?.isSymbolicLink()) {
    // write what the link points to, and keep the link (a dangling link is replaced)
    const target = statOrUndefined(given, statSync);
    if (target !== undefined) path = realpathSync(given);
  }
  const target = statOrUndefined(path, statSync);
  if (target !== undefined && !target.isFile() && !target.isDirectory()) {
    // a device, FIFO or socket (`--html /dev/stdout`): a stream, nothing to make atomic —
    // and renaming over it would replace the device node itself
    writeFileSync(path, data);
    return;
  }
  const tmp = `${path}.tmp-${process.pid}-${threadId}-${tmpCounter++}`;
  const fd = openSync(tmp, 'wx');
  try {
    try {
      writeFileSync(fd, data);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (e) {
    try {
      unlinkSync(tmp);
    } catch {
      // already renamed or never created: nothing to clean
    }
    throw e;
  }
  if (opts.syncFolder !== false) syncFolder(dirname(path));
}

function statOrUndefined(path: string, stat: typeof statSync): ReturnType<typeof statSync> | undefined {
  try {
    // a missing path (every new corpus entry) answers undefined without an exception object and its stack
    return stat(path, { throwIfNoEntry: false });
  } catch {
    return undefined;
  }
}

/** Why a file-system call failed, in words (with the errno code). */
export function fsReason(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  const words: Record<string, string> = {
    EEXIST: 'a file is in the way',
    ENOTDIR: 'a file is in the way',
    EISDIR: 'is a folder',
    EACCES: 'permission denied',
    EPERM: 'operation not permitted',
    EROFS: 'read-only file system',
    ENOSPC: 'no space left on the device',
    EDQUOT: 'disk quota exceeded',
    EFBIG: 'file too large (a file size limit: ulimit -f)',
    ENOENT: 'no such file or folder',
    ENAMETOOLONG: 'name too long',
  };
  if (code === undefined) return e instanceof Error ? e.message : String(e);
  return words[code] !== undefined ? `${words[code]}, ${code}` : code;
}

/**
 * The entries of folder `dir`. A folder that cannot be listed (EACCES, EIO,
 * a file where the folder should be, a folder removed since it was seen) is
 * a CrashFileError naming it and why — one line, not a stack trace;
 * `missingIsEmpty`: a folder not created yet has no entries.
 */
export function listFolder(dir: string, o: { readonly missingIsEmpty?: boolean } = {}): Dirent[] {
  try {
    return readdirSync(dir, { withFileTypes: true });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && o.missingIsEmpty === true) return [];
    throw new CrashFileError(
      dir,
      `cannot list the folder (${code === 'ENOTDIR' ? 'not a folder, ENOTDIR' : fsReason(e)})`,
    );
  }
}

/**
 * Check that `dir` is a folder or can be created as one (every existing
 * ancestor is a folder), without creating it: an output flag (`--crashes`,
 * `--corpus`, merge's OUT) pointing at a file fails before a campaign runs,
 * as one line naming the flag.
 */
export function checkOutputFolder(dir: string, flag: string): void {
  let p = resolve(dir);
  for (;;) {
    const st = statOrUndefined(p, statSync);
    if (st !== undefined) {
      if (st.isDirectory()) return;
      const what = p === resolve(dir) ? 'is not a folder' : `cannot be created: ${p} is not a folder`;
      throw new CrashFileError(`${flag} ${dir}`, `${what} (expected a folder or a new path)`);
    }
    const up = dirname(p);
    if (up === p) return;
    p = up;
  }
}

/**
 * `mkdir -p`, one level at a time. Node's `mkdirSync(dir, { recursive: true })`
 * loops forever where mkdir answers ENOENT under a parent that exists (procfs,
 * sysfs: `--crashes /proc/x` hung, deaf to SIGTERM); here every level is tried
 * once and the first error is thrown. A level another process creates
 * meanwhile (EEXIST) is fine.
 */
export function makeFolder(dir: string): void {
  const missing: string[] = [];
  for (let p = resolve(dir); !existsSync(p);) {
    missing.push(p);
    const up = dirname(p);
    if (up === p) break;
    p = up;
  }
  for (const p of missing.reverse()) {
    try {
      mkdirSync(p);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
}

/** Make the renames into folder `dir` durable (best effort: not every platform or file system can fsync a folder). */
export function syncFolder(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // EISDIR/EPERM/EINVAL on some platforms: the rename is still atomic
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * Remove leftover temporary files of writeFileAtomic (a process killed between
 * write and rename) in `dir` and its immediate subfolders (the corpus's target
 * folders) whose modification time is older than `maxAgeMs` before `now`: a
 * live writer holds its temporary file for milliseconds, and folders may be
 * shared by processes on other machines, so age — not the pid — decides.
 * Returns the number removed; a missing folder or a file that vanished is not
 * an error.
 */
export function removeStaleTemps(dir: string, now: number, maxAgeMs: number): number {
  let removed = 0;
  const sweep = (d: string, depth: number): void => {
    let ents;
    try {
      ents = readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const ent of ents) {
      const p = join(d, ent.name);
      if (ent.isDirectory()) {
        if (depth === 0) sweep(p, 1);
      } else if (ent.isFile() && TEMP_NAME.test(ent.name)) {
        try {
          if (now - statSync(p).mtimeMs >= maxAgeMs) {
            unlinkSync(p);
            removed++;
          }
        } catch {
          // removed by another process meanwhile
        }
      }
    }
  };
  sweep(dir, 0);
  return removed;
}

/**
 * Save a crash file; returns its path and whether it is new (not a duplicate).
 * A crash file already under its fingerprint name (an earlier campaign's) is
 * kept, and so is one under its legacy name (legacyTwin: same fingerprint,
 * written before names carried the contract) — its path is returned; a file there that is no readable crash file (truncated, overwritten)
 * is replaced, so the path returned always replays.
 */
export function saveCrash(
  dir: string,
  c: CrashFile,
  /** paths this process wrote as stand-ins (an interrupted explore's unminimized witnesses): replaced, not kept */
  replace?: ReadonlySet<string>,
): { path: string; fresh: boolean } {
  const path = join(dir, crashFileName(c));
  try {
    makeFolder(dir);
    if (replace?.has(path) !== true) {
      if (existsSync(path)) {
        if (loadIfCrash(path) !== undefined) return { path, fresh: false };
      } else {
        // the same finding kept under its legacy name (an older ptefuzz's file) is the duplicate: kept, no second file
        const legacy = legacyTwin(dir, c);
        if (legacy !== undefined) return { path: legacy, fresh: false };
      }
    }
    writeFileAtomic(path, encodeCrash(c));
  } catch (e) {
    throw new CrashFileError(dir, `cannot write the crash file ${crashFileName(c)} (${fsReason(e)})`);
  }
  return { path, fresh: true };
}

/**
 * The crash file of `c`'s fingerprint kept in `dir` under its legacy name (legacyCrashFileName:
 * written before crash file names carried the contract): its path when the file there loads and
 * has the same fingerprint; undefined when there is none, it does not load, or it is another finding.
 */
export function legacyTwin(dir: string, c: Parameters<typeof fingerprint>[0]): string | undefined {
  const path = join(dir, legacyCrashFileName(c));
  const there = loadIfCrash(path);
  return there !== undefined && fingerprint(there) === fingerprint(c) ? path : undefined;
}

/** The crash file at `path`, or undefined when there is none that loads (a duplicate's name may hold garbage). */
export function loadIfCrash(path: string): CrashFile | undefined {
  try {
    return loadCrash(path);
  } catch {
    return undefined;
  }
}

/** An argument that names no path at all (`''`): shown as the shell spells it. */
export function emptyPathError(expected: string): CrashFileError {
  return new CrashFileError("''", `an empty path was given (expected ${expected})`);
}

export function loadCrash(path: string): CrashFile {
  if (path === '') throw emptyPathError('a crash file');
  let buf: Buffer;
  try {
    // a FIFO would wait for a writer for ever, a device such as /dev/zero never end
    const kind = notARegularFile(path);
    if (kind !== undefined && kind !== 'a folder')
      throw new CrashFileError(path, `${kind}, not a regular file (expected a crash file)`);
    buf = readFileSync(path);
  } catch (e) {
    if (e instanceof CrashFileError) throw e;
    if ((e as NodeJS.ErrnoException).code === 'EISDIR') {
      throw new CrashFileError(
        path,
        'a folder, not a crash file (show takes one crash file; replay and minimize take folders)',
      );
    }
    throw new CrashFileError(path, `cannot read (${fsReason(e)})`);
  }
  return decodeCrash(buf, path);
}

/** Why a path given on the command line cannot be used, in words. */
function missingReason(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file or folder';
  if (code === 'ENOTDIR') return 'no such file or folder (a part of the path is a file, ENOTDIR)';
  return `cannot read (${fsReason(e)})`;
}

/** What expandCrashPaths tells its caller about the folders it searches. */
export interface CrashPathsOptions {
  /** a folder given with no crash file in it or below: the caller says so instead of reporting a vacuous pass */
  readonly onEmptyFolder?: (dir: string) => void;
  /** true: a file found in a folder is not a crash file to take (a corpus entry); `dir` is the folder given */
  readonly skip?: (path: string, dir: string) => boolean;
}

/**
 * Expand files and folders into the crash files they name: a file as given; a folder, every
 * `*.msgpack` in it or below — depth first, each folder's entries in name order, so the order is
 * the same on every machine (`out/` takes the files of every `out/shard-N/crashes`). A
 * symbolic link to a folder is not followed (no cycle); a folder below that cannot be listed is a
 * CrashFileError, as the one given is. `skip` drops files found in folders; a folder given that
 * yields none goes to `onEmptyFolder`. A file reached twice (a folder given twice, or a file and its folder) is taken
 * once, where it was first reached.
 */
export function expandCrashPaths(paths: readonly string[], o: CrashPathsOptions = {}): string[] {
  const out: string[] = [];
  for (const p of paths) {
    if (p === '') throw emptyPathError('a crash file or a folder of crash files');
    let st;
    try {
      st = statSync(p);
    } catch (e) {
      throw new CrashFileError(p, missingReason(e));
    }
    if (st.isDirectory()) {
      const found = msgpackBelow(p).filter((f) => o.skip?.(f, p) !== true);
      out.push(...found);
      if (found.length === 0) o.onEmptyFolder?.(p);
    } else out.push(p);
  }
  // a file named twice (`replay c c`, `replay c c/x.msgpack`) is one file: replayed, counted, minimized once
  const seen = new Set<string>();
  return out.filter((f) => {
    const key = resolve(f);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * Every `*.msgpack` in `dir` or below that `take` accepts, depth first, entries in name (code unit) order;
 * subfolders are searched, symbolic links to folders are not (see `take`). A folder that cannot be listed
 * is a CrashFileError — or, with `onUnlistable` (merge), reported there and skipped.
 */
export function msgpackBelow(
  dir: string,
  o: {
    readonly onUnlistable?: (e: CrashFileError) => void;
    /** default: a regular file, or a link to one (not to a folder), or anything else named so: loaded, and said */
    readonly take?: (ent: Dirent, path: string) => boolean;
  } = {},
): string[] {
  const take = o.take ?? ((ent: Dirent, path: string) => !isFolderLink(ent, path));
  let entries: Dirent[];
  try {
    entries = listFolder(dir);
  } catch (e) {
    if (!(e instanceof CrashFileError) || o.onUnlistable === undefined) throw e;
    o.onUnlistable(e);
    return [];
  }
  const out: string[] = [];
  for (const ent of entries.sort((a, b) => byCodeUnit(a.name, b.name))) {
    const path = join(dir, ent.name);
    if (ent.isDirectory()) out.push(...msgpackBelow(path, o));
    else if (ent.name.endsWith('.msgpack') && take(ent, path)) out.push(path);
  }
  return out;
}

/** A symbolic link to a folder (not followed: a link to an ancestor would loop). */
function isFolderLink(ent: Dirent, path: string): boolean {
  return ent.isSymbolicLink() && statOrUndefined(path, statSync)?.isDirectory() === true;
}
