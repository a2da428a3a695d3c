/**
 * The exhaustive enumerator against the litmus shapes: under SC the only
 * choices are scheduling choices, so the executions are exactly the
 * interleavings of the CPUs' steps — the multinomial coefficient
 * (n0 + n1 + …)! / (n0! n1! …) — each visited once.
 */
import { describe, expect, test } from 'vitest';
import { enumerate } from '../../src/engines/enumerate';
import { SHAPES } from '../../src/litmus-shapes';
import { TraceSource, execute } from '../../src/machine';

function multinomial(counts: readonly number[]): number {
  let result = 1;
  let n = 0;
  for (const k of counts) {
    for (let i = 1; i <= k; i++) {
      n++;
      result = (result * n) / i;
    }
  }
  return result;
}

describe('enumeration under SC', () => {
  test.each(SHAPES.map((s) => [s.name, s] as const))('%s: one execution per interleaving', (_, shape) => {
    const spec = shape.build();
    const solo = execute(spec, 'sc', new TraceSource([]));
    const perCpu = spec.cpus.map((_c, cpu) => solo.events.filter((e) => e.cpu === cpu).length);
    const schedules = new Set<string>();
    const summary = enumerate(
      (source) => execute(spec, 'sc', source),
      (exec) => schedules.add(exec.events.map((e) => e.cpu).join('')),
    );
    expect(summary.truncated).toBe(false);
    expect(summary.boundCut).toBe(false);
    expect(summary.executions).toBe(multinomial(perCpu));
    expect(schedules.size).toBe(summary.executions);
  });
});
