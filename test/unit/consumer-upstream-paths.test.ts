/**
 * Consumer paths against the upstream code they model, each driven here
 * instruction by instruction on one CPU against a memory no other CPU
 * changes:
 * - mm/memory.c pte_unmap_same() takes the PTL and rechecks orig_pte only
 *   when sizeof(pte_t) > sizeof(unsigned long) (x86 PAE); on arm64
 *   do_swap_page() goes straight on to its one recheck before the install;
 * - mm/rmap.c page_vma_mkclean_one() counts every pte it write-protects —
 *   dirty *or* writable — so folio_clear_dirty_for_io() re-marks the folio
 *   dirty (and writes it out) even when the pte was writable but clean.
 */
import { describe, expect, test } from 'vitest';
import type { Instr, Location, Program } from '../../src/machine';
import { smp_mb } from '../../src/machine';
import type { Pte } from '../../src/kernel';
import type { FileFolio } from '../../src/kernel';
import {
  arm64,
  arm64Mk,
  arm64Ops,
  arm64Ptep,
  handle_pte_fault,
  PAE,
  paeMk,
  paeOps,
  paePte,
  pteWrprotect,
  writeback,
} from '../../src/kernel';
import type { PteOps } from '../../src/kernel/consumers/ops';

const loc = (id: number, name: string, width: 32 | 64): Location => ({ id, name, width });

/** Run `prog` to completion on a single CPU; returns the locks taken, the stores made and the RMWs' names. */
function drive(prog: Program, mem: Map<number, bigint>): { locks: number; stores: bigint[]; rmws: string[] } {
  let locks = 0;
  const stores: bigint[] = [];
  const rmws: string[] = [];
  let answer: bigint | undefined;
  for (;;) {
    const r = prog.next(answer as bigint);
    if (r.done === true) return { locks, stores, rmws };
    const i = r.value as Instr;
    answer = undefined;
    if (i.kind === 'load') answer = mem.get(i.loc.id) ?? 0n;
    else if (i.kind === 'store') {
      mem.set(i.loc.id, i.value);
      stores.push(i.value);
    } else if (i.kind === 'rmw' && i.locs.length === 1) {
      const id = i.locs[0]!.id;
      const old = mem.get(id) ?? 0n;
      const next = i.update(old);
      if (next !== null) mem.set(id, next);
      rmws.push(i.name);
      answer = old;
    } else if (i.kind === 'lock') locks++;
    else if (i.kind === 'page')
      answer = 0x42n; // alloc_page
    else if (!['unlock', 'begin', 'end', 'fence', 'flush'].includes(i.kind))
      throw new Error(`unexpected instruction ${i.kind}`);
  }
}

/** The orig_pte read, returning a value fixed by the test (the reader is not what is tested here). */
function* fixed(v: bigint): Program<bigint> {
  yield smp_mb();
  return v;
}

const PTL = loc(99, 'ptl', 32);

function swapFault<P extends Pte>(ops: PteOps<P>, p: P, mem: Map<number, bigint>, orig: bigint) {
  return drive(
    handle_pte_fault(ops, p, PTL, () => fixed(orig)),
    mem,
  );
}

describe('do_swap_page: pte_unmap_same only where a pte is wider than a long', () => {
  test('arm64 (64-bit pte, 64-bit long): one PTL round trip, then the install', () => {
    const swp = 0x5000n; // VALID clear, PRESENT_INVALID clear, offset bits: a swap entry
    const e = loc(1, 'pte0', 64);
    const r = swapFault(arm64Ops, arm64Ptep('blk', [e], 0), new Map([[e.id, swp]]), swp);
    expect(r.locks).toBe(1);
    expect(r.stores).toEqual([arm64Ops.anonPte(0x42n)]);
  });

  test('x86 PAE (64-bit pte, 32-bit long): pte_unmap_same takes the PTL first, then the install recheck', () => {
    const lo = loc(1, 'pte.low', 32);
    const hi = loc(2, 'pte.high', 32);
    const swp = 0x00010001_00000000n; // P and PROTNONE clear, high half set: neither none nor present
    const mem = new Map([
      [lo.id, 0n],
      [hi.id, 0x00010001n],
    ]);
    const r = swapFault(paeOps, paePte('pte', lo, hi), mem, swp);
    expect(r.locks).toBe(2);
    expect(r.stores.length).toBe(2); // set_pte: high, then low
  });
});

describe('ptep_set_access_flags: x86 stores only on a write fault, the generic form whenever the pte changed', () => {
  // arch/x86/mm/pgtable.c: changed = !pte_same(*ptep, entry); if (changed && dirty) set_pte(ptep, entry);
  // mm/pgtable-generic.c: changed = !pte_same(*ptep, entry); if (changed) set_pte_at(...)
  const paeFault = (write: boolean) => {
    const lo = loc(1, 'pte.low', 32);
    const hi = loc(2, 'pte.high', 32);
    const old = paeMk(0x1_00010n, PAE.PRESENT | PAE.RW | PAE.USER); // present, writable, neither young nor dirty
    const mem = new Map([
      [lo.id, old & 0xffffffffn],
      [hi.id, old >> 32n],
    ]);
    const r = drive(
      handle_pte_fault(paeOps, paePte('pte', lo, hi), PTL, () => fixed(old), { write }),
      mem,
    );
    return { ...r, old, pte: (mem.get(hi.id)! << 32n) | mem.get(lo.id)! };
  };

  test('x86 PAE read fault on an old pte: no store (the hardware sets the accessed bit)', () => {
    const r = paeFault(false);
    expect(r.stores).toEqual([]);
    expect(r.pte).toBe(r.old);
  });

  test('x86 PAE write fault on a writable clean pte: set_pte of the young, dirty pte (high half, then low half)', () => {
    const r = paeFault(true);
    const want = r.old | PAE.ACCESSED | PAE.DIRTY;
    expect(r.stores).toEqual([want >> 32n, want & 0xffffffffn]);
    expect(r.pte).toBe(want);
  });

  test('arm64 (generic form) read fault on an old pte: stores the young pte', () => {
    const e = loc(1, 'pte0', 64);
    const old = arm64Mk(0x1234n, { write: true });
    const mem = new Map([[e.id, old]]);
    const r = drive(
      handle_pte_fault(arm64Ops, arm64Ptep('blk', [e], 0), PTL, () => fixed(old)),
      mem,
    );
    expect(r.stores).toEqual([arm64.mkyoung(old)]);
    expect(arm64.young(mem.get(e.id)!)).toBe(true);
  });
});

describe('writeback: folio_mkclean counts a writable clean pte as cleaned', () => {
  const run = (pte: bigint) => {
    const e = loc(1, 'pte0', 64);
    const folio: FileFolio = {
      pfn: 0x1234n,
      flags: loc(2, 'folio.flags', 64),
      mapcount: loc(3, 'folio.mapcount', 64),
      data: loc(4, 'page data', 64),
      disk: loc(5, 'disk', 64),
    };
    const mem = new Map([
      [e.id, pte],
      [folio.mapcount.id, 1n],
      [folio.flags.id, 0n], // PG_dirty clear: only folio_mkclean can make writeback write
      [folio.data.id, 7n],
      [folio.disk.id, 0n],
    ]);
    const r = drive(writeback(arm64Ops, arm64Ptep('blk', [e], 0), PTL, folio, pteWrprotect), mem);
    return { ...r, pte: mem.get(e.id)!, disk: mem.get(folio.disk.id)! };
  };

  test('writable, clean: write-protected, the folio re-marked dirty and written to disk', () => {
    const r = run(arm64Mk(0x1234n, { write: true, young: true }));
    expect(arm64.write(r.pte)).toBe(false);
    expect(r.rmws).toContain('folio_mark_dirty');
    expect(r.disk).toBe(7n);
  });

  test('read-only, clean: skipped, nothing written', () => {
    const r = run(arm64Mk(0x1234n, { young: true }));
    expect(r.rmws).not.toContain('folio_mark_dirty');
    expect(r.disk).toBe(0n);
  });
});
