import type { ChoiceContext, ChoiceKind, ChoiceSource, Execution } from '../machine';
import { outermostOp, wrapChoice } from '../machine';

/**
 * One recorded choice of an execution, with what the coverage engine needs to
 * mutate it meaningfully. A `sched` value is relative (0 = keep running, k =
 * the k-th other runnable CPU round-robin), so changing one step would shift
 * the meaning of every later one; a plan therefore replays scheduling steps by
 * CPU identity (`cpu`), and everything else by value.
 */
export interface PlanStep {
  readonly kind: ChoiceKind;
  /** options that were available (0 when unknown: a step a mutator made up) */
  readonly n: number;
  /** the value taken (replayed as is when `cpu` is absent or not runnable) */
  readonly value: number;
  /** `sched`: the CPU that ran */
  readonly cpu?: number;
  /** `sched`: the runnable CPUs, in option order (option j runs cpus[j]) */
  readonly cpus?: readonly number[];
  /** `sched`: the CPU that ran the step before */
  readonly current?: number;
  /**
   * `sched`: `current` was inside an operation under test here — a reader, or
   * the operation that called it (a GUP-fast walk, a fault) —, between two of
   * its steps: a preemption here lands in the window the verdict is about
   * (set on corpus entries, from the execution: markReaderWindows)
   */
  readonly hot?: boolean;
}

/**
 * What the coverage engine executes: a list of choices, then — once it runs
 * out — the default policy (0: the ChoiceSource contract), or the run's tail
 * source when `randomTail` is set (uniform random choices: the "random tail"
 * mutator and fresh random runs; or a PCT scheduler for fresh PCT runs).
 */
export interface Plan {
  readonly steps: readonly PlanStep[];
  readonly randomTail: boolean;
  /** with randomTail: the tail is a PCT scheduler rather than uniform (the `pct-tail` mutator) */
  readonly pctTail?: boolean;
  /** with pctTail: the CPU the tail's PCT scheduler starts lowest (the reader stopped at the cut) */
  readonly tailLowest?: number;
}

/** `sched` step that did not switch away from a CPU that could continue (a preemption point not taken). */
export const isPreemptible = (s: PlanStep): boolean =>
  s.kind === 'sched' && s.cpus !== undefined && s.current !== undefined && s.cpus[0] === s.current;

/** A plan that replays `trace` exactly as TraceSource does. */
export function planOfTrace(trace: readonly number[]): Plan {
  return { steps: trace.map((value) => ({ kind: 'sched', n: 0, value })), randomTail: false };
}

/**
 * Executes a plan and records every choice it answered, with the context the
 * interpreter gave (the runnable CPUs of each scheduling step). `recorded`
 * lines up with Execution.choices: the funnel consults a source only for
 * decisions with at least two options, and so records only those.
 */
export class PlanSource implements ChoiceSource {
  readonly recorded: PlanStep[] = [];
  /** per recorded choice: the number of the step about to be taken (`sched`), or -1 */
  readonly stepOf: number[] = [];
  constructor(
    private readonly plan: Plan,
    /** answers every choice past the end of the plan when plan.randomTail */
    private readonly tail?: ChoiceSource,
  ) {}

  choose(kind: ChoiceKind, n: number, ctx?: ChoiceContext): number {
    const d = this.plan.steps[this.recorded.length];
    let v: number;
    if (d === undefined) v = this.plan.randomTail && this.tail ? wrapChoice(this.tail.choose(kind, n, ctx), n) : 0;
    else if (kind === 'sched' && d.kind === 'sched' && d.cpu !== undefined && ctx !== undefined) {
      // by identity; a CPU that is not runnable here (blocked, finished) yields to the default
      const j = ctx.cpus.indexOf(d.cpu);
      v = j >= 0 ? j : 0;
    } else v = wrapChoice(d.value, n);
    if (kind === 'sched' && ctx !== undefined && ctx.cpus.length === n) {
      this.recorded.push({ kind, n, value: v, cpu: ctx.cpus[v]!, cpus: ctx.cpus, current: ctx.current });
      this.stepOf.push(ctx.step ?? -1);
    } else {
      this.recorded.push({ kind, n, value: v });
      this.stepOf.push(-1);
    }
    return v;
  }
}

/**
 * The recorded plan of an execution with `hot` set on every scheduling step
 * that falls strictly inside the step window of an operation under test on the
 * CPU that ran before it: the outermost operation enclosing a `reader`
 * operation (the consumer that calls the reader, or the reader itself), from
 * its first step to its last. The races under test happen exactly there.
 */
export function markReaderWindows(
  plan: readonly PlanStep[],
  stepOf: readonly number[],
  exec: Execution,
): readonly PlanStep[] {
  const windows: { cpu: number; start: number; end: number }[] = [];
  for (const op of exec.ops) {
    if (op.mark.role !== 'reader') continue;
    const top = exec.ops[outermostOp(exec, op.id)]!;
    if (!windows.some((w) => w.cpu === top.cpu && w.start === top.start)) {
      windows.push({ cpu: top.cpu, start: top.start, end: top.end });
    }
  }
  if (windows.length === 0) return plan;
  return plan.map((s, i) => {
    const at = stepOf[i]!;
    if (s.kind !== 'sched' || s.current === undefined || at < 0) return s;
    const hot = windows.some((w) => w.cpu === s.current && w.start < at && at <= w.end);
    return hot ? { ...s, hot } : s;
  });
}
