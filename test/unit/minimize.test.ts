import { describe, expect, test } from 'vitest';
import type { ChoiceSource } from '../../src/machine';
import { TraceSource } from '../../src/machine';
import { builtinReaders, x86Pae } from '../../src/kernel';
import { contractByName } from '../../src/compare';
import { builtinScenario } from '../../src/scenario';
import { RandomSource } from '../../src/engines';
import { makeTarget, runTarget } from '../../src/campaign';
import { ScheduleSource, minimizeTrace } from '../../src/minimize';
import { lighterThan, weight } from '../support/one-minimal';

function firstDivergence(scenario: string, reader: string, model: 'sc' | 'tso' | 'weak') {
  const t = makeTarget(
    builtinScenario(scenario)!,
    builtinReaders().get(reader)!,
    contractByName('non-torn')!,
    model,
    x86Pae,
  );
  for (let i = 0; i < 100_000; i++) {
    const r = runTarget(t, new RandomSource(`min/${i}`));
    if (r.judgement.verdict.kind === 'divergence') return { t, r };
  }
  throw new Error('no divergence found');
}

describe('minimizer', () => {
  for (const [scenario, reader, model] of [
    ['s1-pae-double-refault', 'ptep_get_lockless', 'sc'],
    ['s2-pae-zap-reestablish', 'ptep_get', 'sc'],
    ['s2-pae-zap-reestablish-nowmb', 'ptep_get_lockless', 'weak'],
  ] as const) {
    test(`${reader} on ${scenario} (${model}): 1-minimal, replays, same class`, () => {
      const { t, r } = firstDivergence(scenario, reader, model);
      const cls = r.judgement.verdict.kind === 'divergence' ? r.judgement.verdict.class : '';
      const holds = (trace: readonly number[] | ChoiceSource) => {
        const x = runTarget(t, Array.isArray(trace) ? new TraceSource(trace) : (trace as ChoiceSource));
        return x.judgement.verdict.kind === 'divergence' && x.judgement.verdict.class === cls ? x.exec : null;
      };
      const m = minimizeTrace(r.exec.trace, holds)!;
      expect(m).not.toBeNull();
      expect(m.trace.length).toBeLessThanOrEqual(r.exec.trace.length);
      expect(holds(m.trace)).not.toBeNull();
      expect(m.trace[m.trace.length - 1]).not.toBe(0); // trailing defaults are trimmed
      // 1-minimal: resetting or dropping any single choice loses the divergence or is not lighter
      const heavy = weight(m.exec);
      for (let i = 0; i < m.trace.length; i++) {
        if (m.trace[i] !== 0) {
          const zeroed = [...m.trace];
          zeroed[i] = 0;
          const e = holds(zeroed);
          if (e) expect(lighterThan(weight(e), heavy), `reset choice ${i}`).toBe(false);
        }
        const e = holds([...m.trace.slice(0, i), ...m.trace.slice(i + 1)]);
        if (e) expect(lighterThan(weight(e), heavy), `drop choice ${i}`).toBe(false);
      }
    });
  }
});

describe('minimizer: no candidate runs twice', () => {
  test('a trace or schedule offered again is answered without an execution', () => {
    const { t, r } = firstDivergence('s1-pae-double-refault', 'ptep_get_lockless', 'tso');
    const cls = r.judgement.verdict.kind === 'divergence' ? r.judgement.verdict.class : '';
    const runs = new Map<string, number>();
    const holds = (c: readonly number[] | ChoiceSource) => {
      const key = Array.isArray(c) ? `t${c.join(',')}` : c instanceof ScheduleSource ? `s${c.key}` : undefined;
      if (key !== undefined) runs.set(key, (runs.get(key) ?? 0) + 1);
      const x = runTarget(t, Array.isArray(c) ? new TraceSource(c) : (c as ChoiceSource));
      return x.judgement.verdict.kind === 'divergence' && x.judgement.verdict.class === cls ? x.exec : null;
    };
    const m = minimizeTrace(r.exec.trace, holds)!;
    // the start trace is checked first and may be offered once more by a pass: at most twice; every other once
    const start = `t${r.exec.trace.join(',')}`;
    for (const [key, n] of runs) expect(n, key).toBeLessThanOrEqual(key === start ? 2 : 1);
    expect(runs.size).toBeGreaterThan(10);
    expect(holds(m.trace)).not.toBeNull();
  });
});
