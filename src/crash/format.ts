import { Packr } from 'msgpackr';
import { CONTROL, printable } from '../scenario/errors';

export const CRASH_FORMAT = 'ptefuzz-crash';
/**
 * Bump on any incompatible change; the loader rejects versions it does not know.
 * 2: `scenario.text` holds the printed `.scn` scenario (a crash is readable
 * without the tool, and replays even if the built-in changed or the scenario
 * came from a file). Version 1 files (no text: a built-in by name) still load.
 */
export const CRASH_VERSION = 2;
/**
 * 3: verdict kind `timeout` (an execution the `fuzz` watchdog stopped; see
 * CrashTimeoutVerdict). Only timeout files are written as version 3: a
 * divergence keeps version 2, so its bytes — and older ptefuzz versions
 * reading it — are unchanged.
 */
export const TIMEOUT_CRASH_VERSION = 3;
/** Every version the loader reads. */
export const CRASH_VERSIONS: readonly number[] = [1, 2, 3];

/**
 * Where the scenario came from; `text` is its printed `.scn` form (version ≥ 2;
 * absent for a built-in still written in TypeScript, which replays by name).
 */
export interface CrashScenario {
  readonly name: string;
  readonly source: 'builtin' | 'file';
  readonly text?: string;
  /**
   * The minimizer reduced the scenario: `text` is the reduced program and this
   * lists what it dropped from the original (`source` says where that came
   * from), one line per CPU or operation, sorted. Absent when nothing was
   * dropped, so files without it keep their bytes.
   */
  readonly dropped?: readonly string[];
  /**
   * A scenario file's program (not a built-in's, nor a file's under a built-in's name, which must be the
   * built-in's program): sha256[0:16] of its programIdentity — what its CPUs run, comments, title, `reader`,
   * `expect` and `model` lines aside —, before any reduction. Part of the fingerprint, so a finding of an edited
   * program is a file of its own, not one holding the old program. Absent otherwise, and in files written
   * before it existed (their fingerprint, and so their name, is as it was).
   */
  readonly program?: string;
}

export interface CrashDivergenceVerdict {
  readonly kind: 'divergence';
  readonly class: string;
  /** hex */
  readonly observed: string;
  /** hex, in window order */
  readonly allowed: readonly string[];
  /** consumer invariants: what went wrong, in one line (optional; absent in reader-contract divergences) */
  readonly detail?: string;
}

/**
 * An execution that did not finish within the watchdog's limit (libFuzzer's
 * `timeout-<sha1>` artifacts): `trace` is every choice it made before it hung,
 * so replaying it reaches the same point and hangs again.
 */
export interface CrashTimeoutVerdict {
  readonly kind: 'timeout';
  readonly class: 'timeout';
  /** the limit it exceeded (`--timeout`), in seconds: the configured value, not a measurement */
  readonly seconds: number;
  /** the steps it completed before the step that never returned: a replay bounded to this many steps stops just before the hang */
  readonly step: number;
  /** the CPU whose code did not yield again; -1 when it hung before the first step */
  readonly cpu: number;
  /** one line: the operation in flight and what it had read */
  readonly detail: string;
}

export type CrashVerdict = CrashDivergenceVerdict | CrashTimeoutVerdict;

/**
 * A minimized reproduction (DESIGN §8). No wall-clock fields: the same
 * campaign writes the same bytes. Values are hex strings (msgpack has no
 * portable 64-bit unsigned integers in JS).
 */
export interface CrashFile {
  readonly format: typeof CRASH_FORMAT;
  readonly version: number;
  readonly scenario: CrashScenario;
  readonly reader: string;
  /** a user reader (`--reader-module`): the module file and the sha256 of its source; absent for built-ins */
  readonly readerModule?: { readonly path: string; readonly sha256: string };
  readonly contract: string;
  readonly model: string;
  readonly trace: readonly number[];
  /** which logical value each load of the diverging reader read (the identity of the bug) */
  readonly signature: string;
  readonly verdict: CrashVerdict;
  readonly engine: string;
  readonly seed: string;
  readonly tool: string;
}

const packr = new Packr({ useRecords: false, moreTypes: false });

/** A user-input problem with one file: printed as one line, exit 2. */
export class CrashFileError extends Error {
  constructor(
    readonly file: string,
    readonly reason: string,
  ) {
    super(printable(`${file}: ${reason}`));
  }
}

/**
 * msgpackr's reason for rejecting bytes, short: its "end of buffer not
 * reached" message carries a dump of the decoded value (file content, any
 * bytes), which is left out; anything else is cut to its first line, 120 characters.
 */
export function msgpackReason(e: unknown): string {
  const why = (e instanceof Error ? e.message : String(e)).split('\n')[0]!;
  if (why.startsWith('Data read, but end of buffer not reached')) return 'bytes after the end of the msgpack value';
  if (why.startsWith('Invalid property type for record')) return 'a map key that is not a string';
  return why.length > 120 ? `${why.slice(0, 120)}…` : why;
}

export function encodeCrash(c: CrashFile): Buffer {
  // Fixed key order, so equal crash files are equal bytes.
  return packr.pack({
    format: c.format,
    version: c.version,
    scenario:
      c.scenario.text === undefined
        ? { name: c.scenario.name, source: c.scenario.source }
        : {
            name: c.scenario.name,
            source: c.scenario.source,
            text: c.scenario.text,
            ...(c.scenario.dropped !== undefined && c.scenario.dropped.length > 0
              ? { dropped: [...c.scenario.dropped] }
              : {}),
            ...(c.scenario.program !== undefined ? { program: c.scenario.program } : {}),
          },
    reader: c.reader,
    ...(c.readerModule ? { readerModule: { path: c.readerModule.path, sha256: c.readerModule.sha256 } } : {}),
    contract: c.contract,
    model: c.model,
    trace: [...c.trace],
    signature: c.signature,
    verdict: encodeVerdict(c.verdict),
    engine: c.engine,
    seed: c.seed,
    tool: c.tool,
  });
}

function encodeVerdict(v: CrashVerdict): Record<string, unknown> {
  if (v.kind === 'timeout') {
    return { kind: v.kind, class: v.class, seconds: v.seconds, step: v.step, cpu: v.cpu, detail: v.detail };
  }
  return {
    kind: v.kind,
    class: v.class,
    observed: v.observed,
    allowed: [...v.allowed],
    // only when present, so files without it keep their bytes
    ...(v.detail === undefined ? {} : { detail: v.detail }),
  };
}

const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const isStr = (x: unknown): x is string => typeof x === 'string';
const isHex = (x: unknown): x is string => isStr(x) && /^0x[0-9a-f]+$/.test(x);

/**
 * A name that becomes part of a file or folder name (crash file, corpus
 * folder): not empty, no path separator, no control character — so that
 * `merge` and `minimize` never write outside their folder, whatever a file says.
 */
export const isNamePart = (x: unknown): x is string =>
  isStr(x) &&
  x.length > 0 &&
  [...x].every((ch) => ch !== '/' && ch !== '\\' && ch.codePointAt(0)! >= 0x20 && ch.codePointAt(0) !== 0x7f);
export const NAME_PART = 'a name (not empty, no "/", "\\" or control character: it is part of a file name)';

/**
 * A free-text field a command prints (`engine`, `seed`, `tool`, `signature`, `verdict.detail`, …): no control
 * character but a tab — a newline would split the line it is printed on, an escape sequence would drive the
 * terminal. No field ptefuzz writes holds one: they are its own words, `--seed` digits, module paths and the
 * scenario's names and labels (the scenario lexer refuses such a character in a string, cli/reader-modules.ts in a
 * module's path).
 */
export const isLine = (x: unknown): x is string => isStr(x) && !CONTROL.test(x);
/** A `dropped` entry: `cpu B "zap, refault"`, `cpu C "fault": do_anonymous_page(pte)` (the label is optional). */
const DROPPED = /^cpu [^\s:"]+( "(?:[^"\\]|\\.)*")?(: \S.*)?$/;
const LINE = 'one line of text (no control character but a tab: no newline, no terminal escape)';

/**
 * Decode and validate; every problem is a CrashFileError naming the file. `what`: what a file that is no
 * msgpack at all is said not to be (`merge` reads crash files and corpus entries alike).
 */
export function decodeCrash(buf: Uint8Array, file: string, what = 'ptefuzz crash file'): CrashFile {
  let raw: unknown;
  try {
    raw = packr.unpack(buf);
  } catch (e) {
    throw new CrashFileError(file, `not a readable ${what} (msgpack: ${msgpackReason(e)})`);
  }
  if (!isObj(raw) || raw['format'] !== CRASH_FORMAT) {
    throw new CrashFileError(file, `not a ptefuzz crash file (expected a map with format "${CRASH_FORMAT}")`);
  }
  const version = raw['version'];
  if (typeof version !== 'number' || !Number.isInteger(version)) {
    throw new CrashFileError(file, 'crash file has no integer format version');
  }
  if (!CRASH_VERSIONS.includes(version)) {
    throw new CrashFileError(
      file,
      `unsupported crash file format version ${version} (this ptefuzz reads versions ${CRASH_VERSIONS.slice(0, -1).join(', ')} and ${CRASH_VERSIONS.at(-1)!})`,
    );
  }
  const bad = (field: string, expected: string): never => {
    throw new CrashFileError(file, `field "${field}": expected ${expected}`);
  };
  const sc = raw['scenario'];
  if (!isObj(sc) || !isStr(sc['name'])) bad('scenario', 'a map with a name');
  const scenario = sc as Record<string, unknown>;
  if (version === 1 && scenario['source'] !== 'builtin') bad('scenario.source', '"builtin"');
  if (version === 1) {
    // version 1 named a built-in, nothing more: a field of version 2 in it is an edit (a version-2 file whose
    // version was set to 1 would replay the built-in by name, its stored program silently ignored)
    for (const f of ['text', 'dropped', 'program']) {
      if (scenario[f] !== undefined) {
        throw new CrashFileError(
          file,
          `field "scenario.${f}": not in format version 1 (a version-1 file names a built-in only; version 2 added it): the file was edited or damaged`,
        );
      }
    }
  }
  if (version >= 2) {
    if (scenario['source'] !== 'builtin' && scenario['source'] !== 'file')
      bad('scenario.source', '"builtin" or "file"');
    // a file written while its built-in was TypeScript has no text and replays by name
    if (scenario['source'] === 'file' || scenario['text'] !== undefined) {
      if (!isStr(scenario['text'])) bad('scenario.text', 'the printed .scn scenario');
    }
    const d = scenario['dropped'];
    if (d !== undefined && (!Array.isArray(d) || d.length === 0 || !d.every(isStr) || !isStr(scenario['text'])))
      bad('scenario.dropped', 'a non-empty array of strings, beside the reduced scenario text');
    if (d !== undefined && !(d as string[]).every(isLine)) bad('scenario.dropped', `each entry ${LINE}`);
    // as the minimizer writes them (src/minimize/program.ts): a whole CPU, or the calls dropped from one
    if (d !== undefined && !(d as string[]).every((x) => DROPPED.test(x)))
      bad(
        'scenario.dropped',
        'each entry `cpu NAME "LABEL"` (a CPU dropped) or `cpu NAME "LABEL": CALL, …` (calls dropped from it)',
      );
    const p = scenario['program'];
    if (p !== undefined && (!isStr(p) || !/^[0-9a-f]{16}$/.test(p) || scenario['source'] !== 'file'))
      bad('scenario.program', '16 lowercase hex digits, in a scenario from a file');
  }
  for (const f of ['reader', 'contract', 'model', 'signature', 'engine', 'seed', 'tool']) {
    if (!isStr(raw[f])) bad(f, 'a string');
  }
  for (const f of ['signature', 'engine', 'seed', 'tool']) {
    if (!isLine(raw[f])) bad(f, LINE);
  }
  const sn = (raw['scenario'] as Record<string, unknown>)['name'];
  if (!isNamePart(sn)) bad('scenario.name', NAME_PART);
  for (const f of ['reader', 'contract', 'model']) {
    if (!isNamePart(raw[f])) bad(f, NAME_PART);
  }
  const rm = raw['readerModule'];
  if (rm !== undefined && (!isObj(rm) || !isStr(rm['path']) || !isStr(rm['sha256']))) {
    bad('readerModule', 'a map with a path and a sha256');
  }
  const readerModule = rm as { path: string; sha256: string } | undefined;
  if (readerModule !== undefined && (readerModule.path === '' || !isLine(readerModule.path)))
    bad('readerModule.path', `a path, ${LINE}`);
  if (readerModule !== undefined && !/^[0-9a-f]{64}$/.test(readerModule.sha256))
    bad('readerModule.sha256', '64 lowercase hex digits (the sha256 of the module source)');
  const trace = raw['trace'];
  if (!Array.isArray(trace) || !trace.every((v) => Number.isInteger(v) && v >= 0)) {
    bad('trace', 'an array of non-negative integers');
  }
  const v = raw['verdict'];
  let decoded: CrashVerdict;
  if (version >= 3 && isObj(v) && v['kind'] === 'timeout') {
    const int = (x: unknown, min: number): boolean => Number.isSafeInteger(x) && (x as number) >= min;
    if (v['class'] !== 'timeout') bad('verdict.class', '"timeout" for a timeout');
    if (typeof v['seconds'] !== 'number' || !(v['seconds'] > 0) || !Number.isFinite(v['seconds']))
      bad('verdict.seconds', 'a positive number');
    if (!int(v['step'], 0)) bad('verdict.step', 'a non-negative safe integer');
    // the scenario's CPUs bound it from above: checked with the target (crashTarget)
    if (!int(v['cpu'], -1)) bad('verdict.cpu', 'an integer ≥ -1');
    // hangRecord writes step 0 for a hang before the first step
    if (v['cpu'] === -1 && v['step'] !== 0) bad('verdict.step', '0 with cpu -1 (a hang before the first step)');
    if (!isLine(v['detail'])) bad('verdict.detail', LINE);
    decoded = {
      kind: 'timeout',
      class: 'timeout',
      seconds: v['seconds'] as number,
      step: v['step'] as number,
      cpu: v['cpu'] as number,
      detail: v['detail'] as string,
    };
  } else {
    if (!isObj(v) || v['kind'] !== 'divergence' || !isNamePart(v['class']) || !isHex(v['observed'])) {
      bad('verdict', `a divergence with a class and a hex observed value${version >= 3 ? ', or a timeout' : ''}`);
    }
    const verdict = v as Record<string, unknown>;
    const allowed = verdict['allowed'];
    if (!Array.isArray(allowed) || !allowed.every(isHex)) bad('verdict.allowed', 'an array of hex values');
    const detail = verdict['detail'];
    if (detail !== undefined && !isLine(detail)) bad('verdict.detail', LINE);
    decoded = {
      kind: 'divergence',
      class: verdict['class'] as string,
      observed: verdict['observed'] as string,
      allowed: allowed as string[],
      ...(detail === undefined ? {} : { detail: detail as string }),
    };
  }
  return {
    format: CRASH_FORMAT,
    version,
    scenario: {
      name: scenario['name'] as string,
      source: scenario['source'] as 'builtin' | 'file',
      ...(version >= 2 && scenario['text'] !== undefined ? { text: scenario['text'] as string } : {}),
      ...(version >= 2 && scenario['dropped'] !== undefined ? { dropped: scenario['dropped'] as string[] } : {}),
      ...(version >= 2 && scenario['program'] !== undefined ? { program: scenario['program'] as string } : {}),
    },
    reader: raw['reader'] as string,
    ...(readerModule ? { readerModule: { path: readerModule.path, sha256: readerModule.sha256 } } : {}),
    contract: raw['contract'] as string,
    model: raw['model'] as string,
    trace: trace as number[],
    signature: raw['signature'] as string,
    verdict: decoded,
    engine: raw['engine'] as string,
    seed: raw['seed'] as string,
    tool: raw['tool'] as string,
  };
}

export const toHex = (v: bigint): string => '0x' + v.toString(16);
export const fromHex = (s: string): bigint => BigInt(s);
