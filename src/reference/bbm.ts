import type { Event, Execution, OpRecord } from '../machine';
import type { Arm64BbmPart, PteSubject } from '../kernel';
import { arm64UnbrokenChange } from '../kernel';
import { landsInMemory, outermostWriters, storeOp } from './history';

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

const WORD = (1n << 64n) - 1n;

/**
 * The value a write taking its place in memory (landsInMemory) gave its `k`-th location: an RMW over several
 * locations writes them combined, lowest first (machine/location.ts combine). arm64 only: every location of an
 * arm64 pte is one 64-bit word (kernel/layout.ts).
 */
export function wordWritten(ev: Event & { readonly wrote: bigint }, k: number): bigint {
  return ev.locs.length === 1 ? ev.wrote : (ev.wrote >> BigInt(64 * k)) & WORD;
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
 * store taken where it takes its place in memory (landsInMemory, history.ts, as for the serialisation check).
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
  const cur = descriptors.map((id) => model.initial[model.locIds.indexOf(id)]!);
  for (const ev of exec.events) {
    if (!landsInMemory(ev, exec.model)) continue;
    const locs = ev.locs;
    for (let k = 0; k < locs.length; k++) {
      const i = descriptors.indexOf(locs[k]!);
      if (i < 0) continue;
      const next = wordWritten(ev, k);
      const prev = cur[i]!;
      cur[i] = next;
      const parts = arm64UnbrokenChange(prev, next);
      if (parts === undefined) continue;
      const op = storeOp(exec, outermost ?? outermostWriters(exec, subject.name), ev);
      return { kind: 'bbm', subject: subject.name, loc: locs[k]!, prev, next, parts, event: ev, op };
    }
  }
  return undefined;
}
