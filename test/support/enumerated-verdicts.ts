import type { ModelKind } from '../../src/machine';
import { execute } from '../../src/machine';
import { enumerate } from '../../src/engines';
import type { Target } from '../../src/campaign';
import { OutsideReferenceContract, judgeTarget, specOf } from '../../src/campaign';

/**
 * The verdicts of every schedule of `t` with at most `bound` preemptions under `model`, counted: `agree`,
 * `bound-hit`, `divergence CLASS`, and an execution outside the reference's contract by its error's class name
 * (`WritersNotSerialised`, `SetPteOverPresentPte`, …).
 */
export function enumeratedVerdicts(t: Target, model: ModelKind, bound: number): Map<string, number> {
  const spec = specOf(t.built);
  const out = new Map<string, number>();
  enumerate(
    (source) => {
      const exec = execute(spec, model, source);
      let v: string;
      try {
        const j = judgeTarget(t, exec).verdict;
        v = j.kind === 'divergence' ? `divergence ${j.class}` : j.kind;
      } catch (e) {
        if (!(e instanceof OutsideReferenceContract)) throw e;
        v = e.constructor.name;
      }
      out.set(v, (out.get(v) ?? 0) + 1);
      return exec;
    },
    () => {},
    { preemptionBound: bound, maxExecutions: 20000 },
  );
  return out;
}
