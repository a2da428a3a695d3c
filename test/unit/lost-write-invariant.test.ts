import { describe, expect, test } from 'vitest';
import type { Execution, OpRecord } from '../../src/machine';
import { PAE, paeMk, x86Pae } from '../../src/kernel';
import type { LogicalHistory } from '../../src/reference';
import { checkInvariants } from '../../src/compare';

/**
 * compare/invariants.ts invariant 5, lost write (DESIGN §6, DOMAIN §C S11):
 * at the end of a *complete* execution with a writeback consumer, the page's
 * contents are on disk, or the folio is dirty, or a present dirty pte maps
 * that pfn — otherwise the write is lost (class lost-dirty). Hand-built final
 * states; each case breaks exactly one of the three escapes, and the expected
 * verdict is read off the rule above.
 */
const PFN = 0x42n;
const PG_DIRTY = 0x8n;
// location ids of the folio flags, the page contents, the file on disk
const FLAGS = 0;
const DATA = 1;
const DISK = 2;
const CLEAN_PTE = paeMk(PFN, PAE.PRESENT | PAE.RW | PAE.USER | PAE.ACCESSED);
const DIRTY_PTE = paeMk(PFN);

function execution(final: { flags: bigint; data: bigint; disk: bigint }, complete = true): Execution {
  const wb: OpRecord = {
    id: 0,
    cpu: 1,
    mark: {
      name: 'folio_clear_dirty_for_io',
      role: 'other',
      subject: 'pte',
      spec: { consumer: 'writeback', pfn: PFN, flags: FLAGS, dirtyBit: PG_DIRTY, data: DATA, disk: DISK },
    },
    parent: -1,
    start: 0,
    end: 3,
    done: true,
    retries: 0,
  };
  return {
    outcome: complete ? { kind: 'complete' } : { kind: 'bound-hit', bound: 'steps', cpu: 1, op: 0 },
    events: [],
    ops: [wb],
    choices: [],
    trace: [],
    results: [],
    final: [final.flags, final.data, final.disk],
    steps: 4,
    model: 'sc',
    flush: 'ipi',
    pages: new Map(),
  };
}

const history = (pte: bigint): LogicalHistory => ({ subject: 'pte', values: [pte], ops: [], indexOfOp: new Map() });

describe('lost-write invariant: contents on disk, or folio dirty, or a present dirty pte of that pfn', () => {
  test('new contents, clean folio, no pte: the write is lost', () => {
    const v = checkInvariants(execution({ flags: 0n, data: 0x5n, disk: 0x4n }), history(0n), 'pte', x86Pae);
    expect(v?.class).toBe('lost-dirty');
    expect(v?.observed).toBe(0x5n);
    expect(v?.allowed).toEqual([0x4n]);
  });

  test('contents on disk: nothing lost', () => {
    expect(checkInvariants(execution({ flags: 0n, data: 0x5n, disk: 0x5n }), history(0n), 'pte', x86Pae)).toBe(
      undefined,
    );
  });

  test('the folio is still dirty: a later writeback captures the contents', () => {
    const v = checkInvariants(execution({ flags: PG_DIRTY, data: 0x5n, disk: 0x4n }), history(0n), 'pte', x86Pae);
    expect(v).toBe(undefined);
  });

  test('a present dirty pte of the page keeps the write tracked', () => {
    const v = checkInvariants(execution({ flags: 0n, data: 0x5n, disk: 0x4n }), history(DIRTY_PTE), 'pte', x86Pae);
    expect(v).toBe(undefined);
  });

  test('a present but clean pte of the page does not: the write is lost', () => {
    const v = checkInvariants(execution({ flags: 0n, data: 0x5n, disk: 0x4n }), history(CLEAN_PTE), 'pte', x86Pae);
    expect(v?.class).toBe('lost-dirty');
  });

  test('a present dirty pte of another page does not: the write is lost', () => {
    const other = paeMk(PFN + 1n);
    const v = checkInvariants(execution({ flags: 0n, data: 0x5n, disk: 0x4n }), history(other), 'pte', x86Pae);
    expect(v?.class).toBe('lost-dirty');
  });

  test('a non-present pte whose bits spell the pfn and dirty does not: the write is lost', () => {
    const v = checkInvariants(
      execution({ flags: 0n, data: 0x5n, disk: 0x4n }),
      history(DIRTY_PTE & ~(PAE.PRESENT | PAE.GLOBAL)),
      'pte',
      x86Pae,
    );
    expect(v?.class).toBe('lost-dirty');
  });

  test('an execution cut off by a bound is not judged (writeback may still be running)', () => {
    const v = checkInvariants(execution({ flags: 0n, data: 0x5n, disk: 0x4n }, false), history(0n), 'pte', x86Pae);
    expect(v).toBe(undefined);
  });
});
