import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Packr } from 'msgpackr';
import { CrashFileError, NAME_PART, isNamePart, msgpackReason } from './format';
import { fsReason, listFolder, makeFolder, writeFileAtomic } from './store';
import { notARegularFile } from './regular-file';

/**
 * The persistent corpus of the coverage engine (`ptefuzz fuzz --corpus DIR`,
 * default corpus/generated/): one folder per target,
 * `DIR/<scenario>.<reader>.<contract>.<model>/`, one file per entry named by
 * the first 16 hex digits of the sha256 of its bytes, each a msgpack map
 * `{format: "ptefuzz-corpus", version: 1, scenario, reader, contract, model,
 * trace}`. Files are written atomically and never rewritten, so workers can
 * share the folder (AFL++-style sync): each polls it for names it has not
 * seen. A file that cannot be read is reported once and skipped, never fatal.
 */
export const CORPUS_FORMAT = 'ptefuzz-corpus';
export const CORPUS_VERSION = 1;

/** The target an entry belongs to (structurally the campaign's CorpusKey). */
export interface CorpusTarget {
  readonly scenario: string;
  readonly reader: string;
  readonly contract: string;
  readonly model: string;
}

export interface CorpusFile extends CorpusTarget {
  readonly format: typeof CORPUS_FORMAT;
  readonly version: number;
  readonly trace: readonly number[];
}

const packr = new Packr({ useRecords: false, moreTypes: false });

/** Fixed key order, so equal entries are equal bytes (and equal names). */
export function encodeCorpusEntry(t: CorpusTarget, trace: readonly number[]): Buffer {
  return packr.pack({
    format: CORPUS_FORMAT,
    version: CORPUS_VERSION,
    scenario: t.scenario,
    reader: t.reader,
    contract: t.contract,
    model: t.model,
    trace: [...trace],
  });
}

const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

/** Decode and validate; every problem is a CrashFileError naming the file. */
export function decodeCorpusEntry(buf: Uint8Array, file: string): CorpusFile {
  let raw: unknown;
  try {
    raw = packr.unpack(buf);
  } catch (e) {
    throw new CrashFileError(file, `not a readable corpus entry (msgpack: ${msgpackReason(e)})`);
  }
  if (!isObj(raw) || raw['format'] !== CORPUS_FORMAT) {
    throw new CrashFileError(file, `not a ptefuzz corpus entry (expected a map with format "${CORPUS_FORMAT}")`);
  }
  const version = raw['version'];
  if (version !== CORPUS_VERSION) {
    throw new CrashFileError(
      file,
      `unsupported corpus entry version ${String(version)} (this ptefuzz reads version ${CORPUS_VERSION})`,
    );
  }
  for (const f of ['scenario', 'reader', 'contract', 'model']) {
    if (typeof raw[f] !== 'string') throw new CrashFileError(file, `field "${f}": expected a string`);
    // part of the entry's folder name (merge writes it there)
    if (!isNamePart(raw[f])) throw new CrashFileError(file, `field "${f}": expected ${NAME_PART}`);
  }
  const trace = raw['trace'];
  if (!Array.isArray(trace) || !trace.every((v) => Number.isSafeInteger(v) && (v as number) >= 0)) {
    throw new CrashFileError(file, 'field "trace": expected an array of non-negative integers');
  }
  return {
    format: CORPUS_FORMAT,
    version,
    scenario: raw['scenario'] as string,
    reader: raw['reader'] as string,
    contract: raw['contract'] as string,
    model: raw['model'] as string,
    trace: trace as number[],
  };
}

/** The `format` field of a msgpack map, if it is one (to tell crash files from corpus entries). */
export function formatOf(buf: Uint8Array): string | undefined {
  try {
    const raw: unknown = packr.unpack(buf);
    if (typeof raw === 'object' && raw !== null && !Array.isArray(raw)) {
      const f = (raw as Record<string, unknown>)['format'];
      return typeof f === 'string' ? f : undefined;
    }
  } catch {
    // not msgpack: the caller reports it with the crash-file decoder's message
  }
  return undefined;
}

/** The integer `version` field of a msgpack map, if it is one. */
export function versionOf(buf: Uint8Array): number | undefined {
  try {
    const raw: unknown = packr.unpack(buf);
    if (typeof raw === 'object' && raw !== null && !Array.isArray(raw)) {
      const v = (raw as Record<string, unknown>)['version'];
      return Number.isInteger(v) ? (v as number) : undefined;
    }
  } catch {
    // not msgpack
  }
  return undefined;
}

/** `<scenario>.<reader>.<contract>.<model>` */
export const corpusFolderName = (t: CorpusTarget): string => `${t.scenario}.${t.reader}.${t.contract}.${t.model}`;

/** `<first 16 hex digits of sha256(bytes)>.msgpack` */
export const corpusFileName = (bytes: Uint8Array): string =>
  `${createHash('sha256').update(bytes).digest('hex').slice(0, 16)}.msgpack`;

/**
 * What a `--jobs` campaign's workers tell the main thread, which counts and reports for the whole campaign
 * (every worker, and every fresh worker after a hang, reads the same folders).
 */
export interface CorpusStoreHooks {
  /** an unreadable file, skipped: instead of a `warn` line */
  readonly onSkip?: (e: CrashFileError) => void;
  /** entries a poll loaded, as `<target folder>/<file name>` */
  readonly onLoaded?: (names: readonly string[]) => void;
  /** an entry this store wrote, as `<target folder>/<file name>` */
  readonly onSaved?: (name: string) => void;
}

/**
 * The corpus folder of a campaign; `warn` gets its warning lines, and one line per unreadable file (each reported
 * once by this store) unless `hooks.onSkip` is given.
 */
export class FileCorpusStore {
  /** per target folder: file names already loaded, saved or reported */
  private readonly known = new Map<string, Set<string>>();
  /** entries read from the folder (at start and synced) */
  loaded = 0;
  /** entries written */
  saved = 0;
  /** files skipped with a warning */
  skipped = 0;
  /** entries that could not be written (disk full, read-only folder, …): kept in memory only */
  unsaved = 0;
  /** syncs after the start that could not list a target folder (it was removed, replaced by a file, …) */
  unsynced = 0;
  /** target folders polled at least once (the first poll is the campaign's start) */
  private readonly polled = new Set<string>();
  /** target folders an entry could not be written to (the write warning named one of them) */
  private readonly unwritable = new Set<string>();
  /** whether a failed sync was warned about */
  private syncWarned = false;

  constructor(
    readonly dir: string,
    private readonly warn: (line: string) => void,
    private readonly hooks: CorpusStoreHooks = {},
  ) {
    if (existsSync(dir) && !statSync(dir).isDirectory()) throw new CrashFileError(dir, '--corpus: not a folder');
  }

  private seen(folder: string): Set<string> {
    let s = this.known.get(folder);
    if (!s) {
      s = new Set();
      this.known.set(folder, s);
    }
    return s;
  }

  /**
   * Entries of `t` not loaded or saved before, in file-name order. The first poll of a target folder is the
   * campaign's start: a folder that cannot be listed, or a file in its place, is a CrashFileError (the campaign
   * does not start). A later poll only syncs entries other workers wrote: if the folder cannot be listed any more
   * (removed and replaced by a file, made unreadable, an I/O error), the campaign goes on with the corpus it has
   * in memory — one warning (the first such failure of this store, unless an entry could not be written to that
   * folder: its warning named the folder already), and later polls try again silently.
   */
  poll(t: CorpusTarget): readonly (readonly number[])[] {
    const folder = corpusFolderName(t);
    const started = this.polled.has(folder);
    this.polled.add(folder);
    let entries: CorpusFolderEntry[];
    try {
      entries = readCorpusFolder(
        join(this.dir, folder),
        folder,
        (e) => {
          this.skipped++;
          if (this.hooks.onSkip) this.hooks.onSkip(e);
          else this.warn(`${e.message}; skipped`);
        },
        this.seen(folder),
      );
    } catch (e) {
      if (!started || !(e instanceof CrashFileError)) throw e;
      this.unsynced++;
      if (!this.syncWarned && !this.unwritable.has(folder)) {
        this.syncWarned = true;
        this.warn(
          `${e.message}; entries of other workers are not synced from it while it cannot be listed, the campaign goes on with the corpus it has (the summary counts the failed syncs)`,
        );
      }
      return [];
    }
    this.loaded += entries.length;
    if (entries.length > 0) this.hooks.onLoaded?.(entries.map((e) => `${folder}/${e.name}`));
    return entries.map((e) => [...e.trace]);
  }

  /** Write an entry atomically under its content name, unless it exists. */
  save(t: CorpusTarget, trace: readonly number[]): void {
    const folder = corpusFolderName(t);
    const bytes = encodeCorpusEntry(t, trace);
    const name = corpusFileName(bytes);
    const seen = this.seen(folder);
    if (seen.has(name)) return;
    seen.add(name);
    const path = join(this.dir, folder);
    try {
      makeFolder(path);
      const file = join(path, name);
      if (!existsSync(file)) {
        // whole or absent after a kill or a power loss; after a power loss possibly absent (no folder fsync: a
        // cache, written by the thousand — see writeFileAtomic)
        writeFileAtomic(file, bytes, { syncFolder: false });
        this.saved++;
        this.hooks.onSaved?.(`${folder}/${name}`);
      }
    } catch (e) {
      // The corpus is what the campaign learnt, kept for the next one: a full disk or a folder made
      // read-only must not end a days-long campaign. The entry stays in the engine's corpus in memory.
      this.unwritable.add(folder);
      if (this.unsaved++ === 0) {
        const why = notAFolder(path)
          ? "not a folder: the corpus keeps each target's entries in a folder of this name"
          : fsReason(e);
        this.warn(
          `${path}: cannot write the corpus (${why}); new entries are kept in memory only and the campaign goes on (the summary counts them)`,
        );
      }
    }
  }
}

/** One corpus entry read from a target folder. */
export interface CorpusFolderEntry {
  /** its file name (`<sha256[0:16]>.msgpack`) */
  readonly name: string;
  readonly file: string;
  readonly trace: readonly number[];
}

/**
 * The entries of the target folder `path`, named `folder` (`<scenario>.<reader>.<contract>.<model>`), in
 * file-name order: each `*.msgpack` file in it that loads as a corpus entry of that target — what a campaign
 * replays (FileCorpusStore.poll) and what distillation counts as already there (merge.ts). A file that does not
 * (unreadable, not an entry, another version, another target's) goes to `onSkip`, a CrashFileError naming it and
 * why, and is left out. With `seen`, names in it are left out and the others added to it. A missing folder has no
 * entries; one that cannot be listed, or a file in its place, is a CrashFileError (one line).
 */
export function readCorpusFolder(
  path: string,
  folder: string,
  onSkip: (e: CrashFileError) => void,
  seen?: Set<string>,
): CorpusFolderEntry[] {
  let names: string[];
  try {
    names = listFolder(path, { missingIsEmpty: true })
      .map((ent) => ent.name)
      .filter((n) => n.endsWith('.msgpack'));
  } catch (e) {
    if (notAFolder(path)) throw inTheWay(path);
    throw e;
  }
  const out: CorpusFolderEntry[] = [];
  for (const name of names.sort()) {
    if (seen?.has(name)) continue;
    seen?.add(name);
    const file = join(path, name);
    try {
      let buf: Buffer;
      try {
        // a FIFO would wait for a writer for ever: skipped with a warning, as any entry that does not load
        const kind = notARegularFile(file);
        if (kind !== undefined) throw new CrashFileError(file, `${kind}, not a regular file (expected a corpus entry)`);
        buf = readFileSync(file);
      } catch (e) {
        if (e instanceof CrashFileError) throw e;
        throw new CrashFileError(file, `cannot read (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
      }
      const entry = decodeCorpusEntry(buf, file);
      if (corpusFolderName(entry) !== folder) {
        throw new CrashFileError(file, `entry of ${corpusFolderName(entry)}, not of its folder ${folder}`);
      }
      out.push({ name, file, trace: entry.trace });
    } catch (e) {
      if (!(e instanceof CrashFileError)) throw e;
      onSkip(e);
    }
  }
  return out;
}

function notAFolder(path: string): boolean {
  try {
    return !statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function inTheWay(path: string): CrashFileError {
  return new CrashFileError(
    path,
    "not a folder (the corpus keeps each target's entries in a folder of this name: move the file away)",
  );
}
