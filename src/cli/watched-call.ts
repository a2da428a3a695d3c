/**
 * Watched calls in the main thread: synchronous code that may never return — a reader module that spins without
 * yielding (`while (true) {}`) — run where it can be stopped. `node:vm` runs a script with a time limit: past it,
 * V8 terminates the script, whatever function it is in (a main-realm function it calls included), and the call
 * throws `ERR_SCRIPT_EXECUTION_TIMEOUT`. One context and one script (`call()`) serve every call; each call starts
 * a watchdog thread (~40–60 µs), so a watched call wraps a unit of work (an execution, a slice of a search), not a
 * step. What a stopped call was doing is dead: its `finally` blocks did not run, and any state it touched (a
 * generator, a reader module's variables, a machine) must not be resumed. Calls nest (a limit inside a limit).
 * A promise-returning function is watched only up to its first `await`.
 */
import { Script, createContext } from 'node:vm';
import type { ChoiceSource } from '../machine';
import type { ExecutionWatch, Hang, MinimizingWitness, Target } from '../campaign';
import type { ReplayResult } from '../campaign';
import {
  describeHang,
  hangRecord,
  hangTraceNotes,
  legacyHangSignature,
  replayCrash,
  unreplayedHang,
} from '../campaign';
import type { ReaderRegistry } from '../kernel';
import type { CrashFile } from '../crash';
import type { SharedWatch } from './watchdog';

/** What a watched call gave: its value, or `hung` — it had not returned when its limit passed, and was stopped. */
export type Watched<T> = { readonly hung: false; readonly value: T } | { readonly hung: true };

const sandbox: { call: (() => unknown) | undefined } = { call: undefined };
const context = createContext(sandbox);
const script = new Script('call()', { filename: 'ptefuzz-watched-call' });

/** The largest limit `node:vm` takes (a uint32 of milliseconds, ~49.7 days): a longer one is cut to it. */
const MAX_LIMIT_MS = 2 ** 32 - 1;

/** A `--timeout` in seconds as a vm limit: whole milliseconds, at least 1, at most MAX_LIMIT_MS. */
export function limitMs(seconds: number): number {
  return Math.min(MAX_LIMIT_MS, Math.max(1, Math.round(seconds * 1000)));
}

/**
 * Call `fn` in this thread, stopped if it has not returned after `ms` milliseconds (rounded to whole ones, at
 * least 1): its value, or `{ hung: true }`. An exception of `fn` propagates unchanged; the vm's own timeout
 * error never does.
 */
export function watchedCall<T>(fn: () => T, ms: number): Watched<T> {
  const outer = sandbox.call;
  // what fn threw, told apart from the vm's timeout error (a termination runs no catch block: this one neither)
  let thrown: { readonly e: unknown } | undefined;
  sandbox.call = () => {
    try {
      return fn();
    } catch (e) {
      thrown = { e };
      throw e;
    }
  };
  try {
    const value = script.runInContext(context, { timeout: Math.min(MAX_LIMIT_MS, Math.max(1, Math.round(ms))) }) as T;
    return { hung: false, value };
  } catch (e) {
    if (thrown === undefined && isVmTimeout(e)) return { hung: true };
    throw e;
  } finally {
    sandbox.call = outer;
  }
}

/**
 * How long one slice of a sliced computation (explore's search, matrix's units) runs: it starts no execution after
 * SLICE_MS, then returns (explore lets the event loop turn there, where a signal handler can run).
 */
export const SLICE_MS = 50;

/**
 * One slice of a sliced computation as a watched call: its limit is `seconds` past the slice's own SLICE_MS, so the
 * execution that did not return ran at least `seconds`.
 */
export function watchedSlice<T>(work: () => T, seconds: number): Watched<T> {
  return watchedCall(work, limitMs(seconds) + SLICE_MS);
}

function isVmTimeout(e: unknown): boolean {
  return typeof e === 'object' && e !== null && (e as { code?: unknown }).code === 'ERR_SCRIPT_EXECUTION_TIMEOUT';
}

/** Thrown by WatchedExecutions when an execution of `target` did not return within `seconds`. */
export class HungExecution extends Error {
  constructor(
    readonly target: Target,
    readonly seconds: number,
  ) {
    super(`an execution of ${target.key} did not return within ${seconds} s`);
    this.name = 'HungExecution';
  }
}

/**
 * The one line (stderr) of a command that stopped a reader of FILE (`e`) `where` (`on replay`, …): what hung, and
 * what to do about it.
 */
export function hungLine(file: string, e: HungExecution, where: string): string {
  return (
    `ptefuzz: ${file}: reader ${e.target.reader.name} did not return within ${e.seconds} s ${where}, and was stopped ` +
    '(a loop that never yields: the reader module may differ from the one the file was recorded with, or keep state ' +
    'between calls); fix the reader, or give it longer with --timeout SECONDS'
  );
}

/**
 * The main thread's watch of single executions (a replay, the minimizer's candidates): each execution is one
 * watched call of `seconds`; one that does not return throws HungExecution out of the code that ran it (the
 * minimization, the replay), whose state is then dead — the caller gives that unit of work up and says so.
 * With `record` (a SharedWatch over a WatchBuffer of this thread), every execution is also published there as
 * a `fuzz` worker publishes it — its choices, the CPU of each step, the divergence being minimized —, so that
 * the caller of a hung one reads what it did (`snapshot()` of that buffer) and makes its `timeout` file.
 */
export class WatchedExecutions implements ExecutionWatch {
  private target: Target | undefined;

  constructor(
    readonly seconds: number,
    private readonly record?: SharedWatch,
  ) {}

  begin(t: Target, source: ChoiceSource): ChoiceSource {
    this.target = t;
    return this.record !== undefined ? this.record.begin(t, source) : source;
  }

  end(): void {
    this.record?.end();
  }

  minimizing(m: MinimizingWitness | undefined): void {
    this.record?.minimizing(m);
  }

  call<T>(execution: () => T): T {
    const r = watchedCall(execution, limitMs(this.seconds));
    if (r.hung) {
      if (this.target === undefined) throw new Error('[ptefuzz internal bug] a watched execution without a target');
      throw new HungExecution(this.target, this.seconds);
    }
    return r.value;
  }
}

/**
 * describeHang — which replays a hung execution up to the step that never returned — as a watched call of
 * `seconds`: a reader that hangs there too (one that keeps state between calls) is described by unreplayedHang
 * (the hung CPU and step only) instead of hanging the command.
 */
export function watchedDescribeHang(t: Target, hang: Hang, seconds: number): { signature: string; detail: string } {
  const r = watchedCall(() => describeHang(t, hang), limitMs(seconds));
  return r.hung ? unreplayedHang(t, hang) : r.value;
}

/**
 * The signature of the hang a timeout file's replay ran into (`hang`: the file's trace, and the step and CPU where the
 * replay hung), as a campaign computes a timeout file's (watchedDescribeHang), and whether the file's `recorded`
 * signature names that hang: that signature, or — a file written before the replay up to a hang executed the hung
 * step — legacyHangSignature's.
 */
export function watchedHangSignature(
  t: Target,
  hang: Hang,
  recorded: string,
  seconds: number,
): { readonly signature: string; readonly same: boolean } {
  const signature = watchedDescribeHang(t, hang, seconds).signature;
  if (signature === recorded) return { signature, same: true };
  const legacy = watchedCall(() => legacyHangSignature(t, hang), limitMs(seconds));
  return { signature, same: !legacy.hung && legacy.value === recorded };
}

/**
 * hangTraceNotes as a watched call of `seconds` (its replay up to the hung step could hang too, as describeHang's):
 * none when it does not return.
 */
export function watchedHangTraceNotes(t: Target, hang: Hang, seconds: number): readonly string[] {
  const r = watchedCall(() => hangTraceNotes(t, hang), limitMs(seconds));
  return r.hung ? [] : r.value;
}

/** timeoutRecord, its replay watched (watchedDescribeHang): the `timeout` crash file of a hang, whatever the reader. */
export function watchedTimeoutRecord(t: Target, hang: Hang, seconds: number, engine: string, seed: string): CrashFile {
  return hangRecord(t, hang, seconds, engine, seed, watchedDescribeHang(t, hang, seconds));
}

/**
 * replayCrash with its execution a watched call of `seconds`: undefined when it did not return, after one line on
 * stderr (hungLine, `where` saying what the command was doing).
 */
export function watchedReplay(
  crash: CrashFile,
  file: string,
  registry: ReaderRegistry,
  seconds: number,
  where: string,
): ReplayResult | undefined {
  try {
    return replayCrash(crash, file, registry, new WatchedExecutions(seconds));
  } catch (e) {
    if (!(e instanceof HungExecution)) throw e;
    process.stderr.write(hungLine(file, e, where) + '\n');
    return undefined;
  }
}
