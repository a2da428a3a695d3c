import { describe, expect, test } from 'vitest';
import type { OpRecord } from '../../src/machine';
import type { LogicalHistory } from '../../src/reference';
import { allowedWindow } from '../../src/reference';

/**
 * DESIGN §6: a reader that ran from step s to step e may return v_k if v_k
 * could be current at some instant of the closed interval [s, e] — op k
 * started no later than e, op k+1 had not finished before s. These pin the
 * interval's two ends on hand-built records (the expected windows are read
 * off the definition, not computed by window.ts).
 */
const V0 = 0x100n;
const V1 = 0x200n;
const V2 = 0x300n;

function op(id: number, cpu: number, role: 'reader' | 'writer', start: number, end: number): OpRecord {
  return {
    id,
    cpu,
    mark: { name: role === 'reader' ? 'r' : 'w', role, subject: 'pte' },
    parent: -1,
    start,
    end,
    done: true,
    retries: 0,
  };
}

/** v0 --w1--> v1 --w2--> v2 */
function history(w1: OpRecord, w2: OpRecord): LogicalHistory {
  return {
    subject: 'pte',
    values: [V0, V1, V2],
    ops: [w1, w2],
    indexOfOp: new Map([
      [w1.id, 1],
      [w2.id, 2],
    ]),
  };
}

describe('allowed window: the reader interval [s, e] is closed at both ends', () => {
  test('a writer that starts at the reader’s last step e may already be current: its value is allowed', () => {
    // reader steps 5..9; w1 runs 1..3 (v1 current from step 3), w2 starts at 9 = e
    const h = history(op(0, 1, 'writer', 1, 3), op(1, 1, 'writer', 9, 12));
    const w = allowedWindow(h, op(2, 0, 'reader', 5, 9));
    expect(w.allowed).toEqual([V1, V2]);
    expect([w.lo, w.hi]).toEqual([1, 2]);
  });

  test('a writer that starts after e is not: its value is not allowed', () => {
    const h = history(op(0, 1, 'writer', 1, 3), op(1, 1, 'writer', 10, 12));
    const w = allowedWindow(h, op(2, 0, 'reader', 5, 9));
    expect(w.allowed).toEqual([V1]);
  });

  test('a writer that finishes at the reader’s first step s had not finished before s: the value it replaced is allowed', () => {
    // w1 runs 2..5 and finishes at s = 5: v0 may still be current at step 5
    const h = history(op(0, 1, 'writer', 2, 5), op(1, 1, 'writer', 20, 22));
    const w = allowedWindow(h, op(2, 0, 'reader', 5, 9));
    expect(w.allowed).toEqual([V0, V1]);
    expect([w.lo, w.hi]).toEqual([0, 1]);
  });

  test('a writer that finishes before s: the value it replaced is stale', () => {
    const h = history(op(0, 1, 'writer', 2, 4), op(1, 1, 'writer', 20, 22));
    const w = allowedWindow(h, op(2, 0, 'reader', 5, 9));
    expect(w.allowed).toEqual([V1]);
    expect(w.lo).toBe(1);
  });
});
