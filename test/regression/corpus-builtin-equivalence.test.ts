/**
 * Every corpus/mailing-list/*.scn file named like a TypeScript built-in
 * scenario (src/scenario/builtin/*.ts: the consumer and arm64 scenarios) is the
 * same scenario: the same architecture, model, readers, expectations and CPU
 * count, and for every reader × model the same behaviour —
 *   - sc: exhaustive enumeration with preemption bound 1 (at most 300
 *     executions) gives the same number of executions, the same raced count
 *     and the same set of outcomes (verdict kind, class, observed value);
 *   - tso, weak: 20 random traces (seed "equiv") give the same verdict, races
 *     and trace, trace by trace (drain and read-from choices included).
 * The same trace source drives both, so equal counts mean the same choice tree.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import type { ModelKind } from '../../src/machine';
import { builtinOperations, builtinReaders } from '../../src/kernel';
import type { Scenario } from '../../src/scenario';
import { BUILTIN_TEXTS, builtinScenario, loadScn } from '../../src/scenario';
import type { Target } from '../../src/campaign';
import { runTarget, selectTargets } from '../../src/campaign';
import { createEngine, deriveSeed, enumerate } from '../../src/engines';

const dir = join(__dirname, '..', '..', 'corpus', 'mailing-list');
const ctx = { readers: builtinReaders(), operations: builtinOperations() };
const textNames = new Set(
  BUILTIN_TEXTS.map((t, i) => {
    const l = loadScn(t, `builtin#${i}`, ctx);
    return l.kind === 'kernel' ? l.scenario.name : '';
  }),
);
const pairs: { file: string; scn: Scenario; ts: Scenario }[] = [];
const corpusFiles = readdirSync(dir).filter((x) => x.endsWith('.scn'));
for (const f of corpusFiles) {
  const l = loadScn(readFileSync(join(dir, f), 'utf8'), `corpus/mailing-list/${f}`, ctx);
  if (l.kind !== 'kernel' || textNames.has(l.scenario.name)) continue;
  const ts = builtinScenario(l.scenario.name);
  if (ts !== undefined) pairs.push({ file: f, scn: l.scenario, ts });
}

const outcome = (r: ReturnType<typeof runTarget>): string => {
  const v = r.judgement.verdict;
  return v.kind === 'divergence'
    ? `divergence ${v.class} ${v.observed.toString(16)}`
    : v.kind === 'bound-hit'
      ? `bound-hit`
      : v.kind;
};

function exhaustive(t: Target): { executions: number; raced: number; outcomes: string[] } {
  let last: ReturnType<typeof runTarget> | undefined;
  let raced = 0;
  const outcomes = new Set<string>();
  const s = enumerate(
    (source) => (last = runTarget(t, source)).exec,
    () => {
      if (last!.judgement.raced > 0) raced++;
      outcomes.add(outcome(last!));
    },
    { preemptionBound: 1, maxExecutions: 300 },
  );
  return { executions: s.executions, raced, outcomes: [...outcomes].sort() };
}

function randomVerdicts(t: Target): string[] {
  const engine = createEngine('random', { cpus: t.built.cpus.length });
  const out: string[] = [];
  for (let i = 0; i < 20; i++) {
    const r = runTarget(t, engine.source(deriveSeed('equiv', i)));
    engine.observe(r.exec);
    out.push(`${outcome(r)} raced=${r.judgement.raced} trace=${r.exec.trace.join(',')}`);
  }
  return out;
}

describe('corpus .scn files are the TypeScript built-ins they are named after', () => {
  test('S3, S7, S8, S11, S12 and the extended-SW-bits case all have a .scn twin (S4–S6, S9 and S10 are their texts)', () => {
    const names = pairs.map((p) => p.scn.name);
    for (const n of [
      's3-pae-fault-garbage',
      's7-arm64-fault-norecency',
      's7-arm64-fault-pte-same',
      's8-contpte-set-access-flags',
      's8-contpte-set-access-flags-fixed',
      's11-pae-file-zap-early-rmap',
      's11-pae-file-zap-delayed-rmap',
      's12-arm64-khugepaged-gup-fast',
      's12-arm64-khugepaged-gup-fast-ipi',
      'ext-sw-bits-zap-refault',
    ])
      expect(names).toContain(n);
  });

  for (const { file, scn, ts } of pairs) {
    describe(file, () => {
      test('same header: arch, model, readers, expectations, CPU count, pages, flush, memory', () => {
        expect(scn.arch).toBe(ts.arch);
        expect(scn.model).toBe(ts.model);
        expect(scn.readers).toEqual(ts.readers);
        expect(scn.expect).toEqual(ts.expect);
        const r = builtinReaders().get(ts.readers[0]!)!;
        const a = scn.build(r, undefined as never);
        const b = ts.build(r, undefined as never);
        expect(a.cpus.length).toBe(b.cpus.length);
        expect(a.flush ?? 'ipi').toBe(b.flush ?? 'ipi');
        expect(a.pages ?? []).toEqual(b.pages ?? []);
        expect(a.subject.initial).toBe(b.subject.initial);
        // the same memory, but for the PTL a .scn scenario always has (unused by ext-sw-bits)
        const mem = (m: typeof a.locations): string[] =>
          m.locs.filter((l) => l.name !== 'ptl').map((l) => `${l.width}:${m.initial[l.id]!.toString(16)}`);
        expect(mem(a.locations)).toEqual(mem(b.locations));
      });
      const models: ModelKind[] = ['sc', 'tso', 'weak'];
      for (const model of models) {
        test(`every reader under ${model}: same ${model === 'sc' ? 'executions and outcome set (exhaustive, bound 1)' : 'verdict per random trace'}`, () => {
          const ta = selectTargets({ scenarios: [scn], models: [model] }, builtinReaders());
          const tb = selectTargets({ scenarios: [ts], models: [model] }, builtinReaders());
          expect(ta.map((t) => `${t.reader.name} ${t.contract.name}`)).toEqual(
            tb.map((t) => `${t.reader.name} ${t.contract.name}`),
          );
          ta.forEach((t, i) => {
            if (model === 'sc') expect(exhaustive(t)).toEqual(exhaustive(tb[i]!));
            else expect(randomVerdicts(t)).toEqual(randomVerdicts(tb[i]!));
          });
        });
      }
    });
  }
});
