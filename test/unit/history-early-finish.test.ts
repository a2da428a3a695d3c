import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { TraceSource, execute } from '../../src/machine';
import { arm64, builtinOperations, builtinReaders } from '../../src/kernel';
import { contractByName } from '../../src/compare';
import { buildHistory } from '../../src/reference';
import { judgeTarget, makeTarget, runTarget, specOf } from '../../src/campaign';
import type { Scenario } from '../../src/scenario';
import { builtinScenario, loadScn } from '../../src/scenario';
import { enumerate } from '../../src/engines';
import { ROOT } from '../support/cli';

/**
 * reference/history.ts: a store of another writer that lands on an entry a break-before-make writer has already
 * painted lands on that writer's value for the entry, so that writer has taken effect: its final value comes
 * before the other writer's, though it has entries still to paint.
 *
 * S9 under sc, one enumerated schedule (explore --bound 1 found it): B unfolds the block and starts the refold
 * (contpte_try_fold → contpte_convert, steps 11..29: read the four entries, four xchg clears, smp_mb, four
 * WRITE_ONCE repaints). B is preempted after repainting pte0..pte2 CONT and clean; A's plain gather reads that
 * (steps 22..26: pte1 CONT, pte3 none, nothing dirty) and returns pte1 CONT and clean; then C's DBM write dirties
 * pte0 (step 27), then B repaints pte3. The reference used to commit the fold where it finished (step 29), after C's
 * update, with C's dirty OR-ed into it: the clean block that memory held from B's last paint of pte0..pte2 to
 * C's update was no logical value, and A's read was judged `stale` under `exact` (as were 5 of 235 such reads of
 * the `explore --bound 1` of S9 under sc, 187 under tso, and 2/10 `false-clean` ones).
 */
describe('a store landing on an entry a break-before-make writer painted commits that writer first', () => {
  const TRACE = [0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 1];
  const CLEAN = 0x0078000000041fc3n; // pte1 CONT, young, clean (RDONLY set, DBM): the folded block's value
  const DIRTY = 0x00f8000000041f43n; // the same with hw and sw dirty: after C's update of pte0

  test('S9 under sc: the refold’s clean block, then C’s dirtying of pte0; A’s clean read agrees', () => {
    const s = builtinScenario('s9-contpte-fold-unfold')!;
    const reader = builtinReaders().get('contpte_ptep_get')!;
    const t = makeTarget(s, reader, contractByName('exact')!, 'sc', arm64);
    const r = runTarget(t, new TraceSource(TRACE));
    const fold = r.exec.ops.find((o) => o.mark.name === 'contpte_try_fold')!;
    const hw = r.exec.events.filter((e) => e.name === 'hw_dbm_update');
    const read = r.exec.ops.find((o) => o.mark.name === 'contpte_ptep_get')!;
    // the schedule as described above, read off the execution
    expect([fold.start, fold.end]).toEqual([11, 29]);
    expect(hw).toHaveLength(1);
    expect(hw[0]!.step).toBe(27);
    expect(hw[0]!.wrote).toBeDefined();
    expect([read.start, read.end]).toEqual([22, 26]);
    expect(read.result).toBe(CLEAN);
    const h = buildHistory(r.exec, t.built.subject.name, t.built.subject.initial, t.built.subject.entries);
    const kFold = h.indexOfOp.get(fold.id)!;
    const kHw = h.indexOfOp.get(hw[0]!.op)!;
    expect(arm64.format(h.values[kFold]!)).toBe(arm64.format(CLEAN));
    expect(kHw).toBe(kFold + 1);
    expect(arm64.format(h.values[kHw]!)).toBe(arm64.format(DIRTY));
    expect(r.judgement.verdict).toEqual({ kind: 'agree' });
  });
});

describe('a store landing on an entry a writer repainted, before its repaint is done, shows the repainted block first', () => {
  const ctx = { readers: builtinReaders(), operations: builtinOperations() };
  const file = join('test', 'fixtures', 'unfold-then-young.scn');
  const l = loadScn(readFileSync(join(ROOT, file), 'utf8'), file, ctx);
  if (l.kind !== 'kernel') throw new Error('not a kernel scenario');
  const s: Scenario = { ...l.scenario, file };

  for (const model of ['sc', 'weak'] as const) {
    test(`${file} under ${model}: every schedule of at most 2 preemptions agrees under exact`, () => {
      const t = makeTarget(s, builtinReaders().get('__ptep_get')!, contractByName('exact')!, model, arm64);
      const spec = specOf(t.built);
      const pte3 = t.built.locations.locs.findIndex((l) => l.name === 'pte3');
      let judged = 0;
      let early = 0;
      const verdicts = new Map<string, number>();
      enumerate(
        (source) => {
          const exec = execute(spec, model, source);
          const v = judgeTarget(t, exec).verdict.kind;
          verdicts.set(v, (verdicts.get(v) ?? 0) + 1);
          judged++;
          // C's update landed on pte0 before B's repaint of pte3 (B's second store to it)
          const hw = exec.events.find((e) => e.name === 'hw_af_update' && e.wrote !== undefined);
          const b = exec.ops.find((o) => o.mark.name === 'ptep_set_access_flags')!;
          const repaint3 = exec.events.filter((e) => e.wrote !== undefined && e.locs.includes(pte3) && e.cpu === b.cpu);
          if (hw !== undefined && repaint3.length >= 2 && hw.index < repaint3[1]!.index) early++;
          return exec;
        },
        () => {},
        { preemptionBound: 2 },
      );
      expect(judged).toBeGreaterThan(400);
      expect(early).toBeGreaterThan(0);
      expect(Object.fromEntries(verdicts)).toEqual({ agree: judged });
    });
  }
});
