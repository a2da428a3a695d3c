import type { ChoiceContext, ChoiceKind, ChoiceSource } from '../../src/machine';

/**
 * A hand-written witness: which CPU takes each step, written as runs
 * `[cpu, steps]`. Every other choice (read-from, drain, allocation) takes
 * the default 0 unless `choices` gives values for that kind, in order.
 * A scheduling decision the script cannot honour (the CPU is not runnable)
 * throws, so a wrong witness fails loudly.
 */
export class ScriptSource implements ChoiceSource {
  private readonly perStep: number[] = [];
  private readonly queues: Map<ChoiceKind, number[]>;
  constructor(runs: readonly (readonly [number, number])[], choices: Partial<Record<ChoiceKind, number[]>> = {}) {
    for (const [cpu, n] of runs) for (let i = 0; i < n; i++) this.perStep.push(cpu);
    this.queues = new Map(Object.entries(choices).map(([k, v]) => [k as ChoiceKind, [...v]]));
  }
  choose(kind: ChoiceKind, _n: number, ctx?: ChoiceContext): number {
    if (kind === 'sched' && ctx?.step !== undefined) {
      const want = this.perStep[ctx.step];
      if (want === undefined) return 0;
      const i = ctx.cpus.indexOf(want);
      if (i < 0)
        throw new Error(`script: CPU ${want} is not runnable at step ${ctx.step} (runnable: ${ctx.cpus.join(', ')})`);
      return i;
    }
    return this.queues.get(kind)?.shift() ?? 0;
  }
  /** the CPU of every step, for checking that single-option steps followed the script too */
  get expected(): readonly number[] {
    return this.perStep;
  }
}
