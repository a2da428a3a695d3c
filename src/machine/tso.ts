import type { FenceKind } from './instructions';
import type { Location } from './location';
import { combine, split, widthMask } from './location';
import type { Chooser, DrainSink, MemoryModel, ReadResult, RmwResult } from './model';
import { INIT_TAG } from './model';

/** A drain chosen in the current phase (canonical-drain bookkeeping): its CPU, location and store's age. */
interface PhaseDrain {
  readonly cpu: number;
  readonly loc: number;
  readonly seq: number;
}

/**
 * What may read or write memory from a phase's drain choices to the end of the step that closes the phase, if a
 * given CPU takes that step — an over-approximation, given by the interpreter (its phaseReach), for the early
 * prune of TsoModel.phaseDoomed.
 */
export interface PhaseReach {
  /** locations that may be read or written in memory (a load, a floor, an RMW, a lock or its runnable check); null: any */
  readonly locs: ReadonlySet<number> | null;
  /** CPUs whose whole buffer a forced drain may flush (smp_mb, a locked RMW, a lock, an IPI, the deadlock flush) */
  readonly flushed: ReadonlySet<number>;
}

/** Does a fence of this kind drain the CPU's buffer (TsoModel.fence; the interpreter's phaseReach relies on it)? */
export const fenceDrains = (kind: FenceKind): boolean => kind === 'mb';

/**
 * The lexicographically least order of commuting drains (phaseCanonical), for the phase's drain j: no
 * greater-CPU drain before it that it commutes with, and with every drain between them.
 */
function lexOrdered(phase: readonly PhaseDrain[], j: number): boolean {
  const a = phase[j]!;
  for (let i = j - 1; i >= 0; i--) {
    const b = phase[i]!;
    if (b.cpu === a.cpu || b.loc === a.loc) return true;
    if (b.cpu > a.cpu) return false;
  }
  return true;
}

interface Buffered {
  readonly loc: Location;
  readonly value: bigint;
  readonly tag: number;
  /** global store order, for an eager drain in age order */
  readonly seq: number;
}

/**
 * x86-TSO: one memory plus a FIFO store buffer per CPU.
 * - A store enters its CPU's buffer; a load reads the newest own buffered
 *   store to that location, else memory (store forwarding).
 * - Between steps the `drain` choice decides what reaches memory:
 *   0 = drain every buffer (eager; the default, so an all-zero trace is SC),
 *   1 = drain nothing now, 2+k = drain the oldest entry of the k-th non-empty
 *   buffer and decide again.
 * - smp_mb and locked RMWs (xchg, cmpxchg, cmpxchg8b, spin_lock) drain the
 *   CPU's own buffer first; smp_rmb/smp_wmb are compiler barriers only, and
 *   acquire/release accesses are plain accesses.
 * Omitted: x86's non-temporal stores and string operations (weaker than TSO).
 */
export class TsoModel implements MemoryModel {
  readonly kind = 'tso' as const;
  private readonly value: bigint[];
  private readonly tag: number[];
  private readonly buffers: Buffered[][];
  private seq = 0;
  /**
   * Canonical-drain bookkeeping (null unless trackPhases was called): the drains chosen since the last
   * step (`drain` choices, in order), and the locations whose memory was read or written otherwise since
   * those choices — by a load or a floorTag falling through to memory, an RMW, a lock's runnable check,
   * a forced drain (smp_mb, locked RMW, IPI), the deadlock flush.
   */
  private phase: PhaseDrain[] | null = null;
  private touched: Set<number> | null = null;
  /** a `drain everything` choice since the last step (canonical-drain bookkeeping) */
  private drainAll = false;
  /** what the rest of the phase may touch (canonical-drain bookkeeping: see phaseDoomed) */
  private reach: (() => readonly PhaseReach[]) | null = null;
  /** the phase's drains so far can be canonical whatever follows (see phaseDoomed) */
  private doomed = false;

  constructor(initial: readonly bigint[], cpus: number) {
    this.value = [...initial];
    this.tag = initial.map(() => INIT_TAG);
    this.buffers = [];
    for (let c = 0; c < cpus; c++) this.buffers.push([]);
  }

  private newestOwn(cpu: number, loc: Location): Buffered | undefined {
    const buf = this.buffers[cpu]!;
    for (let i = buf.length - 1; i >= 0; i--) if (buf[i]!.loc === loc) return buf[i];
    return undefined;
  }

  load(cpu: number, loc: Location): ReadResult {
    const own = this.newestOwn(cpu, loc);
    if (own) return { value: own.value, rank: 0, tag: own.tag };
    this.touched?.add(loc.id);
    return { value: this.value[loc.id]!, rank: 0, tag: this.tag[loc.id]! };
  }

  store(cpu: number, loc: Location, value: bigint, _how: unknown, tag: number): number {
    this.buffers[cpu]!.push({ loc, value: value & widthMask(loc.width), tag, seq: this.seq++ });
    return 0;
  }

  private drainOne(cpu: number, sink: DrainSink): void {
    const e = this.buffers[cpu]!.shift()!;
    this.value[e.loc.id] = e.value;
    this.tag[e.loc.id] = e.tag;
    this.touched?.add(e.loc.id);
    sink(cpu, e.loc, e.value, e.tag);
  }

  private drainCpu(cpu: number, sink: DrainSink): void {
    while (this.buffers[cpu]!.length > 0) this.drainOne(cpu, sink);
  }

  rmw(
    cpu: number,
    locs: readonly Location[],
    _order: unknown,
    update: (old: bigint) => bigint | null,
    tag: number,
    sink: DrainSink,
  ): RmwResult {
    this.drainCpu(cpu, sink);
    if (this.touched) for (const l of locs) this.touched.add(l.id);
    const old = combine(
      locs,
      locs.map((l) => this.value[l.id]!),
    );
    const next = update(old);
    if (next === null) return { old, wrote: false };
    split(locs, next).forEach((v, i) => {
      this.value[locs[i]!.id] = v;
      this.tag[locs[i]!.id] = tag;
    });
    return { old, wrote: true };
  }

  fence(cpu: number, kind: FenceKind, sink: DrainSink): void {
    if (fenceDrains(kind)) this.drainCpu(cpu, sink);
  }

  beforeSchedule(choose: Chooser, sink: DrainSink): void {
    // what the rest of the phase may touch: asked once (no CPU's pending step changes while drains are chosen)
    let reach: readonly PhaseReach[] | undefined;
    for (;;) {
      const nonEmpty: number[] = [];
      this.buffers.forEach((b, cpu) => {
        if (b.length > 0) nonEmpty.push(cpu);
      });
      if (nonEmpty.length === 0) return;
      const c = choose('drain', nonEmpty.length + 2);
      if (c === 0) {
        this.drainAllChosen();
        this.flushAll(sink);
        return;
      }
      if (c === 1) {
        // the phase's drains are all chosen: can they all be needed by what may still touch memory?
        if (this.reach !== null && this.phase!.length > 0) {
          this.doomed = !this.mayAllBeNeeded((reach ??= this.reach()), false);
        }
        return;
      }
      const cpu = nonEmpty[c - 2]!;
      if (this.phase) {
        // a chosen drain: recorded in the phase, not as a touch (a touch is what observes the phase's drains)
        const head = this.buffers[cpu]![0]!;
        this.phase.push({ cpu, loc: head.loc.id, seq: head.seq });
        const touched = this.touched;
        this.touched = null;
        this.drainOne(cpu, sink);
        this.touched = touched;
        if (
          this.reach !== null &&
          (!lexOrdered(this.phase, this.phase.length - 1) || !this.mayAllBeNeeded((reach ??= this.reach()), true))
        ) {
          this.doomed = true;
          return;
        }
      } else this.drainOne(cpu, sink);
    }
  }

  /**
   * Start the canonical-drain bookkeeping (engine `exhaustive`: see phaseCanonical). `reach` tells, while the
   * drains of a phase are chosen, what may still touch memory until the step that closes it ends: one
   * PhaseReach per CPU that may take that step. It must over-approximate, for the early prune of phaseDoomed
   * to be sound.
   */
  trackPhases(reach: () => readonly PhaseReach[]): void {
    this.phase = [];
    this.touched = new Set();
    this.reach = reach;
  }

  /**
   * Called after beforeSchedule when trackPhases is on: the drains chosen so far in this phase cannot be in
   * canonical form, whatever is chosen or run after them until the step that closes the phase ends — every
   * continuation would fail phaseCanonical, so the run can be pruned now rather than after that step (and
   * the enumeration does not extend the phase with drains that cannot rescue it). The drain (or the `drain
   * nothing more` choice) that made it so is the last choice made.
   *  - the lexicographic order of commuting drains depends on the phase's drains alone: a drain that breaks
   *    it is known at once;
   *  - rules (a), (b), (c) are decided, for each CPU whose step may close the phase, with what may still
   *    happen if it does: the locations touched so far and those its PhaseReach says may be (its step, the
   *    lock checks, forced drains, the deadlock flush), any store still buffered as a drain that may yet be
   *    chosen in the phase (while drains may still be chosen), and (c) as if the step were the last, with
   *    the older stores buffered now (a step only adds younger ones). Each is a superset of what
   *    phaseCanonical will see after that CPU's step, and `needed` only grows with them: a drain not needed
   *    here, whichever CPU steps, is not needed there.
   * A run pruned here may also have been one whose step ends the execution without phaseCanonical (a retry
   * bound hit, a deadlock): it is then equivalent to the run without its unneeded drains, in the least order,
   * which the enumeration visits (those drains move into the final flush, as by rule (c)).
   */
  phaseDoomed(): boolean {
    return this.doomed;
  }

  /**
   * Called after every step when trackPhases is on: is the phase of drains chosen before that step in
   * canonical form? Then the bookkeeping starts over for the next phase. Returns true when tracking is off.
   *
   * The canonical form (a partial-order reduction; README *Commands* → explore): a drain moves a CPU's
   * oldest buffered store to memory, and nothing but memory sees it — the CPU's own loads, floorTags and
   * lock checks read its own newest buffered store of a location first, which the drain does not change.
   * So a chosen drain d of location x before step s can be moved to the start of the next phase, past s,
   * without changing anything any step computes (values read, tags, floorTags, runnable CPUs and thus the
   * sched options, forced drains' results, the final memory), unless
   *  (a) s, or what ran between the phase and s (lock runnable checks, the deadlock flush), read or wrote
   *      x in memory (`touched`: a load or floorTag falling through to memory, an RMW or lock, a forced drain);
   *  (b) a later drain of the phase is of the same CPU (FIFO) or the same location (coherence order), and
   *      that later drain must stay (by (a), (b) or (c));
   *  (c) s is the last step of the execution and another CPU's buffer still holds, after s, an older store
   *      to x: the final flush drains in global age order, so d put off into it would land before that
   *      store in coherence order, not after it (a drain put off into the final flush otherwise keeps its
   *      place: the stores to x left are younger, or none).
   * Drains that must stay are *needed*; repeating the move gives, for every execution, an equivalent one in
   * which every chosen drain is needed (a drain moved into a step's forced drain or the deadlock flush
   * joins it, in the same FIFO and coherence order). In addition two adjacent drains of different CPUs
   * and locations commute; the canonical phase is the lexicographically least order of its drains (by
   * CPU, Anisimov–Knuth: no drain may be preceded by a greater-CPU drain it commutes with and with
   * everything between them), and the `drain everything` option (0) is never canonical: the single drains
   * it stands for are. A phase is canonical iff every drain is needed and it is in that order. The moves
   * change no sched choice, so the equivalent execution has the same preemptions (the bound cuts nothing
   * more); what differs is only when drain events happen (the `Raced:` count sees drains inside a read).
   */
  phaseCanonical(last: boolean): boolean {
    const phase = this.phase;
    const touched = this.touched;
    if (phase === null || touched === null) return true;
    this.phase = [];
    this.touched = new Set();
    this.doomed = false;
    if (this.drainAll) {
      this.drainAll = false;
      return false;
    }
    if (!this.allNeeded(phase, (d) => touched.has(d.loc) || (last && this.olderLeft(d)))) return false;
    for (let j = 1; j < phase.length; j++) if (!lexOrdered(phase, j)) return false;
    return true;
  }

  /**
   * Rules (a), (b) and (c) of phaseCanonical: every chosen drain of the phase is needed — `direct`ly (by (a)
   * or (c)), or by a later drain of the same CPU or location that is.
   */
  private allNeeded(phase: readonly PhaseDrain[], direct: (d: PhaseDrain) => boolean): boolean {
    const needed: boolean[] = new Array<boolean>(phase.length).fill(false);
    for (let j = phase.length - 1; j >= 0; j--) {
      const d = phase[j]!;
      let n = direct(d);
      for (let i = j + 1; !n && i < phase.length; i++) {
        const e = phase[i]!;
        if (needed[i] && (e.cpu === d.cpu || e.loc === d.loc)) n = true;
      }
      if (!n) return false;
      needed[j] = true;
    }
    return true;
  }

  /**
   * Could every drain of the phase so far still be needed (rules (a), (b), (c); see phaseDoomed) after the step
   * of one of the CPUs `reaches` describes, with the locations its reach says may be touched, and, when `more`
   * drains may still be chosen, any buffered store as such a drain?
   */
  private mayAllBeNeeded(reaches: readonly PhaseReach[], more: boolean): boolean {
    return reaches.length === 0 || reaches.some((r) => this.mayAllBeNeededAfter(r, more));
  }

  /** mayAllBeNeeded with one CPU's step */
  private mayAllBeNeededAfter(reach: PhaseReach, more: boolean): boolean {
    if (reach.locs === null) return true;
    const hot = new Set(this.touched);
    for (const l of reach.locs) hot.add(l);
    for (const cpu of reach.flushed) for (const e of this.buffers[cpu]!) hot.add(e.loc.id);
    const direct = (d: PhaseDrain): boolean => hot.has(d.loc) || this.olderLeft(d);
    // most often the phase's drains are needed among themselves: the drains still possible need not be looked at
    if (this.allNeeded(this.phase!, direct)) return true;
    if (!more) return false;
    // the CPUs and locations of the buffered stores that may yet be drained in this phase and be needed
    // (by (a) or (c), or by one another: their order in the phase is not known, any relation may count)
    const cpus = new Set<number>();
    const locs = new Set<number>();
    const left: PhaseDrain[] = [];
    this.buffers.forEach((b, cpu) => {
      for (const e of b) left.push({ cpu, loc: e.loc.id, seq: e.seq });
    });
    for (let grew = true; grew;) {
      grew = false;
      for (let k = 0; k < left.length; k++) {
        const e = left[k]!;
        if (direct(e) || cpus.has(e.cpu) || locs.has(e.loc)) {
          cpus.add(e.cpu);
          locs.add(e.loc);
          left.splice(k--, 1);
          grew = true;
        }
      }
    }
    return this.allNeeded(this.phase!, (d) => direct(d) || cpus.has(d.cpu) || locs.has(d.loc));
  }

  /** (c): another CPU's buffer still holds an older store to the drain's location (the final flush would put it first). */
  private olderLeft(d: PhaseDrain): boolean {
    return this.buffers.some((b, cpu) => cpu !== d.cpu && b.some((e) => e.loc.id === d.loc && e.seq < d.seq));
  }

  /** A `drain everything` choice was taken: never canonical (its single drains are). */
  private drainAllChosen(): void {
    if (this.phase) this.drainAll = true;
  }

  flushAll(sink: DrainSink): boolean {
    let any = false;
    for (;;) {
      let best = -1;
      let bestSeq = Infinity;
      this.buffers.forEach((b, cpu) => {
        const head = b[0];
        if (head && head.seq < bestSeq) {
          bestSeq = head.seq;
          best = cpu;
        }
      });
      if (best < 0) return any;
      any = true;
      this.drainOne(best, sink);
    }
  }

  rmwValue(cpu: number, loc: Location): bigint {
    const own = this.newestOwn(cpu, loc);
    if (own) return own.value;
    this.touched?.add(loc.id);
    return this.value[loc.id]!;
  }

  latest(loc: Location): bigint {
    return this.value[loc.id]!;
  }

  floorTag(cpu: number, loc: Location): number {
    const own = this.newestOwn(cpu, loc);
    if (own) return own.tag;
    this.touched?.add(loc.id);
    return this.tag[loc.id]!;
  }
}
