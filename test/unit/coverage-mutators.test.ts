/**
 * The coverage engine's mutators: each keeps the trace valid (the mutated
 * plan executes, and the executed trace replays to the same execution) and
 * changes what it claims — checked on the execution, not on the plan alone.
 */
import { describe, expect, test } from 'vitest';
import type { Plan, PlanStep } from '../../src/engines';
import { MUTATORS, PlanSource, RandomSource, createRng, mutate } from '../../src/engines';
import { builtinReaders } from '../../src/kernel';
import type { MachineSpec, ModelKind } from '../../src/machine';
import { LocationTable, TraceSource, WRITE_ONCE, execute, pick } from '../../src/machine';
import { selectTargets } from '../../src/campaign';

function spec(scenario: string): MachineSpec {
  const [t] = selectTargets({ scenarios: [scenario], readers: ['ptep_get_lockless'] }, builtinReaders());
  return { locations: t!.built.locations, cpus: t!.built.cpus };
}

/** One CPU picks one of three values to store; another stores once. */
function pickSpec(): MachineSpec {
  const locations = new LocationTable();
  const x = locations.add('x', 32);
  return {
    locations,
    cpus: [
      {
        name: 'P0',
        program: function* () {
          const k = yield pick('value', 3);
          yield WRITE_ONCE(x, k + 1n);
        },
      },
      {
        name: 'P1',
        program: () =>
          (function* () {
            yield WRITE_ONCE(x, 9n);
          })(),
      },
    ],
  };
}

interface Case {
  readonly spec: MachineSpec;
  readonly model: ModelKind;
}
const S1_SC: Case = { spec: spec('s1-pae-double-refault'), model: 'sc' };
const NOWMB_WEAK: Case = { spec: spec('s2-pae-zap-reestablish-nowmb'), model: 'weak' };
const S2_TSO: Case = { spec: spec('s2-pae-zap-reestablish'), model: 'tso' };
const PICK: Case = { spec: pickSpec(), model: 'sc' };

function runPlan(c: Case, plan: Plan, tailSeed = 'tail') {
  const source = new PlanSource(plan, new RandomSource(tailSeed));
  const exec = execute(c.spec, c.model, source);
  return { exec, recorded: source.recorded };
}

/** A recorded random execution: the parent of a mutation. */
const parent = (c: Case, i: number): Plan => ({
  steps: runPlan(c, { steps: [], randomTail: true }, `parent/${i}`).recorded,
  randomTail: false,
});

/** The first (parent, mutation) for which the mutator applies, over fixed seeds. */
function firstMutation(c: Case, name: (typeof MUTATORS)[number]) {
  for (let i = 0; i < 50; i++) {
    const p = parent(c, i);
    const donor = parent(c, 1000 + i);
    const m = mutate(name, p, createRng(`mutate/${i}`), donor);
    if (m) return { p, donor, m, run: runPlan(c, m.plan) };
  }
  throw new Error(`${name} never applied`);
}

/** Valid: the executed trace replays (as a plain trace) to the same execution. */
function expectValid(c: Case, r: ReturnType<typeof runPlan>): void {
  const replay = execute(c.spec, c.model, new TraceSource(r.exec.trace));
  expect(replay.trace).toEqual(r.exec.trace);
  expect(replay.events).toEqual(r.exec.events);
  expect(r.recorded.map((s) => s.value)).toEqual(r.exec.trace);
}

const sameUpTo = (a: readonly PlanStep[], b: readonly PlanStep[], n: number): boolean =>
  a.slice(0, n).every((s, i) => s.value === b[i]!.value && s.cpu === b[i]!.cpu);

describe('coverage mutators', () => {
  test('change-step: the step at the mutated position runs another runnable CPU', () => {
    const { p, m, run } = firstMutation(S1_SC, 'change-step');
    expectValid(S1_SC, run);
    const before = p.steps[m.at]!;
    const after = run.recorded[m.at]!;
    expect(sameUpTo(run.recorded, p.steps, m.at)).toBe(true);
    expect(after.kind).toBe('sched');
    expect(after.cpu).not.toBe(before.cpu);
    expect(before.cpus).toContain(after.cpu);
  });

  test('insert-preemption: where the running CPU continued, another CPU now runs (one more preemption there)', () => {
    const { p, m, run } = firstMutation(S1_SC, 'insert-preemption');
    expectValid(S1_SC, run);
    const before = p.steps[m.at]!;
    const after = run.recorded[m.at]!;
    expect(before.value).toBe(0);
    expect(before.cpu).toBe(before.current);
    expect(after.current).toBe(before.current);
    expect(after.cpu).not.toBe(after.current);
    expect(after.value).not.toBe(0);
  });

  test('delete-preemption: where another CPU preempted the running one, the running one continues', () => {
    const { p, m, run } = firstMutation(S1_SC, 'delete-preemption');
    expectValid(S1_SC, run);
    const before = p.steps[m.at]!;
    const after = run.recorded[m.at]!;
    expect(before.cpus![0]).toBe(before.current);
    expect(before.cpu).not.toBe(before.current);
    expect(after.cpu).toBe(before.current);
    expect(after.value).toBe(0);
  });

  test('swap-steps: two consecutive scheduling steps of different CPUs run in the other order', () => {
    const { p, m, run } = firstMutation(S1_SC, 'swap-steps');
    expectValid(S1_SC, run);
    const j = p.steps.findIndex((s, k) => k > m.at && s.kind === 'sched');
    expect(p.steps[m.at]!.cpu).not.toBe(p.steps[j]!.cpu);
    expect(run.recorded[m.at]!.cpu).toBe(p.steps[j]!.cpu);
  });

  test('change-rf: a weak load reads from another message', () => {
    const { p, m, run } = firstMutation(NOWMB_WEAK, 'change-rf');
    expectValid(NOWMB_WEAK, run);
    expect(sameUpTo(run.recorded, p.steps, m.at)).toBe(true);
    expect(run.recorded[m.at]!.kind).toBe('rf');
    expect(run.recorded[m.at]!.value).not.toBe(p.steps[m.at]!.value);
  });

  test('change-drain: a TSO drain decision changes', () => {
    const { p, m, run } = firstMutation(S2_TSO, 'change-drain');
    expectValid(S2_TSO, run);
    expect(run.recorded[m.at]!.kind).toBe('drain');
    expect(run.recorded[m.at]!.value).not.toBe(p.steps[m.at]!.value);
  });

  test('change-op: a generated operation takes another alternative (and stores another value)', () => {
    const { p, m, run } = firstMutation(PICK, 'change-op');
    expectValid(PICK, run);
    expect(run.recorded[m.at]!.kind).toBe('op');
    expect(run.recorded[m.at]!.value).not.toBe(p.steps[m.at]!.value);
    const stored = run.exec.events.find((e) => e.cpu === 0 && e.kind === 'store')!.wrote;
    expect(stored).toBe(BigInt(run.recorded[m.at]!.value) + 1n);
  });

  test('splice: this entry up to a position, then the other one', () => {
    const { p, donor, m, run } = firstMutation(S1_SC, 'splice');
    expectValid(S1_SC, run);
    expect(m.at).toBeGreaterThan(0);
    expect(m.plan.steps).toEqual([...p.steps.slice(0, m.at), ...donor.steps.slice(m.at)]);
    expect(sameUpTo(run.recorded, p.steps, m.at)).toBe(true);
  });

  test('random-tail: a prefix of the entry, then random choices', () => {
    const { p, m, run } = firstMutation(S1_SC, 'random-tail');
    expectValid(S1_SC, run);
    expect(m.plan.randomTail).toBe(true);
    expect(m.plan.steps).toEqual(p.steps.slice(0, m.at));
    expect(sameUpTo(run.recorded, p.steps, m.at)).toBe(true);
  });

  test('a mutator that does not apply says so (no read-from choice under sc, no operation choice in S1)', () => {
    const p = parent(S1_SC, 0);
    expect(mutate('change-rf', p, createRng(1))).toBeNull();
    expect(mutate('change-op', p, createRng(1))).toBeNull();
    expect(mutate('splice', p, createRng(1))).toBeNull();
  });
});
