/**
 * Stability (AFL++): a coverage campaign re-executes every corpus entry on
 * admission, one entry every STABILITY_EVERY runs and a final sample, and
 * counts the re-executions that reproduce the entry's coverage hash and
 * verdict. Every built-in scenario is deterministic (100 %); a target whose
 * program behaves differently from one execution to the next is caught.
 */
import { describe, expect, test } from 'vitest';
import type { CampaignResult, StabilityStats, Target, Unstable } from '../../src/campaign';
import { STABILITY_FINAL, addStability, runCampaign, stabilityPercent } from '../../src/campaign';
import type { CpuSpec } from '../../src/machine';
import { builtinScenarios } from '../../src/scenario';
import { statusLine } from '../../src/cli/status';
import { target } from '../support/targets';

function coverageCampaign(t: Target, runs: number, onUnstable?: (u: Unstable) => void): CampaignResult {
  return runCampaign({
    targets: [t],
    engine: 'coverage',
    seed: 'stab',
    runs,
    clock: () => 0,
    onWitness: (f) => ({ id: `${f.class} ${f.trace.join(',')}`, fresh: true }),
    ...(onUnstable ? { onUnstable } : {}),
  });
}

describe('stability', () => {
  test.each(builtinScenarios().flatMap((s) => s.readers.map((r) => [s.name, r, s.model] as const)))(
    '%s (%s, %s): 30 coverage runs, every re-execution reproduces its coverage and verdict',
    (scenario, reader, model) => {
      const unstable: Unstable[] = [];
      const r = coverageCampaign(target(scenario, reader, model), 30, (u) => unstable.push(u));
      const s = r.stability!.get(r.targets[0]!.key)!;
      const corpus = r.coverage.get(r.targets[0]!.key)!.corpus;
      // every entry once on admission, plus the final sample
      expect(s.checked).toBe(corpus + Math.min(corpus, STABILITY_FINAL));
      expect(unstable).toEqual([]);
      expect(s.stable).toBe(s.checked);
      expect(stabilityPercent(s)).toBe(100);
    },
  );

  test('a nondeterministic target (its writer skips its work on every other execution) is unstable', () => {
    // a reader that never diverges here, so that no minimization (which would refuse the flaky replay) runs
    const t = target('s2-pae-zap-reestablish', 'ptep_get_lockless', 'sc');
    let n = 0;
    const flaky = (cpu: CpuSpec): CpuSpec => ({
      name: cpu.name,
      program: () => (n++ % 2 === 0 ? cpu.program() : (function* () {})()),
    });
    const built = { ...t.built, cpus: t.built.cpus.map((c, i) => (i === 0 ? c : flaky(c))) };
    const unstable: Unstable[] = [];
    const r = coverageCampaign({ ...t, built }, 40, (u) => unstable.push(u));
    const s = r.stability!.get(t.key)!;
    expect(s.checked).toBeGreaterThan(0);
    expect(s.stable).toBeLessThan(s.checked);
    expect(stabilityPercent(s)).toBeLessThan(100);
    expect(unstable.length).toBe(s.checked - s.stable);
    expect(unstable[0]!.target.key).toBe(t.key);
    expect(unstable[0]!.detail).toMatch(/when re-executed/);
  });

  test('the status sums the re-executions of every target (addStability)', () => {
    const targets = [
      target('s2-pae-zap-reestablish', 'ptep_get_lockless', 'sc'),
      target('s1-pae-double-refault', 'ptep_get_lockless', 'sc'),
    ];
    let last: StabilityStats | undefined;
    const r = runCampaign({
      targets,
      engine: 'coverage',
      seed: 'stab',
      runs: 20,
      clock: () => 0,
      onWitness: (f) => ({ id: `${f.class} ${f.trace.join(',')}`, fresh: true }),
      onStatus: (st) => (last = st.stability),
    });
    const [a, b] = targets.map((t) => r.stability!.get(t.key)!);
    expect(a!.checked).toBeGreaterThan(0);
    expect(b!.checked).toBeGreaterThan(0);
    expect(last).toEqual({ checked: a!.checked + b!.checked, stable: a!.stable + b!.stable });
    expect(addStability({ checked: 3, stable: 2 }, { checked: 5, stable: 5 })).toEqual({ checked: 8, stable: 7 });
  });

  test('the status line reports stab: as a percentage with two decimals', () => {
    const line = statusLine(
      {
        executions: 10,
        runs: 10,
        seconds: 1,
        findings: 0,
        coverage: { cov: 5, ft: 6, corpus: 3 },
        stability: { checked: 3, stable: 2 },
      },
      'pulse',
    );
    expect(line).toMatch(/corp: 3 stab: 66\.67% exec\/s: 10 /);
  });
});
