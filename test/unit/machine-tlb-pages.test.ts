/**
 * The machine's TLB flush blocking rule (IPI vs broadcast) and page
 * generations (DESIGN §4), enumerated exhaustively under every memory model.
 */
import { describe, expect, test } from 'vitest';
import { enumerate } from '../../src/engines/enumerate';
import type { Event, Execution, FlushKind, MachineSpec, ModelKind, Program } from '../../src/machine';
import {
  LocationTable,
  MODEL_KINDS,
  READ_ONCE,
  TraceSource,
  WRITE_ONCE,
  alloc_page,
  execute,
  flush_tlb,
  local_irq_restore,
  local_irq_save,
  put_page,
  spin_lock,
  spin_unlock,
  tlb_access,
  tlb_fill,
  try_grab_folio,
} from '../../src/machine';

/** A: IRQs off around a load (GUP-fast's shape); B: flush, then a store. */
function flushSpec(flush: FlushKind): MachineSpec {
  const t = new LocationTable();
  const x = t.add('x', 32);
  const y = t.add('y', 32);
  return {
    locations: t,
    flush,
    cpus: [
      {
        name: 'A',
        program: function* (): Program {
          yield local_irq_save();
          yield READ_ONCE(x);
          yield local_irq_restore();
        },
      },
      {
        name: 'B',
        program: function* (): Program {
          yield flush_tlb();
          yield WRITE_ONCE(y, 1n);
        },
      },
    ],
  };
}

const stepOf = (exec: Execution, pred: (e: Event) => boolean): number => exec.events.find(pred)!.step;

interface FlushStats {
  executions: number;
  /** flush began while A had IRQs off */
  duringIrqOff: number;
  /** ... and B's next step ran before A re-enabled IRQs */
  completedEarly: number;
}

function flushStats(flush: FlushKind, model: ModelKind): FlushStats {
  const spec = flushSpec(flush);
  const s: FlushStats = { executions: 0, duringIrqOff: 0, completedEarly: 0 };
  enumerate(
    (src) => execute(spec, model, src),
    (exec) => {
      expect(exec.outcome.kind).toBe('complete');
      s.executions++;
      const off = stepOf(exec, (e) => e.name === 'local_irq_save');
      const on = stepOf(exec, (e) => e.name === 'local_irq_restore');
      const fl = stepOf(exec, (e) => e.kind === 'flush');
      const after = stepOf(exec, (e) => e.cpu === 1 && e.kind === 'store');
      if (fl > off && fl < on) {
        s.duringIrqOff++;
        if (after < on) s.completedEarly++;
      }
    },
  );
  return s;
}

describe('TLB flush blocking', () => {
  for (const model of MODEL_KINDS) {
    test(`${model}: an IPI flush begun while A has IRQs off cannot complete before A re-enables them`, () => {
      const s = flushStats('ipi', model);
      expect(s.duringIrqOff).toBeGreaterThan(0);
      expect(s.completedEarly).toBe(0);
    });
    test(`${model}: a broadcast flush waits for nobody`, () => {
      const s = flushStats('broadcast', model);
      expect(s.duringIrqOff).toBeGreaterThan(0);
      expect(s.completedEarly).toBeGreaterThan(0);
    });
  }

  test('the flush event names the CPUs it waits for, the IRQ restore the flush it acknowledges', () => {
    // B flushes after A's local_irq_save: trace = A steps, switch to B (preempt), B flushes, B blocked → A
    const exec = execute(flushSpec('ipi'), 'sc', new TraceSource([0, 1]));
    const fl = exec.events.find((e) => e.kind === 'flush')!;
    expect(fl.acks).toEqual([0]);
    expect(exec.events.find((e) => e.name === 'local_irq_restore')!.acks).toEqual([1]);
  });

  test('a flush waiting for a CPU that waits for the flusher is a deadlock bound-hit', () => {
    const t = new LocationTable();
    const ptl = t.add('ptl', 32);
    const spec: MachineSpec = {
      locations: t,
      flush: 'ipi',
      cpus: [
        {
          name: 'A',
          program: function* (): Program {
            yield local_irq_save();
            yield spin_lock(ptl);
            yield spin_unlock(ptl);
            yield local_irq_restore();
          },
        },
        {
          name: 'B',
          program: function* (): Program {
            yield spin_lock(ptl);
            yield flush_tlb();
            yield spin_unlock(ptl);
          },
        },
      ],
    };
    let deadlocks = 0;
    enumerate(
      (src) => execute(spec, 'sc', src),
      (exec) => {
        if (exec.outcome.kind === 'bound-hit') {
          expect(exec.outcome.bound).toBe('deadlock');
          deadlocks++;
        }
      },
    );
    expect(deadlocks).toBeGreaterThan(0);
    expect(execute({ ...spec, flush: 'broadcast' }, 'sc', new TraceSource([1, 0])).outcome.kind).toBe('complete');
  });
});

describe('pages', () => {
  test('free bumps the generation, allocation reuses the hottest free pfn, try_grab fails on refcount 0', () => {
    const results: bigint[] = [];
    const spec: MachineSpec = {
      locations: new LocationTable(),
      pages: [
        { pfn: 0x10n, ref: 1 },
        { pfn: 0x20n, ref: 0 },
      ],
      cpus: [
        {
          name: 'A',
          program: function* (): Program {
            results.push(yield try_grab_folio(0x10n)); // ref 1 → 2
            results.push(yield put_page(0x10n)); // 2 → 1
            results.push(yield put_page(0x10n)); // 1 → 0: freed, gen 1
            results.push(yield try_grab_folio(0x10n)); // fails
            results.push(yield alloc_page()); // the most recently freed: 0x10 again
            results.push(yield try_grab_folio(0x10n));
          },
        },
      ],
    };
    const exec = execute(spec, 'sc', new TraceSource([]));
    expect(results).toEqual([1n, 0n, 0n, 0n, 0x10n, 1n]);
    const pages = exec.events.map((e) => e.page!);
    expect(pages.map((p) => [p.gen, p.ref])).toEqual([
      [0, 2],
      [0, 1],
      [1, 0],
      [1, 0],
      [1, 1],
      [1, 2],
    ]);
    expect(pages[2]!.freed).toBe(true);
    expect(pages[3]!.ok).toBe(false);
    expect(exec.pages.get(0x10n)).toEqual({ ref: 2, gen: 1 });
    // the other free page is the allocator's second option
    const other = execute(spec, 'sc', new TraceSource([1]));
    expect(other.events[4]!.page!.pfn).toBe(0x20n);
  });

  test('an undeclared pfn is somebody else’s page: allocated, refcount 1', () => {
    const exec = execute(
      {
        locations: new LocationTable(),
        cpus: [
          {
            name: 'A',
            program: (): Program<bigint> =>
              (function* () {
                return yield try_grab_folio(0x99n);
              })(),
          },
        ],
      },
      'sc',
      new TraceSource([]),
    );
    expect(exec.events[0]!.page).toMatchObject({ pfn: 0x99n, ref: 2, ok: true, gen: 0 });
  });

  for (const flush of ['ipi', 'broadcast'] as const) {
    test(`${flush}: a page freed after the flush is in no TLB; freed before it, the TLB holder is recorded`, () => {
      const spec = (freeFirst: boolean): MachineSpec => ({
        locations: new LocationTable(),
        flush,
        pages: [{ pfn: 0x10n, ref: 1 }],
        cpus: [
          {
            name: 'walker',
            program: function* (): Program {
              yield tlb_fill('va', 0x10n);
            },
          },
          {
            name: 'zap',
            program: function* (): Program {
              if (freeFirst) yield put_page(0x10n);
              yield flush_tlb();
              if (!freeFirst) yield put_page(0x10n);
            },
          },
        ],
      });
      const good = execute(spec(false), 'sc', new TraceSource([]));
      expect(good.events.find((e) => e.kind === 'page')!.page!.tlbHolders).toBeUndefined();
      const bad = execute(spec(true), 'sc', new TraceSource([]));
      expect(bad.events.find((e) => e.kind === 'page')!.page!.tlbHolders).toEqual([0]);
    });
  }

  test('an IPI flush leaves an IRQs-off CPU’s TLB entry until it re-enables IRQs', () => {
    const accesses: bigint[] = [];
    const spec: MachineSpec = {
      locations: new LocationTable(),
      flush: 'ipi',
      pages: [{ pfn: 0x10n, ref: 1 }],
      cpus: [
        {
          name: 'A',
          program: function* (): Program {
            yield local_irq_save();
            yield tlb_fill('va', 0x10n);
            accesses.push(yield tlb_access('va'));
            accesses.push(yield tlb_access('va'));
            yield local_irq_restore();
            accesses.push(yield tlb_access('va'));
          },
        },
        {
          name: 'B',
          program: function* (): Program {
            yield flush_tlb();
          },
        },
      ],
    };
    // A: save, fill, access; B flushes (A has IRQs off); A: access (still cached), restore, access (miss)
    const exec = execute(spec, 'sc', new TraceSource([0, 0, 0, 1]));
    expect(exec.events.map((e) => `${e.cpu}:${e.name}`)).toEqual([
      '0:local_irq_save',
      '0:tlb_fill',
      '0:tlb_access',
      '1:flush_tlb_mm_range',
      '0:tlb_access',
      '0:local_irq_restore',
      '0:tlb_access',
    ]);
    expect(accesses).toEqual([0x11n, 0x11n, 0n]);
  });
});
