import type { ChoiceRecord } from './choice';
import type { FlushKind, Instr, OpMark } from './instructions';
import type { ModelKind } from './model';
import type { MemPage, PageEvent, PageState, TlbEvent } from './pages';

/** One event of an execution: a CPU step, or a store-buffer drain (TSO). */
export interface Event {
  /** position in the event log */
  readonly index: number;
  /** the step this event belongs to: steps are numbered 0,1,…; a drain carries the number of the next step */
  readonly step: number;
  readonly cpu: number;
  readonly kind: Instr['kind'] | 'drain';
  /** kernel name of the instruction (READ_ONCE, smp_wmb, …) or "drain" */
  readonly name: string;
  /** ids of the locations touched */
  readonly locs: readonly number[];
  /** load: the C variable the value was assigned to in the modelled source (Instr `dest`), for diagrams */
  readonly dest?: string;
  /** value read (load, old value of an RMW) */
  readonly read?: bigint;
  /** value written (store, RMW, drain) */
  readonly wrote?: bigint;
  /** staleness rank of the message read (0 = newest allowed) */
  readonly rank?: number;
  /**
   * store or unlock under weak: how many writes already in memory it was placed coherence-before (a `co` choice;
   * absent when it became coherence-last, as every write does under sc and tso)
   */
  readonly co?: number;
  /** store, smp_wmb() or load: it ran ahead of program-order-earlier steps of its CPU (Instr `ahead`; absent: no) */
  readonly ahead?: true;
  /** its instruction's place in its raw program (Instr `po`; absent: a kernel model's) */
  readonly po?: number;
  /** tag of the message read or written */
  readonly tag?: number;
  /** innermost operation of the CPU at this event, or -1 */
  readonly op: number;
  /** page steps: the page after the step */
  readonly page?: PageEvent;
  /** an access to a location that lives in a declared page (a page-table page): that page's state then */
  readonly mem?: MemPage;
  /** a walker's read of a table pointer (pmdp_get_lockless): the table page it points to, its state then */
  readonly maps?: MemPage;
  /** tlb steps */
  readonly tlb?: TlbEvent;
  /** flush: the CPUs it waits for (IPI flush, CPUs with IRQs off); irq enable: the flushers it acknowledged */
  readonly acks?: readonly number[];
}

/** One invocation of a kernel operation. */
export interface OpRecord {
  readonly id: number;
  readonly cpu: number;
  readonly mark: OpMark;
  /** enclosing operation, or -1 */
  readonly parent: number;
  /** step number of its first step; the step count at `begin` if it took none */
  start: number;
  /** step number of its last step */
  end: number;
  /** false while running (an execution stopped by a bound leaves it open) */
  done: boolean;
  retries: number;
  result?: bigint;
  /** for readers with `locs`: tag of the oldest message the CPU could read per loc at `start` */
  floorTags?: number[];
}

export type BoundKind = 'steps' | 'retries' | 'deadlock';

export type Outcome =
  | { readonly kind: 'complete' }
  | { readonly kind: 'bound-hit'; readonly bound: BoundKind; readonly cpu: number; readonly op: number };

/** Operation `id` (an event's `op`, -1 for none) is `ancestor` or nested in it. */
export function opWithin(exec: Execution, id: number, ancestor: number): boolean {
  for (let o = id; o >= 0; o = exec.ops[o]!.parent) if (o === ancestor) return true;
  return false;
}

/** The outermost operation enclosing operation `id`: itself at top level, -1 for none. */
export function outermostOp(exec: Execution, id: number): number {
  let o = id;
  while (o >= 0 && exec.ops[o]!.parent >= 0) o = exec.ops[o]!.parent;
  return o;
}

/** Everything one execution did: the raw material of verdicts, coverage and diagrams. */
export interface Execution {
  readonly outcome: Outcome;
  readonly events: readonly Event[];
  readonly ops: readonly OpRecord[];
  readonly choices: readonly ChoiceRecord[];
  /** the choice values consumed (replaying them reproduces this execution) */
  readonly trace: readonly number[];
  /** what each CPU's program returned (undefined if it did not finish) */
  readonly results: readonly unknown[];
  /** coherence-latest value of every location at the end */
  readonly final: readonly bigint[];
  readonly steps: number;
  readonly model: ModelKind;
  readonly flush: FlushKind;
  /** every page the execution touched, at the end */
  readonly pages: ReadonlyMap<bigint, PageState>;
}
