/**
 * The kernel paths of src/kernel/consumers/ as scenario operations (see
 * operations.ts for the registry), generic over an architecture's PteOps
 * (x86-PAE and arm64): GUP-fast, the fault path, zap (anonymous and
 * shared-file), do_anonymous_page, the hardware walk and TLB accesses, user
 * writes, writeback, khugepaged's table retraction, the S8 per-descriptor
 * walker, a table page's next owner, and the page-table lock. Each model's
 * header cites its kernel source and era. A `reader`-typed parameter is the
 * consumer's lockless read: `reader` (the default) runs the reader under
 * test there.
 */
import type { Location, Program } from '../machine';
import { WRITE_ONCE, alloc_page, spin_lock, spin_unlock } from '../machine';
import type { ArgValue, OpContext, OperationDef, ParamDef, PmdArg } from './operations';
import type { ArchName, Pte } from './arch';
import type { Arm64Ptep } from './arm64-block';
import type { ReaderDef } from './readers/reader';
import type { PteOps } from './consumers/ops';
import { paeOps } from './consumers/pae-ops';
import { arm64Ops } from './consumers/arm64-ops';
import type { GupRecheck } from './consumers/gup-fast';
import { GUP_RECHECKS, gup_fast } from './consumers/gup-fast';
import type { PteSameKind } from './consumers/fault';
import { PTE_SAME_KINDS, do_anonymous_page, handle_pte_fault } from './consumers/fault';
import type { ZapFlush } from './consumers/zap';
import { ZAP_FLUSHES, zap_pte_range } from './consumers/zap';
import { hw_walk, tlb_use } from './consumers/mmu';
import type { FileFolio, RmapEra } from './consumers/file';
import { RMAP_ERAS, user_write, writeback, zap_pte_range_file } from './consumers/file';
import type { RetractSync } from './consumers/khugepaged';
import { RETRACT_SYNCS, khugepaged_collapse_file } from './consumers/khugepaged';
import { smmu_write } from './consumers/smmu';
import type { SetAccessFlagsForm } from './writers/contpte';
import { PAE } from './x86-pae';
import { pteWrprotect } from './writers/arm64';

type Args = Readonly<Record<string, ArgValue>>;
type Read = (p: Pte) => Program<bigint>;

const BOTH: readonly ArchName[] = ['x86-pae', 'arm64'];
const OPS: Partial<Record<ArchName, PteOps>> = {
  'x86-pae': paeOps as unknown as PteOps,
  arm64: arm64Ops as unknown as PteOps,
};
function ops(ctx: OpContext): PteOps {
  const o = OPS[ctx.arch];
  if (o === undefined) throw new Error(`[ptefuzz internal bug] no PteOps for ${ctx.arch}`);
  return o;
}

/** pte_wrprotect() as writeback's folio_mkclean uses it (writeback applies pte_mkclean() first) */
const WRPROTECT: Partial<Record<ArchName, (v: bigint) => bigint>> = {
  'x86-pae': (v) => v & ~PAE.RW,
  arm64: pteWrprotect,
};

const PTE: ParamDef = { name: 'pte', type: 'pte', doc: 'the pte' };
const READ: ParamDef = {
  name: 'read',
  type: 'reader',
  default: 'reader',
  doc: 'the lockless read: reader = the reader under test, or a reader by name',
};
const VA: ParamDef = { name: 'va', type: 'name', doc: 'the TLB key of the virtual address' };
const FOLIO: ParamDef = { name: 'folio', type: 'folio', doc: 'the shared file page (a declared folio)' };
const LOCK: ParamDef = { name: 'lock', type: 'lock', doc: 'ptl or page_table_lock' };

const pte = (a: Args): Pte => a['pte'] as Pte;
const read = (a: Args): Read => (a['read'] as ReaderDef).read;

export const CONSUMER_OPERATIONS: readonly OperationDef[] = [
  {
    name: 'spin_lock',
    arch: ['x86-pae', 'arm64', 'arm64-ext-sw'],
    role: 'other',
    summary: 'take a lock (acquire)',
    source: 'include/linux/spinlock.h',
    params: [LOCK],
    program: function* (a) {
      yield spin_lock(a['lock'] as Location);
    },
  },
  {
    name: 'spin_unlock',
    arch: ['x86-pae', 'arm64', 'arm64-ext-sw'],
    role: 'other',
    summary: 'release a lock (release)',
    source: 'include/linux/spinlock.h',
    params: [LOCK],
    program: function* (a) {
      yield spin_unlock(a['lock'] as Location);
    },
  },
  {
    name: 'gup_fast',
    arch: BOTH,
    role: 'other',
    consumer: 'gup_fast',
    summary:
      'IRQs off, [pmd read], lockless read, pte_access_permitted, try_grab_folio, [pmd recheck], recheck, put on failure',
    source: 'mm/gup.c gup_fast_pte_range() (v6.5–2026; 2022 recheck *ptep; 2026 RFC lockless recheck)',
    params: [
      PTE,
      READ,
      {
        name: 'recheck',
        type: { enum: GUP_RECHECKS },
        default: 'ptep_get',
        doc: 'plain = 2022 pte_val(*ptep), ptep_get = v6.5–2026, lockless = the read again (2026 RFC)',
      },
      { name: 'pmd', type: 'pmd', default: 'none', doc: 'walk this pmd first (pmdp_get_lockless, pmd recheck)' },
      { name: 'write', type: 'bool', default: true, doc: 'FOLL_WRITE' },
    ],
    program: (a, ctx) => {
      const pmd = a['pmd'] as PmdArg | undefined;
      return gup_fast(ops(ctx), pte(a), read(a), {
        recheck: a['recheck'] as GupRecheck,
        write: a['write'] as boolean,
        ...(pmd !== undefined ? { pmd: { loc: pmd.loc, table: pmd.table } } : {}),
      });
    },
  },
  {
    name: 'handle_pte_fault',
    arch: BOTH,
    role: 'other',
    locks: ['ptl'],
    consumer: 'handle_pte_fault',
    summary:
      'orig = lockless read; none: do_anonymous_page; not present: do_swap_page (pte_unmap_same); else PTL recheck + ptep_set_access_flags (generic; x86: write faults only)',
    source: 'mm/memory.c handle_pte_fault() (now; pte_same_norecency: 2024 RFC, never merged)',
    params: [
      PTE,
      READ,
      { name: 'write', type: 'bool', default: false, doc: 'a write fault' },
      {
        name: 'same',
        type: { enum: PTE_SAME_KINDS },
        default: 'pte_same',
        doc: 'the PTL recheck: full pte_same, or pte_same_norecency (A/D ignored)',
      },
    ],
    program: (a, ctx) =>
      handle_pte_fault(ops(ctx), pte(a), ctx.ptl, read(a), {
        write: a['write'] as boolean,
        same: a['same'] as PteSameKind,
      }),
  },
  {
    name: 'do_anonymous_page',
    arch: BOTH,
    role: 'other',
    locks: ['ptl'],
    summary: 'alloc_page, under the PTL install it if the pte is still none, else put it',
    source: 'mm/memory.c do_anonymous_page() (now)',
    params: [PTE],
    program: (a, ctx) => do_anonymous_page(ops(ctx), pte(a), ctx.ptl),
  },
  {
    name: 'zap_pte_range',
    arch: BOTH,
    role: 'other',
    locks: ['ptl'],
    summary: 'MADV_DONTNEED of an anonymous pte: under the PTL ptep_get_and_clear; TLB flush; then free the page',
    source: 'mm/memory.c zap_pte_range() + mmu_gather (include/asm-generic/tlb.h)',
    params: [
      PTE,
      {
        name: 'flush',
        type: { enum: ZAP_FLUSHES },
        default: 'deferred',
        doc: 'deferred: flush in tlb_finish_mmu after the PTL (today); forced: before dropping the PTL (ZAP_FLAG_FORCE_FLUSH); free-before-flush: a broken control',
      },
    ],
    program: (a, ctx) => zap_pte_range(ops(ctx), pte(a), ctx.ptl, a['flush'] as ZapFlush),
  },
  {
    name: 'hw_walk',
    arch: BOTH,
    role: 'other',
    consumer: 'hw_walk',
    summary: 'a page walk for va: IRQs off around the pte read and the TLB fill (if access is permitted)',
    source: 'the MMU (x86 SDM 4.10; Arm ARM D8): walk + TLB fill',
    params: [
      PTE,
      VA,
      READ,
      { name: 'write', type: 'bool', default: false, doc: 'walk for a write (pte_access_permitted(pte, write))' },
    ],
    program: (a, ctx) => hw_walk(ops(ctx), pte(a), a['va'] as string, read(a), a['write'] as boolean),
  },
  {
    name: 'tlb_use',
    arch: BOTH,
    role: 'other',
    summary: 'an access to va through this CPU’s TLB (hit: the cached pfn)',
    source: 'the MMU: TLB lookup',
    params: [VA],
    program: (a) => tlb_use(a['va'] as string),
  },
  {
    name: 'user_write',
    arch: BOTH,
    role: 'other',
    consumer: 'user_write',
    summary: 'a user store of value to the folio at va: page walk for a write, then the store through the TLB',
    source: 'the MMU: walk + TLB; the store reaches the folio iff the TLB maps its pfn',
    params: [PTE, VA, FOLIO, { name: 'value', type: 'number', doc: 'the value stored' }, READ],
    program: (a, ctx) =>
      user_write(ops(ctx), pte(a), a['va'] as string, a['folio'] as FileFolio, a['value'] as bigint, read(a)),
  },
  {
    name: 'zap_pte_range_file',
    arch: BOTH,
    role: 'other',
    locks: ['ptl'],
    summary:
      'zap of a shared-file pte: get_and_clear, folio_mark_dirty if dirty, page_remove_rmap before (v6.0) or after (v6.1) the TLB flush',
    source: 'mm/memory.c zap_pte_range() before / since 5df397dec7c4 (v6.1)',
    params: [
      PTE,
      FOLIO,
      {
        name: 'rmap',
        type: { enum: RMAP_ERAS },
        default: 'v6.1',
        doc: 'v6.0: page_remove_rmap before the flush; v6.1: delayed until after it',
      },
    ],
    program: (a, ctx) => zap_pte_range_file(ops(ctx), pte(a), ctx.ptl, a['folio'] as FileFolio, a['rmap'] as RmapEra),
  },
  {
    name: 'writeback',
    arch: BOTH,
    role: 'other',
    locks: ['ptl'],
    summary:
      'folio_clear_dirty_for_io: folio_mkclean through the rmap (mapcount), test-and-clear PG_dirty, then the contents to disk',
    source: 'mm/page-writeback.c folio_clear_dirty_for_io(), mm/rmap.c folio_mkclean()',
    params: [PTE, FOLIO],
    program: (a, ctx) => writeback(ops(ctx), pte(a), ctx.ptl, a['folio'] as FileFolio, WRPROTECT[ctx.arch]!),
  },
  {
    name: 'khugepaged_collapse_file',
    arch: BOTH,
    role: 'other',
    locks: ['ptl', 'page_table_lock'],
    summary:
      'try_to_unmap the small page, pmdp_collapse_flush (pmd cleared, flush), [tlb_remove_table_sync_one], pte_free of the table',
    source: 'mm/khugepaged.c collapse_file() → retract_page_tables() (before / since 2ba99c5e0881, 2022)',
    params: [
      PTE,
      { name: 'pmd', type: 'pmd', doc: 'the pmd pointing to the pte table' },
      {
        name: 'sync',
        type: { enum: RETRACT_SYNCS },
        default: 'ipi',
        doc: 'ipi: tlb_remove_table_sync_one() before the table is freed (2ba99c5e0881); none: before the fix',
      },
    ],
    program: (a, ctx) => {
      const pmd = a['pmd'] as PmdArg;
      return khugepaged_collapse_file(
        ops(ctx),
        pte(a),
        ctx.ptl,
        { pmd: pmd.loc, pmdLock: pmd.lock, pfn: pmd.pfn },
        a['sync'] as RetractSync,
      );
    },
  },
  {
    name: 'reuse_page',
    arch: 'arm64',
    role: 'other',
    summary:
      "a page's next owner: alloc_page(); if it got pfn, store value where the pte was (a plain store into the reused page)",
    source: 'not kernel code: whoever allocates a freed page-table page next (DOMAIN §C S12)',
    params: [
      { name: 'pfn', type: 'number', doc: 'the page whose reuse is modelled' },
      PTE,
      { name: 'value', type: 'value', doc: 'what the new owner stores there' },
    ],
    // no operation mark, as spin_lock's: the next owner is not kernel code, only an allocation and a store
    program: function* (a) {
      const p = a['pte'] as Arm64Ptep;
      if ((yield alloc_page()) === a['pfn']) yield WRITE_ONCE(p.loc, a['value'] as bigint);
    },
  },
  {
    name: 'smmu_write',
    arch: 'arm64',
    role: 'other',
    locks: ['ptl'],
    consumer: 'smmu_write',
    summary:
      'a per-descriptor walker without HTTU writing via pte: walk, else fault (orig = the read, PTL, pte_same, ptep_set_access_flags), retry',
    source:
      'Piotr Jaroszynski, "[PATCH v2] arm64: contpte: fix set_access_flags() no-op check for SMMU/ATS faults", 2026-03-05',
    params: [
      PTE,
      READ,
      {
        name: 'form',
        type: { enum: ['gathered', 'per-entry'] },
        default: 'per-entry',
        doc: 'the ptep_set_access_flags no-op check: gathered (v6.9 → 2026-03) or per-entry (fixed)',
      },
    ],
    program: (a, ctx) => smmu_write(a['pte'] as Arm64Ptep, ctx.ptl, read(a) as Read, a['form'] as SetAccessFlagsForm),
  },
];
