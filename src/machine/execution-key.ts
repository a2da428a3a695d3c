import type { Event, Execution } from './execution';

/** A write's identity in `Relations`: the index of its event in the event log, or INIT_WRITE for a location's initial value. */
export const INIT_WRITE = -1;

/**
 * Adds write `ev` to `writes`, a location's writes (event indices) in coherence order so far: last, or — a weak
 * store placed before the `co` newest (Event.co, WeakModel.place) — there.
 */
export function addInCoherenceOrder(writes: number[], ev: Event): void {
  if (ev.co === undefined) writes.push(ev.index);
  else writes.splice(writes.length - ev.co, 0, ev.index);
}

/** The reads-from and coherence relations of one execution, recovered from its event log. */
export interface Relations {
  /**
   * location id → the writes to it in coherence order (event indices, the initial value not listed):
   * the store, RMW, lock or unlock events — under tso a store's own event, not the drain that put it in
   * memory, which is how herd7 names a write
   */
  readonly co: ReadonlyMap<number, readonly number[]>;
  /**
   * event index of a load, RMW or lock → per location it read (in the order of its `locs`), the write it
   * read from (an event index, or INIT_WRITE)
   */
  readonly rf: ReadonlyMap<number, readonly number[]>;
}

/**
 * Which write every read read and the coherence order of every location, from the event log alone, by
 * each model's rules (src/machine/sc.ts, tso.ts, weak.ts): a location's memory is its list of writes in the
 * order they reached memory (the initial value first) —
 *  - sc and weak: every event that wrote (store, unlock, a storing RMW or lock) appends at once — except a
 *    weak store or unlock placed before the `co` newest writes (Event.co, WeakModel.place), which goes there;
 *  - tso: stores and unlocks enter their CPU's FIFO buffer, and a `drain` event appends the oldest entry
 *    of its CPU's buffer; RMWs and locks append at once (their forced drains are events before them).
 * A load reads: sc, the newest write; weak, the write `rank` places before the newest (WeakModel.load:
 * ts = length − 1 − rank); tso, its CPU's newest buffered store to the location, else the newest write
 * in memory. RMWs and locks read the newest write in memory under every model.
 */
export function relations(exec: Execution): Relations {
  const memory = new Map<number, number[]>();
  const written = (loc: number): number[] => {
    let list = memory.get(loc);
    if (list === undefined) memory.set(loc, (list = []));
    return list;
  };
  const newest = (loc: number): number => {
    const list = memory.get(loc);
    return list === undefined || list.length === 0 ? INIT_WRITE : list[list.length - 1]!;
  };
  const tso = exec.model === 'tso';
  const buffers = new Map<number, Event[]>();
  const buffer = (cpu: number): Event[] => {
    let b = buffers.get(cpu);
    if (b === undefined) buffers.set(cpu, (b = []));
    return b;
  };
  const rf = new Map<number, number[]>();
  for (const e of exec.events) {
    switch (e.kind) {
      case 'drain': {
        const store = buffer(e.cpu).shift();
        if (store === undefined) throw new Error(`[ptefuzz internal bug] drain of an empty buffer (CPU ${e.cpu})`);
        written(store.locs[0]!).push(store.index);
        break;
      }
      case 'load': {
        const loc = e.locs[0]!;
        if (tso) {
          const own = buffer(e.cpu).filter((s) => s.locs[0] === loc);
          rf.set(e.index, [own.length > 0 ? own[own.length - 1]!.index : newest(loc)]);
        } else {
          const list = memory.get(loc) ?? [];
          // the initial value is at position −1 of `list`
          const at = list.length - 1 - (e.rank ?? 0);
          rf.set(e.index, [at < 0 ? INIT_WRITE : list[at]!]);
        }
        break;
      }
      case 'rmw':
      case 'lock':
        rf.set(
          e.index,
          e.locs.map((l) => newest(l)),
        );
        if (e.wrote !== undefined) for (const l of e.locs) written(l).push(e.index);
        break;
      case 'store':
      case 'unlock':
        if (tso) buffer(e.cpu).push(e);
        else addInCoherenceOrder(written(e.locs[0]!), e);
        break;
      default:
        break;
    }
  }
  return { co: memory, rf };
}

/** A key part as text: JSON, bigints in hex. */
export const keyText = (v: unknown): string =>
  JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? `0x${x.toString(16)}` : x));

/**
 * The execution in herd7's sense, as a string: two traces with one key are one candidate execution. The
 * key holds, per CPU in program order, its events — instruction, locations, value read, value written
 * (so a failed cmpxchg, which writes nothing, differs from a successful one), and for every read the write
 * it read from, named by its CPU and program-order position (`1.0`) or `init` —, the coherence order of
 * every location's writes, named the same way, and how the execution ended. An event's identity is its
 * CPU and its position among that CPU's steps: branches and loop iterations count as executed, as herd7
 * unrolls them. What the key leaves out is the interleaving: when each step ran relative to the other
 * CPUs' steps, and under tso when each drain happened. The state a litmus test prints (the registers, the
 * values read; the final memory, the coherence-last writes) is a function of the key. Kernel scenarios'
 * verdicts are not: a reader's contract judges the values it returned against the writes made during its
 * operation window, which the interleaving places (README: How explore counts executions).
 */
export function executionKey(exec: Execution): string {
  const { co, rf } = relations(exec);
  const name = new Map<number, string>();
  const perCpu = new Map<number, Event[]>();
  for (const e of exec.events) {
    if (e.kind === 'drain') continue;
    let list = perCpu.get(e.cpu);
    if (list === undefined) perCpu.set(e.cpu, (list = []));
    list.push(e);
  }
  for (const [cpu, events] of perCpu) {
    const po = inProgramOrder(events);
    perCpu.set(cpu, po);
    po.forEach((e, i) => name.set(e.index, `${cpu}.${i}`));
  }
  const writeName = (w: number): string => (w === INIT_WRITE ? 'init' : name.get(w)!);
  const cpus = [...perCpu.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(
      ([cpu, events]) =>
        `${cpu}:` +
        events
          .map((e) => keyText([e.name, e.locs, e.read, e.wrote, rf.get(e.index)?.map(writeName), e.page, e.tlb]))
          .join(','),
    );
  const coText = [...co.entries()].sort((a, b) => a[0] - b[0]).map(([l, ws]) => `${l}:${ws.map(writeName).join(',')}`);
  // how it ended, without the CPU a step or deadlock bound stopped at (the scheduler's, not the execution's)
  const end = exec.outcome.kind === 'complete' ? 'complete' : exec.outcome.bound;
  return [cpus.join(';'), coText.join(';'), end].join(' | ');
}

/**
 * One CPU's events (in the order they executed) in program order. Only a raw program's store (and the smp_wmb()s
 * and loads of its location before it) runs ahead (Event.ahead, load buffering), and every event of a raw program
 * records its instruction's place in the program (Event.po, a preorder rank: a statement after an `if` ranks after
 * both its branches), so sorting by it restores program order — whatever the branches a store ran ahead of turned
 * out to execute.
 */
export function inProgramOrder(events: readonly Event[]): Event[] {
  if (!events.some((e) => e.ahead !== undefined)) return [...events];
  if (events.some((e) => e.po === undefined))
    throw new Error(`[ptefuzz internal bug] an event of CPU ${events[0]!.cpu} ran ahead outside a raw program`);
  return [...events].sort((a, b) => a.po! - b.po!);
}
