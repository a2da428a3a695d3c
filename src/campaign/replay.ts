import type { ReaderDef, ReaderRegistry } from '../kernel';
import { builtinOperations } from '../kernel';
import type { Scenario } from '../scenario';
import { ScenarioError, loadScn } from '../scenario';
import type { CrashFile } from '../crash';
import { CrashFileError, shellQuote, toHex } from '../crash';
import type { WrappedChoice } from '../machine';
import { DEFAULT_BOUNDS, TraceSource, wrapChoice } from '../machine';
import { DIVERGENCE_CLASSES } from '../compare';
import type { ExecutionWatch, Run, Target } from './target';
import { makeTarget, runTarget } from './target';
import { witnessSignature } from './signature';
import { UsageError, namedTarget, resolveReader, resolveScenario } from './select';

export interface ReplayResult {
  readonly target: Target;
  readonly run: Run;
  /** the verdict recorded in the file was reproduced exactly (kind, class, observed value and signature) */
  readonly reproduced: boolean;
  readonly observed: string;
  /** the replay's witness signature, as a campaign computes a file's (witnessSignature); '' when it did not diverge */
  readonly signature: string;
  /** how the replay differs from the file's verdict, for a NOT REPRODUCED line (`replay gave …`); undefined when reproduced */
  readonly difference?: string;
  /**
   * The crash file was found with a reader module whose source differs from
   * the one loaded now (or the reader is now built in, or now from a module):
   * one line saying so, for the CLI to print; undefined when they match.
   */
  readonly moduleNote?: string;
  /**
   * What the trace held that ptefuzz never records, one line each: a value out of range where it was used
   * (wrappedChoiceNote), values left over when the execution ended (unusedChoicesNote). Empty when none.
   */
  readonly traceNotes: readonly string[];
}

/** One line about a crash file's trace value that wrapped on replay: the file was edited or damaged. */
export function wrappedChoiceNote(w: WrappedChoice): string {
  return (
    `note: trace value ${w.index} is ${w.value}, where the execution offered ${w.n} options (a ${w.kind} choice, ` +
    `0–${w.n - 1}): it wrapped to ${wrapChoice(w.value, w.n)} — ptefuzz never records such a value: the trace was ` +
    `edited or damaged, and this run may not be the recorded one`
  );
}

/**
 * One line about a crash file's trace with values no decision of its execution consulted (`unused` of them, after
 * the `used` it made): the file was edited or damaged.
 */
export function unusedChoicesNote(used: number, unused: number): string {
  return (
    `note: the trace has ${unused} value(s) after the ${used} the execution used (trace values ${used}–${used + unused - 1} ` +
    `were never consulted) — ptefuzz never records such values: the trace was edited or damaged, and this run may ` +
    `not be the recorded one`
  );
}

/** The notes of a replayed trace (ReplayResult.traceNotes): values that wrapped, values left unused. */
export function traceNotes(source: TraceSource, length: number): string[] {
  return [
    ...(source.wrapped ? [wrappedChoiceNote(source.wrapped)] : []),
    ...(source.unused > 0 ? [unusedChoicesNote(length - source.unused, source.unused)] : []),
  ];
}

/** Does the reader that replays a crash file come from the module source it was found with? */
export function readerModuleNote(c: CrashFile, reader: ReaderDef): string | undefined {
  const was = c.readerModule;
  const now = reader.module;
  if (!was && !now) return undefined;
  if (!was)
    return `note: reader "${c.reader}" was a built-in reader when this crash was recorded; now from ${now!.path}`;
  if (!now)
    return `note: reader "${c.reader}" was recorded from the reader module ${was.path}; now the built-in reader`;
  if (was.sha256 === now.sha256) return undefined;
  return `note: ${now.path} differs from the module source this crash was recorded with (${was.path}, sha256 ${was.sha256.slice(0, 12)}… → ${now.sha256.slice(0, 12)}…)`;
}

/**
 * A crash file that is whole but was recorded with a reader module the command was not given: it cannot be run
 * here, which is not the same as unreadable (`replay` and `minimize` count the two apart).
 */
export class ReaderModuleNeeded extends CrashFileError {}

/** How `replay` and `minimize` end their count line: the files they could not read, and those they could not run. */
export function unrunCounts(unreadable: number, needModule: number): string {
  return `${unreadable} unreadable` + (needModule > 0 ? `, ${needModule} not run (needing --reader-module)` : '');
}

/** Rebuild the target a crash file names; an unknown name is an error about the file. */
export function crashTarget(c: CrashFile, file: string, registry: ReaderRegistry): Target {
  if (c.verdict.kind === 'divergence' && !(DIVERGENCE_CLASSES as readonly string[]).includes(c.verdict.class)) {
    throw new CrashFileError(
      file,
      `field "verdict.class": expected one of ${DIVERGENCE_CLASSES.join(', ')}, got "${c.verdict.class}"`,
    );
  }
  try {
    // before the stored scenario is lowered: its `reader` line names the module's reader
    if (c.readerModule && !registry.get(c.reader)) {
      throw new ReaderModuleNeeded(
        file,
        `reader "${c.reader}" comes from a reader module: needs --reader-module ${shellQuote(c.readerModule.path)} (sha256 ${c.readerModule.sha256.slice(0, 12)}…)`,
      );
    }
    const s = c.scenario.text === undefined ? resolveScenario(c.scenario.name) : storedScenario(c, file, registry);
    // messages about the program (an execution outside the reference's contract) name the crash file it came from
    const t = namedTarget({ ...s, file }, resolveReader(c.reader, registry), c.contract, c.model);
    const cpus = t.built.cpus.length;
    if (c.verdict.kind === 'timeout' && c.verdict.cpu >= cpus) {
      throw new CrashFileError(
        file,
        `field "verdict.cpu": expected -1 (a hang before the first step) or a CPU of the scenario, 0–${cpus - 1}, got ${c.verdict.cpu}`,
      );
    }
    return t;
  } catch (e) {
    if (e instanceof UsageError) throw new CrashFileError(file, e.message);
    throw e;
  }
}

/**
 * The target a campaign's witness of `t` runs on: `t` itself, or — when the minimizer reduced its program — the
 * reduced scenario its record stores (lowered, not run), as `replay` and `show` run it: its trace is a schedule of
 * that program, not of `t`.
 */
export function witnessTarget(t: Target, rec: CrashFile, file: string, registry: ReaderRegistry): Target {
  return rec.scenario.dropped === undefined ? t : crashTarget(rec, file, registry);
}

/** A version-2 crash file's own scenario, lowered from the printed text it stores. */
function storedScenario(c: CrashFile, file: string, registry: ReaderRegistry): Scenario {
  try {
    const s = lowerPrinted(c.scenario.text!, `${file} (stored scenario)`, c.scenario.name, registry);
    if (s === undefined) throw new CrashFileError(file, 'the stored scenario has no pte and no reader');
    if (s.name !== c.scenario.name) {
      throw new CrashFileError(file, `the stored scenario is named ${s.name}, the file says ${c.scenario.name}`);
    }
    const dropped = c.scenario.dropped;
    const program = c.scenario.program;
    return dropped === undefined
      ? { ...s, origin: c.scenario.source, program }
      : { ...s, reduced: { source: c.scenario.source, dropped }, program };
  } catch (e) {
    if (e instanceof ScenarioError) throw new CrashFileError(file, `stored scenario: ${e.message}`);
    throw e;
  }
}

/**
 * The target of `t`'s reader, contract and model on a program the minimizer reduced from `t`'s scenario,
 * given that program's printed `.scn` text (as a campaign worker publishes it for the watchdog).
 * Throws ScenarioError if the text does not lower.
 */
export function reducedTarget(t: Target, text: string, registry: ReaderRegistry): Target {
  const s = lowerPrinted(text, `${t.scenario.name} (a program the minimizer reduced)`, t.scenario.name, registry);
  if (s === undefined)
    throw new ScenarioError(t.scenario.name, 1, 1, 'expected a kernel scenario (a pte and a reader)');
  return makeTarget(s, t.reader, t.contract, t.model, t.arch);
}

/**
 * A scenario's printed `.scn` text (as a crash file stores it, or a campaign worker publishes a reduced
 * program) lowered again under its recorded `name`; undefined when it is a raw test (no pte, no reader).
 * Throws ScenarioError when the text does not lower.
 */
function lowerPrinted(text: string, label: string, name: string, registry: ReaderRegistry): Scenario | undefined {
  const ctx = { readers: registry, operations: builtinOperations(), recordedName: true, recordedLocks: true };
  const l = loadScn(text, label, ctx, name);
  return l.kind === 'kernel' ? l.scenario : undefined;
}

/**
 * A value as a crash file or a replay gives it (a hex string: `0x10067`) in the target architecture's
 * notation (PAE `{0x00000000:0x00010067}`, arm64 `0x0078000000040bc3`); anything else (`agree`) unchanged.
 */
export function recordedValueText(value: string, target: Target): string {
  return /^0x[0-9a-f]+$/i.test(value) ? target.arch.format(BigInt(value)) : value;
}

export function replayCrash(
  c: CrashFile,
  file: string,
  registry: ReaderRegistry,
  /** the main thread's watch of the execution (src/cli/watched-call.ts) */
  watch?: ExecutionWatch,
): ReplayResult {
  const target = crashTarget(c, file, registry);
  const source = new TraceSource(c.trace);
  const run = runTarget(target, source, DEFAULT_BOUNDS, watch);
  const v = run.judgement.verdict;
  const observed = v.kind === 'divergence' ? toHex(v.observed) : v.kind;
  const signature = witnessSignature(run.exec, run.judgement, target.built);
  const difference = replayDifference(c, target, run, signature);
  const moduleNote = readerModuleNote(c, target.reader);
  return {
    target,
    run,
    reproduced: difference === undefined,
    observed,
    signature,
    ...(difference !== undefined ? { difference } : {}),
    ...(moduleNote !== undefined ? { moduleNote } : {}),
    traceNotes: traceNotes(source, c.trace.length),
  };
}

/**
 * How a replay differs from the verdict its crash file records (`replay gave …`, one line), undefined when it is
 * the same: kind, class, observed value and witness signature. The signature is the bug's identity within its
 * class (the fingerprint hashes it): a trace of a sibling bug of the same class and value — or a signature edited
 * or damaged — gives the same verdict and another signature, and reproduces a bug this file does not name.
 */
function replayDifference(c: CrashFile, target: Target, run: Run, signature: string): string | undefined {
  const v = run.judgement.verdict;
  if (v.kind !== 'divergence') return `replay gave ${v.kind}`;
  const value = recordedValueText(toHex(v.observed), target);
  if (c.verdict.kind !== 'divergence' || v.class !== c.verdict.class) return `replay gave ${v.class} ${value}`;
  if (toHex(v.observed) !== c.verdict.observed) return `replay gave ${value}`;
  if (signature === c.signature) {
    // what the contract allowed, as the file lists it: an edited list would misstate the bug
    const allowed = v.allowed.map(toHex);
    const recorded = c.verdict.allowed;
    if (allowed.length === recorded.length && allowed.every((x, i) => x === recorded[i])) return undefined;
    return `replay gave ${v.class} ${value} with allowed values ${allowed.join(' ')}, the file records ${recorded.join(' ') || 'none'} (edited or damaged)`;
  }
  return (
    `replay gave ${v.class} ${value} with signature "${signature}", the file records "${c.signature}" (another bug ` +
    `of this class and value: the trace or the signature was edited or damaged, or the file was written before a ` +
    `change of the reference renumbered its values)`
  );
}
