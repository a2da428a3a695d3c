import { describe, expect, test } from 'vitest';
import { ARM64, arm64, builtinReaders } from '../../src/kernel';
import { ARCHES } from '../../src/kernel';
import { contractByName } from '../../src/compare';
import { makeTarget, runTarget } from '../../src/campaign';
import { createEngine, deriveSeed } from '../../src/engines';
import { buildHistory } from '../../src/reference';
import { builtinScenario } from '../../src/scenario';

// Law (DESIGN §6): the block reference never yields a value whose non-A/D fields come from two
// generations — every logical value of entry t is entry t of the same reference state, with at most
// access/dirty added, and those only if some entry of that state has them.
describe('law: the contpte block reference is one generation per value', () => {
  for (const name of ['s9-contpte-fold-unfold', 's6-contpte-remap-false-dirty', 's8-contpte-set-access-flags-fixed']) {
    test(`${name}: 300 random executions`, () => {
      const s = builtinScenario(name)!;
      const r = builtinReaders().get(s.readers[0]!)!;
      const t = makeTarget(s, r, contractByName('exact')!, 'weak', ARCHES.arm64!);
      const engine = createEngine('random', { cpus: t.built.cpus.length });
      let values = 0;
      for (let i = 0; i < 300; i++) {
        const { exec } = runTarget(t, engine.source(deriveSeed('law', i)));
        const sub = t.built.subject;
        const h = buildHistory(exec, sub.name, sub.initial, sub.entries);
        const ti = readerIndex(name);
        h.values.forEach((v, k) => {
          const state = h.states![k]!;
          values++;
          if (v === 0n) return; // a break-before-make instant: none
          expect(arm64.withoutAD(v)).toBe(arm64.withoutAD(state[ti]!));
          if (arm64.dirty(v) && !arm64.dirty(state[ti]!)) expect(state.some((e) => arm64.dirty(e))).toBe(true);
          if (arm64.young(v)) expect(state.some((e) => arm64.young(e))).toBe(true);
          if ((v & ARM64.CONT) === 0n) expect(v).toBe(state[ti]);
        });
      }
      expect(values).toBeGreaterThan(300);
    });
  }
});

function readerIndex(scenario: string): number {
  return scenario.startsWith('s9') ? 1 : scenario.startsWith('s6') ? 3 : 0;
}
