import { describe, expect, test } from 'vitest';
import type { Event, Execution, OpRecord, PageEvent } from '../../src/machine';
import { clearSpec, paeMk, x86Pae } from '../../src/kernel';
import { checkInvariants } from '../../src/compare';
import { buildHistory } from '../../src/reference';

/**
 * DESIGN §6 / invariants.ts rule 2: GUP-fast may return a page only if the pte
 * mapped that pfn *and generation* at some instant from its try_grab_folio()
 * to the end of its recheck. A hand-built execution (ABA on the page, not on
 * the pte): the pte maps pfn 0x10 at generation 0; CPU 1's zap clears it and
 * frees the page (generation 1) while CPU 0's GUP-fast, which read the old
 * pte, grabs pfn 0x10 — now generation 1, someone else's page — before the
 * zap finished. The only present value of its window maps generation 0: the
 * pfn matches, the page does not → wrong-page. The control grabs before the
 * free (generation 0): no violation.
 */
const PFN = 0x10n;
const P = paeMk(PFN);

function rec(o: Omit<OpRecord, 'retries' | 'done'>): OpRecord {
  return { ...o, done: true, retries: 0 };
}

function ev(index: number, step: number, cpu: number, op: number, name: string, extra: Partial<Event>): Event {
  return { index, step, cpu, kind: 'load', name, op, locs: [], ...extra };
}

function execution(grabGen: number, freed: boolean): Execution {
  const gup = rec({
    id: 0,
    cpu: 0,
    mark: { name: 'gup_fast', role: 'other', subject: 'pte', spec: { consumer: 'gup-fast', write: false } },
    parent: -1,
    start: 0,
    end: 4,
    result: PFN,
  });
  const zap = rec({
    id: 1,
    cpu: 1,
    mark: { name: 'ptep_get_and_clear', role: 'writer', subject: 'pte', spec: clearSpec },
    parent: -1,
    start: 1,
    end: 5,
  });
  const read = rec({
    id: 2,
    cpu: 0,
    mark: { name: 'ptep_get_lockless', role: 'reader', subject: 'pte' },
    parent: 0,
    start: 0,
    end: 0,
    result: P,
  });
  const recheck = rec({
    id: 3,
    cpu: 0,
    mark: { name: 'ptep_get', role: 'reader', subject: 'pte' },
    parent: 0,
    start: 4,
    end: 4,
    result: P,
  });
  const put: PageEvent = freed ? { pfn: PFN, gen: 1, ref: 0, freed: true } : { pfn: PFN, gen: 0, ref: 1 };
  const grab: PageEvent = { pfn: PFN, gen: grabGen, ref: 1, ok: true };
  const events: Event[] = [
    ev(0, 0, 0, 2, 'READ_ONCE', { locs: [0], read: P }),
    ev(1, 1, 1, 1, 'WRITE_ONCE', { kind: 'store', locs: [0], wrote: 0n }),
    ev(2, 2, 1, 1, 'put_page', { kind: 'page', page: put }),
    ev(3, 3, 0, 0, 'try_grab_folio', { kind: 'page', page: grab }),
    ev(4, 4, 0, 3, 'READ_ONCE', { locs: [0], read: P }),
    ev(5, 5, 1, 1, 'spin_unlock', { kind: 'store', locs: [1], wrote: 0n }),
  ];
  return {
    outcome: { kind: 'complete' },
    events,
    ops: [gup, zap, read, recheck],
    choices: [],
    trace: [],
    results: [],
    final: [0n, 0n],
    steps: 6,
    model: 'tso',
    flush: 'ipi',
    pages: new Map(),
  };
}

describe('wrong-page checks the generation, not only the pfn', () => {
  test('GUP-fast pins pfn 0x10 reused (gen 1) while its window only held the gen-0 mapping: wrong-page', () => {
    const exec = execution(1, true);
    const v = checkInvariants(exec, buildHistory(exec, 'pte', P), 'pte', x86Pae);
    expect(v?.class).toBe('wrong-page');
    expect(v?.op).toBe(0);
    expect(v?.detail).toMatch(/pinned pfn 0x10 gen 1/);
  });

  test('control: the same pfn grabbed at the generation the pte mapped (no free) is no violation', () => {
    const exec = execution(0, false);
    expect(checkInvariants(exec, buildHistory(exec, 'pte', P), 'pte', x86Pae)).toBeUndefined();
  });
});
