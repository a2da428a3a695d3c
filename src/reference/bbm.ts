import type { Event, Execution, OpRecord } from '../machine';
import type { Arm64BbmPart, EntriesModel, PteSubject } from '../kernel';
import { arm64UnbrokenChange } from '../kernel';
import { landsInMemory, memoryOrder, outermostWriters, storeOp } from './history';

/**
 * A store that changed a valid arm64 descriptor of the subject into another valid translation with no invalid
 * entry between (arm64UnbrokenChange, kernel/arm64.ts): `prev` is the descriptor's value in memory just before it,
 * `next` the value it stored.
 */
export interface UnbrokenChange {
  readonly kind: 'bbm';
  readonly subject: string;
  /** the descriptor's location id */
  readonly loc: number;
  readonly prev: bigint;
  readonly next: bigint;
  /** what changed that needed the break */
  readonly parts: readonly Arm64BbmPart[];
  /** the store's event: under tso a plain store's drain from the store buffer */
  readonly event: Event;
  /** the operation that made it: its outermost writer on the subject, else its CPU's innermost operation */
  readonly op: OpRecord | undefined;
}

/**
 * The value a write taking its place in memory (landsInMemory) gave its `k`-th location: an RMW over several
 * locations writes them combined, lowest first (machine/location.ts combine), each `bits` wide — 64 for an arm64
 * pte's locations, 32 for the halves of an x86 PAE pte (kernel/layout.ts).
 */
export function wordWritten(ev: Event & { readonly wrote: bigint }, k: number, bits = 64): bigint {
  return ev.locs.length === 1 ? ev.wrote : (ev.wrote >> BigInt(bits * k)) & ((1n << BigInt(bits)) - 1n);
}

/** A location a store changed (followEntries): its id, and its value in memory before and after. */
export interface EntryChange {
  readonly loc: number;
  readonly prev: bigint;
  readonly next: bigint;
}

/** The initial values of entries `ids` of an entries subject (location ids, in `ids`' order). */
export function entryValues(model: EntriesModel, ids: readonly number[]): bigint[] {
  return ids.map((id) => model.initial[model.locIds.indexOf(id)]!);
}

/**
 * Follow entries `ids` of an entries subject store by store, each store where it takes its place in memory
 * (landsInMemory, in memoryOrder: history.ts): from their initial values, each store to one of them updates them, then `visit` gets
 * the store, the entries' values just after it (in `ids`' order) and what it changed. The first result `visit`
 * returns other than undefined ends the walk and is returned, with the entries' values then (at the end: their
 * last values).
 */
export function followEntries<T>(
  exec: Execution,
  model: EntriesModel,
  ids: readonly number[],
  visit: (ev: Event, cur: readonly bigint[], changed: readonly EntryChange[]) => T | undefined,
): { readonly result: T | undefined; readonly cur: readonly bigint[] } {
  const cur = entryValues(model, ids);
  for (const ev of memoryOrder(exec).events) {
    if (!landsInMemory(ev, exec.model)) continue;
    let changed: EntryChange[] | undefined;
    for (let k = 0; k < ev.locs.length; k++) {
      const i = ids.indexOf(ev.locs[k]!);
      if (i < 0) continue;
      const next = wordWritten(ev, k);
      (changed ??= []).push({ loc: ev.locs[k]!, prev: cur[i]!, next });
      cur[i] = next;
    }
    if (changed === undefined) continue;
    const result = visit(ev, cur, changed);
    if (result !== undefined) return { result, cur };
  }
  return { result: undefined, cur };
}

/**
 * The reference's other assumption on arm64, checked on one execution: the writers keep to break-before-make on
 * the subject's descriptors (EntriesModel.descriptors — every entry of a contpte block, the HW word of an
 * extended-SW pte; x86 PAE has none, and the check costs nothing there). A reference built from the writers'
 * documented effects describes only stores the architecture allows: a divergence found on an execution where a
 * valid entry became another translation in one store is no bug of the reader but of the scenario (or of a
 * reduction that dropped the clear before a `__set_pte`).
 *
 * Each store to a descriptor is compared with the value it replaced in memory: its coherence predecessor, each
 * store taken where it takes its place in memory (followEntries, as for the serialisation check).
 * A store that lands on an invalid entry (a make) or writes one (a break) is always allowed, so
 * `contpte_convert()`'s repaint after its clears and a fault's `set_pte_at()` over a none entry pass. The TLBI
 * the Arm ARM also requires between the break and the make is not checked (README Limitations).
 *
 * The first such store, or undefined when there is none.
 */
export function unbrokenChange(
  exec: Execution,
  subject: PteSubject,
  /** outermostWriters(exec, subject.name), when the caller has it already */
  outermost?: ReadonlyMap<number, number>,
): UnbrokenChange | undefined {
  const model = subject.entries;
  const descriptors = model?.descriptors;
  if (model === undefined || descriptors === undefined) return undefined;
  return followEntries(exec, model, descriptors, (ev, _cur, changed): UnbrokenChange | undefined => {
    for (const { loc, prev, next } of changed) {
      const parts = arm64UnbrokenChange(prev, next);
      if (parts === undefined) continue;
      const op = storeOp(exec, outermost ?? outermostWriters(exec, subject.name), ev);
      return { kind: 'bbm', subject: subject.name, loc, prev, next, parts, event: ev, op };
    }
    return undefined;
  }).result;
}
