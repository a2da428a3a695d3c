import { describe, expect, test } from 'vitest';
import { TraceSource, execute } from '../../src/machine';
import { arm64, builtinReaders } from '../../src/kernel';
import { contractByName } from '../../src/compare';
import { buildHistory } from '../../src/reference';
import { judgeTarget, makeTarget, runTarget, specOf } from '../../src/campaign';
import { builtinScenario } from '../../src/scenario';
import { enumerate } from '../../src/engines';

/**
 * reference/history.ts with EntriesModel.standalone (kernel/arm64-block.ts: the entry read is not valid+CONT): a
 * break-before-make writer's transient hides only the entries it has cleared while the entry read stands alone, and
 * each of its clears that changes the view is a logical value of its own.
 *
 * S9 under sc, the schedule `explore --bound 1` found (trace [1,1,0×15,1,0]): B unfolds the block (steps 2..10:
 * pte1 non-CONT, clean) and starts the refold (contpte_try_fold → contpte_convert, steps 11..25: read the four
 * entries, four xchg clears, smp_mb, four WRITE_ONCE repaints). B is preempted after clearing pte0 (step 15); C's
 * DBM write dirties pte1 (step 16), still a pte of its own; A's lockless gather reads pte1 once (step 17: not CONT,
 * so no gather) and returns it, dirty. The reference used to hide the whole block behind the refold's transient from
 * its first clear: C's update landed on no logical value (the allowed values were none, the clean unfolded pte1 and
 * the folded dirty block), and A's read was judged `ad-mixed` under `exact`: the one divergent state of that explore.
 */
describe('a break hides only the entries it cleared while the entry read stands alone', () => {
  const TRACE = [1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0];
  const CLEAN = 0x0068000000041fc3n; // pte1 non-CONT, young, clean (RDONLY set, DBM): unfolded
  const DIRTY = 0x0068000000041f43n; // the same, hw dirty: after C's update of pte1
  const s = builtinScenario('s9-contpte-fold-unfold')!;
  const reader = builtinReaders().get('contpte_ptep_get_lockless')!;

  test('S9 under sc: the refold’s clear of pte0 leaves pte1 readable, C’s dirtying of it is a value, A agrees', () => {
    const t = makeTarget(s, reader, contractByName('exact')!, 'sc', arm64);
    const r = runTarget(t, new TraceSource(TRACE));
    const fold = r.exec.ops.find((o) => o.mark.name === 'contpte_try_fold')!;
    const hw = r.exec.ops.find((o) => o.mark.name === 'hw_dirty')!;
    const read = r.exec.ops.find((o) => o.mark.name === 'contpte_ptep_get_lockless')!;
    const clears = r.exec.events.filter((e) => e.op === fold.id && e.name === 'xchg_relaxed');
    const pte = (i: number): number => t.built.locations.locs.findIndex((l) => l.name === `pte${i}`);
    // the schedule as described above, read off the execution
    expect([fold.start, fold.end]).toEqual([11, 25]);
    expect(clears.map((e) => [e.step, e.locs[0]])).toEqual([
      [15, pte(0)],
      [18, pte(1)],
      [19, pte(2)],
      [20, pte(3)],
    ]);
    expect([hw.start, hw.end]).toEqual([16, 16]);
    expect([read.start, read.end]).toEqual([17, 17]);
    expect(read.result).toBe(DIRTY);

    const h = buildHistory(r.exec, t.built.subject.name, t.built.subject.initial, t.built.subject.entries);
    const hex = h.values.map((v) => arm64.format(v));
    const kFold = h.firstIndexOfOp!.get(fold.id)!;
    const kHw = h.indexOfOp.get(hw.id)!;
    // the refold's first clear (pte0): pte1 still reads as itself, and the value says how far the break got
    expect(hex[kFold]).toBe(arm64.format(CLEAN));
    expect(h.describe!.get(kFold)).toMatch(
      /, under way: 1 of 4 entries cleared \(the entry read, not yet cleared, is still a pte of its own\)$/,
    );
    // C's update of pte1 comes next, then the clear of pte1: from there the entry read is the break's
    expect(kHw).toBe(kFold + 1);
    expect(hex[kHw]).toBe(arm64.format(DIRTY));
    expect(hex[kHw + 1]).toBe(arm64.format(0n));
    expect(h.describe!.get(kHw + 1)).toBe('fold: break (every entry none)');
    expect(r.judgement.verdict).toEqual({ kind: 'agree' });
  });

  test('a CONT entry read: the first clear still hides the whole block (a half-broken block is no valid block)', () => {
    // the unfold's clears (steps 2..5) start from the folded block: after the first one, pte1 reads none
    const t = makeTarget(s, reader, contractByName('exact')!, 'sc', arm64);
    const r = runTarget(t, new TraceSource(TRACE));
    const unfold = r.exec.ops.find((o) => o.mark.name === 'contpte_unfold')!;
    const h = buildHistory(r.exec, t.built.subject.name, t.built.subject.initial, t.built.subject.entries);
    const k = h.firstIndexOfOp!.get(unfold.id)!;
    expect(arm64.format(h.values[k - 1]!)).toBe(arm64.format(0x0078000000041fc3n));
    expect(arm64.format(h.values[k]!)).toBe(arm64.format(0n));
    expect(h.describe!.get(k)).not.toMatch(/under way/);
  });

  for (const name of ['s9-contpte-fold-unfold', 's9-contpte-fold-unfold-bbml2'] as const) {
    test(`${name} under sc: every schedule of at most 1 preemption agrees under exact`, () => {
      const sc = builtinScenario(name)!;
      const t = makeTarget(sc, reader, contractByName('exact')!, 'sc', arm64);
      const spec = specOf(t.built);
      const verdicts = new Map<string, number>();
      let standalone = 0;
      enumerate(
        (source) => {
          const exec = execute(spec, 'sc', source);
          const v = judgeTarget(t, exec).verdict.kind;
          verdicts.set(v, (verdicts.get(v) ?? 0) + 1);
          const h = buildHistory(exec, t.built.subject.name, t.built.subject.initial, t.built.subject.entries);
          if ([...(h.describe?.values() ?? [])].some((d) => d.includes('entries cleared (the entry read')))
            standalone++;
          return exec;
        },
        () => {},
        { preemptionBound: 1 },
      );
      const judged = [...verdicts.values()].reduce((a, b) => a + b, 0);
      expect(judged).toBeGreaterThan(300);
      expect(standalone).toBeGreaterThan(0);
      // bound hits (the reader retrying on a writer the bound stopped) are not judged; nothing else but agree
      expect([...verdicts.keys()].filter((k) => k !== 'agree' && k !== 'bound-hit')).toEqual([]);
    });
  }
});
