import type { FenceKind } from './instructions';
import type { Location } from './location';
import { combine, split, widthMask } from './location';
import type { Chooser, DrainSink, MemoryModel, ReadResult, RmwResult } from './model';
import { INIT_TAG } from './model';

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
    return { value: this.value[loc.id]!, rank: 0, tag: this.tag[loc.id]! };
  }

  store(cpu: number, loc: Location, value: bigint, _how: unknown, tag: number): void {
    this.buffers[cpu]!.push({ loc, value: value & widthMask(loc.width), tag, seq: this.seq++ });
  }

  private drainOne(cpu: number, sink: DrainSink): void {
    const e = this.buffers[cpu]!.shift()!;
    this.value[e.loc.id] = e.value;
    this.tag[e.loc.id] = e.tag;
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
    if (kind === 'mb') this.drainCpu(cpu, sink);
  }

  beforeSchedule(choose: Chooser, sink: DrainSink): void {
    for (;;) {
      const nonEmpty: number[] = [];
      this.buffers.forEach((b, cpu) => {
        if (b.length > 0) nonEmpty.push(cpu);
      });
      if (nonEmpty.length === 0) return;
      const c = choose('drain', nonEmpty.length + 2);
      if (c === 0) {
        this.flushAll(sink);
        return;
      }
      if (c === 1) return;
      this.drainOne(nonEmpty[c - 2]!, sink);
    }
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
    return this.newestOwn(cpu, loc)?.value ?? this.value[loc.id]!;
  }

  latest(loc: Location): bigint {
    return this.value[loc.id]!;
  }

  floorTag(cpu: number, loc: Location): number {
    return this.newestOwn(cpu, loc)?.tag ?? this.tag[loc.id]!;
  }
}
