/**
 * arm64 single-descriptor writers and the hardware access/dirty updates
 * (arch/arm64/include/asm/pgtable.h, arch/arm64/mm/fault.c; linux-mm
 * snapshots 0075c5f7 / 0176245b; DOMAIN §A3.2, §A3.6). Every live-pte RMW is
 * a `cmpxchg_relaxed` loop because the hardware walker may set AF or clear
 * RDONLY (DBM) at any time; clears are `xchg_relaxed`.
 *
 * Each writer carries an EntriesSpec written from the documented meaning of
 * the operation ("clears the pte", "hardware sets AF", "makes the pte at least
 * as permissive as entry"), applied atomically by the reference; none is
 * derived by running the instruction sequence.
 *
 * Omitted: the kernel-mapping barriers of `__set_pte` (dsb/isb after a valid
 * kernel pte — user ptes get none), page-table-check hooks, POE, the TLB
 * itself: a local TLB invalidation orders nothing for other CPUs and is not
 * modelled; see contpte.ts for the broadcast TLBI+DSB. MADV_FREE's
 * `__clear_young_dirty_pte` / `contpte_clear_young_dirty_ptes` (a cmpxchg loop
 * clearing AF and dirty, DOMAIN §A3.2 item 3) is not a writer here: no modelled
 * operation but writeback's `pte_mkclean` (consumers/file.ts) makes an arm64
 * pte clean, so a lost dirty through MADV_FREE cannot be exercised.
 */
import type { Location, Program } from '../../machine';
import {
  READ_ONCE,
  WRITE_ONCE,
  atomic_update,
  begin,
  cmpxchg_relaxed,
  end,
  pick,
  retry,
  xchg_relaxed,
} from '../../machine';
import { ARM64, arm64 } from '../arm64';
import type { Arm64Ptep } from '../arm64-block';
import type { EntriesSpec } from '../spec';

const one = (loc: Location, f: (old: bigint) => bigint) => (old: (id: number) => bigint) =>
  new Map([[loc.id, f(old(loc.id))]]);

function entrySpec(describe: string, loc: Location, f: (old: bigint) => bigint): EntriesSpec {
  return { describe, entries: one(loc, f) };
}

/** `__set_pte()`: one WRITE_ONCE of the descriptor. Spec: the entry becomes v. */
export function* __set_pte(p: Arm64Ptep, v: bigint): Program {
  const text = `${p.loc.name}, ${arm64.format(v)}`;
  yield begin({
    name: '__set_pte',
    role: 'writer',
    subject: p.name,
    locs: [p.loc],
    spec: entrySpec(`${p.loc.name} := ${arm64.format(v)}`, p.loc, () => v),
    args: text,
  });
  yield WRITE_ONCE(p.loc, v);
  yield end();
}

/** `__ptep_get_and_clear()`: `xchg_relaxed(ptep, 0)`. Spec: the entry becomes none. Returns the old value. */
export function* __ptep_get_and_clear(p: Arm64Ptep): Program<bigint> {
  yield begin({
    name: '__ptep_get_and_clear',
    role: 'writer',
    subject: p.name,
    locs: [p.loc],
    spec: entrySpec(`${p.loc.name} := none`, p.loc, () => 0n),
    args: p.loc.name,
  });
  const old = yield xchg_relaxed(p.loc, 0n);
  yield end(old);
  return old;
}

/**
 * What a hardware access does to one descriptor (FEAT_HAFDBS, TCR_EL1.HA and
 * HD): a valid descriptor gets AF set; a write through a valid descriptor with
 * DBM (PTE_WRITE) set has AP[2] (RDONLY) cleared — it becomes hardware-dirty.
 * A write through a descriptor without DBM, or any access through an invalid
 * one, faults instead and changes nothing.
 */
export function hwAccessUpdate(old: bigint, write: boolean): bigint {
  if ((old & ARM64.VALID) === 0n) return old;
  if (write && (old & ARM64.DBM) === 0n) return old;
  const young = old | ARM64.AF;
  return write ? young & ~ARM64.RDONLY : young;
}

/** The names of hw_access's RMWs (a DBM dirtying, an access-flag update): events of the MMU, not of a CPU's code. */
export const HW_UPDATE = { dirty: 'hw_dbm_update', young: 'hw_af_update' } as const;

/** Whether an event is a hardware access/dirty update of a descriptor (hw_access's RMW). */
export const isHardwareUpdate = (ev: { readonly name: string }): boolean =>
  ev.name === HW_UPDATE.dirty || ev.name === HW_UPDATE.young;

/** The names of hw_access's operations (a write access, a read access), around its one RMW. */
export const HW_ACCESS = { dirty: 'hw_dirty', young: 'hw_young' } as const;

/** Whether an operation is hw_access's (the MMU's access/dirty update of one descriptor). */
export const isHardwareAccess = (mark: { readonly name: string }): boolean =>
  mark.name === HW_ACCESS.dirty || mark.name === HW_ACCESS.young;

/**
 * A hardware page-table walker with HA/HD (a CPU with FEAT_HAFDBS) accessing
 * the page of `p`: one atomic read-modify-write of a descriptor. For a valid
 * CONT target the TLB may hold one translation for the whole block, so the
 * update may land on *any* entry of the block (DOMAIN §A3.2 item 4): a
 * generated choice (`pick`) names it. `write`: a store (DBM dirtying) or a
 * load (access flag only). `where`: 'block' (a contiguous TLB entry: any
 * entry, the default) or 'target' (a non-CONT translation: the target only).
 * The 'block' choice is offered whatever the target's CONT state when the
 * access runs: on a non-CONT block it stands for an access to a sibling's own
 * page — an independent, always possible event, whose specification is per
 * entry, so it widens the schedules but cannot make a divergence alone.
 * Returns the descriptor value the walker used.
 */
export function* hw_access(p: Arm64Ptep, write: boolean, where: 'block' | 'target' = 'block'): Program<bigint> {
  const i = where === 'block' && p.block.length > 1 ? Number(yield pick('hw entry', p.block.length)) : p.index;
  const loc = p.block[i]!;
  const what = write ? 'hw: write (AF, DBM clears RDONLY)' : 'hw: access (AF)';
  const spec = entrySpec(`${what} on ${loc.name}`, loc, (old) => hwAccessUpdate(old, write));
  yield begin({
    name: write ? HW_ACCESS.dirty : HW_ACCESS.young,
    role: 'writer',
    subject: p.name,
    locs: [loc],
    spec,
    args: loc.name,
  });
  const old = yield atomic_update(write ? HW_UPDATE.dirty : HW_UPDATE.young, loc, (v) => {
    const n = hwAccessUpdate(v, write);
    return n === v ? null : n;
  });
  yield end(old);
  return old;
}

/**
 * The effect of `__ptep_set_access_flags()` (fault.c): AF, WRITE and DIRTY are
 * OR-ed in from entry, RDONLY stays set only if both have it ("the most
 * permissive of the two"); every other bit is the current descriptor's.
 */
export function mergeAccessFlags(cur: bigint, entry: bigint): bigint {
  const e = entry & (ARM64.RDONLY | ARM64.AF | ARM64.WRITE | ARM64.DIRTY);
  return ((cur | (e & (ARM64.AF | ARM64.WRITE | ARM64.DIRTY))) & ~ARM64.RDONLY) | (cur & e & ARM64.RDONLY);
}

/**
 * `__ptep_set_access_flags(vma, addr, ptep, entry, dirty)` (fault.c, DOMAIN
 * §A3.6): if the descriptor equals entry, return 0; else a `cmpxchg_relaxed`
 * loop installs mergeAccessFlags(cur, entry); return 1. The local TLB
 * invalidation when `dirty` (local_flush_tlb_page; 2022: flush_tlb_page)
 * is omitted (no TLB model). Called inside contpte_ptep_set_access_flags, the
 * outer operation's specification is the one the reference applies.
 */
export function* __ptep_set_access_flags(p: Arm64Ptep, entry: bigint): Program<bigint> {
  const spec = entrySpec(`${p.loc.name} := at least as permissive as ${arm64.format(entry)}`, p.loc, (old) =>
    mergeAccessFlags(old, entry),
  );
  yield begin({
    name: '__ptep_set_access_flags',
    role: 'writer',
    subject: p.name,
    locs: [p.loc],
    spec,
    args: `${p.loc.name}, ${arm64.format(entry)}`,
  });
  let cur = yield READ_ONCE(p.loc);
  if (cur === entry) {
    yield end(0n);
    return 0n;
  }
  for (;;) {
    const seen = yield cmpxchg_relaxed(p.loc, cur, mergeAccessFlags(cur, entry));
    if (seen === cur) break;
    cur = seen;
    yield retry();
  }
  yield end(1n);
  return 1n;
}

/**
 * A cmpxchg_relaxed loop applying `f` to one live descriptor; returns the old
 * value. `from`: the value the caller already read (the loop's first
 * expected value, no load of its own), else one READ_ONCE first.
 */
function* rmwLoop(loc: Location, f: (old: bigint) => bigint, from?: bigint): Program<bigint> {
  let cur = from ?? (yield READ_ONCE(loc));
  for (;;) {
    const seen = yield cmpxchg_relaxed(loc, cur, f(cur));
    if (seen === cur) return cur;
    cur = seen;
    yield retry();
  }
}

/**
 * `__ptep_test_and_clear_young()`: cmpxchg_relaxed loop clearing AF; returns
 * 1 if it was young. Spec: the entry loses AF. `block`: the contpte form
 * (`contpte_test_and_clear_young_ptes`), which clears AF on every entry of the
 * block ("core-mm tracks access per folio").
 */
export function* ptep_test_and_clear_young(p: Arm64Ptep, block = false): Program<bigint> {
  const locs = block ? p.block : [p.loc];
  const spec: EntriesSpec = {
    describe: `${block ? 'every entry' : p.loc.name} loses AF`,
    entries: (old) => new Map(locs.map((l) => [l.id, arm64.mkold(old(l.id))])),
  };
  yield begin({
    name: block ? 'contpte_test_and_clear_young' : 'ptep_test_and_clear_young',
    role: 'writer',
    subject: p.name,
    locs,
    spec,
    args: p.loc.name,
  });
  let young = 0n;
  for (const l of locs) if (arm64.young(yield* rmwLoop(l, arm64.mkold))) young = 1n;
  yield end(young);
  return young;
}

/** `pte_wrprotect()`: hardware dirty moves into PTE_DIRTY, then WRITE cleared and RDONLY set. */
export function pteWrprotect(v: bigint): bigint {
  const hwDirty = (v & ARM64.DBM) !== 0n && (v & ARM64.RDONLY) === 0n;
  const d = hwDirty ? v | ARM64.DIRTY : v;
  return (d & ~ARM64.WRITE) | ARM64.RDONLY;
}

/**
 * `___ptep_set_wrprotect()`: cmpxchg_relaxed loop applying pte_wrprotect.
 * Spec: the entry is write-protected, dirty kept. `from`: the pte the caller
 * read (v6.9 `wrprotect_ptes()` passes its `__ptep_get`, CONT cleared, as the
 * loop's first expected value); absent: the loop reads the entry first (the
 * `__ptep_set_wrprotect()` form).
 */
export function* ptep_set_wrprotect(p: Arm64Ptep, from?: bigint): Program {
  yield begin({
    name: '___ptep_set_wrprotect',
    role: 'writer',
    subject: p.name,
    locs: [p.loc],
    spec: entrySpec(`${p.loc.name} write-protected`, p.loc, pteWrprotect),
    args: p.loc.name,
  });
  yield* rmwLoop(p.loc, pteWrprotect, from);
  yield end();
}
