import { describe, expect, it } from 'vitest';
import { CpuListTable, PackedPlan } from '../../src/engines/coverage-pack';
import type { Plan } from '../../src/engines/coverage-plan';
import { PlanSource, markReaderWindows } from '../../src/engines/coverage-plan';
import { RandomSource } from '../../src/engines/random';
import { target } from '../support/targets';
import { runTarget } from '../../src/campaign';

describe('PackedPlan', () => {
  it('unpacks to the same steps, absent fields absent (a mutator-made step, a sched step, an rf step, a hot step)', () => {
    const plan: Plan = {
      steps: [
        { kind: 'sched', n: 3, value: 1, cpu: 2, cpus: [1, 2, 0], current: 1 },
        { kind: 'rf', n: 4, value: 3 },
        { kind: 'sched', n: 0, value: 0, cpu: 1 },
        { kind: 'drain', n: 2, value: 0 },
        { kind: 'op', n: 5, value: 4 },
        { kind: 'sched', n: 3, value: 0, cpu: 1, cpus: [1, 2, 0], current: 1 },
        { kind: 'sched', n: 2, value: 0, cpu: 2, cpus: [2, 0], current: 2, hot: true },
      ],
      randomTail: true,
    };
    const table = new CpuListTable();
    const p = PackedPlan.pack(plan, table);
    expect(p.length).toBe(7);
    expect(p.unpack()).toStrictEqual(plan);
    expect(table.size).toBe(2); // the two equal lists are interned once
  });

  it('round-trips the recorded plans of real executions, reader windows marked (arm64 weak, PAE tso)', () => {
    for (const t of [
      target('s9-contpte-fold-unfold', 'contpte_ptep_get', 'weak'),
      target('s1-pae-double-refault', 'ptep_get_lockless', 'tso'),
    ]) {
      const table = new CpuListTable();
      for (let seed = 1; seed <= 20; seed++) {
        const src = new PlanSource({ steps: [], randomTail: true }, new RandomSource(`${seed}`));
        const { exec } = runTarget(t, src);
        const plan: Plan = { steps: markReaderWindows(src.recorded, src.stepOf, exec), randomTail: false };
        if (seed === 1) expect(plan.steps.some((s) => s.hot === true)).toBe(true);
        expect(PackedPlan.pack(plan, table).unpack()).toStrictEqual(plan);
      }
    }
  });

  it('CpuListTable: equal lists share an index, different ones never do (short, long, large CPU numbers)', () => {
    const table = new CpuListTable();
    const lists: number[][] = [
      [],
      [0],
      [0, 0],
      [1, 0],
      [0, 1],
      [31, 30, 29, 28, 27, 26],
      [31, 30, 29, 28, 27, 26, 25],
      [32],
      [0, 32],
      [1, 2, 3, 4, 5, 6, 7, 8],
      [1, 2, 3, 4, 5, 6],
    ];
    const first = lists.map((l) => table.intern(l));
    expect(first).toEqual(lists.map((_, i) => i)); // new lists get the next index, in order
    expect(lists.map((l) => table.intern([...l]))).toEqual(first);
    expect(table.size).toBe(lists.length);
    lists.forEach((l, i) => expect(table.list(i)).toEqual(l));
  });
});
