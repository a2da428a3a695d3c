/**
 * The AFL-style map: hit counts fold into the eight AFL buckets
 * (1, 2, 3, 4-7, 8-15, 16-31, 32-127, 128+), and an execution is new only
 * when it sets a (counter, bucket) bit no earlier execution set.
 */
import { describe, expect, test } from 'vitest';
import { ExecMap, FeatureUnion, MAP_SIZE, VirginMap, bucketOf, setBucketBit } from '../../src/engines';

describe('hit-count buckets', () => {
  test('AFL classes: 0 | 1 | 2 | 3 | 4-7 | 8-15 | 16-31 | 32-127 | 128+', () => {
    const table: [number, number][] = [
      [0, 0],
      [1, 1],
      [2, 2],
      [3, 4],
      [4, 8],
      [7, 8],
      [8, 16],
      [15, 16],
      [16, 32],
      [31, 32],
      [32, 64],
      [127, 64],
      [128, 128],
      [255, 128],
      [100000, 128],
    ];
    for (const [hits, bit] of table) expect([hits, bucketOf(hits)]).toEqual([hits, bit]);
  });

  test('a new bucket of a known counter is new coverage; the same bucket is not', () => {
    const v = new VirginMap();
    const m = new ExecMap();
    const run = (hits: number): number => {
      m.clear();
      m.hit(42, hits);
      return v.merge(m);
    };
    expect(run(1)).toBe(1);
    expect(run(1)).toBe(0);
    expect(run(5)).toBe(1); // 4-7
    expect(run(6)).toBe(0); // still 4-7
    expect(run(8)).toBe(1); // 8-15
    expect([v.cov, v.ft]).toEqual([1, 3]);
  });

  test('setBucketBit: 2 for the first bit of a counter, 1 for another new bit, 0 for a bit already set', () => {
    const seen = new Uint8Array(4);
    expect(setBucketBit(seen, 3, 8)).toBe(2);
    expect(setBucketBit(seen, 3, 8)).toBe(0);
    expect(setBucketBit(seen, 3, 1)).toBe(1);
    expect(setBucketBit(seen, 0, 128)).toBe(2);
    expect([...seen]).toEqual([128, 0, 0, 9]);
  });

  test('counters saturate at 255, indices wrap into the map, clear() resets only what was hit', () => {
    const m = new ExecMap();
    m.hit(7, 200);
    m.hit(7, 200);
    m.hit(MAP_SIZE + 7);
    expect(m.counts[7]).toBe(255);
    expect(m.touched).toEqual([7]);
    m.clear();
    expect(m.counts.every((c) => c === 0)).toBe(true);
    expect(m.touched).toEqual([]);
  });
});

describe('the union of several maps (--jobs workers)', () => {
  /** one execution hitting counter i `n` times for each [i, n] */
  const exec = (hits: [number, number][]): ExecMap => {
    const m = new ExecMap();
    for (const [i, n] of hits) m.hit(i, n);
    return m;
  };
  const runs: [number, number][][] = [
    [
      [5, 1],
      [9, 2],
    ],
    [
      [5, 3],
      [70000, 1],
    ],
    [
      [9, 2],
      [11, 200],
    ],
    [
      [5, 1],
      [11, 9],
    ],
  ];

  test('two workers each sending their new features: the union counts cov and ft as one map of every execution', () => {
    const all = new VirginMap();
    for (const r of runs) all.merge(exec(r));
    const [a, b] = [new VirginMap(), new VirginMap()];
    const union = new FeatureUnion();
    a.merge(exec(runs[0]!)); // before the first batch: the first batch of a still carries it
    union.add(a.takeNew());
    union.add(b.takeNew()); // nothing yet
    b.merge(exec(runs[1]!));
    a.merge(exec(runs[2]!));
    union.add(b.takeNew());
    b.merge(exec(runs[3]!));
    a.merge(exec(runs[3]!));
    union.add(a.takeNew());
    union.add(b.takeNew());
    // counters 5 (buckets 1, 4), 9 (2), 11 (128, 16), 70000 → 4464 (1): cov 4, ft 6
    expect([union.cov, union.ft]).toEqual([all.cov, all.ft]);
    expect([union.cov, union.ft]).toEqual([4, 6]);
    expect(a.ft + b.ft).toBeGreaterThan(union.ft); // counter 5 bucket 1 is in both maps: a sum would count it twice
    expect(union.seen).toEqual(all.seen);
    expect(a.takeNew()).toEqual([]);
  });

  test('a feature is counter × 8 + bucket index', () => {
    const v = new VirginMap();
    v.merge(exec([[3, 4]])); // bucket 4-7: bit 8, index 3
    expect(v.takeNew()).toEqual([3 * 8 + 3]);
    v.merge(exec([[MAP_SIZE - 1, 128]]));
    expect(v.takeNew()).toEqual([(MAP_SIZE - 1) * 8 + 7]);
  });
});
