import type { Event, Execution, OpRecord } from '../machine';
import { INIT_TAG, opWithin } from '../machine';
import type { Judgement } from '../compare';
import type { LogicalHistory } from '../reference';
import { indexOfTag } from '../reference';

/** What one load of the reader read: the event that produced the value, and its logical value. */
export interface ReadFrom {
  /** the load (or atomic read) event */
  readonly load: number;
  /** the store, RMW or drain event that made the value visible, or the initial value */
  readonly from: number | 'initial' | 'unknown';
  /** index k of the reference value v_k the message belongs to */
  readonly k: number | undefined;
}

/** The reader invocations a report is about: the diverging one, else every judged one. */
export function focusReaders(j: Judgement): OpRecord[] {
  const v = j.verdict;
  const ops = j.judged.map((x) => x.op);
  return v.kind === 'divergence' ? ops.filter((o) => o.id === v.op) : ops;
}

/** The reader's loads (and atomic reads) of the subject's locations, nested operations included. */
export function subjectLoads(exec: Execution, op: OpRecord, locIds: readonly number[]): Event[] {
  const inside = (id: number): boolean => opWithin(exec, id, op.id);
  return exec.events.filter(
    (ev) =>
      ev.kind !== 'drain' &&
      ev.read !== undefined &&
      ev.cpu === op.cpu &&
      inside(ev.op) &&
      ev.locs.some((l) => locIds.includes(l)),
  );
}

/**
 * The read-from edge of a load: the last earlier event that wrote a message
 * with the load's tag to one of its locations (for a one-location access,
 * with the value read). Under TSO that is the drain that published the
 * store, since a drain always follows its store.
 */
export function readFrom(exec: Execution, load: Event, h: LogicalHistory | undefined): ReadFrom {
  if (load.tag === INIT_TAG) return { load: load.index, from: 'initial', k: h === undefined ? undefined : 0 };
  for (let i = load.index - 1; i >= 0; i--) {
    const ev = exec.events[i]!;
    if (ev.wrote === undefined || ev.tag !== load.tag || !ev.locs.some((l) => load.locs.includes(l))) continue;
    if (ev.locs.length === 1 && load.locs.length === 1 && ev.wrote !== load.read) continue;
    return { load: load.index, from: ev.index, k: valueIndex(exec, load, ev, h) };
  }
  return { load: load.index, from: 'unknown', k: valueIndex(exec, load, undefined, h) };
}

/**
 * The reference value v_k a load read. A writer's stores stand for the value
 * it commits — except a break-before-make writer's (a contpte unfold or
 * fold: the reference's firstIndexOfOp): its first store to each entry is
 * the break, whose value (the block none) is a value of its own; a later
 * store to that entry (the repaint) is the final value — or, for a writer
 * that goes on after its repaint (repaintedIndexOfOp: ptep_set_access_flags'
 * unfold), the second store is the repainted block's value and a later one
 * the final value.
 */
function valueIndex(exec: Execution, load: Event, src: Event | undefined, h: LogicalHistory | undefined) {
  if (load.tag === undefined || h === undefined) return undefined;
  const last = indexOfTag(h, load.tag);
  const first = h.firstIndexOfOp?.get(load.tag);
  if (first === undefined || first === last || src === undefined) return last;
  // the same outermost writer: the same break and final value (nested operations carry their own tags)
  const same = (e: Event): boolean =>
    e.tag !== undefined && h.firstIndexOfOp?.get(e.tag) === first && indexOfTag(h, e.tag) === last;
  const repainted = h.repaintedIndexOfOp?.get(load.tag);
  let earlier = 0;
  for (let i = 0; i < src.index; i++) {
    const e = exec.events[i]!;
    if (e.wrote === undefined || (e.kind === 'drain') !== (src.kind === 'drain') || !same(e)) continue;
    if (e.locs.some((l) => src.locs.includes(l))) earlier++;
  }
  if (earlier === 0) return first;
  return earlier === 1 && repainted !== undefined ? repainted : last;
}

/**
 * Where a retry loop started over: a load of a location already loaded in
 * the current iteration that read a different value (ptep_get_lockless: the
 * re-read of pte_low). Returned only when the count matches the retries the
 * machine recorded; otherwise nothing is marked (the close row still says
 * how many retries there were).
 */
export function retryPoints(loads: readonly Event[], op: OpRecord): number[] {
  if (op.retries === 0) return [];
  const points: number[] = [];
  let seen = new Map<string, bigint | undefined>();
  for (const ev of loads) {
    const key = ev.locs.join('+');
    if (seen.has(key) && seen.get(key) !== ev.read) {
      points.push(ev.index);
      seen = new Map();
      continue;
    }
    seen.set(key, ev.read);
  }
  return points.length === op.retries ? points : [];
}
