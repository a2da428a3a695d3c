/**
 * contpte block writers — arch/arm64/mm/contpte.c (DOMAIN §A3.5, §A3.6):
 * v6.9–v6.16 form torvalds/linux @35e02583 ("arm64/mm: wire up PTE_CONT for
 * user mappings", 4602e5757bcc, Ryan Roberts), newest form linux-mm @1ac7a0fe
 * (BBML2 TLBI elision 83bbd6be7d17; Piotr Jaroszynski's 2026-03-05 fix
 * "[PATCH v2] arm64: contpte: fix set_access_flags() no-op check for SMMU/ATS
 * faults" <20260305-contpte-fault-loop-v2-1-0216f0026d7f@nvidia.com>).
 *
 * TLBI AS A BARRIER: arm64 TLB invalidation is broadcast in hardware
 * (TLBI + DSB ISH) and waits for no other CPU (DOMAIN §A3.2 item 5), so it
 * blocks nobody; its only effect on the in-memory descriptors is ordering:
 * the DSB completes every earlier store before any later one. It is modelled
 * as smp_mb() (`tlbi_dsb` below), not as the machine's `flush_tlb`: that one
 * also invalidates the modelled TLB entries, and no arm64 scenario has a TLB
 * (README Limitations, arm64) — a scenario that gives arm64 one (tlb_fill)
 * must switch this one spot first, or its TLBIs invalidate nothing.
 *
 * The pgtable.h wrappers that call these for core mm (set_ptes,
 * ptep_get_and_clear, pte_clear, wrprotect_ptes) are arm64-contpte-api.ts.
 *
 * Omitted: the TLB contents themselves (stale translations, the "contiguous
 * bit misprogramming" BBML2 discusses), mm_is_user() (scenarios are user
 * mms), in the `contpte_try_fold` scenario operation the folio-coverage check
 * of __contpte_try_fold and contpte_try_fold()'s inline tests (scenarios fold
 * only blocks one folio covers, at their last entry; the set_ptes wrapper
 * makes both tests), contpte_set_ptes for nr > 1, and the local
 * TLB flushes (__ptep_set_access_flags' local_flush_tlb_page, the 2026
 * local_flush_tlb_contpte), which order nothing for other CPUs.
 */
import type { Program } from '../../machine';
import { READ_ONCE, WRITE_ONCE, begin, end, smp_mb, xchg_relaxed } from '../../machine';
import { ARM64, arm64 } from '../arm64';
import type { Arm64Ptep } from '../arm64-block';
import { mapsAlignedRange, orAD, pfnPte, validCont } from '../arm64-block';
import { contpte_gather } from '../readers/arm64';
import type { EntriesSpec } from '../spec';
import { __ptep_set_access_flags, mergeAccessFlags } from './arm64';

/** `__flush_tlb_range()` (TLBI + DSB ISH): see the header — a full barrier here. */
export const tlbi_dsb = smp_mb;

export interface ConvertOptions {
  /** issue the TLBI + DSB between clearing and repainting (default true); false = BBML2+noabort (2025) */
  readonly tlbi?: boolean;
}

const n64 = (i: number): bigint => BigInt(i);

/**
 * The block `contpte_convert(pte)` paints: entry i = pfn_pte(align_down(pfn) + i,
 * prot of pte) with access/dirty OR-ed over `olds` (the entries before the break).
 */
export function convertedBlock(pte: bigint, olds: readonly bigint[]): bigint[] {
  const n = olds.length;
  const pfn0 = arm64.pfn(pte) - (arm64.pfn(pte) % n64(n));
  const base = olds.reduce(orAD, pfnPte(pfn0, pte));
  return olds.map((_, i) => pfnPte(pfn0 + n64(i), base));
}

function convertSpec(p: Arm64Ptep, pte: bigint, what: string): EntriesSpec {
  const ids = p.block.map((l) => l.id);
  return {
    describe: `${what}: every entry repainted ${validCont(pte) ? 'CONT' : 'non-CONT'}, access/dirty OR-ed over the block`,
    transient: { describe: `${what}: break (every entry none)`, entries: () => new Map(ids.map((id) => [id, 0n])) },
    entries: (old) => {
      const next = convertedBlock(
        pte,
        ids.map((id) => old(id)),
      );
      return new Map(ids.map((id, i) => [id, next[i]!]));
    },
  };
}

/**
 * The instructions of `contpte_convert(mm, addr, ptep, pte)`: for each entry
 * ascending, `__ptep_get_and_clear` (xchg_relaxed with 0) gathering dirty and
 * young into the template; `__flush_tlb_range` (unless BBML2); `__set_ptes`:
 * WRITE_ONCE of each entry ascending. Not an operation by itself: the caller
 * (fold, unfold) carries the specification.
 */
function* convertBody(p: Arm64Ptep, pte: bigint, o: ConvertOptions): Program {
  const n = p.block.length;
  const pfn0 = arm64.pfn(pte) - (arm64.pfn(pte) % n64(n));
  let tmpl = pfnPte(pfn0, pte);
  for (const l of p.block) tmpl = orAD(tmpl, yield xchg_relaxed(l, 0n));
  if (o.tlbi !== false) yield tlbi_dsb();
  for (let i = 0; i < n; i++) yield WRITE_ONCE(p.block[i]!, pfnPte(pfn0 + n64(i), tmpl));
}

/**
 * `contpte_try_unfold()` (arch/arm64/include/asm/pgtable.h): `if (unlikely(pte_valid_cont(pte)))
 * __contpte_try_unfold()` → `contpte_convert(pte_mknoncont(pte))`: repaint the block non-CONT. Spec
 * (break-before-make): every entry none, then every entry its own page non-CONT with the block's access/dirty
 * replicated. On a target that is not valid+CONT it does nothing after its read (no operation is recorded): every
 * kernel caller tests that first, and a repaint of a block that is not folded would OR one page's access/dirty into
 * the others'.
 */
export function* contpte_unfold(p: Arm64Ptep, o: ConvertOptions = {}): Program {
  // the caller holds the PTL: a plain read of the target, not a reader under test
  const cur = yield READ_ONCE(p.loc);
  if (validCont(cur)) yield* __contpte_try_unfold(p, cur, o);
}

/**
 * `__contpte_try_unfold(mm, addr, ptep, pte)`: `contpte_convert(pte_mknoncont(pte))`,
 * `pte` being the target's value the caller read (`__ptep_get`) — the
 * `contpte_unfold` operation without its own read, for the pgtable.h
 * wrappers (arm64-contpte-api.ts) that already hold it.
 */
export function* __contpte_try_unfold(p: Arm64Ptep, cur: bigint, o: ConvertOptions = {}): Program {
  const pte = cur & ~ARM64.CONT;
  yield begin({
    name: 'contpte_unfold',
    role: 'writer',
    subject: p.name,
    locs: p.block,
    spec: convertSpec(p, pte, 'unfold'),
    args: `${p.loc.name}${o.tlbi === false ? ', no TLBI (BBML2)' : ''}`,
  });
  yield* convertBody(p, pte, o);
  yield end();
}

/** Fold conditions of `__contpte_try_fold()`: every entry valid, not CONT, pfn0+i, same prot ignoring A/D. */
export function foldable(entries: readonly bigint[]): boolean {
  return mapsAlignedRange(entries) && entries.every((v) => (v & ARM64.CONT) === 0n);
}

/**
 * `__contpte_try_fold()` (set_ptes of the block's last entry): if the block is
 * foldable, `contpte_convert(pte_mkcont(pte))`. Spec: if foldable, every entry
 * none, then the folded block with the access/dirty OR; else nothing.
 * `covered`: the folio-coverage test (`folio_start > cont_start || folio_end <
 * cont_end` → no fold) on the entries read; the default (the scenario
 * operation) assumes the scenario folds only blocks one folio covers; the
 * set_ptes wrapper passes the block's folio (Arm64Ptep.folio).
 */
export function* contpte_try_fold(
  p: Arm64Ptep,
  o: ConvertOptions = {},
  covered: (entries: readonly bigint[]) => boolean = () => true,
): Program {
  const ids = p.block.map((l) => l.id);
  const target = p.block[p.block.length - 1]!.id;
  const inner = (pte: bigint): EntriesSpec => convertSpec(p, pte, 'fold');
  const folds = (e: readonly bigint[]): boolean => foldable(e) && covered(e);
  const spec: EntriesSpec = {
    describe: 'fold if foldable: every entry repainted CONT, access/dirty OR-ed over the block',
    transient: {
      describe: 'fold: break (every entry none)',
      entries: (old) => (folds(ids.map(old)) ? new Map(ids.map((id) => [id, 0n])) : new Map()),
    },
    entries: (old) => (folds(ids.map(old)) ? inner(old(target) | ARM64.CONT).entries(old) : new Map()),
  };
  yield begin({
    name: 'contpte_try_fold',
    role: 'writer',
    subject: p.name,
    locs: p.block,
    spec,
    args: `${p.loc.name}${o.tlbi === false ? ', no TLBI (BBML2)' : ''}`,
  });
  const entries: bigint[] = [];
  for (const l of p.block) entries.push(yield READ_ONCE(l)); // under the PTL
  if (folds(entries)) yield* convertBody(p, entries[entries.length - 1]! | ARM64.CONT, o);
  yield end();
}

export type SetAccessFlagsForm = 'gathered' | 'per-entry';

/**
 * `ptep_set_access_flags(vma, addr, ptep, entry, dirty)` on arm64: entry loses
 * CONT; a target that is not valid+CONT goes to `__ptep_set_access_flags`;
 * otherwise `contpte_ptep_set_access_flags` in one of two forms:
 * - `gathered` (v6.9 until the 2026-03 fix): orig = `ptep_get()` (the
 *   access/dirty gathered over the block), CONT cleared; if orig == entry
 *   return 0 — a false no-op when only a sibling carries the dirty/young state
 *   (DOMAIN §C S8);
 * - `per-entry` (2026-03 fix): return 0 only if every entry already has
 *   entry's RDONLY|AF|WRITE|DIRTY; orig = the raw target, CONT cleared.
 * Then: if the write bit is unchanged, `__ptep_set_access_flags(entry)` on
 * every entry of the block, and if dirty a TLB flush of the block (v6.9:
 * broadcast `__flush_tlb_range` — modelled as tlbi_dsb; 2026: local
 * `local_flush_tlb_contpte`, no ordering for others, omitted); else unfold and
 * `__ptep_set_access_flags` on the target.
 * Spec (what ptep_set_access_flags promises — the same for both forms): the
 * target, and every entry of its block while it is folded, becomes at least as
 * permissive as entry (mergeAccessFlags); a write-permission change first
 * unfolds the block — every entry none, then every entry repainted non-CONT
 * with its old permissions (a state a lockless reader can see), then the
 * target changed. Returns 1 if it changed something.
 */
export function* ptep_set_access_flags(
  p: Arm64Ptep,
  entryIn: bigint,
  dirty: boolean,
  form: SetAccessFlagsForm,
): Program<bigint> {
  const entry = entryIn & ~ARM64.CONT;
  const ids = p.block.map((l) => l.id);
  const t = p.loc.id;
  const unfolds = (old: (locId: number) => bigint): boolean =>
    validCont(old(t)) && arm64.write(old(t)) !== arm64.write(entry);
  /** the block contpte_convert repaints when it unfolds: each entry its own page, non-CONT */
  const unfolded = (old: (locId: number) => bigint): bigint[] =>
    convertedBlock(
      old(t) & ~ARM64.CONT,
      ids.map((id) => old(id)),
    );
  const spec: EntriesSpec = {
    describe: `${p.loc.name} (and its folded block) at least as permissive as ${arm64.format(entry)}`,
    transient: {
      describe: 'write permission changes: unfold break (every entry none)',
      entries: (old) => (unfolds(old) ? new Map(ids.map((id) => [id, 0n])) : new Map()),
    },
    // the unfold's repaint, before __ptep_set_access_flags changes the target: a lockless reader can see it
    repainted: {
      describe: 'write permission changes: unfold repaint (every entry non-CONT, its permissions unchanged)',
      entries: (old) => {
        if (!unfolds(old)) return new Map();
        const next = unfolded(old);
        return new Map(ids.map((id, i) => [id, next[i]!]));
      },
    },
    entries: (old) => {
      const cur = old(t);
      if (!validCont(cur)) return new Map([[t, mergeAccessFlags(cur, entry)]]);
      if (!unfolds(old)) return new Map(ids.map((id) => [id, mergeAccessFlags(old(id), entry)]));
      const next = unfolded(old);
      return new Map(ids.map((id, i) => [id, id === t ? mergeAccessFlags(next[i]!, entry) : next[i]!]));
    },
  };
  yield begin({
    name: 'ptep_set_access_flags',
    role: 'writer',
    subject: p.name,
    locs: p.block,
    spec,
    args: `${p.loc.name}, ${arm64.format(entry)}, dirty=${dirty ? 1 : 0}${form === 'gathered' ? ', pre-2026 no-op check' : ''}`,
  });
  const raw = yield READ_ONCE(p.loc); // under the PTL
  let changed: bigint;
  if (!validCont(raw)) {
    changed = yield* __ptep_set_access_flags(p, entry);
  } else {
    let orig: bigint;
    let noop: boolean;
    if (form === 'gathered') {
      orig = (yield* contpte_gather(p, raw, false)) & ~ARM64.CONT;
      noop = orig === entry;
    } else {
      const m = ARM64.RDONLY | ARM64.AF | ARM64.WRITE | ARM64.DIRTY;
      noop = true;
      for (const l of p.block) if (((yield READ_ONCE(l)) & m) !== (entry & m)) noop = false;
      orig = (yield READ_ONCE(p.loc)) & ~ARM64.CONT;
    }
    if (noop) {
      changed = 0n;
    } else if (arm64.write(orig) === arm64.write(entry)) {
      for (const l of p.block) yield* __ptep_set_access_flags({ ...p, loc: l, index: p.block.indexOf(l) }, entry);
      // the block flush if dirty: broadcast __flush_tlb_range (a barrier here) in the pre-2026 form, the local
      // local_flush_tlb_contpte (omitted: it orders nothing for other CPUs) in the fixed one. The flush changed in a
      // commit of its own (release not verified, DOMAIN §D): releases with the local flush but the gathered no-op
      // check, if any, are not a form here — they would differ from `gathered` by this one barrier at the end.
      if (dirty && form === 'gathered') yield tlbi_dsb();
      changed = 1n;
    } else {
      yield* convertBody(p, orig, {});
      yield* __ptep_set_access_flags(p, entry);
      changed = 1n;
    }
  }
  yield end(changed);
  return changed;
}
