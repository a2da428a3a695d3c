/**
 * Where a `weak` store takes its place in coherence order (WeakModel.place, the `co` choice): after everything its
 * CPU has read or written of the location, before any write it has not seen unless its view is already ordered
 * after that write, never between an RMW and the write it read; a later read of the location by a CPU that saw a
 * write the store went before never reads the store (coherence). And the reference follows memory in that order
 * (reference/history.ts memoryOrder). Expected values are derived by hand from those rules.
 */
import { describe, expect, test } from 'vitest';
import type { ChoiceKind, Chooser, Execution } from '../../src/machine';
import { READ_ONCE, TraceSource, WRITE_ONCE, execute, relations } from '../../src/machine';
import { LocationTable } from '../../src/machine';
import { WeakModel } from '../../src/machine/weak';
import { litmus } from '../../src/litmus-shapes/shape';
import { memoryOrder } from '../../src/reference';

const X = { id: 0, name: 'x', width: 32 } as const;

/**
 * A chooser that answers `answers[kind]` in turn (0 once they run out) and logs every decision of two or more options
 * it was offered (a single option is no decision: the interpreter's ChoiceRecorder takes it without asking).
 */
function scripted(answers: Partial<Record<ChoiceKind, number[]>>) {
  const offered: [ChoiceKind, number][] = [];
  const choose: Chooser = (kind, n) => {
    if (n <= 1) return 0;
    offered.push([kind, n]);
    return answers[kind]?.shift() ?? 0;
  };
  return { choose, offered };
}

describe('WeakModel: placing a store', () => {
  test('a store whose CPU has seen every write of the location has one place, the last, and offers no choice', () => {
    const m = new WeakModel([0n], 2);
    const { choose, offered } = scripted({});
    expect(m.store(0, X, 1n, 'once', 10, choose)).toBe(0);
    expect(m.store(0, X, 2n, 'once', 11, choose)).toBe(0);
    expect(offered).toEqual([]);
    expect(m.latest(X)).toBe(2n);
  });

  test('before a write its CPU has not seen: the other write stays coherence-last, and a CPU that read it never reads the store', () => {
    const m = new WeakModel([0n], 4);
    const { choose, offered } = scripted({ co: [1] });
    m.store(0, X, 2n, 'once', 10, choose);
    // CPU 2 reads the 2 (the newest of 0, 2)
    expect(m.load(2, X, 'once', scripted({}).choose).value).toBe(2n);
    // CPU 1 has seen only the initial 0: its 1 may go last (option 0) or before the 2 (option 1)
    expect(m.store(1, X, 1n, 'once', 11, choose)).toBe(1);
    expect(offered).toEqual([['co', 2]]);
    expect(m.latest(X)).toBe(2n);
    // coherence: CPU 2 read the 2, so it may read only the 2 now (the 1 went before it): no choice
    const again = scripted({});
    expect(m.load(2, X, 'once', again.choose).value).toBe(2n);
    expect(again.offered).toEqual([]);
    // CPU 1 wrote the 1: it may read its 1 or the 2 (CoWR), not the initial 0
    const own = scripted({ rf: [1] });
    expect(m.load(1, X, 'once', own.choose).value).toBe(1n);
    expect(own.offered).toEqual([['rf', 2]]);
    // a fresh CPU sees the coherence order 0, 1, 2: rank 0 the 2, rank 1 the 1, rank 2 the 0
    const fresh = (rank: number): bigint => m.load(3, X, 'once', scripted({ rf: [rank] }).choose).value;
    expect(fresh(2)).toBe(0n);
    expect(fresh(1)).toBe(1n);
    expect(fresh(0)).toBe(2n);
  });

  test('never between an RMW and the write it read: the slot just before an RMW’s write is not offered', () => {
    const m = new WeakModel([0n], 2);
    // CPU 0's xchg reads the 0 and writes 2 right after it
    const r = m.rmw(0, [X], 'relaxed', () => 2n, 10);
    expect(r.old).toBe(0n);
    const { choose, offered } = scripted({ co: [1] });
    // CPU 1 has seen only the 0: the one slot between the 0 and the xchg's 2 is the xchg's — only the last is left
    expect(m.store(1, X, 1n, 'once', 11, choose)).toBe(0);
    expect(offered).toEqual([]);
    expect(m.latest(X)).toBe(1n);
  });
});

/** P0: x = 2; P1: x = 1; P2: r0 = x; r1 = x — every execution under weak, by bound-0 enumeration of traces. */
const W_W_RR = litmus({
  name: 'W+W+RR',
  doc: 'two writers of x, a reader of x twice',
  locations: ['x'],
  cpus: [
    function* (l) {
      yield WRITE_ONCE(l.x, 2n);
      return [];
    },
    function* (l) {
      yield WRITE_ONCE(l.x, 1n);
      return [];
    },
    function* (l) {
      const r0 = yield READ_ONCE(l.x);
      const r1 = yield READ_ONCE(l.x);
      return [r0, r1];
    },
  ],
  finals: ['x'],
  interesting: '2:r0=2; 2:r1=1; x=2',
});

/** The executions of every trace of `len` values below `radix` (every shorter trace is one with trailing zeros). */
function executions(len: number, radix: number): Execution[] {
  const out: Execution[] = [];
  for (let code = 0; code < radix ** len; code++) {
    const trace = Array.from({ length: len }, (_, i) => Math.floor(code / radix ** i) % radix);
    out.push(execute(W_W_RR.build(), 'weak', new TraceSource(trace)));
  }
  return out;
}

describe('coherence after a store is placed early (brute force over traces)', () => {
  const all = executions(5, 3);

  test('a store was placed before a write it had not seen in some execution (x ends 2 although P1 wrote last)', () => {
    const placed = all.filter((e) => e.events.some((ev) => ev.co !== undefined));
    expect(placed.length).toBeGreaterThan(0);
    for (const e of placed) {
      const early = e.events.find((ev) => ev.co !== undefined)!;
      // the early store is not the coherence-last write: memory ends with the other one
      expect(e.final[0]).not.toBe(early.wrote);
    }
  });

  test('CoRR: the reader never reads a write coherence-before one it read earlier', () => {
    for (const e of all) {
      const { co, rf } = relations(e);
      const order = [-1, ...(co.get(0) ?? [])];
      const reads = e.events.filter((ev) => ev.kind === 'load').map((ev) => order.indexOf(rf.get(ev.index)![0]!));
      expect(reads[1]!, JSON.stringify(e.trace)).toBeGreaterThanOrEqual(reads[0]!);
    }
  });

  test('every read reads a write that wrote the value read, and the final value is the coherence-last write', () => {
    for (const e of all) {
      const { co, rf } = relations(e);
      for (const ev of e.events.filter((x) => x.kind === 'load')) {
        const w = rf.get(ev.index)![0]!;
        expect(ev.read).toBe(w < 0 ? 0n : e.events[w]!.wrote);
      }
      const last = co.get(0)!;
      expect(e.final[0]).toBe(e.events[last[last.length - 1]!]!.wrote);
    }
  });

  test('memoryOrder lists each location’s writes in coherence order, an early store just before its anchor', () => {
    for (const e of all.filter((x) => x.events.some((ev) => ev.co !== undefined))) {
      const mem = memoryOrder(e);
      const writes = mem.events.filter((ev) => ev.wrote !== undefined).map((ev) => ev.index);
      expect(writes).toEqual(relations(e).co.get(0));
      const early = e.events.find((ev) => ev.co !== undefined)!;
      const anchor = mem.events[mem.pos(early) + 1]!;
      expect(anchor.co).toBeUndefined();
      expect(mem.time(early)).toBe(anchor.step - 0.5);
      expect(mem.events).toHaveLength(e.events.length);
    }
  });
});

test('X is the location a one-location table gives (32-bit x at id 0)', () => {
  expect(new LocationTable().add('x', 32, 0n)).toMatchObject(X);
});
