/**
 * The coverage engine's mutators: each keeps the trace valid (the mutated
 * plan executes, and the executed trace replays to the same execution) and
 * changes what it claims — checked on the execution, not on the plan alone.
 */
import { describe, expect, test } from 'vitest';
import type { Plan, PlanStep } from '../../src/engines';
import { MUTATORS, PctSource, PlanSource, RandomSource, createRng, markReaderWindows, mutate } from '../../src/engines';
import { builtinReaders } from '../../src/kernel';
import type { Execution, MachineSpec, ModelKind, OpRecord } from '../../src/machine';
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

/** The plan of a random S1 (sc) execution, seed `hot/i`, with its reader windows marked hot. */
function hotParent(i: number): readonly PlanStep[] {
  const source = new PlanSource({ steps: [], randomTail: true }, new RandomSource(`hot/${i}`));
  const exec = execute(S1_SC.spec, S1_SC.model, source);
  return markReaderWindows(source.recorded, source.stepOf, exec);
}

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

  test('pct-tail: a prefix of the entry ending at a scheduling step, then a PCT scheduler (few preemptions)', () => {
    const { p, m } = firstMutation(S1_SC, 'pct-tail');
    expect(m.plan.randomTail).toBe(true);
    expect(m.plan.pctTail).toBe(true);
    expect(m.plan.steps).toEqual(p.steps.slice(0, m.at));
    expect(p.steps[m.at]!.kind).toBe('sched');
    // the tail: PCT depth 3 preempts a runnable CPU at most at its 2 change points and its first step
    // (fresh priorities); a uniform tail of the same prefixes preempts far more often
    const tailPreemptions = (tail: (i: number) => PlanSource) => {
      let max = 0;
      let sum = 0;
      for (let i = 0; i < 40; i++) {
        const src = tail(i);
        const exec = execute(S1_SC.spec, S1_SC.model, src);
        let n = 0;
        src.recorded.slice(m.at).forEach((s) => {
          if (s.kind === 'sched' && s.cpus![0] === s.current && s.cpu !== s.current) n++;
        });
        expectValid(S1_SC, { exec, recorded: src.recorded });
        max = Math.max(max, n);
        sum += n;
      }
      return { max, sum };
    };
    const pct = tailPreemptions((i) => new PlanSource(m.plan, new PctSource(`t/${i}`, 3, 40)));
    const uniform = tailPreemptions((i) => new PlanSource(m.plan, new RandomSource(`t/${i}`)));
    expect(pct.max).toBeLessThanOrEqual(3);
    expect(uniform.sum).toBeGreaterThan(3 * pct.sum);
  });

  test('insert- and delete-preemption pick a step inside a reader window (hot) 3 times in 4 when there is one', () => {
    for (const name of ['insert-preemption', 'delete-preemption'] as const) {
      let hot = 0;
      let applied = 0;
      let eligibleHot = 0;
      let eligible = 0;
      for (let i = 0; i < 60; i++) {
        const steps = hotParent(i);
        const ok = (s: PlanStep) =>
          s.kind === 'sched' && s.cpus?.[0] === s.current && (name === 'insert-preemption') === (s.value === 0);
        if (!steps.some((s) => s.hot === true && ok(s))) continue;
        for (const s of steps) {
          if (!ok(s)) continue;
          eligible++;
          if (s.hot === true) eligibleHot++;
        }
        for (let k = 0; k < 10; k++) {
          const m = mutate(name, { steps, randomTail: false }, createRng(`hot/${i}/${k}`));
          if (!m) continue;
          applied++;
          if (steps[m.at]!.hot === true) hot++;
        }
      }
      expect(applied).toBeGreaterThan(100);
      // uniform choice would land in a window as often as windows are among the eligible steps
      expect(hot / applied).toBeGreaterThan(0.7);
      expect(hot / applied).toBeGreaterThan(eligibleHot / eligible + 0.2);
    }
  });

  test('pct-tail cuts at a hot step 3 times in 4, and then starts the stopped reader CPU lowest', () => {
    let hot = 0;
    let n = 0;
    for (let i = 0; i < 60; i++) {
      const steps = hotParent(i);
      if (!steps.some((s) => s.hot === true)) continue;
      for (let k = 0; k < 10; k++) {
        const m = mutate('pct-tail', { steps, randomTail: false }, createRng(`tail/${i}/${k}`))!;
        const cut = steps[m.at]!;
        n++;
        if (cut.hot === true) {
          hot++;
          expect(m.plan.tailLowest).toBe(cut.current);
        } else expect(m.plan.tailLowest).toBeUndefined();
      }
    }
    expect(n).toBeGreaterThan(100);
    expect(hot / n).toBeGreaterThan(0.7);
  });
});

describe('markReaderWindows', () => {
  const op = (
    id: number,
    cpu: number,
    role: 'reader' | 'writer' | 'other',
    parent: number,
    start: number,
    end: number,
  ): OpRecord => ({
    id,
    cpu,
    mark: { name: `op${id}`, role },
    parent,
    start,
    end,
    done: true,
    retries: 0,
  });
  /** sched steps 1..12, each after CPU `current[k]` ran */
  const current = [0, 1, 1, 1, 0, 1, 1, 2, 1, 1, 0, 1];
  const plan: PlanStep[] = current.map((c) => ({
    kind: 'sched',
    n: 2,
    value: 0,
    cpu: c,
    cpus: [c, (c + 1) % 3],
    current: c,
  }));
  const stepOf = current.map((_, k) => k + 1);

  test('hot: after a step of the CPU whose reader (or the operation around it) has begun and not yet ended', () => {
    // CPU 1: a consumer over steps 2..9 calling a reader over 4..6; CPU 2's reader over 8..8; CPU 0 writes
    const exec = {
      ops: [
        op(0, 1, 'other', -1, 2, 9),
        op(1, 1, 'reader', 0, 4, 6),
        op(2, 0, 'writer', -1, 0, 11),
        op(3, 2, 'reader', -1, 8, 8),
      ],
    } as unknown as Execution;
    const hot = markReaderWindows(plan, stepOf, exec)
      .map((s, k) => (s.hot === true ? stepOf[k]! : -1))
      .filter((k) => k >= 0);
    // CPU 1 is current at steps 2,3,4,6,7,9,10,12: inside 2 < step ≤ 9 → 3,4,6,7,9; CPU 2's one-step window has no inside
    expect(hot).toEqual([3, 4, 6, 7, 9]);
  });

  test('no reader: nothing is hot, and the plan is otherwise unchanged', () => {
    const exec = { ops: [op(0, 0, 'writer', -1, 1, 12)] } as unknown as Execution;
    const out = markReaderWindows(plan, stepOf, exec);
    expect(out.some((s) => s.hot === true)).toBe(false);
    expect(out).toEqual(plan);
  });
});
