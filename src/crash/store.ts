import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { threadId } from 'node:worker_threads';
import type { CrashFile } from './format';
import { CrashFileError, decodeCrash, encodeCrash } from './format';
import { crashFileName } from './fingerprint';

let tmpCounter = 0;

/**
 * Write a file atomically: a temporary name in the same folder, then rename,
 * so a crash or kill never leaves a truncated file behind. The temporary name
 * is unique per process, thread and call: worker threads share a pid, and two
 * of them writing the same content-addressed name at once must not write into
 * one temporary file (a reader could then see it half-written).
 */
export function writeFileAtomic(path: string, data: Uint8Array | string): void {
  const tmp = `${path}.tmp-${process.pid}-${threadId}-${tmpCounter++}`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
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
