import type { ReaderDef } from '../kernel';
import { builtinReaders } from '../kernel';
import type { Bounds, ChoiceSource } from '../machine';
import { DEFAULT_BOUNDS, TraceSource } from '../machine';
import type { ControlOutcome, ProgramCandidate, SearchOutcome } from '../minimize';
import { NO_CONTROLS, NO_SEARCH, mergeDropped, minimizeProgram, minimizeTrace } from '../minimize';
import type { Scenario, ScnFile } from '../scenario';
import { ScenarioError } from '../scenario';
import { UsageError, expectedContract } from './select';
import { expectationAt } from './expectations';
import { programId, scenarioSource } from './crash-record';
import type { Finding } from './campaign';
import type { ExecutionWatch, Run, Target } from './target';
import { OutsideReferenceContract, executeWatched, makeTarget, runTarget, sameDivergence, specOf } from './target';

/**
 * The schedule search of a campaign's minimizations (`fuzz`, `explore`, `matrix`, jsfuzz artifacts;
 * `--minimize-schedules N`): seeded schedules tried per smaller candidate program that the witness's
 * schedule, carried over, does not fail (minimizeProgram). Fewer than `minimize`'s 256: a campaign pays it
 * within its time budget, at every minimized hit (1st, 2nd, 4th …) of every class. Measured on
 * `fuzz --runs 20000 --seed 1` (README, *Limitations*): 59 files with 64, 73 without the search, for 10–20 % more
 * CPU time; 256 wrote 60 for about 35 % more.
 */
export const CAMPAIGN_MINIMIZE_SCHEDULES = 64;

/** A minimized witness: the (possibly reduced) target it runs on, its trace and run. */
export interface MinimizedWitness {
  /** the target of the reduced scenario (the same target when nothing was dropped) */
  readonly target: Target;
  readonly trace: readonly number[];
  readonly run: Run;
  /** predicate evaluations spent */
  readonly tries: number;
  /** what the program passes dropped (empty for a scenario without a `.scn` form) */
  readonly dropped: readonly string[];
  /** the program passes' schedule search (`minimize --schedules N`; none asked: no executions) */
  readonly search: SearchOutcome;
  /** the candidates the controls refused (ProgramCandidate.controls) */
  readonly controls: ControlOutcome;
}

/**
 * The campaign's predicate on a target, with the statement probe the program passes need. On a program the
 * minimizer reduced (`reduced`: a candidate, or a crash file's reduced program), an execution outside the
 * reference's contract (campaign/target.ts OutsideReferenceContract) is a candidate rejected, not an error: the
 * user's program kept to the contract (it ran its schedules without an error), the reduction did not — dropping an
 * arm64 `__ptep_get_and_clear` leaves a `__set_pte` of another page over a valid entry (no break-before-make),
 * dropping a `contpte_unfold` a block whose entries disagree on CONT (a misprogrammed contiguous range). (A lock
 * pair that another CPU also takes is never dropped around calls: src/minimize/program.ts dropUnits.)
 */
function candidate(
  t: Target,
  cls: string,
  bounds: Bounds,
  file: ScnFile,
  watch?: ExecutionWatch,
  reduced = false,
): ProgramCandidate & Required<Pick<ProgramCandidate, 'outside'>> {
  const same = sameDivergence(t, cls, bounds, watch);
  let outside: string | undefined;
  const takes = t.scenario.ast?.takes;
  return {
    file,
    ...(takes !== undefined ? { takes } : {}),
    holds: reduced
      ? (choices) => {
          outside = undefined;
          try {
            return same(choices);
          } catch (e) {
            if (!(e instanceof OutsideReferenceContract)) throw e;
            outside = e.rule;
            return null;
          }
        }
      : same,
    outside: () => outside,
    probe: (source: ChoiceSource, onStatement) =>
      // a build of its own (the probe is told each statement start), not the target's cached machine; it runs the
      // reader as the predicate's executions do, so it is watched as they are: in flight for a `fuzz` worker's
      // watchdog (was: not, so a reader that hung only there stopped its worker unseen, and the campaign for ever)
      executeWatched(t, specOf(t.scenario.build(t.reader, t.arch, { onStatement })), source, bounds, watch),
  };
}

const BUILTIN_READERS = builtinReaders();

/**
 * The controls on a candidate program `s` of a witness on `t` (ProgramCandidate.controls): the
 * other built-in readers `s` names that its `expect` lines say are correct under `t`'s model and that it judges by
 * `t`'s contract — the kernel's own readers, whose correctness the scenario states. A reader module's reader is no
 * control (a module's reader is what is under test).
 */
function controlReaders(s: Scenario, t: Target): ReaderDef[] {
  return s.readers.flatMap((name) => {
    const r = BUILTIN_READERS.get(name);
    if (r === undefined || name === t.reader.name) return [];
    const correct = expectationAt(s, name, t.model) === 'correct' && expectedContract(s, r) === t.contract.name;
    return correct ? [r] : [];
  });
}

/**
 * Minimize a divergent trace with the campaign's predicate (same reader,
 * contract, model and divergence class). A scenario with a `.scn` syntax tree
 * also gets the program passes (drop operations, drop CPUs, src/minimize/program.ts):
 * the result then runs on the reduced scenario, which keeps the original's
 * name and records what was dropped (`Scenario.reduced`, accumulated over
 * re-minimizations). A scenario without a syntax tree (a TypeScript object:
 * only tests build one) gets the trace passes only. `schedules` > 0 adds the
 * program passes' schedule search (`ptefuzz minimize --schedules N`, a
 * campaign's `--minimize-schedules N`). Null when `trace` does not
 * show the divergence, or when the minimized trace's final run does not (a
 * reader that does not replay what it did: one that keeps state between calls).
 */
export function minimizeWitness(
  t: Target,
  cls: string,
  trace: readonly number[],
  bounds: Bounds = DEFAULT_BOUNDS,
  /** the watchdog's view of the executions (campaign workers) */
  watch?: ExecutionWatch,
  /** seeded schedules searched per candidate program the carried-over schedule does not fail (minimizeProgram) */
  schedules = 0,
): MinimizedWitness | null {
  const ast = t.scenario.ast;
  if (ast === undefined) {
    const min = minimizeTrace(trace, sameDivergence(t, cls, bounds, watch));
    if (min === null) return null;
    const run = runTarget(t, new TraceSource(min.trace), bounds, watch);
    return divergesAs(run, cls)
      ? { target: t, trace: min.trace, run, tries: min.tries, dropped: [], search: NO_SEARCH, controls: NO_CONTROLS }
      : null;
  }
  const targets = new Map<ScnFile, Target>([[ast.file, t]]);
  const lower = (f: ScnFile): ProgramCandidate | null => {
    let s: Scenario;
    try {
      s = ast.lower(f);
    } catch (e) {
      // e.g. a register assigned by the dropped statement, or no reader call left
      if (e instanceof ScenarioError) return null;
      throw e;
    }
    const nt = makeTarget(s, t.reader, t.contract, t.model, t.arch);
    targets.set(f, nt);
    return {
      ...candidate(nt, cls, bounds, f, watch, true),
      controls: () =>
        controlReaders(s, t).map((r) => {
          const { holds, outside } = candidate(
            makeTarget(s, r, t.contract, t.model, t.arch),
            cls,
            bounds,
            f,
            watch,
            true,
          );
          return { reader: r.name, holds, outside };
        }),
    };
  };
  // a crash file's program the minimizer reduced before (`minimize`) is the minimizer's making too
  const min = minimizeProgram(
    candidate(t, cls, bounds, ast.file, watch, t.scenario.reduced !== undefined),
    trace,
    lower,
    undefined,
    schedules,
  );
  if (min === null) return null;
  let target = targets.get(min.program.file)!;
  if (min.dropped.length > 0) {
    const was = t.scenario.reduced;
    const source = scenarioSource(t.scenario);
    const dropped = mergeDropped(was?.dropped ?? [], min.dropped);
    const scenario: Scenario = { ...target.scenario, reduced: { source, dropped }, program: programId(t.scenario) };
    target = { ...target, scenario };
  } else if (target !== t) {
    throw new Error('[ptefuzz internal bug] program changed with nothing dropped');
  }
  const run = runTarget(target, new TraceSource(min.trace), bounds, watch);
  return divergesAs(run, cls)
    ? {
        target,
        trace: min.trace,
        run,
        tries: min.tries,
        dropped: min.dropped,
        search: min.search,
        controls: min.controls,
      }
    : null;
}

/**
 * The witness of a divergence `run` (of class `cls` on `t`) that a crash file stores: minimized
 * (minimizeWitness) — or the execution as it ran, unminimized (`unreplayed`), when its reader does not replay
 * what it did: the same schedule, executed again for the minimizer, does not diverge as it did, or the minimized
 * schedule's final run does not (a reader module that keeps state between calls). The divergence itself is real —
 * the reader returned that value in that execution —; only its replay is not assured, so it is kept, not dropped
 * and not minimized into a witness of something else.
 */
export function settleWitness(
  t: Target,
  cls: string,
  run: Run,
  bounds: Bounds = DEFAULT_BOUNDS,
  watch?: ExecutionWatch,
  /** the schedule search (minimizeWitness) */
  schedules: number = CAMPAIGN_MINIMIZE_SCHEDULES,
): SettledWitness {
  const min = minimizeWitness(t, cls, run.exec.trace, bounds, watch, schedules);
  if (min !== null) return { target: min.target, trace: min.trace, run: min.run };
  return { target: t, trace: run.exec.trace, run, unreplayed: true };
}

/** A settled witness as a campaign finding's witness fields. */
export function settledFinding(
  w: SettledWitness,
): Pick<Finding, 'target' | 'trace' | 'exec' | 'judgement' | 'unreplayed'> {
  return {
    target: w.target,
    trace: w.trace,
    exec: w.run.exec,
    judgement: w.run.judgement,
    ...(w.unreplayed ? { unreplayed: true } : {}),
  };
}

/** A divergence's witness as a crash file stores it (settleWitness). */
export interface SettledWitness {
  /** the target its trace runs on (the reduced scenario's, when the program passes dropped something) */
  readonly target: Target;
  readonly trace: readonly number[];
  readonly run: Run;
  /** set when the reader did not replay the divergence: `run` is the execution as it ran, unminimized */
  readonly unreplayed?: true;
}

/**
 * A command that needs a divergence to replay (matrix, explore: each claims verdicts over schedules) found one
 * that did not: the reader is not deterministic. A user's error (a reader module), not ptefuzz's: one line.
 */
export class UnreplayedDivergence extends UsageError {
  constructor(t: Target, cls: string) {
    super(
      `${t.reader.name}${t.reader.module ? ` (${t.reader.module.path})` : ''}: the ${cls} divergence of ${t.key} did ` +
        `not replay: the same schedule, executed again, did not diverge as it did — the reader is not deterministic ` +
        `(does it keep state between calls?); ptefuzz needs a reader whose result depends on the schedule alone`,
    );
  }
}

/** Whether `run` diverges with class `cls` (a replay of a witness of that class). */
export function divergesAs(run: Run, cls: string): boolean {
  const v = run.judgement.verdict;
  return v.kind === 'divergence' && v.class === cls;
}
