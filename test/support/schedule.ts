import type { ChoiceContext, ChoiceKind, MachineSpec, ModelKind } from '../../src/machine';
import { execute } from '../../src/machine';

/**
 * A hand-written schedule, turned into the choice trace that replays it with
 * TraceSource: `cpus` names the CPU of each step taken while at least two
 * CPUs are runnable (a step with one runnable CPU is not a choice); past its
 * end, and for every other choice (read-from, drain), option 0.
 */
export function traceOf(spec: MachineSpec, model: ModelKind, cpus: readonly number[]): number[] {
  let k = 0;
  const exec = execute(spec, model, {
    choose(kind: ChoiceKind, _n: number, ctx?: ChoiceContext): number {
      if (kind !== 'sched' || ctx === undefined) return 0;
      const want = cpus[k++];
      if (want === undefined) return 0;
      const j = ctx.cpus.indexOf(want);
      if (j < 0) throw new Error(`schedule: CPU ${want} is not runnable at decision ${k - 1}`);
      return j;
    },
  });
  if (k < cpus.length) throw new Error(`schedule: only ${k} of ${cpus.length} decisions were offered`);
  return [...exec.trace];
}
