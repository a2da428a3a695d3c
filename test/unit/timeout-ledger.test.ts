/**
 * The watchdog's ledger of hung executions (src/cli/timeout-ledger.ts), as `fuzz` keeps it for the native
 * engines (parallel.ts) and jsfuzz: a target dropped at exactly its 3rd hang, once; one timeout file per
 * fingerprint, its hits counted; a minimizer's candidate that hung on the target (a timeout too) or on a
 * program the minimizer reduced (no timeout, a restart). The crash files are a fake `save`.
 */
import { describe, expect, test } from 'vitest';
import type { CrashFile } from '../../src/crash';
import { builtinReaders } from '../../src/kernel';
import { TraceSource } from '../../src/machine';
import { runTarget } from '../../src/campaign';
import type { HangSnapshot } from '../../src/cli/watchdog';
import { TimeoutLedger } from '../../src/cli/timeout-ledger';
import { target } from '../support/targets';

const a = target('s2-pae-zap-reestablish', 'ptep_get_lockless', 'tso');
const b = target('s1-pae-double-refault', 'ptep_get');

/** A hang of target index `i` (`t`): a complete run stands in for one "hung" after step 5 on the CPU that took it. */
function hangOf(t: typeof a, i: number, extra: Partial<HangSnapshot> = {}): HangSnapshot {
  const run = runTarget(t, new TraceSource([0, 0, 1, 0, 0, 0, 2, 1]));
  const cpu = run.exec.events.find((e) => e.step === 5 && e.kind !== 'drain')!.cpu;
  return { target: i, trace: [...run.exec.trace], truncated: false, step: 5, cpu, run: 0, pos: 0, ...extra };
}

/** A ledger over [a, b] whose `save` returns `saved-1`, `saved-2`, …; `events` says what it saved and dropped, in order. */
function ledger() {
  const events: string[] = [];
  const saved: CrashFile[] = [];
  const l = new TimeoutLedger({
    targets: [a, b],
    registry: builtinReaders(),
    timeoutSeconds: 2,
    engine: 'random',
    seed: '7',
    save: (record) => {
      saved.push(record);
      events.push(`save ${saved.length}`);
      return `saved-${saved.length}`;
    },
    onDrop: (i) => events.push(`drop ${i}`),
  });
  return { l, events, saved };
}

const at = (executions: number) => ({ executions, seconds: executions / 10 });

describe('TimeoutLedger', () => {
  test('a target is dropped at exactly its 3rd hang, once, before its timeout is recorded; dropped in target order', () => {
    const { l, events } = ledger();
    const h = hangOf(a, 0);
    expect([1, 2, 3, 4, 5].map((n) => l.timeout(a, h, at(n)).drop)).toEqual([false, false, true, false, false]);
    expect(l.hangs.get(a.key)).toBe(5);
    // one file (the same hang each time), the drop decided on the 3rd hang only
    expect(events).toEqual(['save 1', 'drop 0']);
    expect(l.dropped).toEqual([a.key]);
    // b: its 3rd hang is new to the campaign — the drop comes before the file is written
    const hb = hangOf(b, 1);
    l.timeout(b, { ...hb, cpu: -1, step: 0 }, at(6));
    l.timeout(b, { ...hb, cpu: -1, step: 0 }, at(7));
    expect(l.timeout(b, hb, at(8))).toMatchObject({ fresh: true, drop: true });
    expect(events).toEqual(['save 1', 'drop 0', 'save 2', 'drop 1', 'save 3']);
    expect(l.hangs).toEqual(
      new Map([
        [a.key, 5],
        [b.key, 3],
      ]),
    );
    expect(l.restarts).toBe(8);
  });

  test('targets dropped out of order are listed in target order', () => {
    const { l } = ledger();
    for (let n = 0; n < 3; n++) l.timeout(b, hangOf(b, 1), at(n));
    for (let n = 0; n < 3; n++) l.timeout(a, hangOf(a, 0), at(n));
    expect(l.dropped).toEqual([a.key, b.key]);
    expect(l.droppedIndices).toEqual([0, 1]);
  });

  test('one timeout file per fingerprint, its hits counted, first seen where it was first met', () => {
    const { l, saved } = ledger();
    const h = hangOf(a, 0);
    const before = { ...h, cpu: -1, step: 0 };
    const r = [
      l.timeout(a, h, at(10)),
      // trailing default choices: the same hang
      l.timeout(a, { ...h, trace: [...h.trace, 0, 0] }, at(20)),
      l.timeout(a, before, at(30)),
      l.timeout(a, h, at(40)),
    ];
    expect(r.map((x) => x.fresh)).toEqual([true, false, true, false]);
    expect(r.map((x) => x.finding.file)).toEqual(['saved-1', 'saved-1', 'saved-2', 'saved-1']);
    expect(saved.map((rec) => rec.verdict)).toMatchObject([
      { kind: 'timeout', step: 5, cpu: h.cpu, seconds: 2 },
      { kind: 'timeout', step: 0, cpu: -1, seconds: 2 },
    ]);
    expect(saved.map((rec) => [rec.engine, rec.seed])).toEqual([
      ['random', '7'],
      ['random', '7'],
    ]);
    expect(l.timeouts.map((f) => [f.file, f.hits, f.first.executions])).toEqual([
      ['saved-1', 3, 10],
      ['saved-2', 1, 30],
    ]);
    expect(l.distinctCount).toBe(2);
    expect(l.hangs.get(a.key)).toBe(4);
  });

  test('a minimizer candidate that hung on the target: a timeout of it too, its file in the record', () => {
    const { l, saved } = ledger();
    const h = hangOf(a, 0, { minimizing: { target: 0, class: 'torn' } });
    const r = l.minimizeHang(a, h, { file: 'kept.msgpack', choices: 9, again: false }, at(50));
    expect(r.timeout).toMatchObject({ fresh: true, drop: false, finding: { file: 'saved-1', hits: 1 } });
    expect(saved).toHaveLength(1);
    expect(r.hang).toMatchObject({
      target: a,
      class: 'torn',
      file: 'kept.msgpack',
      again: false,
      choices: 9,
      on: 'target',
      timeout: 'saved-1',
    });
    const name = a.built.cpus[h.cpu]!.name;
    expect(r.hang.detail).toContain(`CPU ${h.cpu} (${name}) did not yield again after its step 5`);
    expect(l.hangs.get(a.key)).toBe(1);
    expect(l.timeouts).toHaveLength(1);
    expect(l.minimizeHangs).toEqual([r.hang]);
    expect(l.restarts).toBe(1);
  });

  test('a minimizer candidate that hung on a reduced program: no timeout, no file, not a hang of the target', () => {
    const { l, saved } = ledger();
    const m = { minimizing: { target: 0, class: 'torn' }, target: -1 };
    const lost = l.minimizeHang(a, hangOf(a, 0, m), { file: 'kept-1', choices: 4, again: true }, at(1));
    expect(lost.timeout).toBeUndefined();
    expect(lost.hang).toEqual({
      target: a,
      class: 'torn',
      file: 'kept-1',
      again: true,
      choices: 4,
      on: 'reduced',
      detail: 'on a program the minimizer reduced, whose text the watch buffer did not hold',
    });
    // the program's text published: described on that program, rebuilt
    const whole = l.minimizeHang(
      a,
      hangOf(a, 0, { ...m, program: a.scenario.text! }),
      { file: 'kept-2', choices: 4, again: false },
      at(2),
    );
    expect(whole.hang.detail).toMatch(/^on a program the minimizer reduced \(operations dropped\): CPU \d .*step 5/);
    expect(saved).toHaveLength(0);
    expect(l.hangs.size).toBe(0);
    expect(l.dropped).toEqual([]);
    expect(l.minimizeHangs.map((x) => x.on)).toEqual(['reduced', 'reduced']);
    // each stopped its worker
    expect(l.restarts).toBe(2);
  });
});
