import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { TraceSource } from '../../src/machine';
import { arm64, builtinOperations, builtinReaders } from '../../src/kernel';
import { contractByName } from '../../src/compare';
import { loadScn } from '../../src/scenario';
import type { Target } from '../../src/campaign';
import { makeTarget, runTarget, specOf } from '../../src/campaign';
import { ROOT } from '../support/cli';
import { traceOf } from '../support/schedule';

/**
 * reference/history.ts entriesHistory, EntriesSpec.repainted: arm64 ptep_set_access_flags on a read-only contpte
 * block with a writable entry (test/fixtures/wp-reuse-unfold.scn, wp_page_reuse) unfolds the block —
 * contpte_convert: every entry cleared, TLBI, every entry repainted non-CONT with its old permissions — and only
 * then makes pte3 writable (arch/arm64/mm/contpte.c contpte_ptep_set_access_flags, its else branch). Memory holds
 * the repainted block between the two, so the reference must list it. The values are written by hand from the
 * descriptor layout (DOMAIN §A3.1: bit 52 CONT, bit 51 DBM (write), bit 7 RDONLY, bit 55 software dirty).
 */
const CONT_RO = (pfn: number): bigint => 0x00f0000000000fc3n | (BigInt(pfn) << 12n); // CONT, read-only, young, dirty
const PLAIN_RO = (pfn: number): bigint => 0x00e0000000000fc3n | (BigInt(pfn) << 12n); // the same without CONT
const WRITABLE = 0x00e8000000043f43n; // pte3 non-CONT, DBM set, RDONLY clear: the fault's entry

function target(reader: string): Target {
  const file = join(ROOT, 'test', 'fixtures', 'wp-reuse-unfold.scn');
  const l = loadScn(readFileSync(file, 'utf8'), file, { readers: builtinReaders(), operations: builtinOperations() });
  if (l.kind !== 'kernel') throw new Error('not a kernel scenario');
  const r = builtinReaders().get(reader)!;
  return makeTarget(l.scenario, r, contractByName(r.contract)!, 'sc', arm64);
}

/**
 * CPU B (1) runs `steps` steps, then CPU A (0) reads pte3, then B finishes. B's steps: spin_lock; READ_ONCE of
 * pte3 (CONT: contpte_ptep_set_access_flags); the 2026 no-op check's four READ_ONCEs and its READ_ONCE of pte3;
 * four xchg clears; the TLBI (smp_mb); four WRITE_ONCE repaints — 16 steps to the last repaint — then
 * __ptep_set_access_flags' READ_ONCE and cmpxchg of pte3, spin_unlock.
 */
function readAfter(reader: string, steps: number) {
  const t = target(reader);
  const r = runTarget(t, new TraceSource(traceOf(specOf(t.built), 'sc', [...Array<number>(steps).fill(1), 0])));
  const load = r.exec.events.find((e) => e.cpu === 0 && e.read !== undefined)!;
  return { r, h: r.judgement.history!, load };
}

describe('ptep_set_access_flags that unfolds: the repainted block is a value of the reference', () => {
  test('history: initial, break, repainted block (every entry non-CONT, read-only), final (pte3 writable)', () => {
    const { h } = readAfter('__ptep_get', 16);
    expect(h.values).toEqual([CONT_RO(0x43), 0n, PLAIN_RO(0x43), WRITABLE]);
    expect(h.states![2]).toEqual([0x40, 0x41, 0x42, 0x43].map(PLAIN_RO));
    expect(h.states![3]).toEqual([PLAIN_RO(0x40), PLAIN_RO(0x41), PLAIN_RO(0x42), WRITABLE]);
    const op = h.ops[0]!.id;
    expect(h.ops.map((o) => o.id)).toEqual([op, op, op]);
    expect(h.firstIndexOfOp!.get(op)).toBe(1);
    expect(h.repaintedIndexOfOp!.get(op)).toBe(2);
    expect(h.indexOfOp.get(op)).toBe(3);
  });

  for (const reader of ['__ptep_get', 'contpte_ptep_get']) {
    test(`${reader} reading pte3 after the last repaint, before the cmpxchg, returns the repainted entry: agree`, () => {
      const { r, load } = readAfter(reader, 16);
      expect(load.read).toBe(PLAIN_RO(0x43));
      // before: the reference went from the break to the final value, and this read was a `phantom`
      expect(r.judgement.verdict).toEqual({ kind: 'agree' });
      expect(r.judgement.judged[0]!.window.allowed).toContain(PLAIN_RO(0x43));
    });
  }

  test('after three of the four repaints the block is still none for the reference, and the reader reads none', () => {
    // the repainted block is one value: it is listed once every entry of the break is repainted
    const { r, h, load } = readAfter('__ptep_get', 15);
    expect(load.read).toBe(0n);
    expect(h.values).toEqual([CONT_RO(0x43), 0n, PLAIN_RO(0x43), WRITABLE]);
    expect(r.judgement.verdict).toEqual({ kind: 'agree' });
  });
});
