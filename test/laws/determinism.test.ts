/**
 * Determinism is a law (DESIGN §2, §7): scenario + trace ⇒ exactly one
 * execution. Re-executing a recorded trace reproduces the execution
 * (events, results, final values, choices) and therefore its outcome.
 */
import { describe, expect, test } from 'vitest';
import { enumerate } from '../../src/engines/enumerate';
import type { LitmusShape } from '../../src/litmus-shapes';
import { IRIW, MP_wmb_rmb, SB_mb_mb, SB_xchg_xchg, TwoPlusTwoW, WRC_release_acquire } from '../../src/litmus-shapes';
import type { Execution } from '../../src/machine';
import { TraceSource, execute } from '../../src/machine';
import { MODELS } from './expected-outcomes';

const SHAPES: readonly LitmusShape[] = [MP_wmb_rmb, SB_mb_mb, SB_xchg_xchg, TwoPlusTwoW, WRC_release_acquire, IRIW];

const cases = SHAPES.flatMap((s) => MODELS.map((m) => [s.name, m, s] as const));

function replay(shape: LitmusShape, model: (typeof MODELS)[number], trace: readonly number[]): Execution {
  return execute(shape.build(), model, new TraceSource(trace));
}

describe('determinism', () => {
  test.each(cases)('%s under %s: every enumerated trace replays to the same execution', (_, model, shape) => {
    const spec = shape.build();
    let checked = 0;
    enumerate(
      (source) => execute(spec, model, source),
      (exec) => {
        const again = replay(shape, model, exec.trace);
        // the whole execution, not only the outcome: events, results, final, choices, trace
        expect(again).toStrictEqual(exec);
        expect(shape.outcome(again)).toBe(shape.outcome(exec));
        checked++;
      },
    );
    expect(checked).toBeGreaterThan(1);
  });

  // Total decoding: any list of integers is a valid trace (out of range wraps,
  // a short trace continues with the default), and it is still deterministic.
  const ARBITRARY: readonly (readonly number[])[] = [
    [],
    [1],
    [3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8, 9, 7, 9],
    [-1, -2, -3, 1e9, 0, 7, 7, 7, 7, 7, 7],
    [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1],
  ];
  test.each(cases)('%s under %s: an arbitrary trace executes identically twice', (_, model, shape) => {
    for (const trace of ARBITRARY) {
      const a = replay(shape, model, trace);
      const b = replay(shape, model, trace);
      expect(b).toStrictEqual(a);
      expect(a.outcome.kind).toBe('complete');
      // the consumed (wrapped) choices replay to the same execution too
      expect(replay(shape, model, a.trace)).toStrictEqual(a);
    }
  });

  test.each(cases)('%s under %s: the all-zero trace is the non-preemptive SC execution', (_, model, shape) => {
    const sc = replay(shape, 'sc', []);
    const m = replay(shape, model, []);
    expect(shape.outcome(m)).toBe(shape.outcome(sc));
    expect(m.results).toStrictEqual(sc.results);
    expect(m.final).toStrictEqual(sc.final);
  });
});
