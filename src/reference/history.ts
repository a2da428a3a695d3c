import type { Event, Execution, OpRecord } from '../machine';
import { INIT_TAG, relations } from '../machine';
import type { EntriesModel, EntriesSpec } from '../kernel';
import { isEntriesSpec, isHardwareAccess, isWriterSpec } from '../kernel';

/**
 * The SC reference for one subject: every writer operation takes effect
 * atomically, so the subject holds the logical values v0, v1, … in the order
 * the operations commit. Built only from the writers' specifications.
 *
 * A subject is either one pte (a PAE pte: one 64-bit value over two
 * locations; writers carry a WriterSpec) or a set of entries (an arm64
 * contpte block, a pte and its extended SW bits; writers carry an
 * EntriesSpec acting on the entries, and the subject's logical value is
 * `model.view` of the entries' state).
 */
export interface LogicalHistory {
  readonly subject: string;
  /** v0 (initial), v1, …: values[k] is the value after ops[k - 1] */
  readonly values: readonly bigint[];
  /** the writer operations in commit order */
  readonly ops: readonly OpRecord[];
  /** writer op id → index k of the value it produced (nested writer ops map to their outermost writer's k) */
  readonly indexOfOp: ReadonlyMap<number, number>;
  /** entries subjects: states[k] are the entries' values (in `model.locIds` order) behind values[k] */
  readonly states?: readonly (readonly bigint[])[];
  readonly model?: EntriesModel;
  /**
   * describe[k] of a value produced by a break-before-make transient (the
   * same op then appears twice in `ops`, for values k and k + 1)
   */
  readonly describe?: ReadonlyMap<number, string>;
  /**
   * break-before-make writers only: op id → the index of its transient value.
   * A message such a writer stored may belong to its transient (a clear) or to
   * its final value (a repaint): a reader's floor (window.ts) that is one of
   * its messages reaches back to the transient.
   */
  readonly firstIndexOfOp?: ReadonlyMap<number, number>;
  /**
   * break-before-make writers that go on after their repaint (EntriesSpec.repainted) only: op id → the index of
   * the repainted block's value, between the transient's and the final one. A store of such a writer to an entry
   * after its clear is the repaint; a later one belongs to the final value.
   */
  readonly repaintedIndexOfOp?: ReadonlyMap<number, number>;
  /**
   * writers committed where their one store took its place in memory, not where they finished (commitPoints):
   * op id → that store's event (under tso its drain)
   */
  readonly placed?: ReadonlyMap<number, Event>;
}

/** An operation's finishing step; one cut off by a bound finishes after every other. */
const endOf = (o: OpRecord): number => (o.done ? o.end : Infinity);

/** Writer operations by finish, then start, then id (serial.ts: the order multi-store writers must keep). */
export const finishOrder = (a: OpRecord, b: OpRecord): number =>
  endOf(a) - endOf(b) || a.start - b.start || a.id - b.id;

/**
 * The events of an execution in the order in which they take their place in memory, for the reference (every check
 * that follows memory store by store, every commit point). Under sc and tso that is the event log itself: a store
 * lands at its step, a tso drain between two steps (its step − 1/2). Under weak a store placed coherence-before
 * writes already in memory (Event.co, WeakModel.place) lands just before its *anchor* — the first write after it in
 * coherence order that was coherence-last when it was made (one exists: the coherence-last write is one) —, at the
 * anchor's step − 1/2: where every reader finds it in coherence order, and where memory, followed in this order,
 * holds each location's coherence order. Every other event keeps its place. It is one order consistent with every
 * location's coherence order, not the only one: across locations, an early store may land before a store its own
 * CPU made earlier to another location (ordered by smp_wmb), so a walk over several locations (pae-set.ts, the
 * interleaving test of serial.ts) can see a combination no CPU read. That takes a writer of several stores racing
 * another writer of the pte without the PTL, which the reference's contract excludes anyway (serial.ts).
 */
export interface MemoryOrder {
  /** every event, in memory order */
  readonly events: readonly Event[];
  /** an event's position in `events` */
  pos(ev: Event): number;
  /** when an event lands, in steps (an event between steps s − 1 and s: s − 1/2) */
  time(ev: Event): number;
}

const logPos = (ev: Event): number => ev.index;
const logTime = (ev: Event): number => (ev.kind === 'drain' ? ev.step - 0.5 : ev.step);
const inLogOrder = (exec: Execution): MemoryOrder => ({ events: exec.events, pos: logPos, time: logTime });

/** weak executions with a store placed early → their MemoryOrder (built once; every other execution's is its log) */
const memoryOrders = new WeakMap<Execution, MemoryOrder>();

/** The execution's MemoryOrder. */
export function memoryOrder(exec: Execution): MemoryOrder {
  if (exec.model !== 'weak') return inLogOrder(exec);
  let order = memoryOrders.get(exec);
  if (order === undefined) {
    if (!exec.events.some((e) => e.co !== undefined)) return inLogOrder(exec);
    order = placedOrder(exec);
    memoryOrders.set(exec, order);
  }
  return order;
}

function placedOrder(exec: Execution): MemoryOrder {
  // anchor event index → the writes that land just before it, in coherence order (location by location)
  const before = new Map<number, number[]>();
  for (const writes of relations(exec).co.values()) {
    // the early writes since the last write that was coherence-last when made: they land before the next such one
    let early: number[] = [];
    for (const w of writes) {
      if (exec.events[w]!.co !== undefined) early.push(w);
      else if (early.length > 0) {
        const all = before.get(w);
        if (all === undefined) before.set(w, early);
        else all.push(...early);
        early = [];
      }
    }
    if (early.length > 0)
      throw new Error(`[ptefuzz internal bug] event ${early[0]} placed after every write of its location`);
  }
  const events: Event[] = [];
  const pos = new Int32Array(exec.events.length);
  const time = new Float64Array(exec.events.length);
  for (const ev of exec.events) {
    if (ev.co !== undefined) continue;
    for (const w of before.get(ev.index) ?? []) {
      pos[w] = events.length;
      time[w] = ev.step - 0.5;
      events.push(exec.events[w]!);
    }
    pos[ev.index] = events.length;
    time[ev.index] = ev.step;
    events.push(ev);
  }
  return { events, pos: (ev) => pos[ev.index]!, time: (ev) => time[ev.index]! };
}

/** The stores of one outermost writer to the subject's locations, by where they take their place in memory. */
export interface StoreSpan {
  /** the first one's event */
  readonly event: Event;
  /** where the first one lands: its position in memoryOrder */
  readonly first: number;
  /** where the last one lands: its position in memoryOrder */
  last: number;
  stores: number;
  /** the locations (of those storeSpans was given) it stored to */
  readonly locs: Set<number>;
}

/**
 * Whether `ev`, of an execution under `model`, is a write taking its place in memory: under sc and weak a store's
 * own event (weak: landing where memoryOrder puts it — where it executes, or just before its anchor when it was
 * placed coherence-before writes already in memory), under tso a plain store's drain from the store buffer, not its
 * issue (an RMW — xchg, cmpxchg, a hardware AF/DBM update — writes memory at its step, after draining its CPU's
 * buffer). Followed in memoryOrder, these are the stores of the serialisation check, the commit points and the
 * break-before-make check (bbm.ts).
 */
export function landsInMemory(ev: Event, model: Execution['model']): ev is Event & { readonly wrote: bigint } {
  return ev.wrote !== undefined && !(model === 'tso' && ev.kind === 'store');
}

/**
 * Each outermost writer on the subject (`outermost`: outermostWriters) that stored to `locIds` → its stores,
 * each counted where it takes its place in memory (landsInMemory). A store belongs to the writer its message is
 * tagged with (its CPU's innermost writer when it was issued), so a drain counts for the writer that issued it.
 */
export function storeSpans(
  exec: Execution,
  locIds: readonly number[],
  outermost: ReadonlyMap<number, number>,
): Map<number, StoreSpan> {
  const spans = new Map<number, StoreSpan>();
  const memory = memoryOrder(exec);
  for (const ev of memory.events) {
    if (!landsInMemory(ev, exec.model) || ev.tag === undefined || ev.tag < 0) continue;
    if (!ev.locs.some((l) => locIds.includes(l))) continue;
    const w = ownerOf(exec, outermost, ev.tag);
    if (w === undefined) continue;
    const s = spans.get(w);
    const locs = ev.locs.filter((l) => locIds.includes(l));
    const at = memory.pos(ev);
    if (s === undefined) spans.set(w, { event: ev, first: at, last: at, stores: 1, locs: new Set(locs) });
    else {
      s.last = at;
      s.stores++;
      for (const l of locs) s.locs.add(l);
    }
  }
  return spans;
}

/**
 * Where the reference commits a writer: `time` in steps (MemoryOrder.time: a tso drain, or a weak store placed
 * coherence-before writes already in memory, lands between steps s - 1 and s, at s - 1/2), then `seq`, the position in
 * memory order among commits at one time (drains between the same two steps, weak stores landing before one anchor; 0
 * for a writer committed where it finishes, which shares its last step with no other writer).
 */
interface CommitPoint {
  readonly time: number;
  readonly seq: number;
}

/**
 * The commit point of each writer. A finished writer that made one store to the subject commits where that store
 * takes its place in memory (storeSpans): that store is its whole effect, and where it lands is what every reader
 * reads. That is where it finishes, except under tso — a plain store drains after its writer finished, possibly
 * after a store another CPU made later (two arm64 `__set_pte` with no lock, or a PTL-held one against a hardware
 * A/D update) — and for a writer that goes on after its store (a TLBI after the one `__ptep_set_access_flags`
 * that changed something) while another CPU's writer stores. Every other writer — several stores, none, or cut
 * off by a bound — commits when it finishes (serial.ts checks that such writers on different CPUs kept their
 * stores apart, in that order).
 */
function commitPoints(
  memory: MemoryOrder,
  writers: readonly OpRecord[],
  spans: ReadonlyMap<number, StoreSpan>,
): { readonly at: (o: OpRecord) => CommitPoint; readonly placed: Map<number, Event> } {
  const points = new Map<number, CommitPoint>();
  const placed = new Map<number, Event>();
  for (const o of writers) {
    const s = spans.get(o.id);
    if (!o.done || s === undefined || s.stores !== 1) continue;
    const ev = s.event;
    const time = memory.time(ev);
    if (time === o.end) continue;
    points.set(o.id, { time, seq: s.first });
    placed.set(o.id, ev);
  }
  return { at: (o) => points.get(o.id) ?? { time: endOf(o), seq: 0 }, placed };
}

/**
 * Whether `o` is a hardware access/dirty update that stored nothing (`spans`: storeSpans over the subject's
 * locations). It is one atomic RMW of memory: one that stored nothing (the descriptor it read was invalid, or already
 * young/dirty) changed nothing, whatever the logical value is where it finished — no logical value (buildHistory),
 * no deciding writer (decided.ts).
 */
export function storedNothing(o: OpRecord, spans: ReadonlyMap<number, StoreSpan>): boolean {
  return o.done && isHardwareAccess(o.mark) && !spans.has(o.id);
}

/**
 * Every writer operation on `subject` → its outermost writer on `subject` (itself when not nested in one):
 * only outermost writers commit.
 */
export function outermostWriters(exec: Execution, subject: string): Map<number, number> {
  const isWriter = (o: OpRecord): boolean => o.mark.role === 'writer' && o.mark.subject === subject;
  const outermost = new Map<number, number>();
  for (const o of exec.ops) {
    if (!isWriter(o)) continue;
    let top = o.id;
    for (let p = o.parent; p >= 0; p = exec.ops[p]!.parent) if (isWriter(exec.ops[p]!)) top = p;
    outermost.set(o.id, top);
  }
  return outermost;
}

/**
 * The outermost writer on the subject (`outermost`: outermostWriters) that a store tagged `tag` belongs to (a
 * store's tag is its CPU's innermost writer operation), or undefined when it belongs to none.
 */
export function ownerOf(exec: Execution, outermost: ReadonlyMap<number, number>, tag: number): number | undefined {
  for (let p = tag; p >= 0; p = exec.ops[p]!.parent) {
    const top = outermost.get(p);
    if (top !== undefined) return top;
  }
  return undefined;
}

/**
 * The operation that made store `ev`, for messages: its outermost writer on the subject (`outermost`), else the
 * operation its message is tagged with, else its CPU's innermost operation.
 */
export function storeOp(exec: Execution, outermost: ReadonlyMap<number, number>, ev: Event): OpRecord | undefined {
  const top = ev.tag !== undefined ? ownerOf(exec, outermost, ev.tag) : undefined;
  return exec.ops[top ?? (ev.tag !== undefined && ev.tag >= 0 ? ev.tag : ev.op)];
}

/**
 * Writer operations on one subject are serialised (by the PTL, by running on
 * one CPU, or — hardware A/D updates — by being one atomic instruction), so
 * each commits atomically at one point: where it finishes, or — a writer that
 * made one store — where that store took its place in memory (commitPoints);
 * an operation cut off by a bound commits last (it may or may not have). A
 * writer operation nested inside another writer on the same subject
 * (contpte_ptep_set_access_flags calling __ptep_set_access_flags) is part of
 * the outer one's specification: only outermost writers commit.
 */
export function buildHistory(
  exec: Execution,
  subject: string,
  initial: bigint,
  model?: EntriesModel,
  /** outermostWriters(exec, subject), when the caller has it already */
  outermost: ReadonlyMap<number, number> = outermostWriters(exec, subject),
  /** storeSpans over the subject's locations, when the caller has them already */
  spans?: ReadonlyMap<number, StoreSpan>,
): LogicalHistory {
  const tops = exec.ops.filter((o) => outermost.get(o.id) === o.id);
  const storeSpansOf =
    spans ??
    storeSpans(
      exec,
      model?.locIds ?? [...new Set(tops.flatMap((o) => (o.mark.locs ?? []).map((l) => l.id)))],
      outermost,
    );
  const writers = tops.filter((o) => !storedNothing(o, storeSpansOf));
  const { at, placed } = commitPoints(memoryOrder(exec), writers, storeSpansOf);
  const values: bigint[] = [initial];
  const indexOfOp = new Map<number, number>();
  const ops: OpRecord[] = [];
  const describe = new Map<number, string>();
  const firstIndexOfOp = new Map<number, number>();
  const repaintedIndexOfOp = new Map<number, number>();
  if (!model) {
    const sorted = [...writers].sort((a, b) => byCommit(at(a), at(b)) || a.start - b.start || a.id - b.id);
    for (const op of sorted) {
      const spec: unknown = op.mark.spec;
      if (!isWriterSpec(spec)) {
        throw new Error(`[ptefuzz internal bug] writer ${op.mark.name} has no specification`);
      }
      values.push(spec.apply(values[values.length - 1]!));
      ops.push(op);
      indexOfOp.set(op.id, values.length - 1);
    }
  }
  const states = model
    ? entriesHistory(exec, subject, model, writers, outermost, storeSpansOf, at, {
        values,
        indexOfOp,
        firstIndexOfOp,
        repaintedIndexOfOp,
        ops,
        describe,
      })
    : [];
  for (const [id, top] of outermost) {
    if (id === top) continue;
    if (indexOfOp.has(top)) indexOfOp.set(id, indexOfOp.get(top)!);
    if (firstIndexOfOp.has(top)) firstIndexOfOp.set(id, firstIndexOfOp.get(top)!);
    if (repaintedIndexOfOp.has(top)) repaintedIndexOfOp.set(id, repaintedIndexOfOp.get(top)!);
  }
  const where = placed.size > 0 ? { placed } : {};
  if (!states || !model) return { subject, values, ops, indexOfOp, ...where };
  return {
    subject,
    values,
    ops,
    indexOfOp,
    states,
    model,
    ...(describe.size > 0 ? { describe } : {}),
    ...(firstIndexOfOp.size > 0 ? { firstIndexOfOp } : {}),
    ...(repaintedIndexOfOp.size > 0 ? { repaintedIndexOfOp } : {}),
    ...where,
  };
}

const byCommit = (a: CommitPoint, b: CommitPoint): number => a.time - b.time || a.seq - b.seq;

/** The logical value index a message tag stands for (INIT_TAG → v0). */
export function indexOfTag(h: LogicalHistory, tag: number): number | undefined {
  if (tag === INIT_TAG) return 0;
  return h.indexOfOp.get(tag);
}

interface Out {
  readonly values: bigint[];
  readonly indexOfOp: Map<number, number>;
  readonly firstIndexOfOp: Map<number, number>;
  readonly repaintedIndexOfOp: Map<number, number>;
  readonly ops: OpRecord[];
  readonly describe: Map<number, string>;
}

/**
 * The history of an entries subject. A writer without a transient commits
 * at its commit point (commitPoints). A break-before-make writer (EntriesSpec.transient: a
 * contpte_convert) commits each entry of its break separately, at the step
 * where it first writes that location (the clear is an atomic RMW of that one
 * descriptor, so a hardware update of the same descriptor is ordered with it
 * exactly as in memory), remembering the entry's value at that instant; from
 * its first clear until it finishes, the subject's logical value is the
 * transient's (the block is none: a reader must not see a half-broken block
 * as a valid one); it finishes with `entries` applied to the remembered
 * values. Only the first clear adds a logical value. A writer that goes on
 * after its repaint (EntriesSpec.repainted) repaints each entry at its first
 * store after its clear and paints it final at its last; once every entry of
 * its break is repainted, the repainted block is a logical value of its own.
 * Another writer's store that lands on an entry the break has painted lands on
 * this writer's value for it (a hardware DBM update of pte0 repainted by a
 * refold that has pte3 still to paint): the writer has taken effect, so it
 * commits there, just before that store's writer (with a repaint still to
 * finish, its repainted block does), and not again where it finishes.
 */
function entriesHistory(
  exec: Execution,
  subject: string,
  model: EntriesModel,
  writers: readonly OpRecord[],
  outermost: ReadonlyMap<number, number>,
  spans: ReadonlyMap<number, StoreSpan>,
  commitOf: (o: OpRecord) => CommitPoint,
  out: Out,
): bigint[][] {
  const at = (id: number, what: string): number => {
    const i = model.locIds.indexOf(id);
    if (i < 0) throw new Error(`[ptefuzz internal bug] ${what} names location ${id}, not in ${subject}`);
    return i;
  };
  interface Commit {
    readonly time: number;
    /** CommitPoint.seq for an operation's commit, 0 for a clear or repaint */
    readonly seq: number;
    readonly op: OpRecord;
    readonly clear?: number;
    /** an entry's first store after its clear, of a writer with EntriesSpec.repainted */
    readonly mid?: number;
    /** with `mid`: that store is the entry's last, so the entry keeps the repainted value */
    readonly midIsLast?: boolean;
    readonly repaint?: number;
  }
  const commits: Commit[] = [];
  const cur = [...model.initial];
  const states: bigint[][] = [[...cur]];
  interface Break {
    readonly brk: ReadonlyMap<number, bigint>;
    readonly olds: Map<number, bigint>;
    final?: ReadonlyMap<number, bigint>;
    /** EntriesSpec.repainted's values, the entries repainted so far, whether the repainted block is shown */
    repainted?: ReadonlyMap<number, bigint>;
    readonly midPainted: Set<number>;
    shown: boolean;
    readonly painted: Set<number>;
    /** the entries whose last store came after their first paint (a writer without `repainted`: every painted one) */
    readonly paintedLast: Set<number>;
  }
  const breaks = new Map<number, Break>();
  // the steps at which each break-before-make writer first, second and last wrote each location, in one pass
  // over the events (per writer, locations in the order of their first write). A store counts where its writer
  // issued it, not where it lands (storeSpans): such a writer makes several stores, so it commits where it
  // finishes (commitPoints), and under tso its drains may land after that; timed by landing, a clear could come
  // after the writer's own commit (test/laws/reference-final-state.test.ts fails so on the unfold fixtures)
  interface Writes {
    readonly first: Map<number, number>;
    readonly second: Map<number, number>;
    readonly last: Map<number, number>;
  }
  const writes = new Map<number, Writes>();
  for (const op of writers) {
    const spec: unknown = op.mark.spec;
    if (isEntriesSpec(spec) && spec.transient)
      writes.set(op.id, { first: new Map(), second: new Map(), last: new Map() });
  }
  if (writes.size > 0) {
    for (const ev of exec.events) {
      if (ev.wrote === undefined || ev.op < 0) continue;
      const top = outermost.get(ev.op);
      const w = top === undefined ? undefined : writes.get(top);
      if (w === undefined) continue;
      for (const l of ev.locs) {
        if (!w.first.has(l)) w.first.set(l, ev.step);
        else if (!w.second.has(l)) w.second.set(l, ev.step);
        w.last.set(l, ev.step);
      }
    }
  }
  for (const op of writers) {
    const spec: unknown = op.mark.spec;
    if (!isEntriesSpec(spec)) {
      throw new Error(`[ptefuzz internal bug] writer ${op.mark.name} on ${subject} has no entries specification`);
    }
    commits.push({ ...commitOf(op), op });
    if (!spec.transient) continue;
    // the break is decided on the state it starts from: evaluated lazily at the first clear
    const { first: firstWrite, second: secondWrite, last: lastWrite } = writes.get(op.id)!;
    for (const [l, step] of firstWrite) {
      if (!model.locIds.includes(l)) continue;
      commits.push({ time: step, seq: 0, op, clear: l });
      const again = spec.repainted ? secondWrite.get(l) : undefined;
      const last = lastWrite.get(l)!;
      if (again !== undefined) commits.push({ time: again, seq: 0, op, mid: l, midIsLast: again === last });
      if (last > (again ?? step)) commits.push({ time: last, seq: 0, op, repaint: l });
    }
  }
  // at one step: an entry's clear, then its repaint, then the operation's finish
  const rank = (c: Commit): number =>
    c.clear !== undefined ? 0 : c.mid !== undefined || c.repaint !== undefined ? 1 : 2;
  commits.sort((a, b) => byCommit(a, b) || a.op.start - b.op.start || a.op.id - b.op.id || rank(a) - rank(b));
  // the entries an open break has cleared show its values; then, unless the target stands alone on what is left
  // (EntriesModel.standalone), so does the rest of the break (`whole`: regardless)
  const view = (whole = false): bigint => {
    const shown = [...cur];
    const open = [...breaks.values()].filter((b) => !b.shown);
    for (const b of open) for (const [id, v] of b.brk) if (b.olds.has(id)) shown[at(id, 'break')] = v;
    if (whole || model.standalone?.(shown) !== true)
      for (const b of open) for (const [id, v] of b.brk) shown[at(id, 'break')] = v;
    return model.view(shown);
  };
  /** a break's logical value: its transient, or — the target standing alone, not cleared yet — how far it got */
  const breakText = (b: Break, spec: EntriesSpec): string =>
    view() === view(true)
      ? spec.transient!.describe
      : `${spec.transient!.describe}, under way: ${b.olds.size} of ${b.brk.size} entries cleared (the entry read, ` +
        'not yet cleared, is still a pte of its own)';
  const push = (op: OpRecord, text?: string): void => {
    out.values.push(view());
    out.ops.push(op);
    states.push([...cur]);
    if (text !== undefined) out.describe.set(out.values.length - 1, text);
  };
  out.values[0] = model.view(cur);
  /** an operation's commit: its final value (an entry its break painted already keeps what it holds) */
  const finish = (op: OpRecord, b: Break | undefined, finals: ReadonlyMap<number, bigint>): void => {
    for (const [id, v] of finals) if (!b?.painted.has(id)) cur[at(id, op.mark.name)] = v;
    breaks.delete(op.id);
    push(op);
    out.indexOfOp.set(op.id, out.values.length - 1);
  };
  // the entries a specification is applied to: as the writer's break remembered them, else as they are now
  // (a specification computes its map at once: `cur` cannot change under it)
  const heldBy =
    (op: OpRecord, b: Break | undefined) =>
    (id: number): bigint =>
      b?.olds.get(id) ?? cur[at(id, op.mark.name)]!;
  /** break-before-make writers committed before they finished (a store of another writer landed on their paint) */
  const finishedEarly = new Set<number>();
  const finishEarly = (op: OpRecord, b: Break): void => {
    const spec = op.mark.spec as EntriesSpec;
    if (!b.shown && spec.repainted) showRepainted(op, b);
    finish(op, b, (b.final ??= spec.entries(heldBy(op, b))));
    finishedEarly.add(op.id);
  };
  /**
   * A writer that goes on after its repaint: its repainted block as a logical value of its own, once every entry is
   * repainted — or before, when another writer's store lands on an entry it repainted (entries still to repaint
   * take their repainted values at once)
   */
  const showRepainted = (op: OpRecord, b: Break): void => {
    const spec = op.mark.spec as EntriesSpec;
    b.repainted ??= spec.repainted!.entries(heldBy(op, b));
    for (const id of b.brk.keys()) {
      if (b.midPainted.has(id)) continue;
      const v = b.repainted.get(id);
      if (v !== undefined) cur[at(id, op.mark.name)] = v;
      b.midPainted.add(id);
    }
    b.shown = true;
    push(op, spec.repainted!.describe);
    out.repaintedIndexOfOp.set(op.id, out.values.length - 1);
  };
  for (const c of commits) {
    if (finishedEarly.has(c.op.id)) continue;
    const spec = c.op.mark.spec as EntriesSpec;
    const b = breaks.get(c.op.id);
    const held = heldBy(c.op, b);
    if (c.clear !== undefined) {
      if (b === undefined) {
        const brk = spec.transient!.entries(held);
        if (brk.size === 0) continue;
        const fresh: Break = {
          brk,
          olds: new Map(),
          midPainted: new Set(),
          shown: false,
          painted: new Set(),
          paintedLast: new Set(),
        };
        breaks.set(c.op.id, fresh);
        fresh.olds.set(c.clear, cur[at(c.clear, c.op.mark.name)]!);
        const v = brk.get(c.clear);
        if (v !== undefined) cur[at(c.clear, c.op.mark.name)] = v;
        push(c.op, breakText(fresh, spec));
        out.firstIndexOfOp.set(c.op.id, out.values.length - 1);
        continue;
      }
      if (!b.brk.has(c.clear) || b.olds.has(c.clear)) continue;
      b.olds.set(c.clear, cur[at(c.clear, c.op.mark.name)]!);
      cur[at(c.clear, c.op.mark.name)] = b.brk.get(c.clear)!;
      // a clear of the entry read while it stood alone (a refold clearing its target) is a logical value of its own
      if (view() !== out.values[out.values.length - 1]) push(c.op, breakText(b, spec));
      else states[states.length - 1] = [...cur];
      continue;
    }
    if (c.mid !== undefined) {
      // an entry's repaint by a writer that goes on after it: once the whole break is repainted, a value of its own
      if (b === undefined || !b.olds.has(c.mid)) continue;
      b.repainted ??= spec.repainted!.entries(held);
      const v = b.repainted.get(c.mid);
      if (v !== undefined) cur[at(c.mid, c.op.mark.name)] = v;
      b.midPainted.add(c.mid);
      if (c.midIsLast === true) b.painted.add(c.mid);
      if (b.shown || [...b.brk.keys()].some((id) => !b.midPainted.has(id))) {
        if (!b.shown) states[states.length - 1] = [...cur];
        continue;
      }
      showRepainted(c.op, b);
      continue;
    }
    const finals = (): ReadonlyMap<number, bigint> =>
      b === undefined ? spec.entries(held) : (b.final ??= spec.entries(held));
    if (c.repaint !== undefined) {
      // the entry's last store of a break-before-make writer: it holds its final value from here on
      if (b === undefined || !b.olds.has(c.repaint)) continue;
      const v = finals().get(c.repaint);
      if (v !== undefined) cur[at(c.repaint, c.op.mark.name)] = v;
      b.painted.add(c.repaint);
      b.paintedLast.add(c.repaint);
      if (!b.shown) states[states.length - 1] = [...cur];
      continue;
    }
    // another writer's store to an entry an open break has painted lands on that writer's value for the entry
    // (a hardware DBM update of a repainted pte0 while the fold still has pte3 to paint): that writer has taken
    // effect, so its value comes first (the stores of another break-before-make writer, on another CPU, would be
    // unserialised: serial.ts)
    for (const id of writes.has(c.op.id) ? [] : (spans.get(c.op.id)?.locs ?? [])) {
      for (const [w, wb] of breaks) {
        if (w === c.op.id) continue;
        const wop = exec.ops[w]!;
        if (wb.paintedLast.has(id)) finishEarly(wop, wb);
        else if (wb.midPainted.has(id) && !wb.shown) showRepainted(wop, wb);
      }
    }
    finish(c.op, b, finals());
  }
  return states;
}
