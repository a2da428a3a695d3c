import type { FenceKind, LoadHow, RmwOrder, StoreHow } from './instructions';
import type { Location } from './location';
import { combine, split, widthMask } from './location';
import type { Chooser, MemoryModel, ReadResult, RmwResult } from './model';
import { INIT_TAG } from './model';

/** A view maps location id → timestamp (index in that location's modification order). */
type View = Int32Array;

interface Message {
  readonly value: bigint;
  readonly view: View;
  readonly tag: number;
  /** written by an RMW: it is coherence-next to the message the RMW read, so no store may be placed just before it */
  readonly atomic: boolean;
  /** a release (smp_store_release, spin_unlock, a _release RMW): `view` is A-cumulative, and smp_wmb passes it on */
  readonly cumulative: boolean;
  /**
   * The writes propagated before a strong fence (smp_mb, a fully ordered RMW) that happens before this store
   * (LKMM's pb = prop ; strong-fence ; hb*): every CPU that this store happens before sees them, and places its
   * own stores coherence-after them.
   */
  readonly strong: View;
}

interface CpuViews {
  /** oldest ts this CPU may still read, per location */
  readonly cur: View;
  /**
   * the oldest ts this CPU may place a store of each location after (WeakModel.place): cur without what smp_rmb
   * added — LKMM's rmb orders reads only (S+wmb+rmb is allowed). wcur ⊑ cur.
   */
  readonly wcur: View;
  /** views of messages read but not yet applied (by smp_rmb, acquire, mb) */
  readonly acq: View;
  /** view carried by this CPU's next plain stores */
  readonly rel: View;
  /** this CPU's own latest store per location (-1: none), for smp_wmb */
  readonly own: View;
  /** what this CPU's latest spin_unlock released (cur ⊔ acq then), for its next lock of any lock */
  readonly unl: View;
  /** per Instr `dep` name, what the CPU's latest load under that name read: its message's view and the message */
  readonly deps: Map<string, { readonly view: View; readonly strong: View }>;
  /** Message.strong of everything that happens before this point (an smp_mb, an acquire, a dependency) */
  readonly sv: View;
  /** Message.strong of messages read but not ordered yet (applied by smp_rmb to loads, by smp_mb to everything) */
  readonly sacq: View;
}

function join(into: View, from: View): void {
  for (let i = 0; i < into.length; i++) if (from[i]! > into[i]!) into[i] = from[i]!;
}

/**
 * weak: an operational approximation of the Linux-kernel memory model (LKMM)
 * by views over per-location modification orders (DESIGN §5; in the spirit of
 * the "promising"/view-based semantics, without promises).
 *
 * - load x: any message with ts ≥ cur[x] (`rf` choice, 0 = newest); then
 *   cur[x] = ts, acq ⊔= msg.view; smp_load_acquire also does cur ⊔= msg.view.
 * - store x: new message, view = rel ⊔ {x: ts}; smp_store_release uses
 *   cur ⊔ acq ⊔ {x: ts}. Its ts is a `co` choice (place(); 0 = coherence-
 *   last): also before writes of x the CPU has not seen, unless its view,
 *   what a load it depends on read (Instr `after`, LKMM's rwdep) or its
 *   strong view is already ordered after them, never between an RMW and the
 *   write it read: LKMM's S, S+wmb, 2+2W and 2+2W+wmb+wmb outcomes.
 * - strong views (Message.strong, per CPU `sv`): the writes before an smp_mb
 *   that happens before a store travel with it through acquires and
 *   dependencies, so later CPUs read and place stores after them (LKMM's
 *   pb = prop ; strong-fence ; hb*: Z6.2+mb+acqpo+acqpo is forbidden).
 * - smp_wmb: rel ⊔= own latest stores, and the views of those that are
 *   releases (cumul-fence: A-cumul(po-rel) then wmb). smp_rmb: cur ⊔= acq
 *   and the strong views read.
 * - smp_mb: cur ⊔= acq ⊔ G; G = cur; rel = cur (one global view G forbids
 *   SB+mb+mb); sv ⊔= cur.
 * - RMW: reads the coherence-latest message (atomicity); fully ordered forms
 *   act as smp_mb before and after when they store, _acquire/_release as their
 *   one-sided forms. A failed cmpxchg() orders nothing (LKMM: a failing cmpxchg
 *   is a plain read; Documentation/litmus-tests/atomic/cmpxchg-fail-unordered-*);
 *   a failed cmpxchg_acquire() keeps its acquire.
 * - spin_lock: an acquiring RMW that also joins what it acquired into `rel`,
 *   so the stores of the new critical section carry the previous holder's
 *   (LKMM: po-unlock-lock-po is in cumul-fence; WRC+lock+rmb is forbidden).
 *   spin_unlock: a release store of 0 whose view the CPU's next lock of any
 *   lock joins into `cur` and `rel` (LKMM: po-unlock-lock-po orders
 *   everything before an unlock against everything after a later lock on
 *   the same CPU, whatever the locks). spin_trylock: the same RMW as
 *   spin_lock when it takes the lock; when it fails, a read of the latest
 *   lock message with no ordering (LKMM lock.cat: LF has no ordering; LKMM
 *   may also let a failed trylock read an older "locked" message — here it
 *   fails only while the lock is held, fewer outcomes).
 *
 * Omitted (each listed in README Limitations): a load never reads a store
 * that has not executed yet — load buffering comes from the program, which
 * may run a plain store ahead of its CPU's earlier plain loads, relaxed RMWs,
 * read/write barriers and ifs of those and of plain stores (a `pick` only this
 * model offers: runAhead in src/scenario/raw.ts, imported litmus tests only),
 * so LB outcomes LKMM allows across anything else (a release, a lock
 * operation, an `if` holding one) are not produced (fewer outcomes); a failed cmpxchg reads the newest value (LKMM
 * lets it read any value coherence allows: fewer outcomes).
 * - dependencies (Instr `after`, naming earlier loads' `dep`s): a load whose
 *   address depends on earlier loads (an imported litmus test's
 *   `READ_ONCE(*r0)`, LKMM's addr) reads no message of its location older than
 *   what their messages' views and strong views hold — MP+wmb+addr and
 *   MP+onceassign+derefonce are Never —, and a dependent load passes that on
 *   to what depends on it (hb is transitive); the CPU's later loads are not
 *   ordered by it. A store's control, data or address dependency orders where
 *   it is placed in coherence order (place()). In the other direction, only
 *   instructions that name their dependencies have them: the kernel models
 *   name none, so a reader that relied on a dependency alone (every reader
 *   modelled so far uses smp_rmb or acquire) would get more outcomes than
 *   LKMM gives it.
 */
export class WeakModel implements MemoryModel {
  readonly kind = 'weak' as const;
  private readonly msgs: Message[][];
  private readonly cpus: CpuViews[];
  private global: View;
  private readonly n: number;

  constructor(initial: readonly bigint[], cpus: number) {
    this.n = initial.length;
    this.msgs = initial.map((value) => [
      {
        value,
        view: new Int32Array(this.n),
        tag: INIT_TAG,
        atomic: false,
        cumulative: false,
        strong: new Int32Array(this.n),
      },
    ]);
    this.cpus = Array.from({ length: cpus }, () => ({
      cur: new Int32Array(this.n),
      wcur: new Int32Array(this.n),
      acq: new Int32Array(this.n),
      rel: new Int32Array(this.n),
      own: new Int32Array(this.n).fill(-1),
      unl: new Int32Array(this.n),
      deps: new Map(),
      sv: new Int32Array(this.n),
      sacq: new Int32Array(this.n),
    }));
    this.global = new Int32Array(this.n);
  }

  load(cpu: number, loc: Location, how: LoadHow, choose: Chooser, dep?: string, after?: readonly string[]): ReadResult {
    const v = this.cpus[cpu]!;
    const list = this.msgs[loc.id]!;
    // an address dependency (LKMM: addr in ppo, so in hb) orders this load after the loads it depends on: it reads
    // no message older than what their messages carry (their views: a cumulative fence's, a release's) or what a
    // strong fence before them propagated — for this load only; the CPU's later loads are not ordered by it
    const deps = this.dependencies(v, after);
    const floor =
      deps === undefined ? v.cur[loc.id]! : Math.max(v.cur[loc.id]!, deps.view[loc.id]!, deps.strong[loc.id]!);
    const rank = choose('rf', list.length - floor);
    const ts = list.length - 1 - rank;
    const msg = list[ts]!;
    v.cur[loc.id] = ts;
    if (ts > v.wcur[loc.id]!) v.wcur[loc.id] = ts;
    join(v.acq, msg.view);
    if (how === 'acquire') {
      this.raise(v, msg.view);
      this.strengthen(v, msg.strong);
      // hb is transitive: what the acquire orders after it is ordered after what its address depends on too
      if (deps !== undefined) {
        this.raise(v, deps.view);
        this.strengthen(v, deps.strong);
      }
    } else join(v.sacq, msg.strong);
    if (dep !== undefined) {
      // what an access that depends on this load is ordered after: this message, and (hb is transitive) whatever
      // this load itself was ordered after by its own address dependency
      const read = msg.view.slice();
      read[loc.id] = Math.max(read[loc.id]!, ts);
      const strong = msg.strong.slice();
      if (deps !== undefined) {
        join(read, deps.view);
        join(strong, deps.strong);
      }
      v.deps.set(dep, { view: read, strong });
    }
    return { value: msg.value, rank, tag: msg.tag };
  }

  /** What happens before this point now includes `strong`: the CPU's later accesses see it (cur ⊒ wcur ⊒ sv). */
  private strengthen(v: CpuViews, strong: View): void {
    join(v.sv, strong);
    this.raise(v, strong);
  }

  /** Everything po-after this point is ordered after `view`: later loads read, and later stores are placed, after it. */
  private raise(v: CpuViews, view: View): void {
    join(v.cur, view);
    join(v.wcur, view);
  }

  private append(
    cpu: number,
    loc: Location,
    value: bigint,
    base: View,
    tag: number,
    ts: number,
    /** `strong` becomes the message's own: a fresh view the caller keeps no reference to */
    o: { readonly atomic: boolean; readonly cumulative: boolean; readonly strong: View },
  ): void {
    const view = base.slice();
    view[loc.id] = Math.max(view[loc.id]!, ts);
    const msg: Message = {
      value: value & widthMask(loc.width),
      view,
      tag,
      atomic: o.atomic,
      cumulative: o.cumulative,
      strong: o.strong,
    };
    const list = this.msgs[loc.id]!;
    if (ts === list.length) list.push(msg);
    else list.splice(ts, 0, msg);
    const v = this.cpus[cpu]!;
    // a store placed under the CPU's read floor (one smp_rmb raised) leaves that floor where it was
    if (ts > v.cur[loc.id]!) v.cur[loc.id] = ts;
    v.wcur[loc.id] = ts;
    v.own[loc.id] = ts;
  }

  store(
    cpu: number,
    loc: Location,
    value: bigint,
    how: StoreHow | 'unlock',
    tag: number,
    choose: Chooser,
    after?: readonly string[],
  ): number {
    const v = this.cpus[cpu]!;
    const release = how === 'release' || how === 'unlock';
    let base = v.rel;
    const strong = this.strongOf(v, release);
    if (release) {
      base = v.cur.slice();
      join(base, v.acq);
      if (how === 'unlock') join(v.unl, base);
    }
    // a dependency orders the loads before the store (hb), not what they read before what the store's readers see
    // (no cumul-fence): it constrains the store's own place only — and passes on what a strong fence propagated
    let placed = base;
    const deps = this.dependencies(v, after);
    if (deps !== undefined) {
      placed = base.slice();
      join(placed, deps.view);
      join(strong, deps.strong);
    }
    const len = this.msgs[loc.id]!.length;
    const ts = v.wcur[loc.id]! < len - 1 ? this.place(loc.id, placed, strong, v.wcur[loc.id]!, choose) : len;
    if (ts < len) this.shift(loc.id, ts);
    this.append(cpu, loc, value, base, tag, ts, { atomic: false, cumulative: release, strong });
    return len - ts;
  }

  /**
   * A new store's strong view (a fresh copy): what happens before it and was propagated before a strong fence — for a
   * release, which orders every earlier access before it (po-rel), the strong views of what its CPU read unordered too.
   */
  private strongOf(v: CpuViews, release: boolean): View {
    const strong = v.sv.slice();
    if (release) join(strong, v.sacq);
    return strong;
  }

  /**
   * Where a store to `x` takes its place in coherence order (a `co` choice; option 0 = coherence-last, option j =
   * the j-th slot counting back): after every message the storing CPU has read or written (`floor`: its wcur[x];
   * LKMM's coherence, CoWW and CoRW — and, wcur ⊒ sv, after what a strong fence that happens before it propagated:
   * pb), after every message of `x` that its message's view (`base`: a cumulative fence's, a release's, the loads
   * it depends on) or its strong view is ordered after, never between an RMW's message and the one it read
   * (atomicity). A store that the CPU has seen everything of `x` before has one place, the last, and consults no
   * choice.
   */
  private place(x: number, base: View, strong: View, floor: number, choose: Chooser): number {
    const list = this.msgs[x]!;
    const len = list.length;
    const lo = Math.max(floor, base[x]!, strong[x]!);
    const slots = [len];
    for (let ts = len - 1; ts > lo; ts--) if (!list[ts]!.atomic) slots.push(ts);
    return slots.length === 1 ? len : slots[choose('co', slots.length)]!;
  }

  /**
   * What the loads a store depends on read (Instr `after`: a control or data dependency orders the load before
   * it, LKMM's rwdep): their messages' views and strong views; undefined when it depends on none.
   */
  private dependencies(
    v: CpuViews,
    after: readonly string[] | undefined,
  ): { readonly view: View; readonly strong: View } | undefined {
    if (after === undefined || after.length === 0) return undefined;
    const view = new Int32Array(this.n);
    const strong = new Int32Array(this.n);
    for (const d of after) {
      const read = v.deps.get(d);
      if (read === undefined) continue;
      join(view, read.view);
      join(strong, read.strong);
    }
    return { view, strong };
  }

  /** Makes room at `ts` in the coherence order of `x`: every view entry for `x` at or after `ts` moves up by one. */
  private shift(x: number, ts: number): void {
    const bump = (view: View): void => {
      if (view[x]! >= ts) view[x] = view[x]! + 1;
    };
    for (const list of this.msgs)
      for (const m of list) {
        bump(m.view);
        bump(m.strong);
      }
    for (const c of this.cpus) {
      bump(c.cur);
      bump(c.wcur);
      bump(c.acq);
      bump(c.rel);
      bump(c.own);
      bump(c.unl);
      bump(c.sv);
      bump(c.sacq);
      for (const d of c.deps.values()) {
        bump(d.view);
        bump(d.strong);
      }
    }
    bump(this.global);
  }

  private mb(cpu: number): void {
    const v = this.cpus[cpu]!;
    join(v.cur, v.acq);
    join(v.cur, v.sacq);
    join(v.cur, this.global);
    this.global = v.cur.slice();
    v.rel.set(v.cur);
    join(v.wcur, v.cur);
    // everything before the fence is propagated before what follows it, to every CPU it happens before
    join(v.sv, v.cur);
  }

  rmw(
    cpu: number,
    locs: readonly Location[],
    order: RmwOrder | 'lock',
    update: (old: bigint) => bigint | null,
    tag: number,
  ): RmwResult {
    const v = this.cpus[cpu]!;
    const read: Message[] = [];
    const values: bigint[] = [];
    for (const l of locs) {
      const list = this.msgs[l.id]!;
      const m = list[list.length - 1]!;
      read.push(m);
      values.push(m.value);
    }
    const old = combine(locs, values);
    const next = update(old);
    // Only a successful fully ordered RMW is a full barrier: a failed cmpxchg()
    // is a plain read (LKMM; Documentation/litmus-tests/atomic/cmpxchg-fail-unordered-1,-2
    // are Sometimes). The read of the newest message does not depend on the views,
    // so deciding success first and then fencing is the same as fencing first.
    const full = order === 'full' && next !== null;
    if (full) this.mb(cpu);
    // a failed spin_trylock (a `lock` RMW that does not store) orders nothing: LKMM's LF events
    const lock = order === 'lock' && next !== null;
    if (lock) {
      // po-unlock-lock-po: what this CPU released at its last spin_unlock, of
      // this lock or another, is ordered before everything after this lock
      // (tools/memory-model/litmus-tests/MP+unlocklockonceonce+fencermbonceonce.litmus:
      // Never with two different locks s and t).
      this.raise(v, v.unl);
      join(v.rel, v.unl);
    }
    for (let i = 0; i < locs.length; i++) {
      const l = locs[i]!;
      const m = read[i]!;
      v.cur[l.id] = this.msgs[l.id]!.length - 1;
      v.wcur[l.id] = v.cur[l.id]!;
      join(v.acq, m.view);
      if (order === 'acquire' || lock) {
        this.raise(v, m.view);
        this.strengthen(v, m.strong);
      } else join(v.sacq, m.strong);
      if (lock) join(v.rel, m.view);
    }
    if (next !== null) {
      // One base view for the whole group, including every new ts of the group
      // and the views of the messages read (release sequences).
      const base = (order === 'release' || order === 'full' ? v.cur : v.rel).slice();
      if (order === 'release') join(base, v.acq);
      for (const m of read) join(base, m.view);
      const tss = locs.map((l) => this.msgs[l.id]!.length);
      locs.forEach((l, i) => (base[l.id] = Math.max(base[l.id]!, tss[i]!)));
      const strong = this.strongOf(v, order === 'release');
      // each message its own copy of the strong view (shift() moves every message's entries once)
      split(locs, next).forEach((value, i) =>
        this.append(cpu, locs[i]!, value, base, tag, tss[i]!, {
          atomic: true,
          cumulative: order === 'release',
          strong: i === 0 ? strong : strong.slice(),
        }),
      );
    }
    if (full) this.mb(cpu);
    return { old, wrote: next !== null };
  }

  fence(cpu: number, kind: FenceKind): void {
    const v = this.cpus[cpu]!;
    if (kind === 'rmb') {
      join(v.cur, v.acq);
      join(v.cur, v.sacq);
    } else if (kind === 'wmb') {
      join(v.rel, v.own);
      // a release before the smp_wmb passes on what it released (cumul-fence: A-cumul(po-rel) then wmb)
      for (let l = 0; l < this.n; l++) {
        const ts = v.own[l]!;
        if (ts >= 0 && this.msgs[l]![ts]!.cumulative) join(v.rel, this.msgs[l]![ts]!.view);
      }
    } else this.mb(cpu);
  }

  beforeSchedule(): void {}
  flushAll(): boolean {
    return false;
  }

  private newest(loc: Location): Message {
    const list = this.msgs[loc.id]!;
    return list[list.length - 1]!;
  }

  rmwValue(_cpu: number, loc: Location): bigint {
    return this.newest(loc).value;
  }

  latest(loc: Location): bigint {
    return this.newest(loc).value;
  }

  floorTag(cpu: number, loc: Location): number {
    return this.msgs[loc.id]![this.cpus[cpu]!.cur[loc.id]!]!.tag;
  }
}
