/**
 * The batched (nr > 1) arm64 pte API — contpte_set_ptes, contpte_get_and_clear_full_ptes,
 * contpte_clear_full_ptes, contpte_wrprotect_ptes and contpte_try_unfold_partial
 * (arch/arm64/mm/contpte.c, arch/arm64/include/asm/pgtable.h, v6.9+). Every expected step
 * sequence and value below is written by hand from the kernel source:
 * - a fully covered, aligned block: no __ptep_get at all (contpte_try_unfold_partial's two
 *   tests are false), then one xchg / READ_ONCE + cmpxchg / WRITE_ONCE per entry, ascending;
 *   the block is cleared / write-protected (CONT kept) / written CONT in place;
 * - a partly covered block: __ptep_get of the first entry (if the range does not start at
 *   the block or is shorter than it) and of the last entry (if the range does not end at the
 *   block's end), each followed by contpte_convert (xchg × 4, TLBI+DSB, WRITE_ONCE × 4) when
 *   that read finds the block valid+CONT;
 * - nr = 1: the single-entry wrappers, unchanged.
 */
import { describe, expect, test } from 'vitest';
import type { Program } from '../../src/machine';
import { TraceSource, execute } from '../../src/machine';
import {
  ARM64,
  arm64Mk,
  arm64_clear_full_ptes,
  arm64_get_and_clear_full_ptes,
  arm64_set_ptes_nr,
  arm64_wrprotect_ptes,
  batchRangeError,
  builtinOperations,
  builtinReaders,
} from '../../src/kernel';
import type { Arm64BlockMemory } from '../../src/scenario/builtin/arm64-common';
import { arm64BlockMemory } from '../../src/scenario/builtin/arm64-common';
import { buildHistory } from '../../src/reference';
import { loadScn } from '../../src/scenario';

const { CONT, RDONLY, AF, DIRTY, WRITE } = ARM64;
/** pfn 0x40 + i, writable, clean (RDONLY), old; CONT unless told */
const clean = (i: number, cont = true): bigint => arm64Mk(0x40n + BigInt(i), { write: true, cont });
/** hardware-dirty + young, as pte_mkdirty/pte_mkyoung leave a writable entry */
const dirtyYoung = (v: bigint): bigint => (v | AF | DIRTY) & ~RDONLY;
/** pte_wrprotect of a clean entry: WRITE (DBM) cleared, RDONLY set */
const wp = (v: bigint): bigint => (v | RDONLY) & ~WRITE;

// a folded block of 4: entry 2 hardware-dirty (DBM write: RDONLY cleared), entry 3 young
const folded = [clean(0), clean(1), clean(2) & ~RDONLY, clean(3) | AF];

function alone(m: Arm64BlockMemory, prog: () => Program<unknown>) {
  const exec = execute(
    { locations: m.locations, cpus: [{ name: 'W', program: prog }], flush: 'broadcast', pages: [] },
    'sc',
    new TraceSource([]),
  );
  const name = (id: number): string => m.block.find((l) => l.id === id)?.name ?? `#${id}`;
  const h = buildHistory(exec, m.subject.name, m.subject.initial, m.subject.entries);
  return {
    exec,
    mem: m.block.map((l) => exec.final[l.id]!),
    ref: h.states![h.states!.length - 1]!,
    h,
    steps: exec.events.map((e) => `${e.name}${e.locs.length > 0 ? ` ${e.locs.map(name).join(',')}` : ''}`),
    ops: exec.ops.map((o) => o.mark.name),
    result: exec.ops[0]?.result,
  };
}

/** contpte_convert's instructions: xchg each entry, TLBI+DSB (smp_mb), WRITE_ONCE each entry */
const CONVERT = [
  'xchg_relaxed pte0',
  'xchg_relaxed pte1',
  'xchg_relaxed pte2',
  'xchg_relaxed pte3',
  'smp_mb',
  'WRITE_ONCE pte0',
  'WRITE_ONCE pte1',
  'WRITE_ONCE pte2',
  'WRITE_ONCE pte3',
];
/** the block after contpte_convert(pte_mknoncont): each entry its own page, non-CONT, A/D of the block replicated */
const unfolded = [0, 1, 2, 3].map((i) => dirtyYoung(clean(i, false)));

describe('get_and_clear_full_ptes / clear_full_ptes (zap_present_ptes folio batch)', () => {
  test('the whole folded block (nr = 4 from pte0): no unfold, no __ptep_get — one xchg per entry ascending', () => {
    const m = arm64BlockMemory(folded, 1);
    const r = alone(m, () => arm64_get_and_clear_full_ptes(m.ptep(0), 4));
    expect(r.steps).toEqual(['xchg_relaxed pte0', 'xchg_relaxed pte1', 'xchg_relaxed pte2', 'xchg_relaxed pte3']);
    expect(r.ops).toEqual([
      'contpte_get_and_clear_full_ptes',
      '__ptep_get_and_clear',
      '__ptep_get_and_clear',
      '__ptep_get_and_clear',
      '__ptep_get_and_clear',
    ]);
    expect(r.mem).toEqual([0n, 0n, 0n, 0n]);
    expect(r.ref).toEqual(r.mem);
    // pte0's old value (CONT kept) with pte2's dirty and pte3's young OR-ed in (pte_mkdirty clears RDONLY)
    expect(r.result).toBe(dirtyYoung(clean(0)));
    // the reference of pte1 passes through each clear: folded (A/D OR-ed), pte0 gone (pte1 still CONT: the OR
    // over pte1..pte3), pte1 none, …
    expect(r.h.values).toEqual([dirtyYoung(clean(1)), dirtyYoung(clean(1)), 0n, 0n, 0n]);
  });

  test('clear_full_ptes on the whole block: the same xchgs, nothing returned', () => {
    const m = arm64BlockMemory(folded, 1);
    const r = alone(m, () => arm64_clear_full_ptes(m.ptep(0), 4));
    expect(r.steps).toEqual(['xchg_relaxed pte0', 'xchg_relaxed pte1', 'xchg_relaxed pte2', 'xchg_relaxed pte3']);
    expect(r.ops[0]).toBe('contpte_clear_full_ptes');
    expect(r.mem).toEqual([0n, 0n, 0n, 0n]);
    expect(r.result).toBeUndefined();
  });

  test('pte1..pte2 (nr = 2): the first entry is not aligned → __ptep_get(pte1), unfold; the end is not aligned → __ptep_get(pte2), already non-CONT', () => {
    const m = arm64BlockMemory(folded, 1);
    const r = alone(m, () => arm64_get_and_clear_full_ptes(m.ptep(1), 2));
    expect(r.steps).toEqual(['READ_ONCE pte1', ...CONVERT, 'READ_ONCE pte2', 'xchg_relaxed pte1', 'xchg_relaxed pte2']);
    expect(r.ops).toEqual([
      'contpte_get_and_clear_full_ptes',
      'contpte_unfold',
      '__ptep_get_and_clear',
      '__ptep_get_and_clear',
    ]);
    expect(r.mem).toEqual([unfolded[0], 0n, 0n, unfolded[3]]);
    expect(r.ref).toEqual(r.mem);
    expect(r.result).toBe(unfolded[1]);
  });

  test('pte0..pte2 (nr = 3): aligned start but nr < CONT_PTES → unfold; the end test reads pte2', () => {
    const m = arm64BlockMemory(folded, 3);
    const r = alone(m, () => arm64_get_and_clear_full_ptes(m.ptep(0), 3));
    expect(r.steps).toEqual([
      'READ_ONCE pte0',
      ...CONVERT,
      'READ_ONCE pte2',
      'xchg_relaxed pte0',
      'xchg_relaxed pte1',
      'xchg_relaxed pte2',
    ]);
    expect(r.mem).toEqual([0n, 0n, 0n, unfolded[3]]);
  });

  test('pte2..pte3 (nr = 2) of a block that is not folded: both end tests read, nothing unfolds', () => {
    const plain = [0, 1, 2, 3].map((i) => clean(i, false));
    const m = arm64BlockMemory(plain, 0);
    const r = alone(m, () => arm64_get_and_clear_full_ptes(m.ptep(2), 2));
    // the end is pte2 + 2 = the block's end: only the start test fires
    expect(r.steps).toEqual(['READ_ONCE pte2', 'xchg_relaxed pte2', 'xchg_relaxed pte3']);
    expect(r.mem).toEqual([plain[0], plain[1], 0n, 0n]);
  });

  test('nr = 1 is the single-entry wrapper: __ptep_get, unfold, one xchg (the consumers’ ptep_get_and_clear, unchanged)', () => {
    const m = arm64BlockMemory(folded, 1);
    const r = alone(m, () => arm64_get_and_clear_full_ptes(m.ptep(1), 1));
    expect(r.steps).toEqual(['READ_ONCE pte1', ...CONVERT, 'xchg_relaxed pte1']);
    expect(r.ops).toEqual(['contpte_unfold', '__ptep_get_and_clear']);
    expect(r.mem).toEqual([unfolded[0], 0n, unfolded[2], unfolded[3]]);
  });
});

describe('wrprotect_ptes (fork: copy_present_ptes folio batch)', () => {
  test('the whole folded block (nr = 4): write-protected in place, CONT kept — READ_ONCE + cmpxchg per entry, no unfold', () => {
    const m = arm64BlockMemory(folded, 1);
    const r = alone(m, () => arm64_wrprotect_ptes(m.ptep(0), 4));
    expect(r.steps).toEqual([
      'READ_ONCE pte0',
      'cmpxchg_relaxed pte0',
      'READ_ONCE pte1',
      'cmpxchg_relaxed pte1',
      'READ_ONCE pte2',
      'cmpxchg_relaxed pte2',
      'READ_ONCE pte3',
      'cmpxchg_relaxed pte3',
    ]);
    expect(r.ops).toEqual([
      'contpte_wrprotect_ptes',
      '___ptep_set_wrprotect',
      '___ptep_set_wrprotect',
      '___ptep_set_wrprotect',
      '___ptep_set_wrprotect',
    ]);
    // pte2's hardware dirt (DBM && !RDONLY) moves into PTE_DIRTY; every entry keeps CONT
    expect(r.mem).toEqual([wp(clean(0)), wp(clean(1)), wp(clean(2) | DIRTY), wp(clean(3) | AF)]);
    expect(r.mem.every((v) => (v & CONT) !== 0n)).toBe(true);
    expect(r.ref).toEqual(r.mem);
  });

  test('pte2..pte3 (nr = 2): start not aligned → __ptep_get(pte2), unfold; the range ends at the block end: no second read', () => {
    const m = arm64BlockMemory(folded, 1);
    const r = alone(m, () => arm64_wrprotect_ptes(m.ptep(2), 2));
    expect(r.steps).toEqual([
      'READ_ONCE pte2',
      ...CONVERT,
      'READ_ONCE pte2',
      'cmpxchg_relaxed pte2',
      'READ_ONCE pte3',
      'cmpxchg_relaxed pte3',
    ]);
    // unfolded entries are hardware-dirty (pte_mkdirty of a writable pte): pte_wrprotect moves that into PTE_DIRTY
    expect(r.mem).toEqual([unfolded[0], unfolded[1], wp(unfolded[2]! | DIRTY), wp(unfolded[3]! | DIRTY)]);
    expect(r.ref).toEqual(r.mem);
  });
});

describe('set_ptes (contpte_set_ptes)', () => {
  const none = [0n, 0n, 0n, 0n];
  test('a whole block with an aligned pfn: written CONT, one WRITE_ONCE per entry ascending, pfn + i, no read', () => {
    const m = arm64BlockMemory(none, 1);
    const r = alone(m, () => arm64_set_ptes_nr(m.ptep(0), clean(0, false), 4));
    expect(r.steps).toEqual(['WRITE_ONCE pte0', 'WRITE_ONCE pte1', 'WRITE_ONCE pte2', 'WRITE_ONCE pte3']);
    expect(r.ops).toEqual(['contpte_set_ptes', '__set_pte', '__set_pte', '__set_pte', '__set_pte']);
    expect(r.mem).toEqual([clean(0), clean(1), clean(2), clean(3)]);
    expect(r.ref).toEqual(r.mem);
    // the reference of pte1: none, none (pte0 written), then the block's view as each entry lands
    expect(r.h.values).toEqual([0n, 0n, clean(1), clean(1), clean(1)]);
  });

  test('a misaligned pfn, or a range short of the block: non-CONT (a CONT bit in the value is dropped)', () => {
    const m = arm64BlockMemory(none, 1);
    const r = alone(m, () => arm64_set_ptes_nr(m.ptep(0), arm64Mk(0x41n, { write: true, cont: true }), 4));
    expect(r.mem).toEqual([1, 2, 3, 4].map((i) => clean(i, false)));
    const m2 = arm64BlockMemory(none, 1);
    const r2 = alone(m2, () => arm64_set_ptes_nr(m2.ptep(1), clean(1), 3));
    expect(r2.steps).toEqual(['WRITE_ONCE pte1', 'WRITE_ONCE pte2', 'WRITE_ONCE pte3']);
    expect(r2.mem).toEqual([0n, clean(1, false), clean(2, false), clean(3, false)]);
  });
});

describe('a lockless reader between the steps of a batched zap', () => {
  test('contpte_ptep_get_lockless of pte1 after pte0 was cleared retries until pte1 is cleared, then returns none', () => {
    const m = arm64BlockMemory(folded, 1);
    const read = builtinReaders().get('contpte_ptep_get_lockless')!.read;
    // schedule choices (0 = the CPU that ran last goes on, 1 = the other): W clears pte0; R reads pte1 (the
    // ptep_get_lockless wrapper), pte1 (contpte_ptep_get_lockless), pte0 = none → retry, pte1, pte0 = none →
    // retry; W clears pte1..pte3; R alone from then on: pte1 = none, returned as it is
    const trace = [1, 1, 0, 0, 0, 1, 0, 0];
    const exec = execute(
      {
        locations: m.locations,
        cpus: [
          { name: 'R', program: () => read(m.ptep(1)) },
          { name: 'W', program: () => arm64_get_and_clear_full_ptes(m.ptep(0), 4) },
        ],
        flush: 'broadcast',
        pages: [],
      },
      'sc',
      new TraceSource(trace),
    );
    const reader = exec.ops.find((o) => o.mark.role === 'reader')!;
    expect(reader.result).toBe(0n);
    // it saw pte0 none while pte1 was CONT (a retry), and its last read of pte1 found it none
    const loads = exec.events
      .filter((e) => e.cpu === 0)
      .map((e) => `${e.name} ${e.locs[0] === m.block[0]!.id ? 'pte0' : 'pte1'} ${e.read}`);
    expect(loads).toEqual([
      `READ_ONCE pte1 ${clean(1)}`,
      `READ_ONCE pte1 ${clean(1)}`,
      'READ_ONCE pte0 0',
      `READ_ONCE pte1 ${clean(1)}`,
      'READ_ONCE pte0 0',
      'READ_ONCE pte1 0',
    ]);
    expect(exec.events.filter((e) => e.cpu === 1).map((e) => e.name)).toEqual(Array(4).fill('xchg_relaxed'));
  });
});

describe('the range: inside the first entry’s block', () => {
  test('batchRangeError', () => {
    const m = arm64BlockMemory(folded, 0);
    expect(batchRangeError(m.ptep(0), 4)).toBeUndefined();
    expect(batchRangeError(m.ptep(1), 3)).toBeUndefined();
    expect(batchRangeError(m.ptep(1), 4)).toBe(
      'nr from 1 to 3 (the entries from entry 1 to the end of its block of 4)',
    );
    expect(batchRangeError(m.ptep(0), 0)).toBe(
      'nr from 1 to 4 (the entries from entry 0 to the end of its block of 4)',
    );
    const lone = arm64BlockMemory([clean(0, false)], 0);
    expect(batchRangeError(lone.ptep(0), 2)).toBe(
      'nr from 1 to 1 (the entries from entry 0 to the end of its lone pte)',
    );
  });

  const ctx = { readers: builtinReaders(), operations: builtinOperations() };
  const scn = (
    call: string,
    pte = 'pte p = [0x0078000000040bc3, 0x0078000000041bc3, 0x0078000000042bc3, 0x0078000000043bc3]',
  ) =>
    `scenario t\narch arm64\n${pte}\nreader contpte_ptep_get_lockless\ncpu A {\n  reader(p[1])\n}\ncpu B {\n  ${call}\n}\n`;
  test('the scenario language checks nr against the block (file:line:col, what was expected)', () => {
    expect(() => loadScn(scn('get_and_clear_full_ptes(p[0], 4)'), 't.scn', ctx)).not.toThrow();
    expect(() => loadScn(scn('wrprotect_ptes(p[1], nr=4)'), 't.scn', ctx)).toThrow(
      "t.scn:9:27: expected nr from 1 to 3 (the entries from p[1] to the end of its block of 4), found '4'",
    );
    expect(() => loadScn(scn('clear_full_ptes(p[0], 0)'), 't.scn', ctx)).toThrow(
      "t.scn:9:25: expected nr from 1 to 4 (the entries from p[0] to the end of its block of 4), found '0'",
    );
    expect(() => loadScn(scn('set_ptes(p[0], 0x0078000000040bc3, x)'), 't.scn', ctx)).toThrow(
      "t.scn:9:38: expected a number of entries (nr) for set_ptes(pte, value, nr=1), found 'x'",
    );
    const lone = 'pte p = 0x0078000000040bc3';
    expect(() =>
      loadScn(scn('get_and_clear_full_ptes(p, 2)', lone).replace('reader(p[1])', 'reader(p)'), 't.scn', ctx),
    ).toThrow("t.scn:9:30: expected nr from 1 to 1 (the entries from the lone pte p), found '2'");
  });
});
