import type { ChoiceContext, ChoiceKind, ChoiceSource, Execution } from '../machine';
import type { Rng } from './rng';
import { createRng } from './rng';

/** Default bug depth `d` of the PCT engine (`--depth`). */
export const DEFAULT_PCT_DEPTH = 3;

/** k before any execution of the target completed (the PCT change-point range). */
export const DEFAULT_PCT_STEPS = 100;

/** PCT's k over many runs: the most scheduling steps of a complete execution seen so far (0: none yet). */
export const pctSteps = (mostSeen: number): number => (mostSeen > 0 ? mostSeen : DEFAULT_PCT_STEPS);

/** Scheduling steps among recorded choices or plan steps: the `sched` decisions (each had a choice). */
export function countSched(choices: readonly { readonly kind: ChoiceKind }[]): number {
  let k = 0;
  for (const c of choices) if (c.kind === 'sched') k++;
  return k;
}

/** Scheduling steps of an execution: PCT's k is the most of them seen. */
export const schedulingSteps = (exec: Execution): number => countSched(exec.choices);

/**
 * Engine `pct` for one execution: Burckhardt, Kothari, Musuvathi, Nagarakatte,
 * "A Randomized Scheduler with Probabilistic Guarantees of Finding Bugs",
 * ASPLOS 2010. Every CPU gets a random distinct priority; `depth - 1` change
 * points are drawn uniformly over the scheduling steps 1..k; at every
 * scheduling step the highest-priority runnable CPU runs, and at a change
 * point the CPU that would run drops below every other CPU first (as in
 * Coyote's PCT) — so a change point is where a preemption can happen.
 *
 * A scheduling step is a `sched` decision with at least two runnable CPUs
 * (the only steps where any scheduler has a choice), identified through the
 * funnel's context: option j runs `ctx.cpus[j]`. Every other choice (read-
 * from, drain, generated operation) is uniform, from the same seeded Rng.
 */
export class PctSource implements ChoiceSource {
  private readonly rng: Rng;
  /** scheduling steps (1-based) at which the running CPU is demoted; may repeat */
  readonly changePoints: readonly number[];
  /** initial priorities are random u32s (ties: lower CPU id first); demoted CPUs get -1, -2, … */
  private readonly priority = new Map<number, number>();
  private demoted = 0;
  private step = 0;

  /**
   * @param depth the bug depth d (d - 1 change points), ≥ 1
   * @param steps k, the estimated number of scheduling steps of an execution, ≥ 1
   * @param lowest a CPU that starts below every other one (the coverage engine's
   *   `pct-tail` mutant: the reader it stopped mid-read resumes last)
   */
  constructor(
    seed: string,
    readonly depth: number,
    readonly steps: number,
    lowest?: number,
  ) {
    this.rng = createRng(seed);
    const k = Math.max(1, Math.floor(steps));
    this.changePoints = Array.from({ length: Math.max(0, depth - 1) }, () => 1 + this.rng.int(k));
    // below every u32 priority, above every demoted CPU (-1, -2, …)
    if (lowest !== undefined) this.priority.set(lowest, -0.5);
  }

  choose(kind: ChoiceKind, n: number, ctx?: ChoiceContext): number {
    if (kind !== 'sched' || ctx === undefined || ctx.cpus.length !== n) return this.rng.int(n);
    this.step++;
    for (const p of this.changePoints) {
      if (p === this.step) this.priority.set(ctx.cpus[this.highest(ctx.cpus)]!, -++this.demoted);
    }
    return this.highest(ctx.cpus);
  }

  /** Index in `cpus` of the highest-priority CPU. */
  private highest(cpus: readonly number[]): number {
    let best = 0;
    for (let i = 1; i < cpus.length; i++) {
      const a = this.prio(cpus[i]!);
      const b = this.prio(cpus[best]!);
      if (a > b || (a === b && cpus[i]! < cpus[best]!)) best = i;
    }
    return best;
  }

  private prio(cpu: number): number {
    let p = this.priority.get(cpu);
    if (p === undefined) {
      p = this.rng.u32();
      this.priority.set(cpu, p);
    }
    return p;
  }
}
