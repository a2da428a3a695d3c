import type { ChoiceKind, ChoiceSource, Execution } from '../../src/machine';
import { countPreemptions } from '../../src/machine';

/**
 * The 1-minimality law, written independently of src/minimize (a test must
 * not take its expectations from the code under test).
 *
 * Weight of a witness, lexicographic (README, Crash files): preemptions, weak
 * choices (rf/drain ≠ 0), trimmed trace length, non-zero choices, their sum.
 */
export function weight(e: Execution): number[] {
  let n = e.trace.length;
  while (n > 0 && e.trace[n - 1] === 0) n--;
  const t = e.trace.slice(0, n);
  const weak = e.choices.filter((c) => (c.kind === 'rf' || c.kind === 'drain') && c.value !== 0).length;
  return [countPreemptions(e.choices), weak, t.length, t.filter((v) => v !== 0).length, t.reduce((a, b) => a + b, 0)];
}

export function lighterThan(a: readonly number[], b: readonly number[]): boolean {
  const i = a.findIndex((x, k) => x !== b[k]);
  return i >= 0 && a[i]! < b[i]!;
}

/**
 * "Remove one preemption" (issue 5): the CPU switched away from at step `at`
 * keeps running until it finishes or blocks. Replays the witness's schedule
 * (the CPU of every step) with every later step of that CPU moved up to `at`;
 * each step runs the CPU of the earliest remaining slot that can run. Read-from
 * and op choices stay with the CPU that made them, in its order; drains keep
 * their global order.
 */
export class ContinueSource implements ChoiceSource {
  private readonly slots: number[];
  private cpu = -1;
  private readonly seen = new Map<string, number>();
  constructor(
    cpus: readonly number[],
    at: number,
    private readonly others: ReadonlyMap<string, number>,
  ) {
    const x = cpus[at - 1]!;
    const later = cpus.slice(at);
    this.slots = [...cpus.slice(0, at), ...later.filter((c) => c === x), ...later.filter((c) => c !== x)];
  }
  choose(kind: ChoiceKind, n: number, ctx?: { cpus: readonly number[] }): number {
    if (kind === 'sched') {
      const c = this.slots.find((s) => ctx!.cpus.includes(s));
      return c === undefined ? 0 : ctx!.cpus.indexOf(c);
    }
    const key = otherKey(kind, this.cpu, this.seen);
    return (this.others.get(key) ?? 0) % n;
  }
  onStep(cpu: number): void {
    this.cpu = cpu;
    const i = this.slots.indexOf(cpu);
    if (i >= 0) this.slots.splice(i, 1);
  }
}

function otherKey(kind: ChoiceKind, cpu: number, seen: Map<string, number>): string {
  const base = kind === 'drain' ? 'drain' : `${kind}:${cpu}`;
  const k = seen.get(base) ?? 0;
  seen.set(base, k + 1);
  return `${base}:${k}`;
}

/** Replays a trace, noting the non-sched choices by key (as ContinueSource reads them). */
export class KeyingSource implements ChoiceSource {
  private pos = 0;
  private cpu = -1;
  private readonly seen = new Map<string, number>();
  readonly others = new Map<string, number>();
  constructor(private readonly trace: readonly number[]) {}
  choose(kind: ChoiceKind, n: number): number {
    const v = (this.trace[this.pos++] ?? 0) % n;
    if (kind !== 'sched') this.others.set(otherKey(kind, this.cpu, this.seen), v);
    return v;
  }
  onStep(cpu: number): void {
    this.cpu = cpu;
  }
}

/** Where a step or a non-sched choice of a witness belongs: its CPU and the statement of that CPU's body. */
export interface Placed {
  readonly cpu: number;
  readonly stmt: number;
}

/**
 * Replays a trace on a scenario built with a statement probe (`build(…, {onStatement})`)
 * and notes, for every step and every non-sched choice, the CPU and the
 * statement it belongs to (the CPU's current statement when it happens).
 */
export class PlacingSource implements ChoiceSource {
  private pos = 0;
  private cpu = -1;
  private readonly at = new Map<number, number>();
  readonly steps: Placed[] = [];
  readonly others: (Placed & { kind: ChoiceKind; value: number })[] = [];
  readonly probe = (cpu: number, stmt: number): void => void this.at.set(cpu, stmt);
  constructor(private readonly trace: readonly number[]) {}
  choose(kind: ChoiceKind, n: number): number {
    const v = (this.trace[this.pos++] ?? 0) % n;
    if (kind !== 'sched') this.others.push({ kind, value: v, cpu: this.cpu, stmt: this.at.get(this.cpu) ?? -1 });
    return v;
  }
  onStep(cpu: number): void {
    this.cpu = cpu;
    this.steps.push({ cpu, stmt: this.at.get(cpu) ?? -1 });
  }
}

/**
 * "Remove one operation or CPU" (issue 5): the witness's schedule without the
 * removed statement's (or CPU's) steps — CPUs after a removed one renumbered —
 * each step running the CPU of the earliest remaining slot that can run; the
 * remaining read-from and op choices keyed per CPU in that CPU's order, drains
 * in global order.
 */
export function withoutSource(
  w: PlacingSource,
  removed: (p: Placed) => boolean,
  renumber: (cpu: number) => number = (c) => c,
): ChoiceSource {
  const slots = w.steps.filter((s) => !removed(s)).map((s) => renumber(s.cpu));
  const others = new Map<string, number>();
  const seen = new Map<string, number>();
  for (const o of w.others) {
    if (o.cpu >= 0 && removed(o)) continue;
    others.set(otherKey(o.kind, o.cpu >= 0 ? renumber(o.cpu) : o.cpu, seen), o.value);
  }
  return new ContinueSource(slots, slots.length, others);
}
