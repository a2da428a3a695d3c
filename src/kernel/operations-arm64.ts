/**
 * The arm64 operations a scenario may call (see operations.ts for the
 * registry): the single-descriptor writers and hardware access/dirty updates
 * of writers/arm64.ts, the contpte block writers of writers/contpte.ts, and
 * the extended-SW-bits writers of writers/arm64-ext-sw.ts, whose headers cite
 * the kernel source and era. A pte argument is an entry of a contpte block
 * (`ptes[i]`) or a lone pte.
 */
import type { ArgValue, OperationDef, ParamDef } from './operations';
import type { Arm64Ptep } from './arm64-block';
import type { Pte } from './arch';
import type { SetAccessFlagsForm } from './writers/contpte';
import {
  __ptep_get_and_clear,
  __ptep_set_access_flags,
  __set_pte,
  hw_access,
  ptep_test_and_clear_young,
} from './writers/arm64';
import { arm64_ptep_set_wrprotect } from './writers/arm64-contpte-api';
import {
  arm64_clear_full_ptes,
  arm64_get_and_clear_full_ptes,
  arm64_set_ptes_nr,
  arm64_wrprotect_ptes,
} from './writers/arm64-contpte-batch';
import { contpte_try_fold, contpte_unfold, ptep_set_access_flags } from './writers/contpte';
import { ptep_get_and_clear_ext_sw, set_pte_ext_sw } from './writers/arm64-ext-sw';

type Args = Readonly<Record<string, ArgValue>>;

const PTE: ParamDef = { name: 'pte', type: 'pte', doc: 'the entry written (ptes[i] of a block, or a lone pte)' };
const VALUE: ParamDef = { name: 'value', type: 'value', doc: 'the new descriptor (64 bits)' };
const TLBI: ParamDef = {
  name: 'tlbi',
  type: 'bool',
  default: true,
  doc: 'issue the TLBI+DSB between break and make (false: BBML2+noabort, 83bbd6be7d17, 2025)',
};

const NR: ParamDef = {
  name: 'nr',
  type: 'nr',
  default: '1',
  doc: 'the number of entries, from pte on (at most to the end of its block): 1 = the single-entry wrapper, more = the contpte batch',
};
const BATCH_PTE: ParamDef = { ...PTE, doc: 'the first entry of the range (ptes[i] of a block, or a lone pte)' };

const ptep = (a: Args): Arm64Ptep => a['pte'] as Arm64Ptep;
const nr = (a: Args): number => Number(a['nr'] as bigint);
const PGTABLE = 'arch/arm64/include/asm/pgtable.h';
const val = (a: Args): bigint => a['value'] as bigint;

const CONTPTE = 'arch/arm64/mm/contpte.c';

export const ARM64_OPERATIONS: readonly OperationDef[] = [
  {
    name: '__set_pte',
    arch: 'arm64',
    role: 'writer',
    summary: 'one WRITE_ONCE of the descriptor',
    source: 'arch/arm64/include/asm/pgtable.h __set_pte() (v6.9+)',
    params: [PTE, VALUE],
    program: (a) => __set_pte(ptep(a), val(a)),
  },
  {
    name: '__ptep_get_and_clear',
    arch: 'arm64',
    role: 'writer',
    summary: 'xchg_relaxed(ptep, 0); returns the old descriptor',
    source: 'arch/arm64/include/asm/pgtable.h __ptep_get_and_clear()',
    params: [PTE],
    program: (a) => __ptep_get_and_clear(ptep(a)),
  },
  {
    name: 'hw_access',
    arch: 'arm64',
    role: 'writer',
    summary:
      'hardware access/dirty update (FEAT_HAFDBS: set AF, a write clears RDONLY when DBM is set), one atomic RMW; on a CONT entry, which entry of the block is a choice; diagrams name it hw_dirty (write) or hw_young (read), its RMW hw_dbm_update or hw_af_update',
    source: 'Arm ARM D8.5 hardware AF/DBM management; DOMAIN §A3.2',
    params: [
      PTE,
      { name: 'write', type: 'bool', default: true, doc: 'a write access (DBM dirtying) or a read (AF only)' },
      {
        name: 'where',
        type: { enum: ['block', 'target'] },
        default: 'block',
        doc: 'block: any entry of the block (a choice: a CONT TLB entry covers the block; on a non-CONT block, an access via a sibling); target: this entry',
      },
    ],
    program: (a) => hw_access(ptep(a), a['write'] as boolean, a['where'] as 'block' | 'target'),
  },
  {
    name: '__ptep_set_access_flags',
    arch: 'arm64',
    role: 'writer',
    summary: 'cmpxchg_relaxed loop making the entry at least as permissive as value',
    source: 'arch/arm64/mm/fault.c __ptep_set_access_flags()',
    params: [PTE, VALUE],
    program: (a) => __ptep_set_access_flags(ptep(a), val(a)),
  },
  {
    name: 'ptep_set_access_flags',
    arch: 'arm64',
    role: 'writer',
    summary: 'contpte_ptep_set_access_flags: gathered no-op check (v6.9 → 2026-03) or per-entry (fixed)',
    source: `${CONTPTE} contpte_ptep_set_access_flags() (v6.9; 2026-03-06 per-entry fix)`,
    params: [
      PTE,
      VALUE,
      { name: 'dirty', type: 'bool', default: true, doc: 'the dirty argument' },
      {
        name: 'form',
        type: { enum: ['gathered', 'per-entry'] },
        default: 'per-entry',
        doc: 'gathered: pre-2026 no-op check against the gathered ptep_get(); per-entry: the fix',
      },
    ],
    program: (a) => ptep_set_access_flags(ptep(a), val(a), a['dirty'] as boolean, a['form'] as SetAccessFlagsForm),
  },
  {
    name: 'contpte_unfold',
    arch: 'arm64',
    role: 'writer',
    summary:
      'contpte_try_unfold: if the target is valid+CONT, contpte_convert to non-CONT: clear every entry (xchg), TLBI+DSB, repaint with the A/D replicated',
    source: `${CONTPTE} contpte_try_unfold() → __contpte_try_unfold() → contpte_convert() (v6.9; BBML2 2025)`,
    params: [PTE, TLBI],
    program: (a) => contpte_unfold(ptep(a), { tlbi: a['tlbi'] as boolean }),
  },
  {
    name: 'contpte_try_fold',
    arch: 'arm64',
    role: 'writer',
    summary: 'if the block is foldable: contpte_convert to CONT (break, TLBI+DSB, make with the A/D OR)',
    source: `${CONTPTE} __contpte_try_fold() (v6.9; BBML2 2025)`,
    params: [PTE, TLBI],
    program: (a) => contpte_try_fold(ptep(a), { tlbi: a['tlbi'] as boolean }),
  },
  {
    name: 'ptep_test_and_clear_young',
    arch: 'arm64',
    role: 'writer',
    summary: 'clear AF (one entry, or every entry of the block)',
    source: `arch/arm64/include/asm/pgtable.h __ptep_test_and_clear_young(); ${CONTPTE} contpte_ptep_test_and_clear_young()`,
    params: [PTE, { name: 'block', type: 'bool', default: false, doc: 'every entry of the CONT block' }],
    program: (a) => ptep_test_and_clear_young(ptep(a), a['block'] as boolean),
  },
  {
    name: 'ptep_set_wrprotect',
    arch: 'arm64',
    role: 'writer',
    summary:
      'wrprotect_ptes(nr=1): a CONT entry unfolds first (contpte_convert), then a cmpxchg loop clearing WRITE (a hardware-dirty entry keeps its dirt as PTE_DIRTY); a lone pte: the loop alone',
    source:
      'arch/arm64/include/asm/pgtable.h ptep_set_wrprotect() → wrprotect_ptes() → ___ptep_set_wrprotect() (v6.9+)',
    params: [PTE],
    program: (a) => arm64_ptep_set_wrprotect(ptep(a)),
  },
  {
    name: 'set_ptes',
    arch: 'arm64',
    role: 'writer',
    summary:
      'nr = 1: unfold, __set_pte, try to fold at the last entry; nr > 1 (contpte_set_ptes): a whole aligned block written CONT entry by entry, else non-CONT (the ptes must be none)',
    source: `${PGTABLE} set_ptes(); ${CONTPTE} contpte_set_ptes() (v6.9+)`,
    params: [BATCH_PTE, { ...VALUE, doc: 'the first entry’s new descriptor (pfn + i for entry i)' }, NR],
    program: (a) => arm64_set_ptes_nr(ptep(a), val(a), nr(a)),
  },
  {
    name: 'get_and_clear_full_ptes',
    arch: 'arm64',
    role: 'writer',
    summary:
      'nr = 1: unfold, xchg; nr > 1 (contpte_get_and_clear_full_ptes): unfold only a partly covered block (contpte_try_unfold_partial), then xchg each entry with 0 ascending; returns the first old value with the A/D of all',
    source: `${PGTABLE} get_and_clear_full_ptes(); ${CONTPTE} contpte_get_and_clear_full_ptes(), contpte_try_unfold_partial() (v6.9+)`,
    params: [BATCH_PTE, NR],
    program: (a) => arm64_get_and_clear_full_ptes(ptep(a), nr(a)),
  },
  {
    name: 'clear_full_ptes',
    arch: 'arm64',
    role: 'writer',
    summary:
      'as get_and_clear_full_ptes, nothing returned (contpte_clear_full_ptes: a fully covered block is cleared in place)',
    source: `${PGTABLE} clear_full_ptes(); ${CONTPTE} contpte_clear_full_ptes(), contpte_try_unfold_partial() (v6.9+)`,
    params: [BATCH_PTE, NR],
    program: (a) => arm64_clear_full_ptes(ptep(a), nr(a)),
  },
  {
    name: 'wrprotect_ptes',
    arch: 'arm64',
    role: 'writer',
    summary:
      'nr = 1: as ptep_set_wrprotect; nr > 1 (contpte_wrprotect_ptes): unfold only a partly covered block, then each entry’s READ_ONCE + cmpxchg loop ascending — a fully covered block stays CONT',
    source: `${PGTABLE} wrprotect_ptes(); ${CONTPTE} contpte_wrprotect_ptes(), contpte_try_unfold_partial() (v6.9+)`,
    params: [BATCH_PTE, NR],
    program: (a) => arm64_wrprotect_ptes(ptep(a), nr(a)),
  },
  {
    name: 'set_pte_ext_sw',
    arch: 'arm64-ext-sw',
    role: 'writer',
    summary: 'store the extended SW word; smp_wmb(); store the HW descriptor (the order most favourable to readers)',
    source: 'Ryan Roberts 2024-04-19 (mailing-list/002): the experiment was never posted; store order assumed',
    params: [
      { name: 'pte', type: 'pte', doc: 'the pte written' },
      { ...VALUE, doc: 'the new value, {sw:hw}' },
    ],
    program: (a) => set_pte_ext_sw(a['pte'] as Pte, val(a)),
  },
  {
    name: 'ptep_get_and_clear_ext_sw',
    arch: 'arm64-ext-sw',
    role: 'writer',
    summary: 'xchg the HW descriptor with 0, then clear the extended SW word',
    source: 'Ryan Roberts 2024-04-19 (mailing-list/002): assumed',
    params: [{ name: 'pte', type: 'pte', doc: 'the pte cleared' }],
    program: (a) => ptep_get_and_clear_ext_sw(a['pte'] as Pte),
  },
];
