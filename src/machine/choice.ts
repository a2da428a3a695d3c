/**
 * The single choice funnel (DESIGN §7). Every nondeterministic decision of an
 * execution is one call of `choose(kind, n)`; the answer is an index in [0, n).
 * Option 0 is always the default: keep running the current CPU, read the
 * newest message, drain store buffers eagerly, take the first generated
 * alternative, place a store coherence-last (weak's `co`). So an all-zero trace is the non-preemptive SC execution, and a
 * trace that runs out simply continues with the default policy.
 */
export type ChoiceKind = 'sched' | 'rf' | 'drain' | 'op' | 'co';

/** In this order: an index into it is stored (coverage-pack.ts), so a new kind goes last. */
export const CHOICE_KINDS: readonly ChoiceKind[] = ['sched', 'rf', 'drain', 'op', 'co'];

/**
 * What the interpreter tells a source about a decision beyond its number of
 * options, for engines that schedule by CPU identity (PCT). Optional: a
 * source may ignore it, and it is not part of the trace.
 */
export interface ChoiceContext {
  /** `sched`: the CPU each option runs — option j runs `cpus[j]` (round-robin from the current CPU) */
  readonly cpus: readonly number[];
  /** `sched`: the CPU that ran the previous step */
  readonly current: number;
  /** `sched`: the number of the step about to be taken (for scripted witnesses in tests) */
  readonly step?: number;
}

/** A source of choices: an engine, a replayed trace, a decoded byte string. */
export interface ChoiceSource {
  /** Returns any integer; the funnel maps it into [0, n) deterministically. */
  choose(kind: ChoiceKind, n: number, ctx?: ChoiceContext): number;
  /**
   * Optional: told which CPU runs each step, just before it executes —
   * forced steps (one runnable CPU) included, which never consult `choose`.
   * The `rf` and `op` choices that follow until the next call belong to that
   * CPU. Lets a source follow a schedule given as CPU ids (the minimizer).
   */
  onStep?(cpu: number): void;
  /**
   * Optional: the source enumerates executions (engine `exhaustive`) and wants each TSO execution once up to
   * the placement of its store-buffer drains: the interpreter then prunes a trace whose drain choices are not
   * in canonical form (see TsoModel.phaseCanonical) by throwing PrunedExecution. Replaying a trace never sets it.
   */
  readonly canonicalDrains?: boolean;
}

/**
 * Thrown by `execute` for a source with `canonicalDrains` when the trace so far is not the canonical
 * representative of its executions: every continuation is equivalent to one the enumeration visits elsewhere.
 * `records` are the choices made up to the prune point (the enumerator backtracks from there).
 */
export class PrunedExecution {
  constructor(readonly records: readonly ChoiceRecord[]) {}
}

/** One recorded decision. */
export interface ChoiceRecord {
  readonly kind: ChoiceKind;
  /** number of options that were available (always ≥ 2: single options are not recorded) */
  readonly n: number;
  readonly value: number;
  /**
   * For `sched`: the running CPU could have continued, so a non-zero value
   * here is a preemption (otherwise the switch was forced).
   */
  readonly preemptible?: boolean;
}

/**
 * Number of preemptions in a list of choices: \`sched\` decisions that switched
 * away from a CPU that could have continued. Picking the first CPU to run is
 * not one (no CPU was running), nor a switch away from a finished or blocked CPU.
 */
export function countPreemptions(records: readonly ChoiceRecord[]): number {
  let n = 0;
  for (const r of records) if (r.preemptible && r.value !== 0) n++;
  return n;
}

/** A value of a trace that was out of range where it was used: it wrapped (modulo). */
export interface WrappedChoice {
  /** its index in the trace */
  readonly index: number;
  readonly value: number;
  readonly kind: ChoiceKind;
  /** the options the execution offered there */
  readonly n: number;
}

/** Replays a trace; out-of-range values wrap (modulo); past the end, the default 0. */
export class TraceSource implements ChoiceSource {
  private pos = 0;
  /**
   * The first value that was out of range where it was used, if any: a trace ptefuzz recorded never has one (it
   * records the values it took), so a crash file's trace with one was edited or damaged — its run is not the
   * recorded one. Decisions with a single option do not consult the source, so they cannot show it.
   */
  wrapped: WrappedChoice | undefined;
  constructor(private readonly trace: readonly number[]) {}
  /**
   * The values of the trace no decision consulted, once the execution has ended: a trace ptefuzz recorded has
   * none (it records the decisions an execution made, trailing defaults trimmed), so a crash file's trace with
   * some was edited or damaged.
   */
  get unused(): number {
    return Math.max(0, this.trace.length - this.pos);
  }
  choose(kind: ChoiceKind, n: number): number {
    if (this.pos >= this.trace.length) {
      this.pos++;
      return 0;
    }
    const v = this.trace[this.pos]!;
    if (this.wrapped === undefined && !(Number.isInteger(v) && v >= 0 && v < n)) {
      this.wrapped = { index: this.pos, value: v, kind, n };
    }
    this.pos++;
    return v;
  }
}

/** Maps any integer into [0, n). */
export function wrapChoice(v: number, n: number): number {
  if (!Number.isFinite(v)) return 0;
  const m = Math.trunc(v) % n;
  return m < 0 ? m + n : m;
}

/**
 * Records the choices of one execution. Decisions with a single option are
 * taken without consulting the source and without being recorded.
 */
export class ChoiceRecorder {
  readonly records: ChoiceRecord[] = [];
  constructor(private readonly source: ChoiceSource) {}

  /** forwards the CPU of the next step to the source */
  onStep(cpu: number): void {
    this.source.onStep?.(cpu);
  }

  choose(kind: ChoiceKind, n: number, preemptible = false, ctx?: ChoiceContext): number {
    if (n <= 1) return 0;
    const value = wrapChoice(this.source.choose(kind, n, ctx), n);
    this.records.push(preemptible ? { kind, n, value, preemptible } : { kind, n, value });
    return value;
  }

  get trace(): number[] {
    return this.records.map((r) => r.value);
  }
}
