/**
 * The exhaustive enumerator against the litmus shapes: under SC the only
 * choices are scheduling choices, so the executions are exactly the
 * interleavings of the CPUs' steps — the multinomial coefficient
 * (n0 + n1 + …)! / (n0! n1! …) — each visited once.
 */
import { describe, expect, test } from 'vitest';
import { enumerate, enumerateSteps } from '../../src/engines/enumerate';
import { exhaustSteps } from '../../src/engines/exhaustive';
import { SHAPES } from '../../src/litmus-shapes';
import type { Execution } from '../../src/machine';
import { TraceSource, execute } from '../../src/machine';

function multinomial(counts: readonly number[]): number {
  let result = 1;
  let n = 0;
  for (const k of counts) {
    for (let i = 1; i <= k; i++) {
      n++;
      result = (result * n) / i;
    }
  }
  return result;
}

describe('enumeration under SC', () => {
  test.each(SHAPES.map((s) => [s.name, s] as const))('%s: one execution per interleaving', (_, shape) => {
    const spec = shape.build();
    const solo = execute(spec, 'sc', new TraceSource([]));
    const perCpu = spec.cpus.map((_c, cpu) => solo.events.filter((e) => e.cpu === cpu).length);
    const schedules = new Set<string>();
    const summary = enumerate(
      (source) => execute(spec, 'sc', source),
      (exec) => schedules.add(exec.events.map((e) => e.cpu).join('')),
    );
    expect(summary.truncated).toBe(false);
    expect(summary.boundCut).toBe(false);
    expect(summary.executions).toBe(multinomial(perCpu));
    expect(schedules.size).toBe(summary.executions);
  });
});

describe('an interrupted enumeration (explore on SIGINT)', () => {
  const shape = SHAPES.find((s) => s.name === 'SB')!;
  const spec = shape.build();
  const schedule = (exec: Execution): string => exec.events.map((e) => e.cpu).join('');

  test('shouldStop ends the search before the next execution: a prefix of the whole order, flagged interrupted', () => {
    const all: string[] = [];
    const whole = enumerate(
      (source) => execute(spec, 'sc', source),
      (exec) => all.push(schedule(exec)),
    );
    expect(whole.interrupted).toBe(false);
    expect(all.length).toBeGreaterThan(5);
    const seen: string[] = [];
    const cut = enumerate(
      (source) => execute(spec, 'sc', source),
      (exec) => seen.push(schedule(exec)),
      { shouldStop: () => seen.length >= 5 },
    );
    expect(cut).toEqual({
      executions: 5,
      truncated: false,
      boundCut: false,
      interrupted: true,
      maxPreemptions: 2,
      pruned: 0,
    });
    expect(seen).toEqual(all.slice(0, 5));
  });

  test('the steps form yields once between two executions and visits what enumerate visits', () => {
    const visited: string[] = [];
    const steps = enumerateSteps(
      (source) => execute(spec, 'sc', source),
      (exec) => visited.push(schedule(exec)),
    );
    let yields = 0;
    let r = steps.next();
    while (!r.done) {
      yields++;
      expect(visited).toHaveLength(yields);
      r = steps.next();
    }
    expect(r.value.executions).toBe(visited.length);
    expect(yields).toBe(visited.length - 1);
    const all: string[] = [];
    enumerate(
      (source) => execute(spec, 'sc', source),
      (exec) => all.push(schedule(exec)),
    );
    expect(visited).toEqual(all);
  });

  test('exhaustSteps: the states of the executions before the stop, each new state told with its execution number', () => {
    const told: [string, string, number][] = [];
    let n = 0;
    const steps = exhaustSteps(
      (source) => ({ exec: execute(spec, 'sc', source) }),
      ({ exec }) => (n++, [[shape.outcome(exec), 'any']]),
      { shouldStop: () => n >= 3 },
      (state, label, executions) => told.push([state, label, executions]),
    );
    let r = steps.next();
    while (!r.done) r = steps.next();
    expect(r.value.interrupted).toBe(true);
    expect(r.value.executions).toBe(3);
    expect([...r.value.states.values()].reduce((a, s) => a + s.count, 0)).toBe(3);
    expect(told.map(([s]) => s)).toEqual([...r.value.states.keys()]);
    expect(told[0]![2]).toBe(1);
  });
});
