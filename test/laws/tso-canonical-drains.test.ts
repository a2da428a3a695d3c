/**
 * The exhaustive engine enumerates TSO executions once per placement class of their store-buffer drains
 * (src/machine/tso.ts phaseCanonical): a trace whose chosen drains are not needed where they happen, or not
 * in the canonical order, is pruned. The reduction must lose nothing: checked here against the enumeration of
 * every drain choice (`allDrains`, the enumeration before the reduction) on every litmus shape, on litmus
 * tests of corpus/litmus and on kernel scenarios — the same behaviours (test/support/behaviour-key.ts: every
 * step and value read, the operations' windows and floors, the coherence order, the final memory), hence the
 * same states and verdicts — with far fewer executions.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { runTarget, selectTargets } from '../../src/campaign';
import { scenarioStates } from '../../src/cli/commands/explore';
import { enumerate, exhaust } from '../../src/engines';
import type { EnumerateOptions } from '../../src/engines';
import { builtinOperations, builtinReaders } from '../../src/kernel';
import { MP, SB, SHAPES } from '../../src/litmus-shapes';
import type { ChoiceSource, Execution, MachineSpec, ModelKind } from '../../src/machine';
import { PrunedExecution, TraceSource, execute } from '../../src/machine';
import { loadScn, parseLitmus, rawMachine, rawState } from '../../src/scenario';
import { behaviourKey } from '../support/behaviour-key';

interface Enumerated {
  readonly keys: Set<string>;
  readonly outcomes: Set<string>;
  readonly executions: number;
  readonly pruned: number;
}

function enumerateSpec(
  spec: MachineSpec,
  model: ModelKind,
  outcome: (e: Execution) => string,
  opts: EnumerateOptions,
): Enumerated {
  const keys = new Set<string>();
  const outcomes = new Set<string>();
  const x = enumerate(
    (source) => execute(spec, model, source),
    (exec) => {
      keys.add(behaviourKey(exec));
      outcomes.add(outcome(exec));
    },
    opts,
  );
  expect(x.truncated).toBe(false);
  return { keys, outcomes, executions: x.executions, pruned: x.pruned };
}

describe('every litmus shape under tso: the canonical drains lose no behaviour', () => {
  // IRIW+mb+mb takes 8 s with every drain choice (4 CPUs, 4 fences): its outcomes are compared by the
  // old-vs-new runs of the README figures, not here
  test.each(SHAPES.filter((s) => s.name !== 'IRIW+mb+mb').map((s) => [s.name, s] as const))('%s', (_, shape) => {
    const spec = shape.build();
    const out = (e: Execution): string => shape.outcome(e);
    const all = enumerateSpec(spec, 'tso', out, { allDrains: true });
    const canon = enumerateSpec(spec, 'tso', out, {});
    expect(canon.outcomes).toEqual(all.outcomes);
    expect(canon.keys).toEqual(all.keys);
    expect(canon.executions).toBeLessThanOrEqual(all.executions);
    expect(all.pruned).toBe(0);
  });

  test('the shapes with buffered stores shrink: SB 156 → 20 executions, MP 64 → 12', () => {
    const count = (name: string, opts: EnumerateOptions): number => {
      const shape = SHAPES.find((s) => s.name === name)!;
      return enumerate(
        (source) => execute(shape.build(), 'tso', source),
        () => undefined,
        opts,
      ).executions;
    };
    expect([count('SB', { allDrains: true }), count('SB', {})]).toEqual([156, 20]);
    expect([count('MP', { allDrains: true }), count('MP', {})]).toEqual([64, 12]);
  });

  test('sc and weak have no drain choices: nothing pruned, the same executions', () => {
    for (const shape of SHAPES)
      for (const model of ['sc', 'weak'] as const) {
        const a = enumerate(
          (s) => execute(shape.build(), model, s),
          () => undefined,
          { allDrains: true },
        );
        const b = enumerate(
          (s) => execute(shape.build(), model, s),
          () => undefined,
        );
        expect([b.executions, b.pruned]).toEqual([a.executions, 0]);
      }
  });
});

describe('corpus/litmus tests under tso (locks, RMWs, three and four CPUs)', () => {
  const files = [
    'SB+locks',
    'MP+polocks',
    'SB+mb+mb',
    'SB+rfionceonce-poonceonces',
    'cmpxchg-fail-ordered-1',
    'WRC+pooncerelease+rmbonceonce+Once',
    'IRIW',
  ];
  test.each(files)('%s: the same behaviours', (name) => {
    const file = `corpus/litmus/${name}.litmus`;
    const t = parseLitmus(readFileSync(file, 'utf8'), file);
    const spec = rawMachine(t);
    const all = enumerateSpec(spec, 'tso', (e) => rawState(t, e), { allDrains: true });
    const canon = enumerateSpec(spec, 'tso', (e) => rawState(t, e), {});
    expect(canon.outcomes).toEqual(all.outcomes);
    expect(canon.keys).toEqual(all.keys);
    expect(canon.executions).toBeLessThan(all.executions);
  });
});

describe('kernel scenarios under tso: the same behaviours, states and verdicts', () => {
  const CASES: readonly [string, string, number][] = [
    // s2-pae-zap-reestablish ptep_get and s10-…-free-before-flush are compared with a brute force of every
    // choice in exhaustive-completeness.test.ts
    ['s3-pae-fault-garbage', 'ptep_get', 1],
    ['s7-arm64-fault-norecency', '__ptep_get', 1],
  ];
  test.each(CASES)('%s %s bound %i', (scenario, reader, bound) => {
    const [t] = selectTargets({ scenarios: [scenario], readers: [reader], models: ['tso'] }, builtinReaders());
    const search = (opts: EnumerateOptions): { keys: Set<string>; states: Set<string>; executions: number } => {
      const keys = new Set<string>();
      const x = exhaust(
        (source: ChoiceSource) => {
          const run = runTarget(t!, source);
          keys.add(behaviourKey(run.exec));
          return run;
        },
        (run) => scenarioStates(t!, run),
        { preemptionBound: bound, maxExecutions: 100_000, ...opts },
      );
      expect(x.truncated).toBe(false);
      const states = new Set<string>();
      for (const s of x.states.values()) for (const label of s.labels.keys()) states.add(`${s.state}  ${label}`);
      return { keys, states, executions: x.executions };
    };
    const all = search({ allDrains: true });
    const canon = search({});
    expect(canon.states).toEqual(all.states);
    expect(canon.keys).toEqual(all.keys);
    expect(canon.executions * 5).toBeLessThan(all.executions);
  });
});

describe('what is pruned', () => {
  // MP (src/litmus-shapes/mp.ts): CPU0 x = 1; y = 1 — CPU1 r0 = y; r1 = x
  const canonical = (trace: readonly number[]): ChoiceSource => {
    const inner = new TraceSource(trace);
    return { canonicalDrains: true, choose: (k, n) => inner.choose(k, n) };
  };
  const run = (source: ChoiceSource): Execution | PrunedExecution => {
    try {
      return execute(MP.build(), 'tso', source);
    } catch (e) {
      if (e instanceof PrunedExecution) return e;
      throw e;
    }
  };
  // trace values: sched (0 = CPU0 first), then before each later step a drain choice while CPU0's buffer
  // holds stores (0 all, 1 none, 2 the oldest of CPU0's buffer) and a sched choice while both CPUs can run
  test("a drain that the next step does not read (x drained before CPU0's own store to y) is pruned", () => {
    // CPU0 first: x = 1 (buffered); drain x; CPU0 goes on: y = 1 (buffered)
    expect(run(canonical([0, 2, 0]))).toBeInstanceOf(PrunedExecution);
    // the same trace replayed as a crash file replays it: an ordinary execution
    expect(run(new TraceSource([0, 2, 0]))).not.toBeInstanceOf(PrunedExecution);
    // x = 1; drain x; switch to CPU1: r0 = y reads y, not x
    expect(run(canonical([0, 2, 1]))).toBeInstanceOf(PrunedExecution);
  });
  test('a drain no step can read is pruned at its choice, before any step runs after it', () => {
    // x = 1; drain x: CPU0's next step stores y, CPU1's loads y — neither reads x, and no drain that could
    // still be chosen is of CPU0 or x: pruned at that drain, not after the next step (the sched choice after it)
    const kinds = (trace: readonly number[]): string[] =>
      (run(canonical(trace)) as PrunedExecution).records.map((r) => `${r.kind} ${r.value}`);
    expect(kinds([0, 2, 1])).toEqual(['sched 0', 'drain 2']);
  });
  test('drains of two CPUs in the greater-CPU-first order are pruned at the second drain', () => {
    // SB: CPU0 x = 1; r0 = y — CPU1 y = 1; r0 = x. CPU0 stores x, nothing drained, switch to CPU1: y = 1;
    // drain CPU1's y (option 3 of [drain all, none, CPU0, CPU1]), then CPU0's x: they commute, and the least
    // order drains CPU0's first
    const r = (() => {
      try {
        return execute(SB.build(), 'tso', canonical([0, 1, 1, 3, 2]));
      } catch (e) {
        if (e instanceof PrunedExecution) return e;
        throw e;
      }
    })();
    expect(r).toBeInstanceOf(PrunedExecution);
    expect((r as PrunedExecution).records.map((x) => `${x.kind} ${x.value}`)).toEqual([
      'sched 0',
      'drain 1',
      'sched 1',
      'drain 3',
      'drain 2',
    ]);
  });
  test('a drain that the next step reads is kept; drain everything (0) is never canonical', () => {
    // x = 1; y = 1 (both buffered); drain x, drain y; CPU1: r0 = y reads y (x drained first: FIFO)
    const kept = run(canonical([0, 1, 0, 2, 2]));
    expect(kept).not.toBeInstanceOf(PrunedExecution);
    expect((kept as Execution).results[1]).toEqual([1n, 1n]);
    // the same drains as `drain everything`
    expect(run(canonical([0, 1, 0, 0]))).toBeInstanceOf(PrunedExecution);
    expect((run(new TraceSource([0, 1, 0, 0])) as Execution).results[1]).toEqual([1n, 1n]);
  });
});

/**
 * A phase that no step can make canonical is pruned at the drain choice that makes it so (TsoModel.phaseDoomed),
 * not after the step that closes the phase: the enumeration neither runs that step's every sched option nor
 * extends the doomed phase with more drains. Only pruned runs go: the executions, in the same order, and their
 * behaviours stay those of the enumeration of every drain choice.
 */
describe('drains that no step can make canonical are pruned at their choice', () => {
  // SB with a third CPU storing twice to z, which nobody reads: its drains are never needed. Before the early
  // prune: 300 executions, 5193 runs pruned; now 954.
  const SB_NOISE = `C SB+noise
{}
P0(int *x, int *y) { WRITE_ONCE(*x, 1); int r0 = READ_ONCE(*y); }
P1(int *x, int *y) { WRITE_ONCE(*y, 1); int r0 = READ_ONCE(*x); }
P2(int *z) { WRITE_ONCE(*z, 1); WRITE_ONCE(*z, 2); }
exists (0:r0=0 /\\ 1:r0=0)
`;
  test('SB plus a CPU of unread stores: the same behaviours as every drain choice, fewer than 4 pruned runs per execution', () => {
    const t = parseLitmus(SB_NOISE, 'SB+noise.litmus');
    const spec = rawMachine(t);
    const all = enumerateSpec(spec, 'tso', (e) => rawState(t, e), { allDrains: true });
    const canon = enumerateSpec(spec, 'tso', (e) => rawState(t, e), {});
    expect(canon.outcomes).toEqual(all.outcomes);
    expect(canon.outcomes.size).toBe(4);
    expect(canon.keys).toEqual(all.keys);
    expect(canon.executions).toBe(300);
    expect(canon.pruned).toBeLessThan(4 * canon.executions);
  });

  test('test/fixtures/explore-interrupt.scn (two CPUs of unread stores): 10 executions, a few dozen pruned runs', () => {
    // before the early prune: 320335 runs pruned for the first 10 executions (each unread drain was run to the
    // end of its step, with every sched option, and extended with every further drain)
    const file = 'test/fixtures/explore-interrupt.scn';
    const readers = builtinReaders();
    const l = loadScn(readFileSync(file, 'utf8'), file, { readers, operations: builtinOperations() });
    if (l.kind !== 'kernel') throw new Error('not a kernel scenario');
    const [t] = selectTargets({ scenarios: [l.scenario], readers: ['ptep_get_atomic64'], models: ['tso'] }, readers);
    const x = enumerate(
      (source) => runTarget(t!, source).exec,
      () => undefined,
      { preemptionBound: 1, maxExecutions: 10 },
    );
    expect(x.executions).toBe(10);
    expect(x.pruned).toBeLessThan(10 * x.executions);
  });
});
