/**
 * Corpus distillation (`ptefuzz merge --distill`, src/campaign/distill.ts): of a
 * target's entries it keeps those that add a (counter, bucket) bit of the
 * coverage engine's map. Checked against an independent replay of every entry
 * (TraceSource, the engine's feature extractor, the bits set), not against the
 * distiller's own bookkeeping.
 */
import { describe, expect, test } from 'vitest';
import type { DistillEntry, Target } from '../../src/campaign';
import {
  MemoryCorpusStore,
  UsageError,
  corpusKey,
  corpusTarget,
  distillOrder,
  distillTarget,
  runCampaign,
  runTarget,
  selectTargets,
  verdictLabel,
} from '../../src/campaign';
import { ExecMap, FeatureExtractor, bucketOf } from '../../src/engines';
import { TraceSource } from '../../src/machine';
import { builtinReaders } from '../../src/kernel';
import { createHash } from 'node:crypto';

const registry = builtinReaders();
const [t] = selectTargets(
  { scenarios: ['s1-pae-double-refault'], readers: ['ptep_get_lockless'], models: ['tso'] },
  registry,
) as [Target];

/** The corpus a coverage campaign of `runs` runs with `seed` saves for `t`. */
function corpusOf(seed: string, runs: number): (readonly number[])[] {
  const store = new MemoryCorpusStore();
  runCampaign({
    targets: [t],
    engine: 'coverage',
    seed,
    runs,
    clock: () => 0,
    corpus: store,
    onWitness: (f) => ({ id: `${f.class} ${f.trace.join(',')}`, fresh: true }),
  });
  return [...store.all(corpusKey(t))];
}

const named = (traces: readonly (readonly number[])[]): DistillEntry[] =>
  traces.map((trace) => ({
    name: `${createHash('sha256').update(trace.join(',')).digest('hex').slice(0, 16)}.msgpack`,
    trace,
  }));

/** The (counter, bucket) bits one replay of `trace` sets, as counter × 8 + log2(bucket). */
function bitsOf(trace: readonly number[]): number[] {
  const { exec, judgement } = runTarget(t, new TraceSource(trace));
  const m = new ExecMap();
  new FeatureExtractor().collect(exec, verdictLabel(judgement.verdict, judgement.raced), m);
  return m.touched.map((i) => i * 8 + (31 - Math.clz32(bucketOf(m.counts[i]!))));
}

const union = (traces: readonly (readonly number[])[]): Set<number> => new Set(traces.flatMap(bitsOf));

// two "shards" of one target (different seeds, 300 runs each): their union is redundant
const shardA = named(corpusOf('1', 300));
const shardB = named(corpusOf('2', 300));
const all = [...new Map([...shardA, ...shardB].map((e) => [e.name, e])).values()];

describe('distillTarget', () => {
  test('two shards: the kept entries set exactly the bits of the whole union, with fewer entries', () => {
    expect(shardA.length).toBeGreaterThan(20);
    expect(shardB.length).toBeGreaterThan(20);
    const d = distillTarget(t, [], all);
    expect(d.kept.length + d.dropped.length).toBe(all.length);
    expect(d.kept.length).toBeLessThan(all.length);
    expect(d.kept.length).toBeGreaterThan(Math.max(shardA.length, shardB.length) / 2);
    const byName = new Map(all.map((e) => [e.name, e.trace]));
    const whole = union(all.map((e) => e.trace));
    const kept = union(d.kept.map((n) => byName.get(n)!));
    expect([...kept].sort((a, b) => a - b)).toEqual([...whole].sort((a, b) => a - b));
    expect(d.ft).toBe(whole.size);
    expect(d.replayed).toBe(all.length);
  });

  test('each kept entry adds a bit that the entries kept before it (shorter trace, then name) did not set', () => {
    const d = distillTarget(t, [], all);
    const byName = new Map(all.map((e) => [e.name, e.trace]));
    const order = d.kept.map((name) => ({ name, trace: byName.get(name)! }));
    expect([...order].sort(distillOrder)).toEqual(order);
    const seen = new Set<number>();
    for (const e of order) {
      const bits = bitsOf(e.trace);
      expect(bits.some((b) => !seen.has(b))).toBe(true);
      for (const b of bits) seen.add(b);
    }
    // and a dropped entry sets nothing the kept ones do not
    for (const name of d.dropped) for (const b of bitsOf(byName.get(name)!)) expect(seen.has(b)).toBe(true);
  });

  test('distilling a distilled corpus keeps every entry', () => {
    const d = distillTarget(t, [], all);
    const kept = all.filter((e) => d.kept.includes(e.name));
    const again = distillTarget(t, [], kept);
    expect(again.dropped).toEqual([]);
    expect([...again.kept].sort()).toEqual([...d.kept].sort());
    expect(again.ft).toBe(d.ft);
  });

  test('the result does not depend on the order the entries are given in', () => {
    const a = distillTarget(t, [], [...shardA, ...shardB.filter((e) => !shardA.some((x) => x.name === e.name))]);
    const b = distillTarget(t, [], [...all].reverse());
    expect(b).toEqual(a);
  });

  test('entries already in the output are kept and count: a candidate is kept only for bits they lack', () => {
    const d = distillTarget(
      t,
      shardA,
      shardB.filter((e) => !shardA.some((x) => x.name === e.name)),
    );
    const byName = new Map(all.map((e) => [e.name, e.trace]));
    const base = union(shardA.map((e) => e.trace));
    for (const name of d.kept) expect(bitsOf(byName.get(name)!).some((b) => !base.has(b))).toBe(true);
    expect(d.ft).toBe(union(all.map((e) => e.trace)).size);
    // a candidate equal to nothing new: everything of shard A again adds nothing
    const again = distillTarget(t, shardA, []);
    expect(again.kept).toEqual([]);
  });
});

describe('corpusTarget', () => {
  const key = { scenario: 's1-pae-double-refault', reader: 'ptep_get_lockless', contract: 'non-torn', model: 'tso' };
  test('resolves a built-in target by the names an entry records', () => {
    expect(corpusTarget(key, registry).key).toBe(t.key);
  });
  test('an unknown scenario or reader is a UsageError saying which flag makes it known', () => {
    expect(() => corpusTarget({ ...key, scenario: 'my-own' }, registry)).toThrow(UsageError);
    expect(() => corpusTarget({ ...key, scenario: 'my-own' }, registry)).toThrow(/--scenario FILE\.scn/);
    expect(() => corpusTarget({ ...key, reader: 'my_reader' }, registry)).toThrow(/--reader-module PATH/);
    expect(() => corpusTarget({ ...key, reader: 'contpte_ptep_get_lockless@2025' }, registry)).toThrow(
      /reads arm64 ptes, scenario s1-pae-double-refault is x86-pae/,
    );
    expect(() => corpusTarget({ ...key, contract: 'nope' }, registry)).toThrow(/unknown contract "nope"/);
  });
});
