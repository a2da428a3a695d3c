import type { Location } from './location';

/**
 * The instruction set a CPU program yields. Every instruction resumes the
 * program with a bigint (0n where there is no meaningful result), so models
 * read like the kernel code they model: `lo = yield READ_ONCE(ptep.low)`.
 *
 * Names are the kernel's, verbatim (cf. herdtools' linux-kernel.def).
 */
export type LoadHow = 'plain' | 'once' | 'acquire';
export type StoreHow = 'plain' | 'once' | 'release';
/** `full`: smp_mb() before and after; `relaxed`: atomicity only. */
export type RmwOrder = 'full' | 'acquire' | 'release' | 'relaxed';
export type FenceKind = 'rmb' | 'wmb' | 'mb';

/**
 * How a TLB flush waits for the other CPUs — a scenario setting (DESIGN §4),
 * exactly the assumption Jann Horn's 2022 report questions:
 * - `ipi`: x86 bare metal flush_tlb_mm_range() → an IPI to every CPU; the
 *   flusher cannot continue until every CPU that had IRQs disabled when the
 *   flush began has re-enabled them (and so taken the IPI);
 * - `broadcast`: arm64 TLBI+DSB, x86 paravirt flush (KVM/Xen/Hyper-V), AMD
 *   INVLPGB — completes without the other CPUs' cooperation.
 */
export type FlushKind = 'ipi' | 'broadcast';
export const FLUSH_KINDS: readonly FlushKind[] = ['ipi', 'broadcast'];

export type PageOpName = 'alloc_page' | 'try_grab_folio' | 'get_page' | 'put_page';

/**
 * Marks the start of a kernel operation on this CPU. The machine does not
 * interpret `spec`; the reference does (a writer's logical effect).
 */
export interface OpMark {
  readonly name: string;
  readonly role: 'reader' | 'writer' | 'other';
  /** the object the operation acts on, e.g. "pte" */
  readonly subject?: string;
  /** the locations of the subject, lowest first (readers: for the visibility window) */
  readonly locs?: readonly Location[];
  /** opaque to the machine: the specification the reference applies */
  readonly spec?: unknown;
  /** printable arguments, for diagrams */
  readonly args?: string;
}

/**
 * Where an instruction stands in its raw program (src/scenario/raw.ts runRaw: every statement's rank in a preorder
 * walk of its CPU's program), recorded in its event: when a store ran ahead (`ahead`), an execution's key puts the
 * CPU's events back in program order by it. Absent: the kernel models' instructions (they never run ahead).
 */
export interface ProgramPosition {
  readonly po?: number;
}

export type Instr =
  | ({
      readonly kind: 'load';
      readonly name: string;
      readonly loc: Location;
      readonly how: LoadHow;
      /**
       * The variable the modelled C source assigns the value to (`pte.pte_low`
       * in `pte.pte_low = ptep->pte_low`), for diagrams; absent when the source
       * names none (a load inside a comparison). Not interpreted.
       */
      readonly dest?: string;
      /**
       * A page-table walker's read of an entry pointing to a next-level table
       * (pmdp_get_lockless → pte_offset_map): the table page the value points
       * to, or null. The event records that page's state (`maps`).
       */
      readonly table?: (v: bigint) => bigint | null;
      /**
       * A name this CPU's later stores can depend on (an imported litmus test's register): under weak the model
       * remembers what the load read (its message's view) under it. Absent: no store depends on this load.
       */
      readonly dep?: string;
      /**
       * The `dep` names of this CPU's earlier loads whose values this load's address was computed from (an imported
       * litmus test's `READ_ONCE(*r0)` through a pointer register): under weak it reads no older message of its
       * location than what they read carries, as LKMM orders an address dependency (`addr` in ppo). Absent: none.
       */
      readonly after?: readonly string[];
      /** run ahead with a later store of its location (load buffering, runAhead in src/scenario/raw.ts); absent: no */
      readonly ahead?: true;
    } & ProgramPosition)
  | ({
      readonly kind: 'store';
      readonly name: string;
      readonly loc: Location;
      readonly value: bigint;
      readonly how: StoreHow;
      /**
       * The `dep` names of this CPU's earlier loads the store is control- or data-dependent on (an `if` on a
       * register, a register as the value): under weak it takes its place in coherence order after what they read,
       * as LKMM orders them (rwdep). Absent: none.
       */
      readonly after?: readonly string[];
      /**
       * The store runs ahead of program-order-earlier steps of its CPU not yet executed (load buffering: a raw
       * program's store that nothing orders after them, run ahead under weak — runAhead in src/scenario/raw.ts).
       * Recorded in its event with its `po`, so that an execution's key names events in program order. Absent: no.
       */
      readonly ahead?: true;
    } & ProgramPosition)
  | ({
      /**
       * Atomic read-modify-write of one location, or of a group of locations
       * at once (cmpxchg8b on a PAE pte). `update` maps the combined old value
       * to the new one, or to null for "no store" (failed cmpxchg, atomic read).
       * The program is resumed with the combined old value.
       */
      readonly kind: 'rmw';
      readonly name: string;
      readonly locs: readonly Location[];
      /** `lock`: spin_trylock — a cumulative acquire when it stores, no ordering when it fails (LKMM lock.cat: LF) */
      readonly order: RmwOrder | 'lock';
      readonly update: (old: bigint) => bigint | null;
    } & ProgramPosition)
  /** `ahead`: an smp_wmb() run ahead of earlier loads with the store after it (Instr store `ahead`) */
  | ({
      readonly kind: 'fence';
      readonly name: string;
      readonly fence: FenceKind;
      readonly ahead?: true;
    } & ProgramPosition)
  | ({ readonly kind: 'lock'; readonly name: 'spin_lock'; readonly lock: Location } & ProgramPosition)
  | ({ readonly kind: 'unlock'; readonly name: 'spin_unlock'; readonly lock: Location } & ProgramPosition)
  | { readonly kind: 'irq'; readonly name: string; readonly disable: boolean }
  /**
   * A TLB flush of the whole mm (every cached translation on every CPU). A
   * full barrier on the flushing CPU. Its blocking follows the machine's
   * FlushKind: after the step, an `ipi` flusher is not runnable until every
   * CPU that had IRQs off at the step has re-enabled them.
   */
  | { readonly kind: 'flush'; readonly name: string; readonly sync?: boolean }
  /**
   * Page operations (pages.ts): resumed with the pfn (alloc_page), 1n/0n
   * (try_grab_folio), 0n otherwise. Atomic and fully ordered.
   */
  | { readonly kind: 'page'; readonly name: PageOpName; readonly pfn?: bigint }
  /**
   * The CPU's TLB: `tlb_fill` caches key → pfn (a hardware walk that found a
   * valid pte), `tlb_access` uses the cached translation — resumed with
   * pfn + 1n on a hit, 0n on a miss. No memory access of its own.
   */
  | { readonly kind: 'tlb'; readonly name: 'tlb_fill' | 'tlb_access'; readonly key: string; readonly pfn?: bigint }
  /**
   * A generated choice among n alternatives (not a scheduling point). `weak`: one only the weak memory model
   * offers (a reordering that sc and tso forbid): under them the program is resumed with 0, no choice made.
   */
  | { readonly kind: 'pick'; readonly name: string; readonly n: number; readonly weak?: boolean }
  /** Operation markers (not scheduling points). */
  | { readonly kind: 'begin'; readonly op: OpMark }
  | { readonly kind: 'end'; readonly result?: bigint }
  /** A retry of the innermost operation's loop (counted against RETRY_BOUND). */
  | { readonly kind: 'retry' };

/** A CPU's program: yields instructions, is resumed with their results. */
export type Program<R = void> = Generator<Instr, R, bigint>;

/** Instructions that take a step (scheduling points); the rest are markers. */
export function isStep(i: Instr): boolean {
  return i.kind !== 'pick' && i.kind !== 'begin' && i.kind !== 'end' && i.kind !== 'retry';
}

// --- The kernel vocabulary -------------------------------------------------

/** `dest`: the C variable the value is assigned to, shown in diagrams (see the load's `dest`). */
export const READ_ONCE = (loc: Location, dest?: string): Instr => ({
  kind: 'load',
  name: 'READ_ONCE',
  loc,
  how: 'once',
  ...(dest === undefined ? {} : { dest }),
});
/** A plain C access (`pte.pte_low = ptep->pte_low`); same visibility as READ_ONCE here. */
export const plain_read = (loc: Location, dest?: string): Instr => ({
  kind: 'load',
  name: 'load',
  loc,
  how: 'plain',
  ...(dest === undefined ? {} : { dest }),
});
export const smp_load_acquire = (loc: Location): Instr => ({
  kind: 'load',
  name: 'smp_load_acquire',
  loc,
  how: 'acquire',
});
export const WRITE_ONCE = (loc: Location, value: bigint): Instr => ({
  kind: 'store',
  name: 'WRITE_ONCE',
  loc,
  value,
  how: 'once',
});
export const plain_write = (loc: Location, value: bigint): Instr => ({
  kind: 'store',
  name: 'store',
  loc,
  value,
  how: 'plain',
});
export const smp_store_release = (loc: Location, value: bigint): Instr => ({
  kind: 'store',
  name: 'smp_store_release',
  loc,
  value,
  how: 'release',
});

export const smp_rmb = (): Instr => ({ kind: 'fence', name: 'smp_rmb', fence: 'rmb' });
export const smp_wmb = (): Instr => ({ kind: 'fence', name: 'smp_wmb', fence: 'wmb' });
export const smp_mb = (): Instr => ({ kind: 'fence', name: 'smp_mb', fence: 'mb' });

function orderSuffix(order: RmwOrder): string {
  return order === 'full' ? '' : `_${order}`;
}

export function xchg(loc: Location | readonly Location[], value: bigint, order: RmwOrder = 'full'): Instr {
  const locs = Array.isArray(loc) ? (loc as readonly Location[]) : [loc as Location];
  const name = locs.length > 1 ? 'xchg64' : 'xchg';
  return { kind: 'rmw', name: name + orderSuffix(order), locs, order, update: () => value };
}

export function cmpxchg(
  loc: Location | readonly Location[],
  expected: bigint,
  value: bigint,
  order: RmwOrder = 'full',
): Instr {
  const locs = Array.isArray(loc) ? (loc as readonly Location[]) : [loc as Location];
  const name = locs.length > 1 ? 'cmpxchg64' : 'cmpxchg';
  return {
    kind: 'rmw',
    name: name + orderSuffix(order),
    locs,
    order,
    update: (old) => (old === expected ? value : null),
  };
}

export const xchg_relaxed = (loc: Location | readonly Location[], value: bigint): Instr => xchg(loc, value, 'relaxed');
export const cmpxchg_relaxed = (loc: Location | readonly Location[], expected: bigint, value: bigint): Instr =>
  cmpxchg(loc, expected, value, 'relaxed');
export const xchg_acquire = (loc: Location, value: bigint): Instr => xchg(loc, value, 'acquire');
export const xchg_release = (loc: Location, value: bigint): Instr => xchg(loc, value, 'release');
export const cmpxchg_acquire = (loc: Location, expected: bigint, value: bigint): Instr =>
  cmpxchg(loc, expected, value, 'acquire');
export const cmpxchg_release = (loc: Location, expected: bigint, value: bigint): Instr =>
  cmpxchg(loc, expected, value, 'release');

/**
 * An atomic read of a location group with a locked instruction
 * (x86-32 `atomic64_read` is a `lock cmpxchg8b`): full barrier, no store.
 */
export function atomic64_read(locs: readonly Location[]): Instr {
  return { kind: 'rmw', name: 'atomic64_read', locs, order: 'full', update: () => null };
}

/** A generic atomic RMW (hardware A/D updates, `lock or`); `name` is shown in diagrams. */
export function atomic_update(
  name: string,
  loc: Location | readonly Location[],
  update: (old: bigint) => bigint | null,
  order: RmwOrder = 'relaxed',
): Instr {
  const locs = Array.isArray(loc) ? (loc as readonly Location[]) : [loc as Location];
  return { kind: 'rmw', name, locs, order, update };
}

export const spin_lock = (lock: Location): Instr => ({ kind: 'lock', name: 'spin_lock', lock });
export const spin_unlock = (lock: Location): Instr => ({ kind: 'unlock', name: 'spin_unlock', lock });
/**
 * spin_trylock(): take the lock if it is free (the program is resumed with the
 * old value: 0 = taken), else fail without blocking. Never by the kernel models,
 * only by imported litmus tests.
 */
export const spin_trylock = (lock: Location): Instr => ({
  kind: 'rmw',
  name: 'spin_trylock',
  locs: [lock],
  order: 'lock',
  update: (old) => (old === 0n ? 1n : null),
});
export const local_irq_save = (): Instr => ({ kind: 'irq', name: 'local_irq_save', disable: true });
export const local_irq_restore = (): Instr => ({ kind: 'irq', name: 'local_irq_restore', disable: false });

/** flush_tlb_mm_range() / flush_tlb_range() / tlb_flush_mmu_tlbonly(): the name is shown in diagrams. */
export const flush_tlb = (name = 'flush_tlb_mm_range'): Instr => ({ kind: 'flush', name });
/**
 * mm/mmu_gather.c tlb_remove_table_sync_one(): smp_call_function() of an empty
 * handler, waiting — an IPI to every other CPU whatever the flush kind, which
 * an IRQs-off CPU (GUP-fast) holds up; it invalidates no TLB entry.
 */
export const tlb_remove_table_sync_one = (): Instr => ({
  kind: 'flush',
  name: 'tlb_remove_table_sync_one',
  sync: true,
});
/** Allocate a free page (a choice among the free pages, 0 = the most recently freed); resumed with its pfn. */
export const alloc_page = (): Instr => ({ kind: 'page', name: 'alloc_page' });
/** folio_try_get: take a reference unless the refcount is 0; resumed with 1n on success. */
export const try_grab_folio = (pfn: bigint): Instr => ({ kind: 'page', name: 'try_grab_folio', pfn });
export const get_page = (pfn: bigint): Instr => ({ kind: 'page', name: 'get_page', pfn });
/** folio_put: drop a reference; the last one frees the page (its generation moves on). */
export const put_page = (pfn: bigint): Instr => ({ kind: 'page', name: 'put_page', pfn });
/**
 * pmdp_get_lockless() whose value the walker maps with pte_offset_map(): a
 * READ_ONCE of the pmd that also records the state of the table page the
 * value points to (`table` decodes it), against which the walker's later
 * accesses to the table are judged (a table freed or reused since is a
 * use-after-free). No reference is taken: IRQs off / RCU keep the table.
 */
export const pmdp_get_lockless = (loc: Location, table: (v: bigint) => bigint | null): Instr => ({
  kind: 'load',
  name: 'pmdp_get_lockless',
  loc,
  how: 'once',
  table,
});
export const tlb_fill = (key: string, pfn: bigint): Instr => ({ kind: 'tlb', name: 'tlb_fill', key, pfn });
export const tlb_access = (key: string): Instr => ({ kind: 'tlb', name: 'tlb_access', key });

export const pick = (name: string, n: number, weak = false): Instr =>
  weak ? { kind: 'pick', name, n, weak } : { kind: 'pick', name, n };
export const begin = (op: OpMark): Instr => ({ kind: 'begin', op });
export const end = (result?: bigint): Instr => (result === undefined ? { kind: 'end' } : { kind: 'end', result });
export const retry = (): Instr => ({ kind: 'retry' });

/** The vocabulary, for `ptefuzz list` and the scenario language. */
export const KERNEL_VOCABULARY: readonly string[] = [
  'READ_ONCE',
  'WRITE_ONCE',
  'smp_load_acquire',
  'smp_store_release',
  'smp_rmb',
  'smp_wmb',
  'smp_mb',
  'xchg',
  'xchg_relaxed',
  'xchg_acquire',
  'xchg_release',
  'cmpxchg',
  'cmpxchg_relaxed',
  'cmpxchg_acquire',
  'cmpxchg_release',
  'atomic64_read',
  'spin_lock',
  'spin_unlock',
  'local_irq_save',
  'local_irq_restore',
  'flush_tlb',
  'tlb_remove_table_sync_one',
  'alloc_page',
  'try_grab_folio',
  'get_page',
  'put_page',
  'pmdp_get_lockless',
  'tlb_fill',
  'tlb_access',
];
