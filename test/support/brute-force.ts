/**
 * An enumeration of executions written apart from src/engines/enumerate.ts, for the tests that check it
 * (test/laws/exhaustive-completeness.test.ts) and what explore prints about it (test/e2e/explore.test.ts).
 */
import type { ChoiceKind, ChoiceRecord, ChoiceSource, Execution } from '../../src/machine';

/** Preemptions as the enumerator counts them, recomputed from the recorded choices. */
export function preemptions(records: readonly ChoiceRecord[]): number {
  let n = 0;
  for (const r of records) if (r.kind === 'sched' && r.preemptible === true && r.value !== 0) n++;
  return n;
}

export interface Leaf {
  /** the execution's choice values, comma-separated */
  readonly trace: string;
  readonly preemptions: number;
  readonly exec: Execution;
}

/**
 * A brute force over choice sequences: one execution per node of the choice tree. A node is a prefix of
 * choice values; running it (the prefix, then 0 for every later choice) tells the number of options of the
 * next choice — its children — or that there is none (a leaf: one execution). A node whose prefix already
 * holds more than `bound` preemptions is dropped with everything below it (a later choice only adds), and so
 * is, unrun, a preemption past the bound. Leaves
 * come in depth-first order, option 0 first; `limit` stops after that many.
 */
export function bruteForce(run: (source: ChoiceSource) => Execution, bound: number, limit = Infinity): Leaf[] {
  const leaves: Leaf[] = [];
  const stack: number[][] = [[]];
  while (stack.length > 0 && leaves.length < limit) {
    const prefix = stack.pop()!;
    let asked = 0;
    let options = 0;
    const exec = run({
      choose(_kind: ChoiceKind, n: number): number {
        const i = asked++;
        if (i < prefix.length) return prefix[i]!;
        if (i === prefix.length) options = n;
        return 0;
      },
    });
    const used = preemptions(exec.choices.slice(0, prefix.length));
    if (used > bound) continue;
    if (options === 0) {
      leaves.push({ trace: exec.trace.join(','), preemptions: used, exec });
      continue;
    }
    // a switch away from a CPU that could go on (any option but 0 of a preemptible sched choice) over the bound:
    // only option 0 is a child (saves running each of the others to find its prefix over the bound)
    const next = exec.choices[prefix.length]!;
    const full = next.kind === 'sched' && next.preemptible === true && used + 1 > bound;
    for (let v = full ? 0 : options - 1; v >= 0; v--) stack.push([...prefix, v]);
  }
  return leaves;
}
