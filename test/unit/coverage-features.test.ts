/**
 * Interleaving coverage: two interleavings of message passing that run the
 * same instructions give different features (who read from whom), the same
 * interleaving gives the same map, and the reader's verdict label is a feature.
 */
import { describe, expect, test } from 'vitest';
import { ExecMap, FeatureExtractor, KeyCounter, RandomSource, createRng, mix, hashString } from '../../src/engines';
import { MP } from '../../src/litmus-shapes';
import type { Execution, ModelKind } from '../../src/machine';
import { LocationTable, READ_ONCE, TraceSource, WRITE_ONCE, execute } from '../../src/machine';
import { builtinReaders } from '../../src/kernel';
import { selectTargets } from '../../src/campaign';

const run = (trace: number[]): Execution => execute(MP.build(), 'sc', new TraceSource(trace));

function features(exec: Execution, label?: string): Set<number> {
  const m = new ExecMap();
  new FeatureExtractor().collect(exec, label, m);
  return new Set(m.touched.map((i) => i * 256 + m.counts[i]!));
}

describe('interleaving coverage', () => {
  // [] : P0 runs x=1; y=1, then P1 reads y=1, x=1.  [1]: P1 first reads y=0, x=0, then P0 writes.
  const writerFirst = run([]);
  const readerFirst = run([1]);

  test('the two schedules are the two interleavings described (a precondition of the test)', () => {
    expect(writerFirst.results[1]).toEqual([1n, 1n]);
    expect(readerFirst.results[1]).toEqual([0n, 0n]);
  });

  test('different interleavings, different coverage (each has features the other lacks)', () => {
    const a = features(writerFirst);
    const b = features(readerFirst);
    expect([...a].some((f) => !b.has(f))).toBe(true);
    expect([...b].some((f) => !a.has(f))).toBe(true);
  });

  test('the same interleaving twice gives the same map', () => {
    expect(features(run([1]))).toEqual(features(readerFirst));
  });

  test('the verdict label is a feature', () => {
    const plain = features(writerFirst);
    const labelled = features(writerFirst, 'divergence/torn');
    expect(labelled.size).toBe(plain.size + 1);
    expect(features(writerFirst, 'agree')).not.toEqual(labelled);
  });

  test('hashes are stable numbers (the map layout does not depend on the run)', () => {
    expect(hashString('')).toBe(0x811c9dc5);
    expect(mix(1, 2)).toBe(mix(1, 2));
    expect(mix(1, 2)).not.toBe(mix(2, 1));
  });
});

describe('one extractor reused across executions', () => {
  // the extractor keeps per-operation and per-location buffers between calls: nothing of one
  // execution may leak into the next (a previous execution's last writer or last access of a location)
  const target = (scenario: string, model: ModelKind) => {
    const [t] = selectTargets({ scenarios: [scenario], readers: ['ptep_get_lockless'] }, builtinReaders());
    return (seed: string): Execution =>
      execute({ locations: t!.built.locations, cpus: t!.built.cpus }, model, new RandomSource(seed));
  };
  const s2 = target('s2-pae-zap-reestablish', 'tso');
  const s1 = target('s1-pae-double-refault', 'sc');
  // executions of different sizes (operations, locations) and models (TSO drains) in turn
  const execs = Array.from({ length: 12 }, (_, i) => [s2, s1, () => run([i % 2])][i % 3]!(`reuse/${i}`));
  const mapOf = (x: FeatureExtractor, exec: Execution): [number, number][] => {
    const m = new ExecMap();
    x.collect(exec, 'agree', m);
    return m.touched.map((i) => [i, m.counts[i]!]);
  };

  test('gives every execution the map a fresh extractor gives it (same hits, same order)', () => {
    const reused = new FeatureExtractor();
    for (const exec of execs) expect(mapOf(reused, exec)).toEqual(mapOf(new FeatureExtractor(), exec));
  });

  test('the per-call stamp wrapping around clears the per-location state', () => {
    // P0 writes z, then P1 reads it; z is location 2, which MP (x, y) does not touch
    const locations = new LocationTable();
    locations.add('x', 32);
    locations.add('y', 32);
    const z = locations.add('z', 32);
    const zSpec = {
      locations,
      cpus: [
        {
          name: 'P0',
          program: function* () {
            yield WRITE_ONCE(z, 1n);
          },
        },
        {
          name: 'P1',
          program: function* () {
            yield READ_ONCE(z);
          },
        },
      ],
    };
    const zExec = execute(zSpec, 'sc', new TraceSource([]));
    const reused = new FeatureExtractor();
    mapOf(reused, zExec);
    // MP takes the last stamp, and the next call wraps around to 1 again, the first call's stamp: the
    // first call's last access of z (P1's read) must not make P0's write an alias pair
    Reflect.set(reused, 'gen', 0xffff_fffe);
    mapOf(reused, run([]));
    expect(mapOf(reused, zExec)).toEqual(mapOf(new FeatureExtractor(), zExec));
  });

  test('the executions differ in their features (a precondition: a leak would show)', () => {
    const maps = execs.map((e) => JSON.stringify(mapOf(new FeatureExtractor(), e)));
    expect(new Set(maps).size).toBeGreaterThan(6);
  });
});

describe('KeyCounter', () => {
  /** Counts `keys` in order with `c` and with a Map: the counts before each key, as both saw them. */
  const both = (c: KeyCounter, keys: readonly number[]): [number[], number[]] => {
    const m = new Map<number, number>();
    const expected = keys.map((k) => {
      const n = m.get(k) ?? 0;
      m.set(k, n + 1);
      return n;
    });
    return [keys.map((k) => c.next(k)), expected];
  };

  test('counts as a Map does: colliding slots, growth past 32 keys, u32 keys', () => {
    const rng = createRng('keycounter');
    const c = new KeyCounter();
    // 200 distinct keys that all share their low 6 bits (one initial slot), repeated, and random u32s
    const keys = Array.from({ length: 600 }, (_, i) => ((i % 200) * 64 + 5) >>> 0);
    for (let i = 0; i < 300; i++) keys.push(rng.u32() % 50 === 0 ? 0xffff_ffff : rng.u32());
    const [got, expected] = both(c, keys);
    expect(got).toEqual(expected);
    expect(Math.max(...got)).toBe(2);
  });

  test('reset forgets every key, also when the stamp wraps around', () => {
    const c = new KeyCounter();
    const keys = [1, 2, 1, 65, 1, 2];
    expect(both(c, keys)[0]).toEqual([0, 0, 1, 0, 2, 1]);
    c.reset();
    expect(both(c, [10, 11, 10])[0]).toEqual([0, 0, 1]);
    // the next reset takes the last stamp, the one after wraps around to 1, the first call's stamp:
    // what was counted under it at the start must be gone
    Reflect.set(c, 'stamp', 0xffff_fffe);
    c.reset();
    expect(both(c, [7])[0]).toEqual([0]);
    c.reset();
    expect(both(c, keys)[0]).toEqual([0, 0, 1, 0, 2, 1]);
  });
});
