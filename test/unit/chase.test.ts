/**
 * The chase (campaign.ts `chase`): after each run, one more execution of a target whose scenario expects a bug
 * it has not shown yet, round-robin over such targets. On by default in a campaign with a time budget, off with
 * `runs` (same seed, same runs ⇒ same files); here it is asked for explicitly with `runs`, so the counts are fixed.
 * Material: S4-plain (its `ptep_get_lockless` and `ptep_get_atomic64` both `expect bug`; atomic64's needs thousands
 * of executions of its own) and S4-lockless (its `ptep_get_lockless` `expect bug`, its `ptep_get_atomic64`
 * `expect correct`), random engine, 400 runs: 200 per scenario.
 */
import { describe, expect, test } from 'vitest';
import type { CampaignResult } from '../../src/campaign';
import { emptyStats, runCampaign, selectTargets, targetExpectation } from '../../src/campaign';
import { builtinReaders } from '../../src/kernel';

const RUNS = 400;
const targets = selectTargets(
  { scenarios: ['s4-pae-gup-fast-recheck-plain', 's4-pae-gup-fast-recheck-lockless'] },
  builtinReaders(),
);

function campaign(
  chase: boolean | undefined,
  extra: { runs?: number; seconds?: number } = { runs: RUNS },
): CampaignResult {
  let now = 0;
  return runCampaign({
    targets,
    engine: 'random',
    seed: 'chase',
    ...extra,
    ...(chase !== undefined ? { chase } : {}),
    // a clock that moves 1 ms per call: a time budget ends after a fixed number of calls
    clock: () => now++,
    onWitness: (f) => ({ id: `${f.target.key} ${f.class}`, fresh: true }),
  });
}

const name = (key: string): string => {
  const t = targets.find((x) => x.key === key)!;
  return `${t.scenario.name} ${t.reader.name}`;
};
const executions = (r: CampaignResult): Record<string, number> =>
  Object.fromEntries(targets.map((t) => [name(t.key), r.perTarget.get(t.key)!.executions]));

describe('the chase: executions for the expected bugs not found yet', () => {
  test('the material: three targets expected to be bugs, one expected correct, two scenarios', () => {
    expect(targets.map((t) => `${name(t.key)} ${targetExpectation(t)}`)).toEqual([
      's4-pae-gup-fast-recheck-plain ptep_get_lockless bug',
      's4-pae-gup-fast-recheck-plain ptep_get_atomic64 bug',
      's4-pae-gup-fast-recheck-lockless ptep_get_lockless bug',
      's4-pae-gup-fast-recheck-lockless ptep_get_atomic64 correct',
    ]);
  });

  const off = campaign(false);
  const on = campaign(true);

  test('without it, each target executes once per run of its scenario', () => {
    for (const n of Object.values(executions(off))) expect(n).toBe(RUNS / 2);
    expect(off.executions).toBe(RUNS * 2);
  });

  test('with it: one execution more per run, all of them for targets expected to be bugs', () => {
    expect(on.runs).toBe(RUNS);
    // atomic64's S4-plain bug is still unfound after these runs (random: none in 20000 executions of its own), so
    // every run had a target to chase
    const deep = targets.find((t) => name(t.key) === 's4-pae-gup-fast-recheck-plain ptep_get_atomic64')!;
    expect(on.perTarget.get(deep.key)!.verdicts.divergence).toBe(0);
    expect(on.executions).toBe(RUNS * 2 + RUNS);
    const e = executions(on);
    // the target expected correct is never chased
    expect(e['s4-pae-gup-fast-recheck-lockless ptep_get_atomic64']).toBe(RUNS / 2);
    const extra = Object.values(e).reduce((a, b) => a + b, 0) - RUNS * 2;
    expect(extra).toBe(RUNS);
  });

  test('a chased target that has diverged is chased no more; the deep bug gets the most', () => {
    // which target each execution was, from the counters before and after it (the loop's position: the chase is
    // the one after a run's two targets)
    const stats = new Map(targets.map((t) => [t.key, emptyStats()]));
    const log: { chase: boolean; key: string; divergedBefore: boolean }[] = [];
    let pending: { chase: boolean; before: number[]; diverged: number[] } | undefined;
    const settle = (): void => {
      if (!pending) return;
      const i = targets.findIndex((t, j) => stats.get(t.key)!.executions > pending!.before[j]!);
      log.push({ chase: pending.chase, key: targets[i]!.key, divergedBefore: pending.diverged[i]! > 0 });
      pending = undefined;
    };
    runCampaign({
      targets,
      engine: 'random',
      seed: 'chase',
      runs: RUNS,
      chase: true,
      stats,
      clock: () => 0,
      onWitness: (f) => ({ id: `${f.target.key} ${f.class}`, fresh: true }),
      onExecute: (_run, pos) => {
        settle();
        pending = {
          chase: pos === 2,
          before: targets.map((t) => stats.get(t.key)!.executions),
          diverged: targets.map((t) => stats.get(t.key)!.verdicts.divergence),
        };
      },
    });
    settle();
    const chases = log.filter((x) => x.chase);
    expect(chases).toHaveLength(RUNS);
    expect(chases.filter((x) => x.divergedBefore)).toEqual([]);
    const count = (n: string): number => chases.filter((x) => name(x.key) === n).length;
    expect(count('s4-pae-gup-fast-recheck-lockless ptep_get_atomic64')).toBe(0);
    const deep = count('s4-pae-gup-fast-recheck-plain ptep_get_atomic64');
    for (const t of [
      's4-pae-gup-fast-recheck-plain ptep_get_lockless',
      's4-pae-gup-fast-recheck-lockless ptep_get_lockless',
    ]) {
      expect(count(t), t).toBeGreaterThan(0);
      expect(deep, t).toBeGreaterThan(count(t));
    }
    // and the same counts as the campaign above
    expect(Object.fromEntries(targets.map((t) => [name(t.key), stats.get(t.key)!.executions]))).toEqual(executions(on));
  });

  test('same seed, same runs: the same counts and findings', () => {
    const again = campaign(true);
    expect(executions(again)).toEqual(executions(on));
    expect(again.findings.map((f) => `${f.id} ${f.trace.join(',')}`)).toEqual(
      on.findings.map((f) => `${f.id} ${f.trace.join(',')}`),
    );
  });

  test('the default: on with a time budget, off with runs', () => {
    expect(campaign(undefined).executions).toBe(RUNS * 2);
    const timed = campaign(undefined, { seconds: 1 });
    expect(timed.runs).toBeGreaterThan(0);
    expect(timed.executions).toBe(timed.runs * 3);
    const unchased = campaign(false, { seconds: 1 });
    expect(unchased.executions).toBe(unchased.runs * 2);
  });
});
