import type { ChoiceSource } from './choice';
import { ChoiceRecorder, PrunedExecution } from './choice';
import type { Event, Execution, OpRecord, Outcome } from './execution';
import type { FlushKind, Instr, Program, ProgramPosition } from './instructions';
import type { MemPage, PageDecl, TlbEntry } from './pages';
import { PageBug, PagePool } from './pages';
import type { Location, LocationTable } from './location';
import type { DrainSink, MemoryModel, ModelKind } from './model';
import { NO_TAG } from './model';
import { addInCoherenceOrder } from './execution-key';
import { ScModel } from './sc';
import type { PhaseReach } from './tso';
import { TsoModel, fenceDrains } from './tso';
import { WeakModel } from './weak';

/** Hard bound on steps of one execution (a bound hit is its own verdict). */
export const STEP_BOUND = 4000;
/** Hard bound on retries of one operation invocation. */
export const RETRY_BOUND = 64;

export interface Bounds {
  readonly steps: number;
  readonly retries: number;
  /**
   * With the step bound: the last step allowed executes its instruction (its event recorded, a load's value read)
   * but its CPU's code is not resumed after it — the replay of a hung execution up to the step whose code never
   * yielded again (campaign/timeout.ts), which must show what that step read without running the code that hung.
   */
  readonly holdLastStep?: boolean;
}

export const DEFAULT_BOUNDS: Bounds = { steps: STEP_BOUND, retries: RETRY_BOUND };

export interface CpuSpec {
  readonly name: string;
  readonly program: () => Program<unknown>;
}

export interface MachineSpec {
  readonly locations: LocationTable;
  readonly cpus: readonly CpuSpec[];
  /** how a TLB flush waits for the other CPUs (default `ipi`) */
  readonly flush?: FlushKind;
  /** the pages the scenario allocates from or maps (default none) */
  readonly pages?: readonly PageDecl[];
}

export function createModel(kind: ModelKind, initial: readonly bigint[], cpus: number): MemoryModel {
  switch (kind) {
    case 'sc':
      return new ScModel(initial);
    case 'tso':
      return new TsoModel(initial, cpus);
    case 'weak':
      return new WeakModel(initial, cpus);
  }
}

interface CpuState {
  readonly gen: Program<unknown>;
  pending: Instr | null;
  done: boolean;
  result: unknown;
  /** ids of open operations, innermost last */
  readonly stack: number[];
  /** operations begun whose first step has not happened yet */
  readonly unstarted: number[];
  irqsOff: number;
  lastStep: number;
  /** IPI flush: the CPUs whose acknowledgement this CPU waits for (not runnable while non-empty) */
  readonly waitAcks: Set<number>;
  /** an IPI arrived while IRQs were off: its TLB invalidation happens when they are re-enabled */
  ipiPending: boolean;
  /** cached translations */
  readonly tlb: Map<string, TlbEntry>;
}

/** An event while the step that makes it is being built. */
type MutableEvent = { -readonly [K in keyof Event]: Event[K] };

/**
 * A new event, completed by the caller. Every event has every field (those of other kinds undefined), in
 * one order: one object shape (hidden class) for all events, so that the code reading events — coverage
 * features, the reference, the comparator — reads them monomorphically instead of through shapes made by
 * adding a different set of optional fields to each kind. Absent fields are undefined either way.
 */
const newEvent = (
  step: number,
  cpu: number,
  kind: Event['kind'],
  name: string,
  op: number,
  locs: readonly number[],
): MutableEvent => {
  const ev: { [K in keyof Event]-?: Event[K] | undefined } = {
    index: 0,
    step,
    cpu,
    kind,
    name,
    locs,
    dest: undefined,
    read: undefined,
    wrote: undefined,
    rank: undefined,
    co: undefined,
    ahead: undefined,
    po: undefined,
    tag: undefined,
    op,
    page: undefined,
    mem: undefined,
    maps: undefined,
    tlb: undefined,
    acks: undefined,
  };
  return ev as MutableEvent;
};

class RetryBoundHit {
  constructor(readonly op: number) {}
}

/**
 * Runs one execution: every decision comes from `source` through the choice
 * funnel, so (spec, model, trace) determines the execution exactly.
 */
export function execute(
  spec: MachineSpec,
  modelKind: ModelKind,
  source: ChoiceSource,
  bounds: Bounds = DEFAULT_BOUNDS,
): Execution {
  const rec = new ChoiceRecorder(source);
  const choose = rec.choose.bind(rec);
  const ncpu = spec.cpus.length;
  const model = createModel(modelKind, spec.locations.initial, ncpu);
  // an enumerating source: TSO traces whose drains are not in canonical form are pruned (TsoModel.phaseCanonical)
  const canonical = source.canonicalDrains === true && model instanceof TsoModel ? model : undefined;
  const flushKind: FlushKind = spec.flush ?? 'ipi';
  const pool = new PagePool(spec.pages);
  /** location id → the declared page it lives in */
  const pageOf = new Map<number, bigint>();
  for (const d of spec.pages ?? []) for (const id of d.locs ?? []) pageOf.set(id, d.pfn);
  /** the state of the declared page the first of `locs` that lives in one belongs to, if any */
  const memOf = (locs: readonly Location[]): MemPage | undefined => {
    if (pageOf.size === 0) return undefined;
    for (const l of locs) {
      const m = memOfLoc(l);
      if (m !== undefined) return m;
    }
    return undefined;
  };
  /** memOf of one location (a load's, a store's), with no array */
  const memOfLoc = (l: Location): MemPage | undefined => {
    if (pageOf.size === 0) return undefined;
    const pfn = pageOf.get(l.id);
    if (pfn === undefined) return undefined;
    const st = pool.state(pfn);
    return { pfn, gen: st.gen, ref: st.ref };
  };
  const events: Event[] = [];
  /**
   * A walker that read an older message of a table pointer (weak: rank > 0) took the table as it was while that
   * pointer was current in memory: the page's generation when a write coherence-after the one it read was first
   * made (the rank-th newest of the writes in memory: weak's coherence order, Event.co placing a store before the
   * `co` newest). A table freed after its pmd was cleared is then one freed under the walker — use-after-free —
   * however late the walker read the old pmd.
   */
  const genWhenSuperseded = (loc: number, rank: number, pfn: bigint): number => {
    const writes: number[] = [];
    for (const ev of events) if (ev.wrote !== undefined && ev.locs.includes(loc)) addInCoherenceOrder(writes, ev);
    // the writes coherence-after the one read are the `rank` newest; the first of them made ended its reign
    let at = -1;
    for (let i = Math.max(0, writes.length - rank); i < writes.length; i++)
      if (at < 0 || writes[i]! < at) at = writes[i]!;
    for (let i = at - 1; i >= 0; i--) {
      const pg = events[i]!.page;
      if (pg?.pfn === pfn) return pg.gen;
    }
    return 0;
  };
  const ops: OpRecord[] = [];
  let steps = 0;

  const sink: DrainSink = (cpu, loc, value, tag) => {
    const ev = newEvent(steps, cpu, 'drain', 'drain', -1, [loc.id]);
    ev.index = events.length;
    ev.wrote = value;
    ev.tag = tag;
    events.push(ev);
  };

  const cpus: CpuState[] = spec.cpus.map((c) => ({
    gen: c.program(),
    pending: null,
    done: false,
    result: undefined,
    stack: [],
    unstarted: [],
    irqsOff: 0,
    lastStep: -1,
    waitAcks: new Set<number>(),
    ipiPending: false,
    tlb: new Map<string, TlbEntry>(),
  }));

  /** Innermost writer operation of a CPU: the tag its stores carry. */
  const writerTag = (st: CpuState): number => {
    for (let i = st.stack.length - 1; i >= 0; i--) {
      if (ops[st.stack[i]!]!.mark.role === 'writer') return st.stack[i]!;
    }
    return NO_TAG;
  };

  /** Resume a CPU and run its markers until it yields a step or finishes. */
  const advance = (cpu: number, input: bigint): void => {
    const st = cpus[cpu]!;
    let next = st.gen.next(input);
    for (;;) {
      if (next.done) {
        st.done = true;
        st.pending = null;
        st.result = next.value;
        return;
      }
      const ins = next.value;
      switch (ins.kind) {
        case 'begin': {
          const id = ops.length;
          // result and floorTags present from the start (undefined until set): one hidden class for every record
          const rec: { -readonly [K in keyof OpRecord]-?: OpRecord[K] | undefined } = {
            id,
            cpu,
            mark: ins.op,
            parent: st.stack.length > 0 ? st.stack[st.stack.length - 1]! : -1,
            start: -1,
            end: -1,
            done: false,
            retries: 0,
            result: undefined,
            floorTags: undefined,
          };
          ops.push(rec as OpRecord);
          st.stack.push(id);
          st.unstarted.push(id);
          next = st.gen.next(0n);
          break;
        }
        case 'end': {
          const id = st.stack.pop();
          if (id === undefined) throw new Error(`[ptefuzz internal bug] end() without begin() on CPU ${cpu}`);
          const op = ops[id]!;
          const u = st.unstarted.indexOf(id);
          if (u >= 0) {
            st.unstarted.splice(u, 1);
            op.start = steps;
            op.end = steps;
          } else {
            op.end = st.lastStep;
          }
          op.done = true;
          if (ins.result !== undefined) op.result = ins.result;
          next = st.gen.next(0n);
          break;
        }
        case 'retry': {
          const id = st.stack[st.stack.length - 1];
          if (id !== undefined) {
            const op = ops[id]!;
            op.retries++;
            if (op.retries > bounds.retries) throw new RetryBoundHit(id);
          }
          next = st.gen.next(0n);
          break;
        }
        case 'pick': {
          next = st.gen.next(BigInt(ins.weak === true && model.kind !== 'weak' ? 0 : choose('op', ins.n)));
          break;
        }
        default:
          st.pending = ins;
          return;
      }
    }
  };

  const runnable = (cpu: number): boolean => {
    const st = cpus[cpu]!;
    if (st.done || st.pending === null) return false;
    if (st.waitAcks.size > 0) return false;
    if (st.pending.kind === 'lock') return model.rmwValue(cpu, st.pending.lock) === 0n;
    if (st.pending.kind === 'page' && st.pending.name === 'alloc_page') return pool.freeCount > 0;
    return true;
  };

  /**
   * What may read or write memory from now — a phase's drain choices — to the end of the step that closes the
   * phase (TsoModel.phaseDoomed), one over-approximation per CPU that may take that step (any CPU with a step
   * pending, but one that waits for IPI acknowledgements or for a free page: the drains cannot change that).
   * Each holds what happens whoever steps — the lock runnable checks, and the deadlock flush (every buffer)
   * unless a CPU is sure to be runnable whatever the drains — and what the CPU's step does: its reader
   * operations' floors, and what its instruction reads, writes or drains in memory (a store or an unlock only
   * enters the CPU's buffer).
   */
  const phaseReach = (): PhaseReach[] => {
    const common = new Set<number>();
    let deadlock = true;
    const steppers: number[] = [];
    for (let c = 0; c < ncpu; c++) {
      const st = cpus[c]!;
      const ins = st.pending;
      if (st.done || ins === null) continue;
      if (ins.kind === 'lock') {
        // its runnable check reads the lock in memory (drains can change it)
        common.add(ins.lock.id);
        if (st.waitAcks.size === 0) steppers.push(c);
      } else if (runnable(c)) {
        deadlock = false;
        steppers.push(c);
      }
    }
    return steppers.map((c) => {
      const st = cpus[c]!;
      const ins = st.pending!;
      const locs = new Set(common);
      const flushed = new Set<number>();
      const everyBuffer = (): void => cpus.forEach((_, o) => flushed.add(o));
      if (deadlock) everyBuffer();
      for (const id of st.unstarted) for (const l of ops[id]!.mark.locs ?? []) locs.add(l.id);
      switch (ins.kind) {
        case 'load':
          locs.add(ins.loc.id);
          break;
        case 'store':
        case 'unlock':
        case 'tlb':
          break;
        case 'rmw':
          for (const l of ins.locs) locs.add(l.id);
          flushed.add(c);
          break;
        case 'lock':
          flushed.add(c);
          break;
        case 'fence':
          if (fenceDrains(ins.fence)) flushed.add(c);
          break;
        case 'page':
          flushed.add(c);
          break;
        case 'irq':
          // IRQs back on: the acknowledged IPIs' barriers, on this CPU and on those waiting for it
          if (!ins.disable) {
            flushed.add(c);
            cpus.forEach((o, w) => {
              if (o.waitAcks.has(c)) flushed.add(w);
            });
          }
          break;
        case 'flush':
          everyBuffer();
          break;
        default:
          // markers never wait as a pending step; were one there (or a kind not listed), anything could be touched
          return { locs: null, flushed };
      }
      return { locs, flushed };
    });
  };
  canonical?.trackPhases(phaseReach);

  const step = (cpu: number): void => {
    const st = cpus[cpu]!;
    const ins = st.pending!;
    if (st.unstarted.length > 0) {
      for (const id of st.unstarted) {
        const op = ops[id]!;
        op.start = steps;
        const locs = op.mark.locs;
        if (op.mark.role === 'reader' && locs) op.floorTags = locs.map((l) => model.floorTag(cpu, l));
      }
      st.unstarted.length = 0;
    }
    const tag = writerTag(st);
    const op = st.stack.length > 0 ? st.stack[st.stack.length - 1]! : -1;
    const name = 'name' in ins ? ins.name : ins.kind;
    // Every event is built as one object literal (index, step, cpu, kind, name, op, locs, then the
    // kind's fields in a fixed order) and completed in place: no spread copies on the hot path.
    let result = 0n;
    let ev: MutableEvent;
    switch (ins.kind) {
      case 'load': {
        const r = model.load(cpu, ins.loc, ins.how, choose, ins.dep, ins.after);
        result = r.value;
        ev = newEvent(steps, cpu, ins.kind, name, op, [ins.loc.id]);
        ev.read = r.value;
        ev.rank = r.rank;
        ev.tag = r.tag;
        if (ins.dest !== undefined) ev.dest = ins.dest;
        const mem = memOfLoc(ins.loc);
        if (mem !== undefined) ev.mem = mem;
        const table = ins.table?.(r.value) ?? null;
        if (table !== null) {
          const ts = pool.state(table);
          const gen = r.rank > 0 ? genWhenSuperseded(ins.loc.id, r.rank, table) : ts.gen;
          ev.maps = { pfn: table, gen, ref: ts.ref };
        }
        break;
      }
      case 'store': {
        const co = model.store(cpu, ins.loc, ins.value, ins.how, tag, choose, ins.after);
        ev = newEvent(steps, cpu, ins.kind, name, op, [ins.loc.id]);
        ev.wrote = ins.value;
        ev.tag = tag;
        if (co > 0) ev.co = co;
        const mem = memOfLoc(ins.loc);
        if (mem !== undefined) ev.mem = mem;
        break;
      }
      case 'rmw': {
        let wrote: bigint | null = null;
        const r = model.rmw(cpu, ins.locs, ins.order, (old) => (wrote = ins.update(old)), tag, sink);
        result = r.old;
        const ids: number[] = [];
        for (const l of ins.locs) ids.push(l.id);
        ev = newEvent(steps, cpu, ins.kind, name, op, ids);
        ev.read = r.old;
        ev.tag = tag;
        const mem = memOf(ins.locs);
        if (mem !== undefined) ev.mem = mem;
        if (wrote !== null) ev.wrote = wrote;
        break;
      }
      case 'fence':
        model.fence(cpu, ins.fence, sink);
        ev = newEvent(steps, cpu, ins.kind, name, op, []);
        break;
      case 'lock': {
        const r = model.rmw(cpu, [ins.lock], 'lock', (old) => (old === 0n ? 1n : null), tag, sink);
        if (!r.wrote) throw new Error(`[ptefuzz internal bug] spin_lock(${ins.lock.name}) scheduled while held`);
        ev = newEvent(steps, cpu, ins.kind, name, op, [ins.lock.id]);
        ev.wrote = 1n;
        ev.tag = tag;
        break;
      }
      case 'unlock': {
        const co = model.store(cpu, ins.lock, 0n, 'unlock', tag, choose);
        ev = newEvent(steps, cpu, ins.kind, name, op, [ins.lock.id]);
        ev.wrote = 0n;
        ev.tag = tag;
        if (co > 0) ev.co = co;
        break;
      }
      case 'irq': {
        st.irqsOff = ins.disable ? st.irqsOff + 1 : Math.max(0, st.irqsOff - 1);
        ev = newEvent(steps, cpu, ins.kind, name, op, []);
        if (st.irqsOff === 0) {
          // IRQs back on: a pending flush IPI is taken now — invalidate, acknowledge.
          if (st.ipiPending) {
            st.tlb.clear();
            st.ipiPending = false;
          }
          const acked: number[] = [];
          cpus.forEach((o, c) => {
            if (o.waitAcks.delete(cpu)) acked.push(c);
          });
          if (acked.length > 0) {
            // The IPI handler's csd_unlock() (a release) that the waiting CPU's csd_lock_wait() acquires:
            // this CPU's earlier stores are visible to the waiter once it continues.
            model.fence(cpu, 'mb', sink);
            for (const c of acked) model.fence(c, 'mb', sink);
            ev.acks = acked;
          }
        }
        break;
      }
      case 'flush': {
        // A full barrier on the flushing CPU (x86: the IPI send path is serialising; arm64: DSB ISH).
        // `sync`: an IPI that invalidates nothing (tlb_remove_table_sync_one), whatever the flush kind.
        const sync = ins.sync === true;
        const ipi = sync || flushKind === 'ipi';
        model.fence(cpu, 'mb', sink);
        if (!sync) st.tlb.clear();
        const waits: number[] = [];
        let interrupted = false;
        cpus.forEach((o, c) => {
          if (c === cpu) return;
          if (ipi && o.irqsOff > 0) {
            if (!sync) o.ipiPending = true;
            st.waitAcks.add(c);
            waits.push(c);
          } else {
            if (!sync) o.tlb.clear();
            // An IPI taken at once: its handler's csd_unlock() publishes the CPU's earlier stores to the sender.
            if (ipi) {
              model.fence(c, 'mb', sink);
              interrupted = true;
            }
          }
        });
        if (interrupted) model.fence(cpu, 'mb', sink);
        ev = newEvent(steps, cpu, ins.kind, name, op, []);
        if (waits.length > 0) ev.acks = waits;
        break;
      }
      case 'page': {
        model.fence(cpu, 'mb', sink);
        let pfn = ins.pfn ?? 0n;
        let extra: { ok?: boolean; freed?: boolean; tlbHolders?: readonly number[] } = {};
        switch (ins.name) {
          case 'alloc_page':
            pfn = pool.alloc(choose('op', pool.freeCount));
            result = pfn;
            break;
          case 'try_grab_folio': {
            const ok = pool.tryGrab(pfn);
            result = ok ? 1n : 0n;
            extra = { ok };
            break;
          }
          case 'get_page':
            pool.get(pfn);
            break;
          case 'put_page': {
            const gen = pool.state(pfn).gen;
            let freed: boolean;
            try {
              freed = pool.put(pfn);
            } catch (e) {
              if (e instanceof PageBug) throw new Error(`[ptefuzz internal bug] CPU ${cpu}: ${e.message}`);
              throw e;
            }
            if (freed) {
              const holders: number[] = [];
              cpus.forEach((o, c) => {
                for (const t of o.tlb.values()) if (t.pfn === pfn && t.gen === gen) return void holders.push(c);
              });
              extra = holders.length > 0 ? { freed, tlbHolders: holders } : { freed };
            }
            break;
          }
        }
        const ps = pool.state(pfn);
        ev = newEvent(steps, cpu, ins.kind, name, op, []);
        ev.page = { pfn, gen: ps.gen, ref: ps.ref, ...extra };
        break;
      }
      case 'tlb': {
        if (ins.name === 'tlb_fill') {
          const pfn = ins.pfn ?? 0n;
          const gen = pool.state(pfn).gen;
          st.tlb.set(ins.key, { pfn, gen });
          ev = newEvent(steps, cpu, ins.kind, name, op, []);
          ev.tlb = { key: ins.key, hit: true, pfn, gen };
        } else {
          const t = st.tlb.get(ins.key);
          if (t === undefined) {
            ev = newEvent(steps, cpu, ins.kind, name, op, []);
            ev.tlb = { key: ins.key, hit: false };
          } else {
            result = t.pfn + 1n;
            ev = newEvent(steps, cpu, ins.kind, name, op, []);
            ev.tlb = { key: ins.key, hit: true, pfn: t.pfn, gen: t.gen, now: pool.state(t.pfn).gen };
          }
        }
        break;
      }
      default:
        throw new Error(`[ptefuzz internal bug] marker ${ins.kind} reached the scheduler`);
    }
    // a raw program's instruction: its place in the program, and whether it ran ahead (execution-key.ts inProgramOrder)
    const raw = ins as ProgramPosition & { readonly ahead?: true };
    if (raw.po !== undefined) ev.po = raw.po;
    if (raw.ahead === true) ev.ahead = true;
    ev.index = events.length;
    events.push(ev);
    st.lastStep = steps;
    steps++;
    if (bounds.holdLastStep === true && steps >= bounds.steps) return;
    advance(cpu, result);
  };

  let outcome: Outcome = { kind: 'complete' };
  let pruned = false;
  try {
    for (let c = 0; c < ncpu; c++) advance(c, 0n);
    let current = 0;
    for (;;) {
      let allDone = true;
      for (const s of cpus) if (!s.done) allDone = false;
      if (allDone) break;
      if (steps >= bounds.steps) {
        outcome = { kind: 'bound-hit', bound: 'steps', cpu: current, op: -1 };
        break;
      }
      model.beforeSchedule(choose, sink);
      // drains that no step can make canonical: pruned at the choice that made them so
      if (canonical?.phaseDoomed() === true) {
        pruned = true;
        break;
      }
      const order: number[] = [];
      for (let k = 0; k < ncpu; k++) {
        const c = (current + k) % ncpu;
        if (runnable(c)) order.push(c);
      }
      if (order.length === 0) {
        if (model.flushAll(sink)) continue;
        outcome = { kind: 'bound-hit', bound: 'deadlock', cpu: current, op: -1 };
        break;
      }
      // the first decision only picks who starts: not a preemption (no CPU was running)
      const preemptible = steps > 0 && order[0] === current;
      // a single runnable CPU is not a decision (the recorder would answer 0 without consulting the source)
      if (order.length > 1)
        current = order[rec.choose('sched', order.length, preemptible, { cpus: order, current, step: steps })]!;
      else current = order[0]!;
      rec.onStep(current);
      step(current);
      if (canonical !== undefined && !canonical.phaseCanonical(cpus.every((s) => s.done) || steps >= bounds.steps)) {
        pruned = true;
        break;
      }
    }
  } catch (e) {
    if (!(e instanceof RetryBoundHit)) throw e;
    const op = ops[e.op]!;
    outcome = { kind: 'bound-hit', bound: 'retries', cpu: op.cpu, op: e.op };
  }
  if (pruned) throw new PrunedExecution(rec.records);
  model.flushAll(sink);

  return {
    outcome,
    events,
    ops,
    choices: rec.records,
    trace: rec.trace,
    results: cpus.map((s) => s.result),
    final: spec.locations.locs.map((l) => model.latest(l)),
    steps,
    model: modelKind,
    flush: flushKind,
    pages: pool.snapshot(),
  };
}
