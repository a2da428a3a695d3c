import type { Bounds, ChoiceSource } from '../machine';
import { DEFAULT_BOUNDS, TraceSource } from '../machine';
import type { ProgramCandidate } from '../minimize';
import { mergeDropped, minimizeProgram, minimizeTrace } from '../minimize';
import type { Scenario, ScnFile } from '../scenario';
import { ScenarioError } from '../scenario';
import { scenarioSource } from './crash-record';
import type { ExecutionWatch, Run, Target } from './target';
import { executeWatched, makeTarget, runTarget, sameDivergence, specOf } from './target';

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
}

/** The campaign's predicate on a target, with the statement probe the program passes need. */
function candidate(t: Target, cls: string, bounds: Bounds, file: ScnFile, watch?: ExecutionWatch): ProgramCandidate {
  return {
    file,
    holds: sameDivergence(t, cls, bounds, watch),
    probe: (source: ChoiceSource, onStatement) =>
      // a build of its own (the probe is told each statement start), not the target's cached machine; it runs the
      // reader as the predicate's executions do, so it is watched as they are: in flight for a `fuzz` worker's
      // watchdog (was: not, so a reader that hung only there stopped its worker unseen, and the campaign for ever)
      executeWatched(t, specOf(t.scenario.build(t.reader, t.arch, { onStatement })), source, bounds, watch),
  };
}

/**
 * Minimize a divergent trace with the campaign's predicate (same reader,
 * contract, model and divergence class). A scenario with a `.scn` syntax tree
 * also gets the program passes (drop operations, drop CPUs, src/minimize/program.ts):
 * the result then runs on the reduced scenario, which keeps the original's
 * name and records what was dropped (`Scenario.reduced`, accumulated over
 * re-minimizations). A scenario without a syntax tree (a TypeScript object:
 * only tests build one) gets the trace passes only. Null when `trace` does not
 * show the divergence.
 */
export function minimizeWitness(
  t: Target,
  cls: string,
  trace: readonly number[],
  bounds: Bounds = DEFAULT_BOUNDS,
  /** the watchdog's view of the executions (campaign workers) */
  watch?: ExecutionWatch,
): MinimizedWitness | null {
  const ast = t.scenario.ast;
  if (ast === undefined) {
    const min = minimizeTrace(trace, sameDivergence(t, cls, bounds, watch));
    if (min === null) return null;
    const run = runTarget(t, new TraceSource(min.trace), bounds, watch);
    return { target: t, trace: min.trace, run, tries: min.tries, dropped: [] };
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
    return candidate(nt, cls, bounds, f, watch);
  };
  const min = minimizeProgram(candidate(t, cls, bounds, ast.file, watch), trace, lower);
  if (min === null) return null;
  let target = targets.get(min.program.file)!;
  if (min.dropped.length > 0) {
    const was = t.scenario.reduced;
    const source = scenarioSource(t.scenario);
    const dropped = mergeDropped(was?.dropped ?? [], min.dropped);
    const scenario: Scenario = { ...target.scenario, reduced: { source, dropped } };
    target = { ...target, scenario };
  } else if (target !== t) {
    throw new Error('[ptefuzz internal bug] program changed with nothing dropped');
  }
  const run = runTarget(target, new TraceSource(min.trace), bounds, watch);
  return { target, trace: min.trace, run, tries: min.tries, dropped: min.dropped };
}
