import { lstatSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { CrashFile } from './format';
import { CRASH_FORMAT, CRASH_VERSIONS, CrashFileError, decodeCrash } from './format';
import { crashFileName } from './fingerprint';
import type { CorpusFile, CorpusTarget } from './corpus-store';
import {
  CORPUS_FORMAT,
  CORPUS_VERSION,
  corpusFileName,
  corpusFolderName,
  decodeCorpusEntry,
  formatOf,
  readCorpusFolder,
  versionOf,
} from './corpus-store';
import {
  checkOutputFolder,
  emptyPathError,
  fsReason,
  legacyTwin,
  makeFolder,
  msgpackBelow,
  syncFolder,
  writeFileAtomic,
} from './store';

export interface MergeCounts {
  crashes: { added: number; duplicate: number };
  /** `dropped` (with distill): new entries not written, every bit they set being covered */
  corpus: { added: number; duplicate: number; dropped?: number };
  rejected: number;
  /** files already in `out` under a merged file's name that did not load (truncated, …): replaced, counted in `added` */
  replaced: number;
  /**
   * distilling: files in OUT's target folders that do not load as an entry of their folder (truncated, not an
   * entry, another target's, another version) and that no merged entry replaces — left as they are, never
   * replayed as OUT's entries (each reported through `onUnreadable`)
   */
  unreadable?: number;
  /** with `distill`: one record per corpus target folder that had new candidates, in folder-name order */
  distilled?: DistilledFolder[];
}

/** A corpus entry as distillation sees it: its content-addressed name and its trace. */
export interface DistillCandidate {
  readonly name: string;
  readonly trace: readonly number[];
}

/** A corpus entry and the file it was read from (an IN file, or OUT's for an entry already there). */
export interface FiledCandidate extends DistillCandidate {
  readonly file: string;
}

/** One target folder of a distilling merge. */
export interface DistillJob {
  /** `<scenario>.<reader>.<contract>.<model>` */
  readonly folder: string;
  readonly target: CorpusTarget;
  /**
   * The entries already in OUT's folder (kept whatever they cover): those that load and belong to it, in file-name
   * order. Read when called — not for a target that cannot be replayed, whose new entries are merged whole.
   */
  readonly existing: () => FiledCandidate[];
  /** the new entries (not in OUT under their name), in file-name order of their IN files */
  readonly candidates: readonly FiledCandidate[];
}

/**
 * What to write of one folder's new entries: `kept` (names), or — `unresolved`, why the target cannot be
 * replayed (one line) — every candidate, as a plain merge does.
 */
export type DistillDecision =
  | {
      readonly kept: readonly string[];
      readonly dropped: readonly string[];
      /** (counter, bucket) bits the folder's replayed entries set */
      readonly ft: number;
      /** OUT's entries of the folder (kept) */
      readonly existing: number;
      /** entries (new ones, in `kept`, or OUT's) whose replay hung or failed: kept, not distilled */
      readonly hung?: number;
      /** new entries not replayed after too many hangs: in `kept`, undistilled */
      readonly notReplayed?: number;
    }
  | { readonly unresolved: string };

/**
 * Decides which new corpus entries of each target folder a distilling merge writes (`ptefuzz merge
 * --distill`: src/cli/commands/merge.ts replays them, src/campaign/distill.ts): one decision per job, in order.
 */
export type CorpusDistiller = (jobs: readonly DistillJob[]) => Promise<readonly DistillDecision[]>;

/** What a distilling merge did with one target folder. */
export interface DistilledFolder {
  /** `<scenario>.<reader>.<contract>.<model>` */
  readonly folder: string;
  /** entries of the folder already in OUT (kept; 0 when unresolved: OUT's folder is not read) */
  readonly existing: number;
  /** new entries offered (duplicates of one another or of OUT's not counted) */
  readonly candidates: number;
  /** of those, written */
  readonly kept: number;
  /** of those, not written: every bit they set was set by an entry kept or already in OUT */
  readonly dropped: number;
  /** (counter, bucket) bits the folder's entries set after the merge (absent when unresolved) */
  readonly ft?: number;
  /** entries whose replay hung (new ones, among `kept`, or OUT's): kept, not distilled (absent when none) */
  readonly hung?: number;
  /** new entries not replayed after too many hangs, among `kept` (absent when none) */
  readonly notReplayed?: number;
  /** the target could not be replayed: one of its files and why (every candidate was written) */
  readonly unresolved?: { readonly file: string; readonly reason: string };
}

/** A crash file met in an IN folder: where it was read, its bytes and what they decode to. */
export interface MergedCrash {
  readonly file: string;
  readonly bytes: Buffer;
  readonly crash: CrashFile;
}

/**
 * Of two different crash files with one fingerprint name, is `a` the one to keep. It must be a strict
 * total order on the files (so the merge does not depend on the order of the IN folders): the default,
 * `byBytes`, compares the bytes; `ptefuzz merge` ranks the witnesses as a campaign does (lighter first,
 * src/minimize/order.ts), ties broken by bytes.
 */
export type PreferCrash = (a: MergedCrash, b: MergedCrash) => boolean;

/** The crash file whose bytes sort first. */
export const byBytes: PreferCrash = (a, b) => Buffer.compare(a.bytes, b.bytes) < 0;

/**
 * What a merge knows of crash files beyond their format: which of two witnesses of one fingerprint to keep, and
 * (`check`, optional) whether a well-formed file names what the tool can run — it throws CrashFileError for one that
 * `replay`, `show` and `minimize` would refuse (an unknown reader, contract or model, a reader of another
 * architecture, a stored scenario that does not lower, an unknown divergence class), which the merge then rejects
 * as it rejects a file that does not decode.
 */
export interface CrashPolicy {
  readonly prefer: PreferCrash;
  readonly check?: (crash: CrashFile, file: string) => void;
}

/** The crash files of the inputs under one name not already whole in OUT: the preferred one is written. */
interface CrashSlot {
  readonly dest: string;
  /**
   * what is in OUT under the name: nothing, why the file there does not load (it is replaced), or what is
   * in the way (not a regular file: the inputs' files are rejected)
   */
  readonly there: string | CrashFileError;
  readonly files: MergedCrash[];
}

/**
 * Merge crash folders and corpus folders (e.g. the shards of a campaign) into
 * `out`: every `*.msgpack` below each input is loaded and goes where its
 * content says — a crash file to `out/<scenario>.<reader>.<contract>.<model>.<class>.<fingerprint>.msgpack`,
 * a corpus entry to `out/<scenario>.<reader>.<contract>.<model>/<sha256[0:16]>.msgpack`.
 * A name already in `out` before the merge is a duplicate and left as it is — a crash file kept in `out`
 * under its legacy name (legacyTwin) too, and a legacy-named input is written under the new name. Crash
 * files of the inputs with the same fingerprint collapse into one, the one `prefer` ranks first (as a
 * campaign keeps the lightest witness), so the result does not depend on the order of the inputs; corpus
 * entries are content-addressed. A file that does not load, or a folder that cannot be listed, is reported
 * through `onReject` and skipped. Writes are atomic; files are taken in name order.
 */
export function mergeFolders(
  out: string,
  inputs: readonly string[],
  onReject: (e: CrashFileError) => void,
  onReplace?: (e: CrashFileError) => void,
  policy: CrashPolicy = { prefer: byBytes },
): MergeCounts {
  const m = new Merge(out, inputs, onReject, onReplace, undefined, policy);
  try {
    m.readInputs();
  } finally {
    m.syncFolders();
  }
  return m.counts;
}

/**
 * mergeFolders, with the corpus entries distilled: the new entries of each target folder are held back until
 * every input is read, then `distill` decides, per folder (in folder-name order), which are written; crash files
 * merge as in mergeFolders. `counts.distilled` says what was done with each folder.
 */
export async function mergeFoldersDistilled(
  out: string,
  inputs: readonly string[],
  onReject: (e: CrashFileError) => void,
  onReplace: ((e: CrashFileError) => void) | undefined,
  distill: CorpusDistiller,
  policy: CrashPolicy = { prefer: byBytes },
  onUnreadable: (e: CrashFileError) => void = () => undefined,
): Promise<MergeCounts> {
  const pending = new Map<string, Map<string, Pending>>();
  const m = new Merge(out, inputs, onReject, onReplace, pending, policy);
  const unreadable = (e: CrashFileError): void => {
    m.counts.unreadable = (m.counts.unreadable ?? 0) + 1;
    onUnreadable(e);
  };
  try {
    m.readInputs();
    m.counts.distilled = await distillPending(out, pending, distill, m.counts, m.unsynced, unreadable);
  } finally {
    m.syncFolders();
  }
  return m.counts;
}

/** One merge: its checked folders, its counts, and the corpus folders written without their fsync. */
class Merge {
  readonly counts: MergeCounts = {
    crashes: { added: 0, duplicate: 0 },
    corpus: { added: 0, duplicate: 0 },
    rejected: 0,
    replaced: 0,
  };
  /** corpus entries are written without a folder fsync each (thousands of them): each folder is synced once */
  readonly unsynced = new Set<string>();

  constructor(
    private readonly out: string,
    private readonly inputs: readonly string[],
    private readonly onReject: (e: CrashFileError) => void,
    private readonly onReplace: ((e: CrashFileError) => void) | undefined,
    /** distilling: per target folder, the new corpus entries, written once every input is read */
    private readonly pending: Map<string, Map<string, Pending>> | undefined,
    private readonly policy: CrashPolicy,
  ) {
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
    checkOutputFolder(out, 'merge: OUT');
    try {
      makeFolder(out);
    } catch (e) {
      throw new CrashFileError(out, `cannot create the folder (${fsReason(e)})`);
    }
  }

  syncFolders(): void {
    for (const dir of this.unsynced) syncFolder(dir);
  }

  /** Merge every file below the inputs (distilling: hold the new corpus entries back in `pending`). */
  readInputs(): void {
    const { out, counts, onReject, onReplace, pending, unsynced } = this;
    const unlistable = (e: CrashFileError): void => {
      counts.rejected++;
      onReject(e);
    };
    /** A folder (or a device, …) under the name in OUT: nothing to replace it with safely. */
    const blocked = (file: string, there: CrashFileError): void => {
      counts.rejected++;
      onReject(new CrashFileError(file, `not merged: ${there.message}`));
    };
    /**
     * Write `bytes` (read from `file`) to `dest`. A truncated or overwritten file under the name must not
     * swallow the good one as a "duplicate": it is replaced (distilling, repaired as well: OUT's entries are
     * never removed).
     */
    const place = (dest: string, there: string, file: string, bytes: Buffer, kind: 'crashes' | 'corpus'): void => {
      if (there !== 'none') {
        counts.replaced++;
        onReplace?.(new CrashFileError(dest, `${there}; replaced by ${file}`));
      }
      writeMerged(dest, bytes, kind === 'corpus' ? unsynced : undefined);
      counts[kind].added++;
    };
    /** per crash file name not whole in OUT, the inputs' files under it: written once every input is read */
    const crashSlots = new Map<string, CrashSlot>();
    for (const dir of this.inputs) {
      for (const file of msgpackBelow(dir, { onUnlistable: unlistable, take: (ent) => ent.isFile() })) {
        let bytes: Buffer;
        let rel: string;
        let kind: 'crashes' | 'corpus';
        let crash: CrashFile | undefined;
        let entry: CorpusFile | undefined;
        try {
          try {
            bytes = readFileSync(file);
          } catch (e) {
            throw new CrashFileError(file, `cannot read (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
          }
          if (formatOf(bytes) === CORPUS_FORMAT) {
            entry = decodeCorpusEntry(bytes, file);
            rel = `${corpusFolderName(entry)}/${corpusFileName(bytes)}`;
            kind = 'corpus';
          } else {
            crash = decodeCrash(bytes, file, 'ptefuzz crash file or corpus entry');
            this.policy.check?.(crash, file);
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
        if (crash !== undefined) {
          const slot = crashSlots.get(rel) ?? { dest, there, files: [] };
          crashSlots.set(rel, slot);
          slot.files.push({ file, bytes, crash });
          continue;
        }
        if (there instanceof CrashFileError) {
          blocked(file, there);
          continue;
        }
        if (pending !== undefined && entry !== undefined && there === 'none') {
          const folder = dirname(rel);
          const slot = pending.get(folder) ?? new Map<string, Pending>();
          pending.set(folder, slot);
          if (slot.has(rel)) counts.corpus.duplicate++;
          else slot.set(rel, { file, bytes, entry, dest });
          continue;
        }
        place(dest, there, file, bytes, kind);
      }
    }
    for (const rel of [...crashSlots.keys()].sort()) {
      const { dest, there, files } = crashSlots.get(rel)!;
      if (there instanceof CrashFileError) {
        for (const f of files) blocked(f.file, there);
        continue;
      }
      let best = files[0]!;
      for (const f of files.slice(1)) if (!f.bytes.equals(best.bytes) && this.policy.prefer(f, best)) best = f;
      place(dest, there, best.file, best.bytes, 'crashes');
      counts.crashes.duplicate += files.length - 1;
    }
  }
}

/**
 * Write one merged file atomically, or say which and why it could not be. `unsynced` (corpus entries): the
 * folder's fsync is left to the caller, who syncs every folder in the set once.
 */
function writeMerged(dest: string, bytes: Uint8Array, unsynced: Set<string> | undefined): void {
  try {
    makeFolder(dirname(dest));
    writeFileAtomic(dest, bytes, { syncFolder: unsynced === undefined });
  } catch (e) {
    throw new CrashFileError(dest, `cannot write (${fsReason(e)})`);
  }
  unsynced?.add(dirname(dest));
}

interface Pending {
  readonly file: string;
  readonly bytes: Buffer;
  readonly entry: CorpusFile;
  readonly dest: string;
}

/** Distill and write the new corpus entries of every target folder, in folder-name order. */
async function distillPending(
  out: string,
  pending: ReadonlyMap<string, ReadonlyMap<string, Pending>>,
  distill: CorpusDistiller,
  counts: MergeCounts,
  unsynced: Set<string>,
  onUnreadable: (e: CrashFileError) => void,
): Promise<DistilledFolder[]> {
  const folders = [...pending.keys()].sort();
  const slots = folders.map((folder) => [...pending.get(folder)!.values()]);
  const jobs: DistillJob[] = folders.map((folder, i) => ({
    folder,
    target: slots[i]![0]!.entry,
    // what a campaign replays of the folder; the others it skips with a warning, and they cover nothing: said
    // and counted here too (was: left silently), left in OUT as they are (OUT's files are never removed)
    existing: () => readCorpusFolder(join(out, folder), folder, onUnreadable),
    candidates: slots[i]!.map((p) => ({ name: basename(p.dest), trace: p.entry.trace, file: p.file })),
  }));
  const decisions = await distill(jobs);
  const report: DistilledFolder[] = [];
  folders.forEach((folder, i) => {
    const slot = slots[i]!;
    const d = decisions[i]!;
    const byName = new Map(slot.map((p) => [basename(p.dest), p]));
    const write = 'unresolved' in d ? [...byName.keys()].sort() : d.kept;
    for (const name of write) {
      const p = byName.get(name)!;
      writeMerged(p.dest, p.bytes, unsynced);
      counts.corpus.added++;
    }
    if ('unresolved' in d) {
      const first = [...slot].sort((a, b) => (a.file < b.file ? -1 : 1))[0]!;
      report.push({
        folder,
        existing: 0,
        candidates: slot.length,
        kept: slot.length,
        dropped: 0,
        unresolved: { file: first.file, reason: d.unresolved },
      });
    } else {
      counts.corpus.dropped = (counts.corpus.dropped ?? 0) + d.dropped.length;
      report.push({
        folder,
        existing: d.existing,
        candidates: slot.length,
        kept: d.kept.length,
        dropped: d.dropped.length,
        ft: d.ft,
        ...(d.hung ? { hung: d.hung } : {}),
        ...(d.notReplayed ? { notReplayed: d.notReplayed } : {}),
      });
    }
  });
  return report;
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
