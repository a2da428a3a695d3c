/**
 * The arm64 consumers' pte ops on one entry of a contpte block are the
 * kernel's contpte-aware wrappers (arch/arm64/include/asm/pgtable.h, v6.9+):
 * a single-entry change unfolds the block first (contpte_convert: every entry
 * non-CONT, the block's access/dirty replicated), set_pte_at of the block's
 * last entry refolds it when one folio covers the block; on a lone pte they
 * are the `__` forms, instruction for instruction. Expected values are
 * written from contpte_convert's documented effect, not computed by the code.
 */
import { describe, expect, test } from 'vitest';
import type { PageDecl, Program } from '../../src/machine';
import { TraceSource, execute } from '../../src/machine';
import {
  ARM64,
  arm64,
  arm64Mk,
  arm64Ops,
  arm64_ptep_set_wrprotect,
  builtinReaders,
  do_anonymous_page,
  handle_pte_fault,
  zap_pte_range,
} from '../../src/kernel';
import type { Arm64Ptep } from '../../src/kernel';
import type { Arm64BlockMemory } from '../../src/scenario/builtin/arm64-common';
import { arm64BlockMemory } from '../../src/scenario/builtin/arm64-common';
import { buildHistory } from '../../src/reference';
import { checkInvariants } from '../../src/compare';

const { CONT, RDONLY, AF, DIRTY, WRITE } = ARM64;
/** pfn 0x40 + i, writable, clean (RDONLY), old; CONT unless told */
const clean = (i: number, cont = true): bigint => arm64Mk(0x40n + BigInt(i), { write: true, cont });
/** hardware-dirty + young, as contpte_convert's pte_mkdirty/pte_mkyoung leave a writable entry */
const dirtyYoung = (v: bigint): bigint => (v | AF | DIRTY) & ~RDONLY;

function alone(m: Arm64BlockMemory, prog: () => Program<unknown>, pages: PageDecl[] = []) {
  const exec = execute(
    { locations: m.locations, cpus: [{ name: 'W', program: prog }], flush: 'broadcast', pages },
    'sc',
    new TraceSource([]),
  );
  const mem = m.block.map((l) => exec.final[l.id]!);
  const h = buildHistory(exec, m.subject.name, m.subject.initial, m.subject.entries);
  return { exec, mem, h, ref: h.states![h.states!.length - 1]!, bad: checkInvariants(exec, h, m.subject.name, arm64) };
}

const opNames = (r: ReturnType<typeof alone>): string[] => r.exec.ops.map((o) => o.mark.name);
const lockless = builtinReaders().get('contpte_ptep_get_lockless')!.read as (p: Arm64Ptep) => Program<bigint>;

describe('arm64 consumer ops on an entry of a folded contpte block', () => {
  // a folded block of 4: entry 2 hardware-dirty, entry 3 young
  const folded = [clean(0), clean(1), clean(2) & ~RDONLY, clean(3) | AF];

  test('zap of one pte (MADV_DONTNEED of pte1): the block is unfolded first — the others non-CONT with the gathered A/D', () => {
    const m = arm64BlockMemory(folded, 1);
    const r = alone(m, () => zap_pte_range(arm64Ops, m.ptep(1), m.ptl, 'deferred'));
    expect(r.mem).toEqual([dirtyYoung(clean(0, false)), 0n, dirtyYoung(clean(2, false)), dirtyYoung(clean(3, false))]);
    expect(r.mem.some((v) => (v & CONT) !== 0n)).toBe(false);
    expect(r.ref).toEqual(r.mem);
    // reference of pte1: the folded value (A/D OR-ed over the block), the break, pte1 unfolded, none
    expect(r.h.values).toEqual([dirtyYoung(clean(1)), 0n, dirtyYoung(clean(1, false)), 0n]);
    expect(opNames(r)).toEqual(['MADV_DONTNEED', 'contpte_unfold', '__ptep_get_and_clear']);
    expect(r.bad).toBeUndefined();
  });

  test('write fault on pte3 (generic ptep_set_access_flags → set_pte_at): unfold, store, refold — the folio covers the block', () => {
    const block = [0, 1, 2, 3].map((i) => clean(i));
    const m = arm64BlockMemory(block, 3);
    const r = alone(m, () => handle_pte_fault(arm64Ops, m.ptep(3), m.ptl, lockless, { write: true }));
    // every entry CONT again, the write's dirty and young replicated by the refold
    expect(r.mem).toEqual([0, 1, 2, 3].map((i) => dirtyYoung(clean(i))));
    expect(r.ref).toEqual(r.mem);
    expect(opNames(r)).toEqual([
      'handle_pte_fault',
      'contpte_ptep_get_lockless',
      'ptep_set_access_flags',
      'set_pte_at',
      'contpte_unfold',
      '__set_pte',
      'contpte_try_fold',
    ]);
    // the store found the value the fault path computed it from (the commit invariant, first writer of the store)
    expect(r.bad).toBeUndefined();
  });

  test('set_pte_at of the last entry with a page no folio of the block holds (do_anonymous_page): no fold', () => {
    // entries 0..2 map 0x40..0x42 non-CONT, entry 3 none; the allocator hands out pfn 0x43, order-0
    const block = [clean(0, false), clean(1, false), clean(2, false), 0n];
    const m = arm64BlockMemory(block, 3);
    const r = alone(m, () => do_anonymous_page(arm64Ops, m.ptep(3), m.ptl), [{ pfn: 0x43n, ref: 0 }]);
    const anon = arm64Mk(0x43n, { write: true, young: true, dirty: true });
    expect(r.mem).toEqual([...block.slice(0, 3), anon]);
    expect(opNames(r)).toEqual(['do_anonymous_page', 'set_pte_at', '__set_pte', 'contpte_try_fold']);
    expect(r.ref).toEqual(r.mem);
  });

  test('ptep_set_wrprotect (wrprotect_ptes, nr = 1) on pte1: unfold, then the cmpxchg loop from the value read (retrying once the gather added A/D)', () => {
    const m = arm64BlockMemory(folded, 1);
    const r = alone(m, () => arm64_ptep_set_wrprotect(m.ptep(1)));
    const wp = (dirtyYoung(clean(1, false)) | RDONLY) & ~WRITE;
    expect(r.mem).toEqual([dirtyYoung(clean(0, false)), wp, dirtyYoung(clean(2, false)), dirtyYoung(clean(3, false))]);
    expect(arm64.dirty(r.mem[1]!)).toBe(true);
    expect(r.ref).toEqual(r.mem);
    expect(opNames(r)).toEqual(['contpte_unfold', '___ptep_set_wrprotect']);
    // orig (pte1 as read, CONT cleared) is clean: the first cmpxchg meets the gathered dirty/young and fails
    expect(r.exec.events.filter((e) => e.name === 'cmpxchg_relaxed')).toHaveLength(2);
  });
});

describe('on a lone pte the ops are the __ forms, instruction for instruction', () => {
  const lone = arm64Mk(0x1234n, { write: true, young: true, dirty: true });

  test('zap: MADV_DONTNEED → __ptep_get_and_clear, no extra load', () => {
    const m = arm64BlockMemory([lone], 0);
    const r = alone(m, () => zap_pte_range(arm64Ops, m.ptep(0), m.ptl, 'deferred'));
    expect(r.mem).toEqual([0n]);
    expect(opNames(r)).toEqual(['MADV_DONTNEED', '__ptep_get_and_clear']);
    expect(r.exec.events.map((e) => e.name)).toEqual([
      'spin_lock',
      'READ_ONCE',
      'xchg_relaxed',
      'spin_unlock',
      'tlb_finish_mmu',
      'put_page',
    ]);
  });

  test('ptep_set_wrprotect: the ___ptep_set_wrprotect loop alone (its own READ_ONCE, then cmpxchg)', () => {
    const m = arm64BlockMemory([lone], 0);
    const r = alone(m, () => arm64_ptep_set_wrprotect(m.ptep(0)));
    expect(opNames(r)).toEqual(['___ptep_set_wrprotect']);
    expect(r.exec.events.map((e) => e.name)).toEqual(['READ_ONCE', 'cmpxchg_relaxed']);
    expect(r.mem).toEqual([(lone | RDONLY) & ~WRITE]);
  });
});
