import type { ChoiceContext, ChoiceKind, ChoiceSource, Execution } from '../machine';
import { wrapChoice } from '../machine';

/**
 * The schedule view of an execution (issue 5): which CPU ran each step, plus
 * the other choices keyed so that they survive a reordering of the steps —
 * `rf` and `op` choices stay with the CPU that made them, in that CPU's order
 * (`rf:2:0` = the first read-from choice of CPU 2), `drain` choices keep
 * their global order. Schedule-level minimizer passes edit `cpus` (move a
 * context-switch block, let a preempted CPU continue) and re-encode the
 * result as a trace by running it through a ScheduleSource.
 */
export interface Schedule {
  /** CPU id of every step, in order (forced steps included) */
  readonly cpus: readonly number[];
  /** non-`sched` choices by key (wrapped values) */
  readonly others: ReadonlyMap<string, number>;
}

/** Keys the non-`sched` choices by the CPU that makes them (drains: global order). */
export class ChoiceKeys {
  private cpu = -1;
  private readonly counts = new Map<string, number>();
  step(cpu: number): void {
    this.cpu = cpu;
  }
  next(kind: ChoiceKind): string {
    const base = kind === 'drain' ? 'drain' : `${kind}:${this.cpu}`;
    const k = this.counts.get(base) ?? 0;
    this.counts.set(base, k + 1);
    return `${base}:${k}`;
  }
}

/** Wraps a source and records its non-`sched` choices by key (see Schedule). */
export class ScheduleRecorder implements ChoiceSource {
  private readonly keys = new ChoiceKeys();
  readonly others = new Map<string, number>();
  constructor(private readonly inner: ChoiceSource) {}
  choose(kind: ChoiceKind, n: number, ctx?: ChoiceContext): number {
    const v = wrapChoice(this.inner.choose(kind, n, ctx), n);
    if (kind !== 'sched') this.others.set(this.keys.next(kind), v);
    return v;
  }
  onStep(cpu: number): void {
    this.keys.step(cpu);
    this.inner.onStep?.(cpu);
  }
}

/** The CPU of every step of an execution (store-buffer drains are not steps). */
export function stepCpus(exec: Execution): number[] {
  const out: number[] = [];
  for (const ev of exec.events) if (ev.kind !== 'drain') out.push(ev.cpu);
  return out;
}

/**
 * Follows a schedule given as CPU ids. `cpus` is read as a list of step
 * slots: each step runs the CPU of the earliest remaining slot that can run
 * now (so a CPU that blocks on a lock lets the next slots go first and
 * resumes as soon as it can), and a step consumes that CPU's earliest slot.
 * Past the last slot, and for a CPU without slots, the default 0 (keep
 * running). Other choices come from `others` by key, else 0.
 */
export class ScheduleSource implements ChoiceSource {
  private readonly slots: number[];
  private readonly keys = new ChoiceKeys();
  /** the schedule as text: two sources with the same key drive the same execution */
  readonly key: string;
  constructor(
    cpus: readonly number[],
    private readonly others: ReadonlyMap<string, number> = new Map(),
  ) {
    this.slots = [...cpus];
    this.key = `${cpus.join(',')}|${[...others].map(([k, v]) => `${k}=${v}`).join(';')}`;
  }
  choose(kind: ChoiceKind, n: number, ctx?: ChoiceContext): number {
    if (kind !== 'sched') return this.others.get(this.keys.next(kind)) ?? 0;
    if (ctx === undefined || ctx.cpus.length !== n) return 0;
    for (const c of this.slots) {
      const j = ctx.cpus.indexOf(c);
      if (j >= 0) return j;
    }
    return 0;
  }
  onStep(cpu: number): void {
    this.keys.step(cpu);
    const i = this.slots.indexOf(cpu);
    if (i >= 0) this.slots.splice(i, 1);
  }
}

/** Maximal runs of steps by one CPU. */
export interface Block {
  readonly cpu: number;
  readonly start: number;
  /** exclusive */
  readonly end: number;
}

export function blocksOf(cpus: readonly number[]): Block[] {
  const out: Block[] = [];
  for (let i = 0; i < cpus.length;) {
    let j = i + 1;
    while (j < cpus.length && cpus[j] === cpus[i]) j++;
    out.push({ cpu: cpus[i]!, start: i, end: j });
    i = j;
  }
  return out;
}

/**
 * Remove the context switch after block `b` by letting its CPU continue:
 * every later slot of that CPU moves up to right after the block (it runs
 * until it finishes or blocks); the other CPUs keep their order.
 */
export function continueAfter(cpus: readonly number[], b: Block): number[] {
  const rest = cpus.slice(b.end);
  return [...cpus.slice(0, b.end), ...rest.filter((c) => c === b.cpu), ...rest.filter((c) => c !== b.cpu)];
}

/** Move block `from` to position `to` (a step index outside the block), keeping everything else in order. */
export function moveBlock(cpus: readonly number[], from: Block, to: number): number[] {
  const block = cpus.slice(from.start, from.end);
  const without = [...cpus.slice(0, from.start), ...cpus.slice(from.end)];
  const at = to > from.start ? to - block.length : to;
  return [...without.slice(0, at), ...block, ...without.slice(at)];
}
