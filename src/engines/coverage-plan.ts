import type { ChoiceContext, ChoiceKind, ChoiceSource } from '../machine';
import { wrapChoice } from '../machine';

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
    } else this.recorded.push({ kind, n, value: v });
    return v;
  }
}
