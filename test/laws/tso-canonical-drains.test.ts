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
import { builtinReaders } from '../../src/kernel';
import { MP, SHAPES } from '../../src/litmus-shapes';
import type { ChoiceSource, Execution, MachineSpec, ModelKind } from '../../src/machine';
import { PrunedExecution, TraceSource, execute } from '../../src/machine';
import { parseLitmus, rawMachine, rawState } from '../../src/scenario';
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
