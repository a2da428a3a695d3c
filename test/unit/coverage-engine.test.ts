/**
 * Engine `coverage` in a campaign: it finds the naive ptep_get torn read on
 * S2 within a fixed number of runs, the same seed gives the same corpus, a
 * saved corpus is replayed at start (reaching the coverage it had), and an
 * entry another worker adds during the run is picked up. Fresh runs go to the
 * generator (random or PCT) whose runs join the corpus; most runs are mutants.
 */
import { describe, expect, test } from 'vitest';
import { isDeepStrictEqual } from 'node:util';
import type { CampaignConfig, CorpusKey, CorpusStore, CoverageDelta, Finding } from '../../src/campaign';
import { MemoryCorpusStore, corpusKey, runCampaign, selectTargets } from '../../src/campaign';
import { runTarget } from '../../src/campaign/target';
import { CoverageEngine, FRESH_WARMUP, FRESH_ONE_IN, betaSample } from '../../src/engines/coverage';
import type { CoverageStats } from '../../src/engines/coverage';
import { FeatureUnion } from '../../src/engines/coverage-map';
import { createRng } from '../../src/engines/rng';
import { builtinReaders } from '../../src/kernel';

const targets = (scenario: string, reader: string, model: string) =>
  selectTargets({ scenarios: [scenario], readers: [reader], models: [model] }, builtinReaders());

function campaign(cfg: Partial<CampaignConfig> & Pick<CampaignConfig, 'targets' | 'runs'>) {
  const findings: Finding[] = [];
  const result = runCampaign({
    engine: 'coverage',
    seed: '1',
    clock: () => 0,
    onWitness: (f) => {
      findings.push(f);
      return { id: `${f.class} ${f.trace.join(',')}`, fresh: true };
    },
    ...cfg,
  });
  return { result, findings };
}

describe('coverage engine', () => {
  test('finds the torn read of the naive PAE ptep_get on s2-pae-zap-reestablish (sc, tso) within 300 runs', () => {
    for (const model of ['sc', 'tso']) {
      const { result } = campaign({ targets: targets('s2-pae-zap-reestablish', 'ptep_get', model), runs: 300 });
      expect(result.findings.map((f) => f.class)).toContain('torn');
      expect(result.coverage.get(result.targets[0]!.key)!.corpus).toBeGreaterThan(1);
    }
  });

  test('same seed and runs ⇒ the same corpus, in the same order, and the same findings', () => {
    const t = targets('s1-pae-double-refault', 'ptep_get_lockless', 'tso');
    const run = () => {
      const store = new MemoryCorpusStore();
      const r = campaign({ targets: t, runs: 400, seed: '9', corpus: store });
      return { corpus: store.all(corpusKey(t[0]!)), findings: r.findings.map((f) => f.trace.join(',')) };
    };
    const a = run();
    expect(a.corpus.length).toBeGreaterThan(5);
    expect(run()).toEqual(a);
    const other = new MemoryCorpusStore();
    campaign({ targets: t, runs: 400, seed: '10', corpus: other });
    expect(other.all(corpusKey(t[0]!))).not.toEqual(a.corpus);
  });

  test('a saved corpus is replayed first: replaying every entry restores the coverage it was saved with', () => {
    const t = targets('s1-pae-double-refault', 'ptep_get_lockless', 'tso');
    const key = corpusKey(t[0]!);
    const first = new MemoryCorpusStore();
    const a = campaign({ targets: t, runs: 300, corpus: first });
    const saved = first.all(key);
    const covA = a.result.coverage.get(t[0]!.key)!;
    expect(saved.length).toBe(covA.corpus);

    const second = new MemoryCorpusStore();
    for (const trace of saved) second.inject(key, trace);
    const b = campaign({ targets: t, runs: saved.length, seed: 'other', corpus: second });
    const covB = b.result.coverage.get(t[0]!.key)!;
    expect(covB.seeds).toBe(saved.length);
    expect([covB.cov, covB.ft]).toEqual([covA.cov, covA.ft]);
    // replayed seeds are not saved again
    expect(second.all(key).length).toBe(saved.length);
  });

  test('entries another worker adds during the run are replayed (sync)', () => {
    const t = targets('s2-pae-zap-reestablish', 'ptep_get_lockless', 'sc');
    let polls = 0;
    const store: CorpusStore = {
      poll: (_k: CorpusKey) => (++polls === 3 ? [[1, 1, 0, 1, 1, 0, 1]] : []),
      save: () => undefined,
    };
    let now = 0;
    const { result } = campaign({ targets: t, runs: 20, corpus: store, syncMs: 1, clock: () => now++ });
    expect(polls).toBeGreaterThan(3);
    expect(result.coverage.get(t[0]!.key)!.seeds).toBe(1);
  });
});

describe('coverage engine: coverage deltas (what a --jobs worker sends)', () => {
  test('a delta carries only targets that gained features or changed figures; their union is the final map', () => {
    const t = selectTargets(
      { scenarios: ['s1-pae-double-refault', 's2-pae-zap-reestablish'], models: ['tso'] },
      builtinReaders(),
    );
    expect(t.length).toBeGreaterThan(3);
    const deltas: (readonly CoverageDelta[])[] = [];
    let pulses = 0;
    let clock = 0;
    const { result } = campaign({
      targets: t,
      runs: 200,
      // a pulse every few runs, so that deltas are also taken between corpus entries
      clock: () => (clock += 7),
      pulseMs: 100,
      onStatus: (_s, event) => {
        if (event === 'pulse') pulses++;
      },
      onCoverage: (d) => void deltas.push(d),
    });
    expect(pulses).toBeGreaterThan(5);
    // the first delta and the last (done) carry every target; in between, only what changed — mostly one target
    expect(deltas[0]!.length).toBe(t.length);
    expect(deltas.at(-1)!.length).toBe(t.length);
    const between = deltas.slice(1, -1);
    expect(between.filter((d) => d.length === 1).length).toBeGreaterThan(between.length / 2);
    const unions = new Map<string, FeatureUnion>();
    const last = new Map<string, CoverageStats>();
    deltas.forEach((ds, i) => {
      for (const d of ds) {
        let u = unions.get(d.key);
        if (u === undefined) unions.set(d.key, (u = new FeatureUnion()));
        u.add(d.features);
        const prev = last.get(d.key);
        if (i > 0 && i < deltas.length - 1)
          expect(prev === undefined || d.features.length > 0 || !isDeepStrictEqual(prev, d.stats)).toBe(true);
        last.set(d.key, d.stats);
      }
    });
    for (const x of t) {
      const c = result.coverage.get(x.key)!;
      expect(c.ft).toBeGreaterThan(0);
      expect({ cov: unions.get(x.key)!.cov, ft: unions.get(x.key)!.ft }).toEqual({ cov: c.cov, ft: c.ft });
      expect(last.get(x.key)).toEqual(c);
    }
  });
});

describe('coverage engine: kinds of run', () => {
  const t = targets('s2-pae-zap-reestablish', 'ptep_get', 'tso')[0]!;

  /**
   * Runs `n` runs. A fresh run of the arm `rewarded` picks returns a verdict
   * label never seen before (a new `verdict` feature: it joins the corpus); every
   * other run reports the same label, so it joins only if its interleaving is new.
   */
  function drive(rewarded: (arm: 'random' | 'pct') => boolean, n: number) {
    const e = new CoverageEngine();
    for (let r = 0; r < n; r++) {
      const src = e.source(`arms/${r}`);
      const arm = e.pendingArm();
      const { exec } = runTarget(t, src);
      e.observe(exec, arm !== undefined && arm !== 'mutant' && rewarded(arm) ? `new/${r}` : 'agree');
    }
    return e.runArms();
  }

  test('after the warm-up, about one run in FRESH_ONE_IN is fresh, the rest mutants', () => {
    const a = drive(() => false, 1000);
    const fresh = a.random.runs + a.pct.runs;
    expect(a.random.runs + a.pct.runs + a.mutant.runs).toBe(1000);
    expect(fresh - 2 * FRESH_WARMUP).toBeGreaterThan(1000 / FRESH_ONE_IN - 60);
    expect(fresh - 2 * FRESH_WARMUP).toBeLessThan(1000 / FRESH_ONE_IN + 60);
  });

  test('the fresh generator whose runs join the corpus gets most fresh runs (either way round)', () => {
    const a = drive((arm) => arm === 'random', 1000);
    expect(a.random.runs).toBeGreaterThan(3 * a.pct.runs);
    const b = drive((arm) => arm === 'pct', 1000);
    expect(b.pct.runs).toBeGreaterThan(3 * b.random.runs);
  });

  test('when neither joins, both generators keep being tried', () => {
    const a = drive(() => false, 1000);
    expect(a.random.runs).toBeGreaterThanOrEqual(40);
    expect(a.pct.runs).toBeGreaterThanOrEqual(40);
  });

  test('betaSample stays in (0, 1) and its mean is a / (a + b)', () => {
    const rng = createRng('beta');
    for (const [a, b] of [
      [1, 1],
      [3, 9],
      [40, 10],
    ] as const) {
      let sum = 0;
      for (let i = 0; i < 2000; i++) {
        const x = betaSample(rng, a, b);
        expect(x).toBeGreaterThan(0);
        expect(x).toBeLessThan(1);
        sum += x;
      }
      expect(sum / 2000).toBeCloseTo(a / (a + b), 1);
    }
  });
});
