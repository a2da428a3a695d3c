import { describe, expect, test } from 'vitest';
import type { Event, Execution } from '../../src/machine';
import { x86Pae } from '../../src/kernel';
import { checkInvariants } from '../../src/compare';

/**
 * compare/invariants.ts invariant 1, use-after-free, its TLB half (DESIGN §6,
 * asm-generic/tlb.h "unhook → TLB invalidate → free"): a CPU that accesses a
 * page through a TLB entry whose page has been freed since (the entry was
 * filled at generation `gen`, the page is now at generation `now`) uses a
 * freed page. Hand-built events; the verdicts are read off that rule.
 */
function access(tlb: Event['tlb']): Execution {
  const ev: Event = {
    index: 0,
    step: 0,
    cpu: 1,
    kind: 'tlb',
    name: 'tlb_access',
    locs: [],
    op: -1,
    ...(tlb ? { tlb } : {}),
  };
  return {
    outcome: { kind: 'complete' },
    events: [ev],
    ops: [],
    choices: [],
    trace: [],
    results: [],
    final: [],
    steps: 1,
    model: 'sc',
    flush: 'ipi',
    pages: new Map(),
  };
}

describe('use-after-free through a stale TLB entry', () => {
  test('a TLB hit on an entry filled at gen 0 of a page now at gen 1: use-after-free', () => {
    const v = checkInvariants(access({ key: 'va', hit: true, pfn: 0x42n, gen: 0, now: 1 }), undefined, 'pte', x86Pae);
    expect(v?.class).toBe('use-after-free');
    expect(v?.observed).toBe(0x42n);
  });

  test('a TLB hit on an entry of the page at its current generation: no violation', () => {
    const v = checkInvariants(access({ key: 'va', hit: true, pfn: 0x42n, gen: 1, now: 1 }), undefined, 'pte', x86Pae);
    expect(v).toBe(undefined);
  });

  test('a TLB miss: no violation', () => {
    expect(checkInvariants(access({ key: 'va', hit: false }), undefined, 'pte', x86Pae)).toBe(undefined);
  });
});
