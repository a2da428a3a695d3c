/**
 * The watch buffer's "minimizing" record (what a worker was minimizing when a candidate hung) and the
 * campaign's side of it: the ExecutionWatch.minimizing hook around every minimization, and the target +
 * class pairs handed over unminimized after a minimization of theirs hung.
 */
import { describe, expect, test } from 'vitest';
import type { CampaignConfig, ExecutionWatch, MinimizingWitness, Target } from '../../src/campaign';
import { minimizeKey, runCampaign, runTarget } from '../../src/campaign';
import { TraceSource } from '../../src/machine';
import { SharedWatch, WatchBuffer } from '../../src/cli/watchdog';
import { target } from '../support/targets';

describe('WatchBuffer: the minimizing record', () => {
  const t = target('s2-pae-zap-reestablish', 'ptep_get', 'tso');
  // a target the buffer has no index for, as a program the minimizer reduced is (same scenario text here)
  const reduced: Target = { ...t };
  /** a divergence of `t` to minimize: any run does for the buffer, which keeps only its target and class */
  const divergence = (cls: string): MinimizingWitness => ({
    target: t,
    class: cls,
    ...runTarget(t, new TraceSource([1])),
  });

  test('holds the target and class being minimized while the candidates run; gone once it ends', () => {
    const buf = WatchBuffer.create(2);
    const told: MinimizingWitness[] = [];
    const watch = new SharedWatch(buf, [target('s1-pae-double-refault', 'ptep_get'), t], (m) => {
      // told before the record is set: a hang found with the record set has it in hand
      expect(buf.snapshot().minimizing).toBeUndefined();
      told.push(m);
    });
    expect(buf.snapshot().minimizing).toBeUndefined();
    const m = divergence('use-after-free');
    watch.minimizing(m);
    expect(told).toEqual([m]);
    runTarget(t, new TraceSource([0, 1]), undefined, watch);
    const snap = buf.snapshot();
    expect(snap.minimizing).toEqual({ target: 1, class: 'use-after-free' });
    // a candidate on the target itself: its index, no program text
    expect(snap.target).toBe(1);
    expect(snap.program).toBeUndefined();
    watch.minimizing(undefined);
    expect(buf.snapshot().minimizing).toBeUndefined();
    expect(told).toEqual([m]);
  });

  test('a candidate on a reduced program: target -1 and that program’s text, whole', () => {
    const buf = WatchBuffer.create(1);
    const watch = new SharedWatch(buf, [t]);
    watch.minimizing(divergence('torn'));
    runTarget(reduced, new TraceSource([1, 0]), undefined, watch);
    const snap = buf.snapshot();
    expect(snap.target).toBe(-1);
    expect(t.scenario.text!.length).toBeGreaterThan(500);
    expect(snap.program).toBe(t.scenario.text);
    expect(snap.minimizing?.target).toBe(0);
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

  test('every minimization is announced with the divergence as executed, and closed', () => {
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
      // the run announced is the divergence as executed: judged torn, and its trace replays as one
      expect(m.judgement.verdict).toMatchObject({ class: 'torn' });
      expect(runTarget(t, new TraceSource(m.exec.trace)).judgement.verdict).toMatchObject({ class: 'torn' });
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
