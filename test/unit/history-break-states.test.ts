import { describe, expect, test } from 'vitest';
import { DEFAULT_BOUNDS, TraceSource, execute } from '../../src/machine';
import { arm64Mk, contpte_unfold } from '../../src/kernel';
import { arm64BlockMemory } from '../../src/scenario/builtin/arm64-common';
import { buildHistory } from '../../src/reference';

/**
 * reference/history.ts entriesHistory on a break-before-make writer cut off
 * mid-break. contpte_unfold → contpte_convert (arch/arm64/mm/contpte.c):
 * READ_ONCE, one xchg clear per entry, TLBI + DSB (smp_mb), then one store
 * per entry of its non-CONT value. The rule (history.ts): each entry's clear
 * commits at the step it is first written, its repaint at its last write;
 * the state behind the transient value (k = 1) is the entries' state at the
 * last commit before the finish. Expected states are read off that rule and
 * the instruction order above (step 0 READ_ONCE, steps 1–4 xchg, 5 smp_mb,
 * 6.. stores), not from the code under test.
 */
const cont = (i: number): bigint => arm64Mk(0x40n + BigInt(i), { write: true, cont: true });
const plain = (i: number): bigint => arm64Mk(0x40n + BigInt(i), { write: true, cont: false });
const BLOCK = [0, 1, 2, 3].map(cont);

function cutOff(steps: number) {
  const m = arm64BlockMemory(BLOCK, 0);
  const exec = execute(
    { locations: m.locations, cpus: [{ name: 'W', program: () => contpte_unfold(m.ptep(0)) }] },
    'sc',
    new TraceSource([]),
    { ...DEFAULT_BOUNDS, steps },
  );
  expect(exec.outcome.kind).toBe('bound-hit');
  return buildHistory(exec, m.subject.name, m.subject.initial, m.subject.entries);
}

describe('entries history of a break cut off by a bound', () => {
  test('after the four clears (steps 1–4) every entry is none behind the transient', () => {
    const h = cutOff(5);
    expect(h.values.map((v) => v === 0n)).toEqual([false, true, false]);
    expect(h.states![0]).toEqual(BLOCK);
    expect(h.states![1]).toEqual([0n, 0n, 0n, 0n]);
  });

  test('after two clears only entries 0 and 1 are none; 2 and 3 still hold their CONT values', () => {
    const h = cutOff(3);
    expect(h.states![1]).toEqual([0n, 0n, cont(2), cont(3)]);
  });

  test('after the first repaint store (step 6) entry 0 holds its non-CONT value, the others stay none', () => {
    const h = cutOff(7);
    expect(h.states![1]).toEqual([plain(0), 0n, 0n, 0n]);
    // the cut-off operation commits last, with every entry at its final value
    expect(h.states![2]).toEqual([0, 1, 2, 3].map(plain));
  });
});
