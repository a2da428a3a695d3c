import type { Event, Execution, OpRecord } from '../machine';
import type { PteSubject } from '../kernel';
import { isEntriesSpec, isHardwareUpdate, isWriterSpec } from '../kernel';
import type { StoreSpan } from './history';
import type { MemoryOrder } from './history';
import { landsInMemory, memoryOrder, outermostWriters, ownerOf, storeSpans, storedNothing } from './history';
import { wordWritten } from './bbm';

/**
 * A writer that read one of the subject's locations, after which — before its one store took its place in memory,
 * or before it finished when it made none or several — another CPU's writer stored to that location: `writer`
 * decided on a value memory no longer held when it committed, and its specification applied there gives another
 * result than its stores.
 */
export interface StaleDecision {
  readonly kind: 'decided';
  readonly subject: string;
  readonly writer: OpRecord;
  /** the location read, then overwritten */
  readonly loc: number;
  /** writer's read of it (the first whose value the racing store replaced) */
  readonly read: Event;
  /** the outermost writer that made the racing store */
  readonly racer: OpRecord;
  /** the racing store, where it took its place in memory (under tso its drain) */
  readonly store: Event;
  /**
   * writer's own store, where it took its place in memory, when it made one; undefined: it made none or several
   * and commits where it finished (`stores` says which)
   */
  readonly own: Event | undefined;
  /** how many stores the writer made to the subject */
  readonly stores: number;
}

interface Landing {
  readonly ev: Event & { readonly wrote: bigint };
  /** its index among the location's writes */
  readonly k: number;
  /** the outermost writer on the subject it belongs to, or undefined */
  readonly owner: number | undefined;
  /** where it lands: its position in memoryOrder */
  readonly at: number;
}

/**
 * buildHistory's other assumption for a writer it commits at one point without looking at its stores — one that
 * makes a single store to the subject (committed where that store takes its place in memory, history.ts
 * commitPoints) or none (committed where it finishes): that the writer's specification, applied to what the
 * subject holds there, is what the writer did. That is exact for a writer that reads nothing before its store (a
 * blind store, an xchg) and for an atomic RMW, whose read is its store's; but a writer that reads first and
 * decides on it — the pre-2026 `ptep_set_access_flags` chooses between its per-entry path and an unfold on the pte
 * and the gather it read — acts on what it read. Checked on one execution: for each finished outermost writer W
 * of at most one store, each read W (or an operation nested in it) made of a location L of the subject before W
 * commits, is there a store to L of another CPU's outermost writer on the subject that took its place in memory
 * (landsInMemory) after the message W read (under weak the message a load read may be older than its step: its
 * `rank`) and before W commits? If so, and W's specification applied to the memory W commits on gives another
 * result than W's store (or, with no store, than leaving it), the reference would list a value memory never held:
 * the execution is outside the contract. The comparison keeps what is exact although W's read went stale: a
 * cmpxchg loop that retried (its successful cmpxchg reads what it replaces), a writer whose result does not depend
 * on what it read (a clear), a racing store that changed nothing W's specification looks at.
 *
 * A writer of two or more stores — committed where it finishes — is checked the same way on an entries subject
 * (arm64: the pre-2026 `ptep_set_access_flags` per-entry path, one `cmpxchg` per entry of the block, decided on the
 * pte3 and the gather it read): its specification applied to what the subject held just before it finished, its own
 * stores left out, against that state with each entry it stored holding its last store. serial.ts orders writers of
 * several stores among themselves; this catches one that decided on a value a writer of one store replaced. (x86
 * PAE has no writer of several stores that reads first: `set_pte` and `pte_clear` store blindly.)
 *
 * Not counted as racing: a hardware access/dirty update (isHardwareUpdate; one atomic RMW the kernel's writers are
 * written to tolerate — the PTL does not hold it off, S8, S9), and a store of W's own CPU (program order: W reads
 * its CPU's earlier stores). Writers under the PTL never race: the next holder's stores land after the previous
 * holder's unlock, after its stores and reads (serial.ts).
 *
 * The first such writer (by operation id) and its first stale read, or undefined.
 */
export function staleDecision(
  exec: Execution,
  subject: PteSubject,
  /** outermostWriters(exec, subject.name), when the caller has it already */
  outermost: ReadonlyMap<number, number> = outermostWriters(exec, subject.name),
  /** storeSpans(exec, subject.locIds, outermost), when the caller has them already */
  spans: ReadonlyMap<number, StoreSpan> = storeSpans(exec, subject.locIds, outermost),
): StaleDecision | undefined {
  // a hardware update is one atomic RMW: it read nothing before its store, and races nothing
  const hardware = (s: StoreSpan | undefined): boolean =>
    s !== undefined && s.stores === 1 && isHardwareUpdate(s.event);
  const entries = subject.entries !== undefined;
  const candidates = exec.ops.filter((o) => {
    const s = spans.get(o.id);
    return (
      outermost.get(o.id) === o.id &&
      o.done &&
      ((s?.stores ?? 0) <= 1 || entries) &&
      !hardware(s) &&
      !storedNothing(o, spans)
    );
  });
  // a race needs a store of a writer on another CPU than the candidate's (the CPUs with one)
  const racing = new Set([...spans].filter(([, s]) => !hardware(s)).map(([id]) => exec.ops[id]!.cpu));
  if (!candidates.some((w) => racing.size > (racing.has(w.cpu) ? 1 : 0))) return undefined;
  const landings = new Map<number, Landing[]>(subject.locIds.map((id) => [id, []]));
  const reads = new Map<number, Event[]>();
  // each operation's outermost writer on the subject, computed once (-1: none)
  const owners = exec.ops.map((o) => ownerOf(exec, outermost, o.id) ?? -1);
  const memory = memoryOrder(exec);
  for (const ev of memory.events) {
    let mine = false;
    for (const l of ev.locs) if (landings.has(l)) mine = true;
    if (!mine) continue;
    if (landsInMemory(ev, exec.model)) {
      const top = ev.tag !== undefined && ev.tag >= 0 ? owners[ev.tag]! : -1;
      const owner = top < 0 ? undefined : top;
      const at = memory.pos(ev);
      for (let k = 0; k < ev.locs.length; k++) landings.get(ev.locs[k]!)?.push({ ev, k, owner, at });
    }
    if (ev.read === undefined || ev.op < 0) continue;
    const reader = owners[ev.op]!;
    if (reader < 0) continue;
    const list = reads.get(reader);
    if (list === undefined) reads.set(reader, [ev]);
    else list.push(ev);
  }
  for (const w of candidates) {
    const read = reads.get(w.id);
    if (read === undefined) continue;
    const stores = spans.get(w.id)?.stores ?? 0;
    const own = stores === 1 ? (spans.get(w.id)!.event as Event & { readonly wrote: bigint }) : undefined;
    // where W commits, as a position in memory order: its one store's, else the first event after its last step
    const at = own !== undefined ? memory.pos(own) : firstAfter(memory, w.end);
    const race = racingStore(exec, memory, w, at, read, landings);
    if (race === undefined || decidedAlike(subject, w, own, stores, at, landings)) continue;
    return { kind: 'decided', subject: subject.name, writer: w, own, stores, ...race };
  }
  return undefined;
}

/** The position in memory order of the first event after step `step` (events land in step order). */
function firstAfter(memory: MemoryOrder, step: number): number {
  const i = memory.events.findIndex((e) => memory.time(e) > step);
  return i < 0 ? memory.events.length : i;
}

/** W's first read before `at` whose message another CPU's non-hardware writer replaced before `at`, and that store. */
function racingStore(
  exec: Execution,
  memory: MemoryOrder,
  w: OpRecord,
  at: number,
  reads: readonly Event[],
  landings: ReadonlyMap<number, readonly Landing[]>,
): { readonly loc: number; readonly read: Event; readonly racer: OpRecord; readonly store: Event } | undefined {
  for (const read of reads) {
    if (memory.pos(read) >= at) break;
    for (const loc of read.locs) {
      const list = landings.get(loc);
      if (list === undefined) continue;
      // the write the load read: the newest of those in memory when it ran (in memory order: under weak one placed
      // coherence-before them later lands among them, and does not count), or — under weak — `rank` older
      // (-1: the initial value)
      let m = -1 - (read.rank ?? 0);
      for (const l of list) if (l.ev.index < read.index) m++;
      let from = -1;
      for (const l of list) {
        if (l.ev.index >= read.index) continue;
        if (m-- === 0) {
          from = l.at;
          break;
        }
      }
      for (const l of list) {
        if (l.at <= from) continue;
        if (l.at >= at) break;
        if (l.owner === undefined || l.owner === w.id || isHardwareUpdate(l.ev)) continue;
        const racer = exec.ops[l.owner]!;
        if (racer.cpu !== w.cpu) return { loc, read, racer, store: l.ev };
      }
    }
  }
  return undefined;
}

/**
 * Whether W's specification applied to what the subject held where W commits (before event `at`) gives what W
 * did there: its store `own` applied, or nothing changed — or, for a writer of several stores (`stores` > 1), each
 * entry it stored holding its last store, the others what they held, W's own stores left out of what it is applied
 * to. An entries subject (arm64) is compared entry by entry; a pte of several locations read as one value (x86
 * PAE) only where W's store is one RMW over all of them (its read is that value; no other store shows it). A
 * break-before-make writer's specification is never taken as matching one store: the reference evaluates its break
 * at the store's issue (history.ts entriesHistory); of several, its final value is compared.
 */
function decidedAlike(
  subject: PteSubject,
  w: OpRecord,
  own: (Event & { readonly wrote: bigint }) | undefined,
  stores: number,
  at: number,
  landings: ReadonlyMap<number, readonly Landing[]>,
): boolean {
  const spec: unknown = w.mark.spec;
  const model = subject.entries;
  if (model === undefined) {
    const whole = own !== undefined && own.read !== undefined && own.locs.join() === subject.locIds.join();
    return whole && isWriterSpec(spec) && spec.apply(own.read!) === own.wrote;
  }
  if (!isEntriesSpec(spec) || (own !== undefined && spec.transient !== undefined)) return false;
  const held = model.locIds.map((id, i) => {
    let v = model.initial[i]!;
    for (const l of landings.get(id) ?? []) {
      if (l.at >= at) break;
      if (stores <= 1 || l.owner !== w.id) v = wordWritten(l.ev, l.k);
    }
    return v;
  });
  const done = [...held];
  own?.locs.forEach((id, k) => {
    const i = model.locIds.indexOf(id);
    if (i >= 0) done[i] = wordWritten(own, k);
  });
  // several stores: each entry's last (under tso one may drain after W finished: it is still what W did)
  if (stores > 1)
    model.locIds.forEach((id, i) => {
      for (const l of landings.get(id) ?? []) if (l.owner === w.id) done[i] = wordWritten(l.ev, l.k);
    });
  const spec1 = spec.entries((id) => held[model.locIds.indexOf(id)]!);
  return model.locIds.every((id, i) => (spec1.get(id) ?? held[i]) === done[i]);
}
