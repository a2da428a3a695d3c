import { basename, join } from 'node:path';
import type { CrashFile } from '../crash';
import { CrashFileError, crashFileName, encodeCrash, saveCrash } from '../crash';
import { shellQuote } from '../crash/shell-quote';

/**
 * A crash file a command could not write (disk full, quota, `ulimit -f`, a folder made
 * read-only). The finding is not lost: `bytes` are the whole crash file, which the
 * command prints as a line that writes it (writeFailureLines).
 */
export interface WriteFailure {
  /** where the crash file should have gone */
  readonly path: string;
  /** one line: the folder, the file and why */
  readonly message: string;
  /** the crash file's bytes (what `path` would hold) */
  readonly bytes: Buffer;
}

/** saveCrash's answer, or the failure to write the file (`fresh` false: nothing of ours is under `path`). */
export interface SaveAttempt {
  readonly path: string;
  readonly fresh: boolean;
  readonly unsaved?: WriteFailure;
}

/**
 * saveCrash, but a write error (ENOSPC, EFBIG, EROFS, EACCES, …) is returned as a
 * WriteFailure instead of thrown, so `fuzz`, `matrix` and `explore` print the finding
 * with its bytes and go on to their summary instead of ending with the finding lost.
 */
export function trySaveCrash(
  dir: string,
  record: CrashFile,
  replace?: ReadonlySet<string>,
  bytes: Buffer = encodeCrash(record),
): SaveAttempt {
  try {
    return saveCrash(dir, record, replace);
  } catch (e) {
    if (!(e instanceof CrashFileError)) throw e;
    const path = join(dir, crashFileName(record));
    return { path, fresh: false, unsaved: { path, message: e.message, bytes } };
  }
}

/**
 * A crash file that could not be written: the error, then its bytes as a command that writes them
 * (base64, one line), so a full disk or a read-only folder never loses the finding. `after` says
 * what the command does next (a campaign stops after its current run; explore and matrix go on).
 */
export function writeFailureLines(w: WriteFailure, after: string): string {
  return (
    `ptefuzz: ${w.message}\n` +
    `\tthe finding is NOT SAVED; ${after}. To write its crash file once there is room:\n` +
    `\techo ${w.bytes.toString('base64')} | base64 -d > ${shellQuote(basename(w.path))}`
  );
}

/** Where a replay command would go: the finding's crash file was not written, its bytes are printed above. */
export const NOT_SAVED_REPLAY = 'none, the crash file was NOT SAVED (its bytes are above)';

/** The closing line of a command whose crash files were not all written (it then exits 2). */
export function notSavedSummary(failures: readonly WriteFailure[], what: string): string {
  const n = failures.length;
  return (
    `${n} crash file${n === 1 ? '' : 's'} could not be written (first: ${failures[0]!.message}); ${what}; ` +
    "each one's bytes are printed above with the command that writes them"
  );
}
