import { describe, expect, test } from 'vitest';
import type { ModelKind } from '../../src/machine';
import { TraceSource } from '../../src/machine';
import { ARCHES, builtinReaders } from '../../src/kernel';
import { contractByName } from '../../src/compare';
import { makeTarget, runTarget, witnessSignature } from '../../src/campaign';
import { builtinScenario } from '../../src/scenario';

/**
 * The witness signature is the de-duplication key of crash files. A contpte
 * block's entries other than the reader's target are interchangeable in the
 * reference view (access/dirty OR-ed over them), so which sibling a witness
 * read a value from is not part of it; the target entry, PAE halves and the
 * extended SW bits word keep their names. Traces are the committed witnesses'
 * (S8: the DBM CPU dirties pte1, pte2 or pte3 — the first choice —, then runs).
 */
const registry = builtinReaders();
function signature(scenario: string, reader: string, trace: number[], contract?: string, model?: ModelKind): string {
  const s = builtinScenario(scenario)!;
  const r = registry.get(reader)!;
  const t = makeTarget(s, r, contractByName(contract ?? r.contract)!, model ?? s.model, ARCHES[s.arch]!);
  const run = runTarget(t, new TraceSource(trace));
  expect(run.judgement.verdict.kind).toBe('divergence');
  return witnessSignature(run.exec, run.judgement, t.built);
}

describe('witness signatures', () => {
  for (const reader of ['contpte_ptep_get_lockless', 'contpte_ptep_get_lockless@2025']) {
    test(`S8 ${reader}: dirtying pte1, pte2 or pte3 is one bug`, () => {
      const sigs = [
        [1, 1],
        [2, 1],
        [3, 1],
      ].map((tr) => signature('s8-contpte-set-access-flags', reader, tr));
      expect(sigs).toEqual(Array(3).fill('pte0←v0 siblings←{v0,v1}'));
    });
  }

  test('S9: a sibling of the next generation mixed in at pte2 or pte3 is one bug (full and early-stop scans)', () => {
    for (const scenario of ['s9-contpte-fold-unfold', 's9-contpte-fold-unfold-bbml2']) {
      for (const reader of ['contpte_ptep_get_lockless', 'contpte_ptep_get_lockless@2025']) {
        // pte3 dirty: every entry read; pte2 dirty: the 2025 loop stops there and leaves pte3 unread
        for (const trace of [
          [3, 0, 0, 0, 1, 0, 0, 1],
          [2, 0, 0, 0, 1, 0, 0, 1],
        ]) {
          expect(signature(scenario, reader, trace, 'exact'), `${scenario} ${reader} ${trace.join(',')}`).toBe(
            'pte1←v0 siblings←{v0,v2}',
          );
        }
      }
    }
  });

  test('the target entry keeps its name: S9 with the target (pte1) of the next generation is another witness', () => {
    expect(signature('s9-contpte-fold-unfold', 'contpte_ptep_get_lockless', [1, 0, 0, 0, 1, 0, 0, 1], 'exact')).toBe(
      'pte1←v2 siblings←{v0}',
    );
    expect(signature('s6-contpte-remap-false-dirty', 'contpte_ptep_get@2025', [0, 1], 'no-false-dirty')).toBe(
      'pte3←v0 siblings←{v5}',
    );
  });

  test('different values read by the siblings stay different bugs (S5: every entry at v2 vs the target and some siblings at v0)', () => {
    const s5 = 's5-contpte-unfold-gather';
    expect(signature(s5, 'contpte_ptep_get', [1, 0, 0, 0, 0, 0, 1, 1])).toBe('pte3←v2 siblings←{v2}');
    expect(signature(s5, 'contpte_ptep_get', [1, 0, 0, 1])).toBe('pte3←v0 siblings←{v0,v2}');
  });

  test('locations that are not interchangeable keep their names (PAE halves, HW pte and SW bits)', () => {
    expect(
      signature('s2-pae-zap-reestablish-samelow', 'ptep_get_lockless', [0, 1, 0, 0, 1, 0, 1], 'non-torn', 'sc'),
    ).toBe('pte_high←v1 pte_low←v2');
    expect(signature('ext-sw-bits-zap-refault', 'ptep_get_ext_sw', [0, 1])).toBe('pte←v0 pte_sw←v2');
  });
});
