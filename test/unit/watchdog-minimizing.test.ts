/**
 * The watch buffer's "minimizing" record (what a worker was minimizing when a candidate hung) and the
 * campaign's side of it: the ExecutionWatch.minimizing hook around every minimization, and the target +
 * class pairs handed over unminimized after a minimization of theirs hung.
 */
import { describe, expect, test } from 'vitest';
import type { CampaignConfig, ExecutionWatch, MinimizingWitness, Target } from '../../src/campaign';
import { minimizeKey, runCampaign, runTarget } from '../../src/campaign';
import { TraceSource } from '../../src/machine';
import { SharedWatch, TRACE_CAPACITY, WatchBuffer } from '../../src/cli/watchdog';
import { target } from '../support/targets';

describe('WatchBuffer: the minimizing record', () => {
  const t = target('s2-pae-zap-reestablish', 'ptep_get', 'tso');
  // a target the buffer has no index for, as a program the minimizer reduced is (same scenario text here)
  const reduced: Target = { ...t };

  test('holds the target, class and trace being minimized while the candidates run; gone once it ends', () => {
    const buf = WatchBuffer.create(2);
    const watch = new SharedWatch(buf, [target('s1-pae-double-refault', 'ptep_get'), t]);
    expect(buf.snapshot().minimizing).toBeUndefined();
    watch.minimizing({ target: t, class: 'use-after-free', trace: [3, 1, 4, 1, 5] });
    runTarget(t, new TraceSource([0, 1]), undefined, watch);
    const snap = buf.snapshot();
    expect(snap.minimizing).toEqual({ target: 1, class: 'use-after-free', trace: [3, 1, 4, 1, 5], length: 5 });
    // a candidate on the target itself: its index, no program text
    expect(snap.target).toBe(1);
    expect(snap.program).toBeUndefined();
    watch.minimizing(undefined);
    expect(buf.snapshot().minimizing).toBeUndefined();
  });

  test('a candidate on a reduced program: target -1 and that program’s text, whole', () => {
    const buf = WatchBuffer.create(1);
    const watch = new SharedWatch(buf, [t]);
    watch.minimizing({ target: t, class: 'torn', trace: [1] });
    runTarget(reduced, new TraceSource([1, 0]), undefined, watch);
    const snap = buf.snapshot();
    expect(snap.target).toBe(-1);
    expect(t.scenario.text!.length).toBeGreaterThan(500);
    expect(snap.program).toBe(t.scenario.text);
    expect(snap.minimizing?.target).toBe(0);
  });

  test('a trace longer than the buffer says so (length) and keeps its first TRACE_CAPACITY choices', () => {
    const buf = WatchBuffer.create(1);
    const watch = new SharedWatch(buf, [t]);
    const long = Array.from({ length: TRACE_CAPACITY + 3 }, (_, i) => i % 7);
    watch.minimizing({ target: t, class: 'torn', trace: long });
    const m = buf.snapshot().minimizing!;
    expect(m.length).toBe(TRACE_CAPACITY + 3);
    expect(m.trace).toEqual(long.slice(0, TRACE_CAPACITY));
  });
});

describe('runCampaign: the minimizing hook and unminimized classes', () => {
  const t = target('s2-pae-zap-reestablish', 'ptep_get', 'tso');
  const base = (extra: Partial<CampaignConfig>): CampaignConfig => ({
    targets: [t],
    engine: 'random',
    seed: '3',
    runs: 40,
    clock: () => 0,
    onWitness: (f) => ({ id: `${f.class} ${f.trace.join(',')}`, fresh: true }),
    ...extra,
  });
  /** a watch that records the minimizing calls and what ran between them */
  const recorder = () => {
    const calls: (MinimizingWitness | undefined)[] = [];
    let inside = 0;
    const watch: ExecutionWatch = {
      begin: (_t, source) => {
        if (calls.at(-1) !== undefined) inside++;
        return source;
      },
      end: () => undefined,
      minimizing: (m) => calls.push(m),
    };
    return { calls, watch, inside: () => inside };
  };

  test('every minimization is announced with the divergent trace, and closed', () => {
    const rec = recorder();
    const traces: (readonly number[])[] = [];
    const r = runCampaign(
      base({
        watch: rec.watch,
        onWitness: (f) => {
          traces.push(f.trace);
          return { id: `${f.class} ${f.trace.join(',')}`, fresh: true };
        },
      }),
    );
    expect(r.findings.length).toBeGreaterThan(0);
    const opened = rec.calls.filter((c) => c !== undefined);
    expect(opened.length).toBe(traces.length);
    expect(rec.calls).toEqual(opened.flatMap((c) => [c, undefined]));
    for (const m of opened) {
      expect(m.target).toBe(t);
      expect(m.class).toBe('torn');
      // the trace announced is the divergence as executed: it replays as one
      expect(runTarget(t, new TraceSource(m.trace)).judgement.verdict).toMatchObject({ class: 'torn' });
    }
    // the candidates ran inside
    expect(rec.inside()).toBeGreaterThan(opened.length);
  });

  test('a class whose minimization hung is handed over as executed: no minimization, longer traces', () => {
    const min = runCampaign(base({}));
    const rec = recorder();
    const raw = runCampaign(base({ watch: rec.watch, unminimized: new Set([minimizeKey(t, 'torn')]) }));
    expect(rec.calls).toEqual([]);
    expect(raw.findings.length).toBeGreaterThan(0);
    for (const f of raw.findings) {
      expect(f.target).toBe(t);
      expect(runTarget(t, new TraceSource(f.trace)).judgement.verdict).toMatchObject({ class: 'torn' });
    }
    const shortest = (r: typeof min): number => Math.min(...r.findings.map((f) => f.trace.length));
    expect(shortest(raw)).toBeGreaterThan(shortest(min));
    // the same executions and divergences were counted
    expect(raw.perTarget.get(t.key)).toEqual(min.perTarget.get(t.key));
  });
});
