/**
 * The AFL-style map: hit counts fold into the eight AFL buckets
 * (1, 2, 3, 4-7, 8-15, 16-31, 32-127, 128+), and an execution is new only
 * when it sets a (counter, bucket) bit no earlier execution set.
 */
import { describe, expect, test } from 'vitest';
import { ExecMap, MAP_SIZE, VirginMap, bucketOf } from '../../src/engines';

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
