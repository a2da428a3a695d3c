import { describe, expect, test } from 'vitest';
import type { Event, Execution, ModelKind, OpRecord } from '../../src/machine';
import { clearSpec } from '../../src/kernel';
import { raced } from '../../src/compare';
import { handExecution } from '../support/hand-execution';

/**
 * compare/comparator.ts raced: under tso a writer is in flight until its stores to the pte have drained. An audit's
 * `explore --scenario s2-pae-zap-reestablish --reader ptep_get_atomic64 --model tso --max-executions 3` read
 * {0x00010001:0x00000000} — pte_clear's low half drained, its high half still in B's store buffer, after
 * pte_clear had returned — and said `Raced: … in 0 of 3 executions` (with 5: the expectation `vacuous`, "never
 * raced"). Hand-built executions: B's pte_clear (cpu 1) issues its two stores at steps 0 and 1 and returns; they
 * drain at steps 3 and 5; A's one-load read (cpu 0) is step 4.
 */
describe('raced: a writer whose stores are still draining', () => {
  const LOW = 0;
  const HIGH = 1;
  const writer: OpRecord = {
    id: 0,
    cpu: 1,
    mark: { name: 'pte_clear', role: 'writer', subject: 'pte', spec: clearSpec },
    parent: -1,
    start: 0,
    end: 1,
    done: true,
    retries: 0,
  };
  const reader = (step: number): OpRecord => ({
    id: 1,
    cpu: 0,
    mark: { name: 'ptep_get_atomic64', role: 'reader', subject: 'pte' },
    parent: -1,
    start: step,
    end: step,
    done: true,
    retries: 0,
  });
  const store = (step: number, loc: number): Omit<Event, 'index'> => ({
    step,
    cpu: 1,
    kind: 'store',
    name: 'WRITE_ONCE',
    op: 0,
    locs: [loc],
    wrote: 0n,
    tag: 0,
  });
  const drain = (step: number, loc: number): Omit<Event, 'index'> => ({
    ...store(step, loc),
    kind: 'drain',
    name: 'drain',
    op: -1,
  });
  const load = (step: number): Omit<Event, 'index'> => ({
    step,
    cpu: 0,
    kind: 'rmw',
    name: 'atomic64_read',
    op: 1,
    locs: [LOW, HIGH],
  });
  const exec = (model: ModelKind, evs: Omit<Event, 'index'>[], r: OpRecord): Execution =>
    handExecution(model, evs, [writer, r], { steps: 6 });
  test('tso: a read between the drains of a writer that has returned raced it', () => {
    const evs = [store(0, LOW), store(1, HIGH), drain(3, LOW), load(4), drain(5, HIGH)];
    expect(raced(exec('tso', evs, reader(4)), reader(4), [LOW, HIGH])).toBe(true);
  });
  test('tso: a read after the last drain did not', () => {
    const evs = [store(0, LOW), store(1, HIGH), drain(2, LOW), drain(3, HIGH), load(4)];
    expect(raced(exec('tso', evs, reader(4)), reader(4), [LOW, HIGH])).toBe(false);
  });
  test('sc: a read after the writer returned did not (its stores are in memory when it returns)', () => {
    const evs = [store(0, LOW), store(1, HIGH), load(4)];
    expect(raced(exec('sc', evs, reader(4)), reader(4), [LOW, HIGH])).toBe(false);
  });
});
