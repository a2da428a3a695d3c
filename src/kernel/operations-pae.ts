/**
 * The x86-PAE operations a scenario may call (see operations.ts for the
 * registry). Each wraps a writer model of writers/x86-pae.ts or
 * writers/mm-pae.ts, whose headers cite the kernel source and era.
 */
import type { ArgValue, OperationDef, ParamDef } from './operations';
import type { PaePte } from './x86-pae';
import type { PaeWriterOptions } from './writers/x86-pae';
import { pte_clear, ptep_get_and_clear, set_pte, set_pte_atomic } from './writers/x86-pae';
import { do_anonymous_page_pae, madv_dontneed_pae } from './writers/mm-pae';

type Args = Readonly<Record<string, ArgValue>>;

const PTE: ParamDef = { name: 'pte', type: 'pte', doc: 'the pte written' };
const VALUE: ParamDef = { name: 'value', type: 'value', doc: 'the new pte value, {high:low}' };
const BARRIERS: ParamDef = {
  name: 'barriers',
  type: 'bool',
  default: true,
  doc: "keep the writer's smp_wmb() (false: the counterfactual without it)",
};
const ERA: ParamDef = {
  name: 'era',
  type: { enum: ['now', '2022'] },
  default: 'now',
  doc: 'ptep_get_and_clear: now = pxx_xchg64 (plain guess + try_cmpxchg64 loop); 2022 = one arch_atomic64_xchg',
};

const pte = (a: Args): PaePte => a['pte'] as PaePte;
const opts = (a: Args): PaeWriterOptions => ({
  ...(a['barriers'] !== undefined ? { barriers: a['barriers'] as boolean } : {}),
  ...(a['era'] !== undefined ? { era: a['era'] as '2022' | 'now' } : {}),
});

export const PAE_OPERATIONS: readonly OperationDef[] = [
  {
    name: 'set_pte',
    arch: 'x86-pae',
    role: 'writer',
    summary: 'store high; smp_wmb(); store low (not-present → present)',
    source: 'arch/x86/include/asm/pgtable-3level.h native_set_pte() (WRITE_ONCE since v6.2)',
    params: [PTE, VALUE, BARRIERS],
    program: (a) => set_pte(pte(a), a['value'] as bigint, opts(a)),
  },
  {
    name: 'pte_clear',
    arch: 'x86-pae',
    role: 'writer',
    summary: 'store low = 0; smp_wmb(); store high = 0',
    source: 'arch/x86/include/asm/pgtable-3level.h native_pte_clear()',
    params: [PTE, BARRIERS],
    program: (a) => pte_clear(pte(a), opts(a)),
  },
  {
    name: 'ptep_get_and_clear',
    arch: 'x86-pae',
    role: 'writer',
    summary: 'atomic 64-bit exchange with 0',
    source: 'arch/x86/include/asm/pgtable-3level.h native_ptep_get_and_clear() (now pxx_xchg64; 2022 atomic64_xchg)',
    params: [PTE, ERA],
    program: (a) => ptep_get_and_clear(pte(a), opts(a)),
  },
  {
    name: 'set_pte_atomic',
    arch: 'x86-pae',
    role: 'writer',
    summary: 'atomic 64-bit store',
    source: 'arch/x86/include/asm/pgtable-3level.h native_set_pte_atomic() (2022 set_64bit, now pxx_xchg64)',
    params: [PTE, VALUE],
    program: (a) => set_pte_atomic(pte(a), a['value'] as bigint),
  },
  {
    name: 'madv_dontneed_pae',
    arch: 'x86-pae',
    role: 'other',
    locks: ['ptl'],
    summary:
      'MADV_DONTNEED: under the PTL, ptep_get_and_clear a present pte (pte_clear a non-present one); flush deferred',
    source: 'mm/memory.c zap_pte_range() via zap_page_range_single() (now); no TLB model',
    params: [PTE, BARRIERS, ERA],
    program: (a, ctx) => madv_dontneed_pae(pte(a), ctx.ptl, opts(a)),
  },
  {
    name: 'do_anonymous_page_pae',
    arch: 'x86-pae',
    role: 'other',
    locks: ['ptl'],
    summary: 'anonymous fault: under the PTL, set_pte the value if the pte is still none',
    source: 'mm/memory.c do_anonymous_page() (now)',
    params: [PTE, VALUE, BARRIERS],
    program: (a, ctx) => do_anonymous_page_pae(pte(a), ctx.ptl, a['value'] as bigint, opts(a)),
  },
];
