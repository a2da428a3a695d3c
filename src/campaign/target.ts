import type { Bounds, ChoiceSource, Execution, MachineSpec, ModelKind, OpRecord } from '../machine';
import { DEFAULT_BOUNDS, TraceSource, execute } from '../machine';
import type { Arch, ReaderDef } from '../kernel';
import type { Contract, Judgement } from '../compare';
import { judge } from '../compare';
import type { UnserialisedWriters } from '../reference';
import { NotSerialised } from '../reference';
import type { BuiltScenario, Scenario } from '../scenario';
import { UsageError } from './usage-error';

/** One thing a campaign exercises: a scenario with one reader, judged under one contract and model. */
export interface Target {
  readonly scenario: Scenario;
  readonly reader: ReaderDef;
  readonly contract: Contract;
  readonly model: ModelKind;
  readonly arch: Arch;
  readonly built: BuiltScenario;
  /** "scenario reader contract model", unique within a campaign */
  readonly key: string;
}

export function makeTarget(
  scenario: Scenario,
  reader: ReaderDef,
  contract: Contract,
  model: ModelKind,
  arch: Arch,
): Target {
  return {
    scenario,
    reader,
    contract,
    model,
    arch,
    built: scenario.build(reader, arch),
    key: `${scenario.name} ${reader.name} ${contract.name} ${model}`,
  };
}

/** The machine a built scenario runs on. */
export function specOf(b: BuiltScenario): MachineSpec {
  return {
    locations: b.locations,
    cpus: b.cpus,
    ...(b.flush ? { flush: b.flush } : {}),
    ...(b.pages ? { pages: b.pages } : {}),
  };
}

/** specOf, made once per built scenario (it is immutable). */
const specs = new WeakMap<BuiltScenario, MachineSpec>();
function machineSpec(b: BuiltScenario): MachineSpec {
  let spec = specs.get(b);
  if (spec === undefined) {
    spec = specOf(b);
    specs.set(b, spec);
  }
  return spec;
}

export interface Run {
  readonly exec: Execution;
  readonly judgement: Judgement;
}

/**
 * Watches every execution of a campaign (the `fuzz` watchdog, src/cli/watchdog.ts):
 * `begin` is told the target and may wrap the choice source (to publish the
 * choices of the execution in flight), `end` is called when it returns.
 */
export interface ExecutionWatch {
  begin(t: Target, source: ChoiceSource): ChoiceSource;
  end(): void;
  /**
   * The campaign is about to minimize a divergence (`m`), or is done with it (undefined): every
   * execution in between is a candidate of that minimization — on `m.target` itself (the trace
   * passes) or on a program the minimizer reduced (a Target of its own). The watchdog keeps `m`
   * so that a candidate that hangs does not lose the divergence: it diverged and returned, and `m`
   * holds its execution and judgement (a `fuzz` worker sends the main thread its crash record and
   * report before the first candidate runs, so nothing has to be executed again to keep it).
   */
  minimizing?(m: MinimizingWitness | undefined): void;
  /**
   * Optional: run one execution of the interpreter (`execution`) — the main thread's watch
   * (src/cli/watched-call.ts) runs it as a call it can stop after a time limit, and throws out of the
   * code that ran the execution when it does. Without it, the execution is called directly.
   */
  call?<T>(execution: () => T): T;
}

/** Run one execution under `watch`'s `call` when it has one, else directly. */
export function callWatched<T>(watch: ExecutionWatch | undefined, execution: () => T): T {
  return watch?.call !== undefined ? watch.call(execution) : execution();
}

/** The divergence a campaign is minimizing (ExecutionWatch.minimizing): its execution, as run. */
export interface MinimizingWitness extends Run {
  readonly target: Target;
  /** its divergence class */
  readonly class: string;
}

/** Execute a target once with the given choices and judge its reader. */
export function runTarget(
  t: Target,
  source: ChoiceSource,
  bounds: Bounds = DEFAULT_BOUNDS,
  watch?: ExecutionWatch,
): Run {
  const exec = executeWatched(t, machineSpec(t.built), source, bounds, watch);
  return { exec, judgement: judgeTarget(t, exec) };
}

/**
 * Judge an execution of `t` (compare/judge); an execution whose writers of the subject were not serialised is
 * outside the reference's contract — no verdict: a WritersNotSerialised error naming the scenario.
 */
export function judgeTarget(t: Target, exec: Execution): Judgement {
  try {
    return judge(exec, t.reader.name, t.built.subject, t.contract, t.arch);
  } catch (e) {
    if (e instanceof NotSerialised) throw new WritersNotSerialised(t, e.found);
    throw e;
  }
}

/**
 * An execution of a scenario whose writers of one pte were not serialised (reference/serial.ts): the
 * scenario is outside what the reference can judge, a user's error — one line naming the scenario (its file when
 * it was loaded from one), the two CPUs and operations, and the fix.
 */
export class WritersNotSerialised extends UsageError {
  constructor(t: Target, found: UnserialisedWriters) {
    const [a, b] = [found.first, found.second].sort((x, y) => x.cpu - y.cpu);
    const cpuName = (cpu: number): string => {
      const name = t.built.cpus[cpu]?.name ?? String(cpu);
      const colon = name.indexOf(': ');
      return colon < 0 ? name : name.slice(0, colon);
    };
    const op = (o: OpRecord): string =>
      `cpu ${cpuName(o.cpu)} (${o.mark.name}, steps ${o.start}..${o.done ? o.end : '(cut off by a bound)'})`;
    const what = found.interleaved
      ? 'interleaved their stores'
      : 'made their stores visible in the opposite order to the one they finished in';
    super(
      `${t.scenario.file ?? `scenario ${t.scenario.name}`}: the writers of ${found.subject} on ${op(a!)} and ` +
        `${op(b!)} ${what} (${t.reader.name} under ${t.model}): the reference needs the writers of one pte ` +
        `serialised, as the kernel does with the PTL — put each CPU's writers between spin_lock(ptl) and ` +
        `spin_unlock(ptl)`,
    );
  }
}

/**
 * One execution of `spec` — `t`'s machine, or one built for it with hooks (the minimizer's statement probe) —
 * under `t`'s model and `watch`: begun and ended there, so the watchdog sees it in flight (a `fuzz` worker's
 * buffer), and run through the watch's `call` when it has one (the main thread's time limit).
 */
export function executeWatched(
  t: Target,
  spec: MachineSpec,
  source: ChoiceSource,
  bounds: Bounds,
  watch?: ExecutionWatch,
): Execution {
  if (watch === undefined) return execute(spec, t.model, source, bounds);
  const watched = watch.begin(t, source);
  try {
    return callWatched(watch, () => execute(spec, t.model, watched, bounds));
  } finally {
    watch.end();
  }
}

/**
 * The minimization predicate: replaying `choices` (a trace or a choice source) on the target still diverges
 * with the same class (same reader, contract and model, since the target fixes them).
 */
export function sameDivergence(
  t: Target,
  cls: string,
  bounds: Bounds = DEFAULT_BOUNDS,
  watch?: ExecutionWatch,
): (choices: readonly number[] | ChoiceSource) => Execution | null {
  return (choices) => {
    const r = runTarget(
      t,
      Array.isArray(choices) ? new TraceSource(choices) : (choices as ChoiceSource),
      bounds,
      watch,
    );
    return r.judgement.verdict.kind === 'divergence' && r.judgement.verdict.class === cls ? r.exec : null;
  };
}
