import { createHash } from 'node:crypto';
import { Packr } from 'msgpackr';
import { CrashFileError } from './format';

/**
 * A corpus entry, as fixed for every corpus-keeping engine: one trace of one
 * target, in `DIR/<scenario>.<reader>.<contract>.<model>/<first 16 hex of the
 * sha256 of the file bytes>.msgpack`, a msgpack map
 * `{format: 'ptefuzz-corpus', version: 1, scenario, reader, contract, model, trace}`.
 * Content-addressed: the same entry has the same name on every machine, so
 * merging corpus folders is a union of file names.
 */
export interface CorpusEntry {
  readonly format: typeof CORPUS_FORMAT;
  readonly version: number;
  readonly scenario: string;
  readonly reader: string;
  readonly contract: string;
  readonly model: string;
  readonly trace: readonly number[];
}

export const CORPUS_FORMAT = 'ptefuzz-corpus';
export const CORPUS_VERSION = 1;

const packr = new Packr({ useRecords: false, moreTypes: false });
/** a name that is one path component and splits on '.' unambiguously */
const NAME = /^[A-Za-z0-9_+-]+$/;

/** Decode and validate a corpus entry; every problem is a CrashFileError naming the file. */
export function decodeCorpusEntry(buf: Uint8Array, file: string): CorpusEntry {
  let raw: unknown;
  try {
    raw = packr.unpack(buf);
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new CrashFileError(file, `not a readable corpus entry (msgpack: ${why.split('\n')[0]})`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new CrashFileError(file, `not a corpus entry (expected a map with format "${CORPUS_FORMAT}")`);
  }
  const r = raw as Record<string, unknown>;
  if (r['format'] !== CORPUS_FORMAT) {
    throw new CrashFileError(file, `not a corpus entry (expected a map with format "${CORPUS_FORMAT}")`);
  }
  if (r['version'] !== CORPUS_VERSION) {
    throw new CrashFileError(
      file,
      `unsupported corpus entry version ${String(r['version'])} (this ptefuzz reads version ${CORPUS_VERSION})`,
    );
  }
  for (const f of ['scenario', 'reader', 'contract', 'model']) {
    const v = r[f];
    if (typeof v !== 'string' || !NAME.test(v)) {
      throw new CrashFileError(file, `field "${f}": expected a name of letters, digits, _ + -`);
    }
  }
  const trace = r['trace'];
  if (!Array.isArray(trace) || !trace.every((v) => Number.isInteger(v) && v >= 0)) {
    throw new CrashFileError(file, 'field "trace": expected an array of non-negative integers');
  }
  return {
    format: CORPUS_FORMAT,
    version: CORPUS_VERSION,
    scenario: r['scenario'] as string,
    reader: r['reader'] as string,
    contract: r['contract'] as string,
    model: r['model'] as string,
    trace: trace as number[],
  };
}

/** Where an entry with these bytes lives inside a corpus folder: `<target>/<sha256[0:16]>.msgpack`. */
export function corpusEntryPath(e: CorpusEntry, bytes: Uint8Array): string {
  const hash = createHash('sha256').update(bytes).digest('hex').slice(0, 16);
  return `${e.scenario}.${e.reader}.${e.contract}.${e.model}/${hash}.msgpack`;
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
