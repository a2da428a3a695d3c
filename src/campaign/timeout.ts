import type { Execution } from '../machine';
import { DEFAULT_BOUNDS, TraceSource } from '../machine';
import type { CrashFile, CrashTimeoutVerdict } from '../crash';
import { TIMEOUT_CRASH_VERSION, toHex } from '../crash';
import { crashHeader } from './crash-record';
import type { ExecutionWatch, Run, Target } from './target';
import { runTarget } from './target';
import { traceNotes, unusedChoicesNote } from './replay';

/**
 * What the watchdog saw of an execution that did not return: the choices it
 * made (a replay with them reaches the same point: the interpreter consults
 * the source only at choices, and the hung execution made no further one),
 * the number of the step that never returned (steps are numbered from 0; the
 * CPU executed its instruction, then its code did not yield again) and that
 * step's CPU — or cpu -1 and step 0 when it hung before the first step, while
 * the CPU programs started.
 */
export interface Hang {
  readonly trace: readonly number[];
  readonly step: number;
  readonly cpu: number;
}

/** A distinct hang found by a campaign: one timeout crash file, however often it was hit. */
export interface TimeoutFinding {
  readonly target: Target;
  readonly record: CrashFile;
  readonly id: string;
  readonly file: string;
  hits: number;
  /** executions and seconds into the campaign when it was first seen */
  readonly first: { readonly executions: number; readonly seconds: number };
}

/**
 * The execution up to the hang, without hanging: the trace replayed with a
 * step bound of `hang.step + 1`, the step that never returned executing its
 * instruction (a load reads its value: often the one the code then spun on)
 * but its CPU's code not resumed after it (Bounds.holdLastStep). Undefined
 * when it hung before the first step.
 */
export function runToHang(t: Target, hang: Hang, watch?: ExecutionWatch): Run | undefined {
  if (hang.cpu < 0) return undefined;
  const bounds = { ...DEFAULT_BOUNDS, steps: hang.step + 1, holdLastStep: true };
  return runTarget(t, new TraceSource(hang.trace), bounds, watch);
}

/**
 * The notes of a timeout file's trace (traceNotes) replayed up to where an execution of it hung (`hang`: its
 * trace, step and CPU): a value out of range, values left over — a hung execution's trace is every choice it made
 * before it hung, no more (it made none after its last step began).
 */
export function hangTraceNotes(t: Target, hang: Hang, watch?: ExecutionWatch): string[] {
  if (hang.cpu < 0) return hang.trace.length > 0 ? [unusedChoicesNote(0, hang.trace.length)] : [];
  const source = new TraceSource(hang.trace);
  runTarget(t, source, { ...DEFAULT_BOUNDS, steps: hang.step + 1, holdLastStep: true }, watch);
  return traceNotes(source, hang.trace.length);
}

/** The innermost operation still open on `cpu` in an execution stopped by a bound, or undefined. */
function openOp(exec: Execution, cpu: number): Execution['ops'][number] | undefined {
  let found: Execution['ops'][number] | undefined;
  for (const o of exec.ops) if (o.cpu === cpu && !o.done) found = o;
  return found;
}

/**
 * Where a hang is, for its fingerprint and its one-line description: the
 * operation in flight on the hung CPU and the values its loads had read
 * ("ptep_get_spin on CPU 1 (reader) after step 7, read pte_low=0x0 pte_high=0x1").
 * Two hangs with the same signature are one file, as for divergences.
 */
export function describeHang(t: Target, hang: Hang): { signature: string; detail: string } {
  const run = runToHang(t, hang);
  if (run === undefined) {
    return {
      signature: 'before the first step',
      detail: 'hung before the first step (while the CPU programs started)',
    };
  }
  const cpuName = t.built.cpus[hang.cpu]?.name ?? `cpu${hang.cpu}`;
  const { op, reads } = inFlight(t, hang, run);
  const what = op ? `in ${op.mark.name}` : 'outside any operation';
  const read = reads.length > 0 ? `, having read ${reads.join(' ')}` : '';
  return {
    signature: hangSignature(op, hang, reads),
    detail: `CPU ${hang.cpu} (${cpuName}) did not yield again after its step ${hang.step} ${what}${read}`,
  };
}

/**
 * describeHang's signature as ptefuzz wrote it in timeout files before 2026-11-23 (d7fe742), when the replay up to a
 * hang stopped before the step that never returned: without the value that step's load read (the fixture
 * `test/fixtures/crash-v3-timeout.msgpack` is one). The same hang, described from one step less: `replay` takes it
 * for the file's hang as it takes describeHang's.
 */
export function legacyHangSignature(t: Target, hang: Hang, watch?: ExecutionWatch): string {
  if (hang.cpu < 0) return 'before the first step';
  const run = runTarget(t, new TraceSource(hang.trace), { ...DEFAULT_BOUNDS, steps: hang.step }, watch);
  const { op, reads } = inFlight(t, hang, run);
  return hangSignature(op, hang, reads);
}

/** The operation in flight on the hung CPU in `run` (the execution up to the hang) and its loads, `LOC=VALUE`. */
function inFlight(t: Target, hang: Hang, run: Run): { op: Execution['ops'][number] | undefined; reads: string[] } {
  const op = openOp(run.exec, hang.cpu);
  const reads: string[] = [];
  if (op) {
    for (const ev of run.exec.events) {
      if (ev.op !== op.id || ev.read === undefined) continue;
      const locs = ev.locs.map((id) => t.built.locations.locs[id]!.name).join('+');
      reads.push(`${locs}=${toHex(ev.read)}`);
    }
  }
  return { op, reads };
}

const hangSignature = (op: Execution['ops'][number] | undefined, hang: Hang, reads: readonly string[]): string =>
  `${op ? op.mark.name : '-'} on CPU ${hang.cpu}: ${reads.join(' ')}`;

/** The crash file of a hang (format version 3, verdict kind `timeout`). */
export function timeoutRecord(t: Target, hang: Hang, seconds: number, engine: string, seed: string): CrashFile {
  return hangRecord(t, hang, seconds, engine, seed, describeHang(t, hang));
}

/**
 * What describeHang says of a hang whose replay up to the step that never returned did not return either (a reader
 * that keeps state between calls): the hung CPU and step only, no operation, no values read.
 */
export function unreplayedHang(t: Target, hang: Hang): { signature: string; detail: string } {
  const cpuName = t.built.cpus[hang.cpu]?.name ?? `cpu${hang.cpu}`;
  return {
    signature: `? on CPU ${hang.cpu}: replay hung`,
    detail:
      `CPU ${hang.cpu} (${cpuName}) did not yield again after its step ${hang.step} (the replay up to that step, ` +
      'to say in which operation, did not return either)',
  };
}

/** The crash file of a hang described as `described` (describeHang or unreplayedHang). */
export function hangRecord(
  t: Target,
  hang: Hang,
  seconds: number,
  engine: string,
  seed: string,
  { signature, detail }: { readonly signature: string; readonly detail: string },
): CrashFile {
  const verdict: CrashTimeoutVerdict = {
    kind: 'timeout',
    class: 'timeout',
    seconds,
    step: hang.cpu < 0 ? 0 : hang.step,
    cpu: hang.cpu,
    detail,
  };
  return { ...crashHeader(t, hang.trace, engine, seed), version: TIMEOUT_CRASH_VERSION, signature, verdict };
}
