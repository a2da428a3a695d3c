/**
 * The hang watchdog's pieces without threads: when the detector fires, what
 * the shared buffer records of an execution in flight, how a campaign resumes
 * after a hung execution (and skips a dropped target), and the timeout crash
 * file (format version 3).
 */
import { describe, expect, test } from 'vitest';
import type { CampaignConfig, ExecutionWatch, Target } from '../../src/campaign';
import { describeHang, runCampaign, runTarget, timeoutRecord } from '../../src/campaign';
import { TraceSource } from '../../src/machine';
import { crashFileName, decodeCrash, encodeCrash, fingerprint } from '../../src/crash';
import { HIT_SLOTS, HangDetector, SharedWatch, TRACE_CAPACITY, WatchBuffer } from '../../src/cli/watchdog';
import { target } from '../support/targets';

describe('HangDetector', () => {
  test('fires once the counter of an execution in flight has stood still for the limit, not before', () => {
    const d = new HangDetector(1000);
    expect(d.check(0, true, 7)).toBe(false);
    expect(d.check(999, true, 7)).toBe(false);
    expect(d.check(1000, true, 7)).toBe(true);
  });

  test('a moving counter restarts the clock: many short executions never time out', () => {
    const d = new HangDetector(1000);
    for (let t = 0, c = 0; t <= 10_000; t += 250, c++) expect(d.check(t, true, c)).toBe(false);
    expect(d.check(10_999, true, 40)).toBe(false);
    expect(d.check(11_250, true, 40)).toBe(true);
  });

  test('time between executions (start-up, corpus sync, reporting) is never counted', () => {
    const d = new HangDetector(1000);
    expect(d.check(0, false, 3)).toBe(false);
    expect(d.check(5000, false, 3)).toBe(false);
    // the next execution starts with the same counter value it would have had: timed from now
    expect(d.check(5100, true, 3)).toBe(false);
    expect(d.check(6000, true, 3)).toBe(false);
    expect(d.check(6100, true, 3)).toBe(true);
  });

  test('polls at a quarter of the limit, between 10 and 250 ms', () => {
    expect(HangDetector.pollMs(1000)).toBe(250);
    expect(HangDetector.pollMs(10_000)).toBe(250);
    expect(HangDetector.pollMs(200)).toBe(50);
    expect(HangDetector.pollMs(1)).toBe(10);
  });
});

describe('WatchBuffer and SharedWatch', () => {
  const t = target('s2-pae-zap-reestablish', 'ptep_get_lockless', 'tso');

  test('publishes the choices and steps of the execution in flight, and nothing of it once returned', () => {
    const buf = WatchBuffer.create(2);
    const watch = new SharedWatch(buf, [target('s1-pae-double-refault', 'ptep_get_lockless'), t]);
    const run = runTarget(t, new TraceSource([0, 1, 1, 0, 2, 1]), undefined, watch);
    expect(buf.inFlight).toBe(false);
    expect(buf.counter).toBe(1);
    const snap = buf.snapshot();
    expect(snap.target).toBe(1);
    expect(snap.trace).toEqual(run.exec.trace);
    expect(snap.truncated).toBe(false);
    // every step was announced: the last one is the step number steps - 1
    expect(snap.step).toBe(run.exec.steps - 1);
    expect(snap.cpu).toBe(run.exec.events.filter((e) => e.kind !== 'drain').at(-1)!.cpu);
  });

  test('in flight between begin and end; the counter counts executions', () => {
    const buf = WatchBuffer.create(1);
    const watch = new SharedWatch(buf, [t]);
    const seen: boolean[] = [];
    const spy: ExecutionWatch = {
      begin: (x, s) => {
        const w = watch.begin(x, s);
        seen.push(buf.inFlight);
        return w;
      },
      end: () => watch.end(),
    };
    runTarget(t, new TraceSource([]), undefined, spy);
    runTarget(t, new TraceSource([1]), undefined, spy);
    expect(seen).toEqual([true, true]);
    expect(buf.inFlight).toBe(false);
    expect(buf.counter).toBe(2);
  });

  test('statistics counted into the buffer are read back by the other side', () => {
    const buf = WatchBuffer.create(3);
    const st = buf.stats(1);
    st.executions += 5;
    st.races += 2;
    st.verdicts.divergence++;
    st.verdicts.agree += 4;
    expect(new WatchBuffer(buf.buffer, 3).statsCopy(1)).toEqual({
      executions: 5,
      races: 2,
      verdicts: { agree: 4, divergence: 1, boundHit: 0 },
    });
    expect(buf.statsCopy(0).executions).toBe(0);
    expect(TRACE_CAPACITY).toBeGreaterThan(3 * 4000);
  });

  test('hits past the shared slots are counted in the worker and added from its message: every slot exact', () => {
    const worker = WatchBuffer.create(2, 2);
    const hits = [3, 1, 4, 1, 5, 9];
    hits.forEach((n, slot) => {
      for (let i = 0; i < n; i++) worker.addHit(slot);
    });
    const main = new WatchBuffer(worker.buffer, 2);
    expect(main.hitSlots).toBe(2);
    const past = structuredClone(worker.hitsPast());
    expect(hits.map((_, slot) => main.hits(slot, past))).toEqual(hits);
    // without the message, the main thread sees only the shared slots
    expect(hits.map((_, slot) => main.hits(slot, []))).toEqual([3, 1, 0, 0, 0, 0]);
    expect(WatchBuffer.create(2).hitsPast()).toEqual([]);
    expect(new WatchBuffer(WatchBuffer.create(3).buffer, 3).hitSlots).toBe(HIT_SLOTS);
  });
});

describe('campaign resume after a hung execution', () => {
  const targets: Target[] = [
    target('s2-pae-zap-reestablish', 'ptep_get_lockless', 'sc'),
    target('s2-pae-zap-reestablish', 'ptep_get', 'sc'),
    target('s1-pae-double-refault', 'ptep_get_lockless', 'sc'),
  ];
  const base = (extra: Partial<CampaignConfig>): CampaignConfig => ({
    targets,
    engine: 'random',
    seed: '5',
    runs: 40,
    clock: () => 0,
    onWitness: (f) => ({ id: `${f.target.key} ${f.class}`, fresh: true }),
    ...extra,
  });

  test('stopping at (run, pos) and resuming at (run, pos + 1) executes every other execution exactly once', () => {
    const whole = runCampaign(base({}));
    // the first worker: every execution up to run 17, position 0 (where it "hangs": we stop it there)
    const positions: string[] = [];
    const first = runCampaign(
      base({
        runs: 18,
        onExecute: (r, p) => positions.push(`${r}:${p}`),
      }),
    );
    expect(positions.at(-1)).toBe('17:0'); // run 17 is S1's (odd runs): one target
    const resumed = runCampaign(base({ from: { run: 17, pos: 1 } }));
    expect(first.runs + resumed.runs).toBe(whole.runs);
    for (const t of targets) {
      const a = first.perTarget.get(t.key)!;
      const b = resumed.perTarget.get(t.key)!;
      const w = whole.perTarget.get(t.key)!;
      expect(a.executions + b.executions).toBe(w.executions);
      expect(a.verdicts.divergence + b.verdicts.divergence).toBe(w.verdicts.divergence);
      expect(a.races + b.races).toBe(w.races);
    }
  });

  test('resuming in the middle of a run skips the positions before and does not count the run again', () => {
    const positions: string[] = [];
    const r = runCampaign(
      base({ runs: 12, from: { run: 10, pos: 1 }, onExecute: (run, p) => positions.push(`${run}:${p}`) }),
    );
    expect(positions).toEqual(['10:1', '11:0']);
    expect(r.runs).toBe(1);
  });

  test('a skipped (dropped) target is not executed; the others are', () => {
    const r = runCampaign(base({ skip: new Set([targets[1]!.key]) }));
    expect(r.perTarget.get(targets[1]!.key)!.executions).toBe(0);
    expect(r.perTarget.get(targets[0]!.key)!.executions).toBe(20);
    expect(r.perTarget.get(targets[2]!.key)!.executions).toBe(20);
    expect(r.runs).toBe(40);
  });

  test('onHit counts every hit of a finding, the first included', () => {
    const hits = new Map<string, number>();
    const r = runCampaign(base({ onHit: (id) => hits.set(id, (hits.get(id) ?? 0) + 1) }));
    expect(r.findings.length).toBeGreaterThan(0);
    for (const f of r.findings) expect(hits.get(f.id!)).toBe(f.hits);
  });
});

describe('timeout crash files', () => {
  const t = target('s2-pae-zap-reestablish', 'ptep_get_lockless', 'tso');
  // a complete execution stands in for a hung one: "hung" after step 5 on the CPU that took it
  const run = runTarget(t, new TraceSource([0, 0, 1, 0, 0, 0, 2, 1]));
  const step = 5;
  const cpu = run.exec.events.find((e) => e.step === step && e.kind !== 'drain')!.cpu;
  const hang = { trace: run.exec.trace, step, cpu };

  test('version 3, verdict kind timeout, file name with the timeout class; encodes and decodes to the same bytes', () => {
    const rec = timeoutRecord(t, hang, 1, 'random', '1');
    expect(rec.version).toBe(3);
    expect(rec.verdict).toMatchObject({ kind: 'timeout', class: 'timeout', seconds: 1, step: 5, cpu });
    expect(crashFileName(rec)).toMatch(
      /^s2-pae-zap-reestablish\.ptep_get_lockless\.non-torn\.tso\.timeout\.[0-9a-f]{12}\.msgpack$/,
    );
    const bytes = encodeCrash(rec);
    const back = decodeCrash(bytes, 'x.msgpack');
    expect(back).toEqual(rec);
    expect(Buffer.compare(encodeCrash(back), bytes)).toBe(0);
  });

  test('the signature names the operation in flight and what it had read; the same hang is the same fingerprint', () => {
    const d = describeHang(t, hang);
    const name = t.built.cpus[cpu]!.name;
    expect(d.detail).toContain(`CPU ${cpu} (${name}) did not yield again after its step 5`);
    const again = timeoutRecord(t, { ...hang, trace: [...hang.trace, 0, 0] }, 1, 'pct', '9');
    // trailing default choices, another engine and seed: one bug, one file
    expect(fingerprint(again)).toBe(fingerprint(timeoutRecord(t, hang, 1, 'random', '1')));
    const elsewhere = timeoutRecord(t, { ...hang, cpu: 1 - cpu }, 1, 'random', '1');
    expect(fingerprint(elsewhere)).not.toBe(fingerprint(again));
  });

  test('a hang before the first step is recorded as cpu -1, step 0', () => {
    const rec = timeoutRecord(t, { trace: [], step: 0, cpu: -1 }, 2, 'random', '1');
    expect(rec.verdict).toMatchObject({ kind: 'timeout', step: 0, cpu: -1 });
    expect(decodeCrash(encodeCrash(rec), 'x').verdict).toEqual(rec.verdict);
  });

  test('a version-2 file may not claim a timeout; a bad timeout field is named', () => {
    const rec = timeoutRecord(t, hang, 1, 'random', '1');
    expect(() => decodeCrash(encodeCrash({ ...rec, version: 2 }), 'old.msgpack')).toThrow(
      'old.msgpack: field "verdict": expected a divergence with a class and a hex observed value',
    );
    expect(() =>
      decodeCrash(encodeCrash({ ...rec, verdict: { ...rec.verdict, seconds: 0 } as typeof rec.verdict }), 'y'),
    ).toThrow('y: field "verdict.seconds": expected a positive number');
  });
});
