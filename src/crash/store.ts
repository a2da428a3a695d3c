import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { threadId } from 'node:worker_threads';
import type { CrashFile } from './format';
import { CrashFileError, decodeCrash, encodeCrash } from './format';
import { crashFileName } from './fingerprint';

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
 */
export function writeFileAtomic(path: string, data: Uint8Array | string): void {
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
  syncDir(dirname(path));
}

/** Make a rename durable (best effort: not every platform or file system can fsync a folder). */
function syncDir(dir: string): void {
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

/** Save a crash file; returns its path and whether it is new (not a duplicate). */
export function saveCrash(dir: string, c: CrashFile): { path: string; fresh: boolean } {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, crashFileName(c));
  if (existsSync(path)) return { path, fresh: false };
  writeFileAtomic(path, encodeCrash(c));
  return { path, fresh: true };
}

export function loadCrash(path: string): CrashFile {
  let buf: Buffer;
  try {
    buf = readFileSync(path);
  } catch (e) {
    throw new CrashFileError(path, `cannot read (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  return decodeCrash(buf, path);
}

/** Expand files and folders into the crash files they name (folders: *.msgpack, sorted). */
export function expandCrashPaths(paths: readonly string[]): string[] {
  const out: string[] = [];
  for (const p of paths) {
    let st;
    try {
      st = statSync(p);
    } catch {
      throw new CrashFileError(p, 'no such file or folder');
    }
    if (st.isDirectory()) {
      for (const f of readdirSync(p).sort()) if (f.endsWith('.msgpack')) out.push(join(p, f));
    } else out.push(p);
  }
  return out;
}
