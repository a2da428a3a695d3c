import { describe, expect, test } from 'vitest';
import type { Program } from '../../src/machine';
import { TraceSource, execute } from '../../src/machine';
import {
  ARM64,
  __ptep_get_and_clear,
  __ptep_set_access_flags,
  __set_pte,
  arm64,
  arm64Mk,
  arm64ExtSw,
  contpte_try_fold,
  contpte_unfold,
  extValue,
  hw_access,
  ptep_get_and_clear_ext_sw,
  ptep_set_access_flags,
  ptep_set_wrprotect,
  ptep_test_and_clear_young,
  set_pte_ext_sw,
} from '../../src/kernel';
import type { Arm64BlockMemory } from '../../src/scenario/builtin/arm64-common';
import { arm64BlockMemory } from '../../src/scenario/builtin/arm64-common';
import { buildHistory } from '../../src/reference';
import { LocationTable } from '../../src/machine';

const { VALID, CONT, RDONLY, AF, DIRTY } = ARM64;
const clean = (i: number, cont = true): bigint => arm64Mk(0x40n + BigInt(i), { write: true, cont });
const BLOCK = [0, 1, 2, 3].map((i) => clean(i));

/** Run `prog` alone (all-default trace, sc); return final memory of the block and the reference's last state. */
function alone(m: Arm64BlockMemory, prog: () => Program<unknown>, trace: number[] = []) {
  const exec = execute({ locations: m.locations, cpus: [{ name: 'W', program: prog }] }, 'sc', new TraceSource(trace));
  const mem = m.block.map((l) => exec.final[l.id]!);
  const h = buildHistory(exec, m.subject.name, m.subject.initial, m.subject.entries);
  return { exec, mem, h, ref: h.states![h.states!.length - 1]! };
}

describe('arm64 writers: instruction effect, and the specification agrees when run alone', () => {
  test('__set_pte writes the descriptor', () => {
    const m = arm64BlockMemory([0n], 0);
    const v = arm64Mk(0x7n, { write: true });
    const r = alone(m, () => __set_pte(m.ptep(0), v));
    expect(r.mem).toEqual([v]);
    expect(r.ref).toEqual([v]);
  });

  test('__ptep_get_and_clear returns the old descriptor and leaves none', () => {
    const m = arm64BlockMemory([BLOCK[0]!], 0);
    const r = alone(m, () => __ptep_get_and_clear(m.ptep(0)));
    expect(r.exec.results[0]).toBe(BLOCK[0]);
    expect(r.mem).toEqual([0n]);
    expect(r.ref).toEqual([0n]);
  });

  test('hardware write through a DBM descriptor: AF set, RDONLY cleared (hardware-dirty), on the picked entry', () => {
    const m = arm64BlockMemory(BLOCK, 3);
    // the pick is the only choice: entry 2
    const r = alone(m, () => hw_access(m.ptep(3), true), [2]);
    expect(r.mem[2]).toBe((BLOCK[2]! | AF) & ~RDONLY);
    expect(arm64.dirty(r.mem[2]!)).toBe(true);
    expect(r.mem.filter((v, i) => v !== BLOCK[i])).toHaveLength(1);
    expect(r.ref).toEqual(r.mem);
  });

  test('hardware access: read sets AF only; a write without DBM or through an invalid entry changes nothing', () => {
    const m = arm64BlockMemory([arm64Mk(0x9n)], 0);
    expect(alone(m, () => hw_access(m.ptep(0), false)).mem).toEqual([arm64Mk(0x9n) | AF]);
    expect(alone(m, () => hw_access(m.ptep(0), true)).mem).toEqual([arm64Mk(0x9n)]);
    const z = arm64BlockMemory([arm64Mk(0x9n) & ~VALID], 0);
    expect(alone(z, () => hw_access(z.ptep(0), false)).mem).toEqual([arm64Mk(0x9n) & ~VALID]);
  });

  test('__ptep_set_access_flags: OR of AF/WRITE/DIRTY, RDONLY kept only if both have it', () => {
    const m = arm64BlockMemory([clean(0, false)], 0);
    const entry = (clean(0, false) | AF | DIRTY) & ~RDONLY;
    const r = alone(m, () => __ptep_set_access_flags(m.ptep(0), entry));
    expect(r.exec.results[0]).toBe(1n);
    expect(r.mem).toEqual([entry]);
    expect(r.ref).toEqual(r.mem);
    // already equal: returns 0, no store
    const r2 = alone(m, () => __ptep_set_access_flags(m.ptep(0), clean(0, false)));
    expect(r2.exec.results[0]).toBe(0n);
    expect(r2.exec.events.filter((e) => e.kind === 'rmw')).toHaveLength(0);
  });

  test('ptep_test_and_clear_young clears AF (one entry, or the whole block in the contpte form)', () => {
    const young = BLOCK.map((v) => v | AF);
    const m = arm64BlockMemory(young, 1);
    const one = alone(m, () => ptep_test_and_clear_young(m.ptep(1)));
    expect(one.exec.results[0]).toBe(1n);
    expect(one.mem).toEqual([young[0], BLOCK[1], young[2], young[3]]);
    const all = alone(m, () => ptep_test_and_clear_young(m.ptep(1), true));
    expect(all.mem).toEqual(BLOCK);
    expect(all.ref).toEqual(all.mem);
  });

  test('___ptep_set_wrprotect moves hardware dirty into PTE_DIRTY, clears WRITE, sets RDONLY', () => {
    const hwDirty = clean(0, false) & ~RDONLY;
    const m = arm64BlockMemory([hwDirty], 0);
    const r = alone(m, () => ptep_set_wrprotect(m.ptep(0)));
    expect(r.mem).toEqual([(hwDirty | DIRTY | RDONLY) & ~ARM64.WRITE]);
    expect(arm64.dirty(r.mem[0]!)).toBe(true);
    expect(r.ref).toEqual(r.mem);
  });

  test('contpte_unfold: every entry non-CONT, the block A/D replicated; the reference passes through a none (break) value', () => {
    const b = [...BLOCK];
    b[1] = b[1]! & ~RDONLY; // hardware-dirty entry 1
    b[3] = b[3]! | AF;
    const m = arm64BlockMemory(b, 0);
    const r = alone(m, () => contpte_unfold(m.ptep(0)));
    const want = [0, 1, 2, 3].map((i) => (clean(i, false) | AF | DIRTY) & ~RDONLY);
    expect(r.mem).toEqual(want);
    expect(r.ref).toEqual(want);
    expect(r.h.values.map((v) => v === 0n)).toEqual([false, true, false]);
    // instructions: 4 xchg, the TLBI+DSB (smp_mb), 4 stores; BBML2: no barrier
    expect(r.exec.events.map((e) => e.name).filter((n) => n !== 'READ_ONCE')).toEqual([
      ...Array(4).fill('xchg_relaxed'),
      'smp_mb',
      ...Array(4).fill('WRITE_ONCE'),
    ]);
    const bb = alone(m, () => contpte_unfold(m.ptep(0), { tlbi: false }));
    expect(bb.exec.events.some((e) => e.name === 'smp_mb')).toBe(false);
  });

  test('contpte_unfold on a target that is not valid+CONT (contpte_try_unfold): the read only, nothing written', () => {
    // a block already unfolded, its entries' A/D different: a repaint would OR entry 1's dirty into the others
    const b = [0, 1, 2, 3].map((i) => clean(i, false));
    b[1] = (b[1]! | AF) & ~RDONLY;
    const cleared = [...BLOCK];
    cleared[0] = 0n; // a CONT block whose target was cleared: not valid
    for (const block of [b, cleared]) {
      const m = arm64BlockMemory(block, 0);
      const r = alone(m, () => contpte_unfold(m.ptep(0)));
      expect(r.mem).toEqual(block);
      expect(r.exec.events.map((e) => e.name)).toEqual(['READ_ONCE']);
      expect(r.exec.ops).toEqual([]);
    }
  });

  test('contpte_try_fold folds a foldable block (A/D OR-ed) and leaves a non-foldable one alone', () => {
    const b = [0, 1, 2, 3].map((i) => clean(i, false));
    b[2] = b[2]! | AF;
    const m = arm64BlockMemory(b, 0);
    const r = alone(m, () => contpte_try_fold(m.ptep(3)));
    expect(r.mem).toEqual([0, 1, 2, 3].map((i) => clean(i) | AF));
    expect(r.ref).toEqual(r.mem);
    const nf = [...b];
    nf[1] = arm64Mk(0x99n, { write: true });
    const m2 = arm64BlockMemory(nf, 0);
    const r2 = alone(m2, () => contpte_try_fold(m2.ptep(3)));
    expect(r2.mem).toEqual(nf);
    expect(r2.ref).toEqual(nf);
  });

  // DOMAIN §C S8: target clean (RDONLY), sibling 2 hardware-dirty and young
  const s8 = (): bigint[] => {
    const b = [...BLOCK];
    b[2] = (b[2]! | AF) & ~RDONLY;
    return b;
  };
  const faultEntry = (_m: Arm64BlockMemory): bigint => arm64.mkyoung(arm64.mkdirty(s8()[0]!));

  test('contpte_ptep_set_access_flags, pre-2026 (gathered): a false no-op — target stays RDONLY, though the spec says writable', () => {
    const m = arm64BlockMemory(s8(), 0);
    const r = alone(m, () => ptep_set_access_flags(m.ptep(0), faultEntry(m), true, 'gathered'));
    expect(r.exec.results[0]).toBe(0n);
    expect(r.mem).toEqual(s8());
    expect((r.mem[0]! & RDONLY) !== 0n).toBe(true);
    expect((r.ref[0]! & RDONLY) === 0n).toBe(true); // the documented effect
  });

  test('contpte_ptep_set_access_flags, fixed (per-entry): every entry made dirty and young, memory = spec', () => {
    const m = arm64BlockMemory(s8(), 0);
    const r = alone(m, () => ptep_set_access_flags(m.ptep(0), faultEntry(m), true, 'per-entry'));
    expect(r.exec.results[0]).toBe(1n);
    expect(r.mem.every((v) => (v & RDONLY) === 0n && (v & AF) !== 0n && (v & DIRTY) !== 0n && (v & CONT) !== 0n)).toBe(
      true,
    );
    expect(r.ref).toEqual(r.mem);
  });

  test('extended SW bits: two stores each way; memory = spec', () => {
    const t = new LocationTable();
    const hw = t.add('pte', 64, 0n);
    const sw = t.add('pte_sw', 64, 0n);
    const p = { name: 'pte', locs: [hw, sw] };
    const v = extValue(arm64Mk(0x5n, { write: true }), 1n);
    const model = { locIds: [hw.id, sw.id], initial: [0n, 0n], view: (e: readonly bigint[]) => extValue(e[0]!, e[1]!) };
    const exec = execute(
      {
        locations: t,
        cpus: [
          {
            name: 'W',
            program: function* () {
              yield* set_pte_ext_sw(p, v);
              return yield* ptep_get_and_clear_ext_sw(p);
            },
          },
        ],
      },
      'sc',
      new TraceSource([]),
    );
    expect(exec.results[0]).toBe(v);
    expect(exec.events.filter((e) => e.wrote !== undefined).map((e) => e.locs[0])).toEqual([
      sw.id,
      hw.id,
      hw.id,
      sw.id,
    ]);
    expect(buildHistory(exec, 'pte', 0n, model).values).toEqual([0n, v, 0n]);
    expect(arm64ExtSw.format(v)).toBe('{sw:0x0000000000000001 hw:0x0068000000005bc3}');
  });
});
