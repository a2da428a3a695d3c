/**
 * Engine `pct` (Burckhardt et al., ASPLOS 2010): deterministic per seed,
 * priority scheduling with at most d-1 preemptions on lock-free programs,
 * the probability bound, and it finds S1 (Jann Horn's double refault, which
 * needs three preemptions: depth 4) within a fixed number of runs.
 */
import { describe, expect, test } from 'vitest';
import type { Finding } from '../../src/campaign';
import { runCampaign, selectTargets } from '../../src/campaign';
import { PctSource, createEngine, pctBound, pctPerRun, schedulingSteps } from '../../src/engines';
import { builtinReaders } from '../../src/kernel';
import { MP, SB, SHAPES } from '../../src/litmus-shapes';
import type { ChoiceRecord } from '../../src/machine';
import { countPreemptions, execute } from '../../src/machine';

const s1 = () =>
  selectTargets(
    { scenarios: ['s1-pae-double-refault'], readers: ['ptep_get_lockless'], models: ['sc'] },
    builtinReaders(),
  );

function campaign(depth: number, runs: number, seed: string) {
  return runCampaign({
    targets: s1(),
    engine: 'pct',
    depth,
    seed,
    runs,
    clock: () => 0,
    onWitness: (f: Finding) => ({ id: `${f.class} ${f.trace.join(',')}`, fresh: true }),
  });
}

describe('PctSource', () => {
  test('same seed ⇒ same trace; the traces depend on the seed', () => {
    const [t] = s1();
    const spec = { locations: t!.built.locations, cpus: t!.built.cpus };
    const traces = new Set<string>();
    for (let i = 0; i < 50; i++) {
      const a = execute(spec, 'sc', new PctSource(`seed/${i}`, 3, 40));
      const b = execute(spec, 'sc', new PctSource(`seed/${i}`, 3, 40));
      expect(b.trace).toEqual(a.trace);
      traces.add(a.trace.join(','));
    }
    expect(traces.size).toBeGreaterThan(10);
  });

  test('change points: d-1 of them, uniform in 1..k', () => {
    for (let i = 0; i < 200; i++) {
      const s = new PctSource(`cp/${i}`, 4, 7);
      expect(s.changePoints).toHaveLength(3);
      for (const p of s.changePoints) expect(p >= 1 && p <= 7).toBe(true);
    }
    expect(new PctSource('x', 1, 7).changePoints).toEqual([]);
  });

  // Without locks, a CPU only loses the processor at a change point (or when it finishes).
  // Picking the first CPU to run is not a preemption.
  const preemptionsAfterStart = (choices: readonly ChoiceRecord[]): number => countPreemptions(choices);
  test.each(SHAPES.map((s) => [s.name, s] as const))('%s: at most d-1 preemptions under every model', (_, shape) => {
    const spec = shape.build();
    for (const model of ['sc', 'tso', 'weak'] as const) {
      for (const depth of [1, 2, 3]) {
        for (let i = 0; i < 20; i++) {
          const exec = execute(spec, model, new PctSource(`${shape.name}/${i}`, depth, 6));
          expect(preemptionsAfterStart(exec.choices)).toBeLessThanOrEqual(depth - 1);
        }
      }
    }
  });

  test('depth 1 is a random priority order: each litmus CPU runs to completion in turn', () => {
    for (const shape of [MP, SB]) {
      const orders = new Set<string>();
      for (let i = 0; i < 40; i++) {
        const exec = execute(shape.build(), 'sc', new PctSource(`order/${i}`, 1, 10));
        const cpus = exec.events.map((e) => e.cpu);
        const runs = cpus.filter((c, j) => j === 0 || c !== cpus[j - 1]);
        expect(runs).toHaveLength(2);
        orders.add(runs.join(''));
      }
      expect(orders).toEqual(new Set(['01', '10']));
    }
  });

  test('lowest: that CPU starts below every other one — at depth 1 it runs last, whatever the seed', () => {
    for (const shape of [MP, SB]) {
      for (const lowest of [0, 1]) {
        for (let i = 0; i < 20; i++) {
          const exec = execute(shape.build(), 'sc', new PctSource(`lowest/${i}`, 1, 10, lowest));
          const cpus = exec.events.map((e) => e.cpu);
          expect(cpus.filter((c, j) => j === 0 || c !== cpus[j - 1])).toEqual([1 - lowest, lowest]);
        }
      }
    }
  });
});

describe('PCT bound', () => {
  test('1/(n·k^(d-1)) and (1 - p)^N', () => {
    expect(pctPerRun(4, 37, 3)).toBe(1 / (4 * 37 * 37));
    expect(pctPerRun(2, 10, 1)).toBe(1 / 2);
    const b = pctBound(3, 4, 37, [100, 20, 37, 37, 40]);
    expect(b).toMatchObject({ depth: 3, cpus: 4, steps: 37, runs: 5, counted: 4 });
    // runs whose change points covered fewer than k steps do not count; the others use their own k_i ≥ k
    const expected = (1 - pctPerRun(4, 100, 3)) * (1 - pctPerRun(4, 37, 3)) ** 2 * (1 - pctPerRun(4, 40, 3));
    expect(b.miss).toBeCloseTo(expected, 12);
  });

  test('the engine estimates k from the longest complete execution of its target', () => {
    const [t] = s1();
    const e = createEngine('pct', { cpus: 4, depth: 3 });
    let longest = 0;
    for (let i = 0; i < 30; i++) {
      const exec = execute({ locations: t!.built.locations, cpus: t!.built.cpus }, 'sc', e.source(`k/${i}`));
      e.observe(exec);
      longest = Math.max(longest, schedulingSteps(exec));
    }
    const b = e.pctBound!();
    expect(b.steps).toBe(longest);
    expect(b.runs).toBe(30);
    expect(b.cpus).toBe(4);
  });
});

describe('PCT campaign on S1 (ptep_get_lockless, sc)', () => {
  test('depth 4 finds the torn read within 10000 runs; the same seed gives the same campaign', () => {
    const a = campaign(4, 10_000, '1');
    expect(a.findings.length).toBeGreaterThan(0);
    expect(a.findings.every((f) => f.class === 'torn')).toBe(true);
    expect(a.pctBounds.size).toBe(1);
    const b = campaign(4, 10_000, '1');
    expect(b.findings.map((f) => [f.trace, f.first])).toEqual(a.findings.map((f) => [f.trace, f.first]));
    expect([...b.perTarget]).toEqual([...a.perTarget]);
    expect([...b.pctBounds]).toEqual([...a.pctBounds]);
  });
});
