import type { Bounds, ChoiceSource, Event, Execution, MachineSpec, ModelKind, OpRecord } from '../machine';
import { DEFAULT_BOUNDS, TraceSource, execute } from '../machine';
import type { Arch, ReaderDef } from '../kernel';
import { arm64, describeFields, x86Pae } from '../kernel';
import type { Contract, Judgement } from '../compare';
import { judge } from '../compare';
import type {
  Breach,
  MisprogrammedBlock,
  SetPteOverPresent,
  StaleDecision,
  UnbrokenChange,
  UnserialisedWriters,
} from '../reference';
import { OutsideContract } from '../reference';
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
 * Judge an execution of `t` (compare/judge); an execution outside the reference's contract (reference/contract.ts:
 * writers of the subject not serialised, a writer that decided on a value another CPU's writer replaced, an arm64
 * descriptor changed without break-before-make) has no verdict: an
 * OutsideReferenceContract error naming the scenario.
 */
export function judgeTarget(t: Target, exec: Execution): Judgement {
  try {
    return judge(exec, t.reader.name, t.built.subject, t.contract, t.arch);
  } catch (e) {
    if (e instanceof OutsideContract) throw outsideReferenceContract(t, e.breach);
    throw e;
  }
}

/** The error of a breach of the reference's contract on `t`. */
export function outsideReferenceContract(t: Target, b: Breach): OutsideReferenceContract {
  if (b.kind === 'bbm') return new BreakBeforeMakeMissing(t, b);
  if (b.kind === 'cont') return new MisprogrammedContiguousRange(t, b);
  if (b.kind === 'set-present') return new SetPteOverPresentPte(t, b);
  return new WritersNotSerialised(t, b);
}

/**
 * An execution of a scenario outside the reference's contract (reference/contract.ts): the scenario is outside
 * what the reference can judge, a user's error — one line naming the scenario (its file when it was loaded from
 * one), what broke the contract where (CPU, operation, steps), the reader and model, and the fix. On a program
 * the minimizer reduced it is a candidate rejected instead (minimize-witness.ts).
 */
export abstract class OutsideReferenceContract extends UsageError {
  /** the rule broken, in a few words ("writers not serialised"): what the minimizer says of a candidate it refused */
  abstract readonly rule: string;

  protected constructor(t: Target, what: string, fix: string) {
    super(`${t.scenario.file ?? `scenario ${t.scenario.name}`}: ${what} (${t.reader.name} under ${t.model}): ${fix}`);
  }

  /** "cpu B (set_pte, steps 3..8)": a CPU by the name its `.scn` body gives it, and one of its operations */
  protected static op(t: Target, o: OpRecord): string {
    return `${OutsideReferenceContract.cpu(t, o.cpu)} (${o.mark.name}, steps ${o.start}..${o.done ? o.end : '(cut off by a bound)'})`;
  }

  protected static cpu(t: Target, cpu: number): string {
    const name = t.built.cpus[cpu]?.name ?? String(cpu);
    const colon = name.indexOf(': ');
    return `cpu ${colon < 0 ? name : name.slice(0, colon)}`;
  }

  /** who made store `ev`: its operation (`op`), else its CPU and the store's name */
  protected static storer(t: Target, op: OpRecord | undefined, ev: Event): string {
    return op !== undefined
      ? OutsideReferenceContract.op(t, op)
      : `${OutsideReferenceContract.cpu(t, ev.cpu)} (${ev.name})`;
  }
}

/**
 * The writers of one pte were not serialised: two writers of several stores mixed them (reference/serial.ts), or a
 * writer decided on a value another CPU's writer replaced before it committed (reference/decided.ts).
 */
export class WritersNotSerialised extends OutsideReferenceContract {
  readonly rule = 'the writers of one pte not serialised';

  constructor(t: Target, found: UnserialisedWriters | StaleDecision) {
    super(
      t,
      found.kind === 'decided' ? WritersNotSerialised.decided(t, found) : WritersNotSerialised.mixed(t, found),
      `the reference needs the writers of one pte serialised, as the kernel does with the PTL — put each CPU's ` +
        `writers between spin_lock(ptl) and spin_unlock(ptl)`,
    );
  }

  private static mixed(t: Target, found: UnserialisedWriters): string {
    const [a, b] = [found.first, found.second].sort((x, y) => x.cpu - y.cpu);
    const what = found.interleaved
      ? 'interleaved their stores'
      : 'made their stores visible in the opposite order to the one they finished in';
    return `the writers of ${found.subject} on ${OutsideReferenceContract.op(t, a!)} and ${OutsideReferenceContract.op(t, b!)} ${what}`;
  }

  /**
   * "cpu B (ptep_set_access_flags, steps 0..11) read pte3 at step 0 (0x…) and decided on it, but cpu C (__set_pte,
   * steps 1..1) stored pte3 at step 1 (0x…), before B's own store at step 10: …"
   */
  private static decided(t: Target, found: StaleDecision): string {
    const { writer: w, read, store, own } = found;
    const loc = t.built.locations.locs[found.loc]?.name ?? `location ${found.loc}`;
    const value = (ev: Event, v: bigint | undefined): string =>
      v === undefined || ev.locs.length !== 1
        ? ''
        : ` (${t.arch.name === 'x86-pae' ? `0x${v.toString(16)}` : arm64.format(v)})`;
    const landed = (ev: Event): string =>
      ev.kind === 'drain' ? `, which drained to memory at step ${ev.step}` : ` at step ${ev.step}`;
    const who = OutsideReferenceContract.cpu(t, w.cpu).slice('cpu '.length);
    const then =
      own !== undefined
        ? `before ${who}'s own store ${own.kind === 'drain' ? `drained to memory at step ${own.step}` : `at step ${own.step}`}`
        : found.stores === 0
          ? `before ${who} finished at step ${w.end} without a store`
          : `before ${who} finished at step ${w.end}, where the reference commits its ${found.stores} stores`;
    // weak: the load read an older value than one already stored
    const older = store.index < read.index ? ' (newer than the value that read returned)' : '';
    return (
      `${OutsideReferenceContract.op(t, w)} read ${loc} at step ${read.step}${value(read, read.read)} and decided on it, ` +
      `but ${OutsideReferenceContract.op(t, found.racer)} stored ${loc}${value(store, store.wrote)}${landed(store)}` +
      `${older}, ${then}: ${who} acted on a value memory no longer held, and its specification applied to what ` +
      `memory held then is not what ${who} did`
    );
  }
}

/** An arm64 descriptor changed into another translation in one store (reference/bbm.ts). */
export class BreakBeforeMakeMissing extends OutsideReferenceContract {
  readonly rule = 'no break-before-make';

  constructor(t: Target, found: UnbrokenChange) {
    const ev = found.event;
    const who = OutsideReferenceContract.storer(t, found.op, ev);
    const loc = t.built.locations.locs[found.loc]?.name ?? `location ${found.loc}`;
    const when = ev.kind === 'drain' ? `its store drained to memory at step ${ev.step}` : `at step ${ev.step}`;
    const entry = (v: bigint): string =>
      `${arm64.format(v)} (${describeFields(arm64.decode(v).filter((f) => f.name === 'pfn' || f.name === 'cont'))})`;
    super(
      t,
      `${who} changed the ${found.parts.join(' and ')} of the valid entry ${loc} ${when}, from ` +
        `${entry(found.prev)} to ${entry(found.next)} with no invalid entry between`,
      `arm64 forbids that (break-before-make) — clear the entry first (ptep_clear / ptep_get_and_clear) as the ` +
        `kernel does: break-before-make`,
    );
  }
}

/** A PAE set_pte over a present pte (reference/pae-set.ts). */
export class SetPteOverPresentPte extends OutsideReferenceContract {
  readonly rule = 'a PAE set_pte over a present pte';

  constructor(t: Target, found: SetPteOverPresent) {
    const ev = found.event;
    const when =
      ev.kind === 'drain' ? `when its first store drained to memory at step ${ev.step}` : `at step ${ev.step}`;
    super(
      t,
      `${OutsideReferenceContract.op(t, found.op)} wrote over ${found.subject}, a present pte, ${when} ` +
        `(${x86Pae.format(found.prev)}, ${describeFields(x86Pae.decode(found.prev).filter((f) => f.name === 'present' || f.name === 'pfn'))}): ` +
        `between its two stores memory holds ${x86Pae.format(found.mixed)}, its high half under the old low half, ` +
        `neither the old pte nor the new one`,
      `PAE set_pte needs a pte that is not present (arch/x86/include/asm/pgtable-3level.h native_set_pte; over a ` +
        `present one it may change one half only, as x86 ptep_set_access_flags does) — clear it first ` +
        `(pte_clear / ptep_get_and_clear) as the kernel does, or write it with set_pte_atomic`,
    );
  }
}

/**
 * A store that left a contpte block misprogrammed — valid entries that disagree on CONT or are not one aligned range
 * — or an execution that ended with a block half cleared (reference/contiguous.ts).
 */
export class MisprogrammedContiguousRange extends OutsideReferenceContract {
  readonly rule = 'a misprogrammed contpte block';

  constructor(t: Target, found: MisprogrammedBlock) {
    const ev = found.event;
    const name = (id: number): string => t.built.locations.locs[id]?.name ?? `location ${id}`;
    const fields = (v: bigint): string =>
      describeFields(arm64.decode(v).filter((f) => f.name === 'valid' || f.name === 'pfn' || f.name === 'cont'));
    const entries = found.locs.map(
      (id, i) => `${name(id)} ${arm64.format(found.entries[i]!)} (${fields(found.entries[i]!)})`,
    );
    const who = OutsideReferenceContract.storer(t, found.op, ev);
    const when = ev.kind === 'drain' ? `when its store drained to memory at step ${ev.step}` : `at step ${ev.step}`;
    const what =
      found.fault === 'partial'
        ? `the execution ended with the contpte block ${found.subject} half cleared — some entries valid and CONT, ` +
          `others invalid: a break nothing repainted (its last store: ${who} ${when})`
        : `${who} left the contpte block ${found.subject} misprogrammed ${when}: ` +
          (found.fault === 'mixed'
            ? 'its valid entries disagree on the CONT bit'
            : `its valid CONT entries do not map one aligned range (entry i at pfn0 + i, pfn0 a multiple of ${found.locs.length})`);
    super(
      t,
      `${what} — ${entries.join(', ')}`,
      `arm64 forbids that (a misprogrammed Contiguous bit: the TLB may use any entry's translation for the whole ` +
        `range) — change an entry of a folded block only after unfolding it (contpte_try_unfold / contpte_unfold), ` +
        `as the kernel does: misprogrammed contiguous range`,
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
