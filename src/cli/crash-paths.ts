import { readFileSync } from 'node:fs';
import { CORPUS_FORMAT, CrashFileError, expandCrashPaths, formatOf, notARegularFile } from '../crash';

/**
 * The crash files that `replay` / `minimize` PATH… name: files as given, folders searched to
 * every depth (`replay out/` takes the crash files of every `out/shard-N/crashes`), in a
 * deterministic order. Corpus entries found in a folder (also `*.msgpack`) are no
 * crash files: skipped, and counted on stderr. A folder yielding no crash file is a warning when
 * other paths gave some; when none did, the command checked nothing, which is an error (one line,
 * exit 2) — never "0 crash file(s)" and exit 0, a pass that checked nothing.
 */
export function crashPathsOf(paths: readonly string[]): string[] {
  const empty: string[] = [];
  const corpus = new Map<string, number>();
  const files = expandCrashPaths(paths, {
    onEmptyFolder: (dir) => empty.push(dir),
    skip: (file, dir) => {
      if (!isCorpusEntry(file)) return false;
      corpus.set(dir, (corpus.get(dir) ?? 0) + 1);
      return true;
    },
  });
  const entries = (n: number): string => `${n} corpus entr${n === 1 ? 'y' : 'ies'} (format ${CORPUS_FORMAT})`;
  if (files.length === 0) {
    const n = [...corpus.values()].reduce((a, b) => a + b, 0);
    throw new CrashFileError(
      paths.join(', '),
      'no crash file found (expected crash files, or folders holding *.msgpack crash files at any depth' +
        (n > 0 ? `; only ${entries(n)}, skipped` : '') +
        '): nothing was checked',
    );
  }
  for (const [dir, n] of corpus) process.stderr.write(`INFO: ${dir}: ${entries(n)} skipped\n`);
  for (const dir of empty) {
    process.stderr.write(`ptefuzz: warning: ${dir}: no crash file (*.msgpack) in this folder or below\n`);
  }
  return files;
}

/** A corpus entry (format ptefuzz-corpus): read as a whole; a file that cannot be read is left to the loader. */
function isCorpusEntry(file: string): boolean {
  try {
    // a FIFO or a device found in a folder is left to the loader, which refuses it (nothing read here)
    return notARegularFile(file) === undefined && formatOf(readFileSync(file)) === CORPUS_FORMAT;
  } catch {
    return false;
  }
}
