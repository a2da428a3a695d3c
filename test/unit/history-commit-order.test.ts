import { describe, expect, test } from 'vitest';
import type { Execution, OpRecord } from '../../src/machine';
import { setSpec } from '../../src/kernel';
import { buildHistory } from '../../src/reference';

/**
 * reference/history.ts: writer operations on one subject commit in the order
 * in which they *finish* (an operation cut off by a bound commits last), not
 * the order in which they start. Hand-built records: a two-store writer on
 * CPU 0 (steps 0..3) with a one-instruction writer on CPU 1 (a hardware A/D
 * update, step 1) inside it. The expected histories are read off that rule.
 */
const I = 0x1000n;
const X = 0x2000n;
const Y = 0x3000n;
const Z = 0x4000n;

function writer(id: number, cpu: number, start: number, end: number, value: bigint, done = true): OpRecord {
  return {
    id,
    cpu,
    mark: { name: `set${id}`, role: 'writer', subject: 'pte', spec: setSpec(value, `set ${value}`) },
    parent: -1,
    start,
    end,
    done,
    retries: 0,
  };
}

function exec(ops: OpRecord[]): Execution {
  return {
    outcome: { kind: 'complete' },
    events: [],
    ops,
    choices: [],
    trace: [],
    results: [],
    final: [],
    steps: 10,
    model: 'sc',
    flush: 'ipi',
    pages: new Map(),
  };
}

describe('reference history: commit order is finish order', () => {
  test('a writer that starts first but finishes last commits last', () => {
    const h = buildHistory(exec([writer(0, 0, 0, 3, X), writer(1, 1, 1, 1, Y)]), 'pte', I);
    expect(h.values).toEqual([I, Y, X]);
    expect(h.ops.map((o) => o.id)).toEqual([1, 0]);
    expect(h.indexOfOp.get(0)).toBe(2);
    expect(h.indexOfOp.get(1)).toBe(1);
  });

  test('an operation cut off by a bound (not done) commits after every finished one', () => {
    const h = buildHistory(
      exec([writer(0, 0, 0, 0, Z, false), writer(1, 1, 2, 4, X), writer(2, 1, 5, 6, Y)]),
      'pte',
      I,
    );
    expect(h.values).toEqual([I, X, Y, Z]);
  });
});
