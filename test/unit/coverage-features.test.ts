/**
 * Interleaving coverage: two interleavings of message passing that run the
 * same instructions give different features (who read from whom), the same
 * interleaving gives the same map, and the reader's verdict label is a feature.
 */
import { describe, expect, test } from 'vitest';
import { ExecMap, FeatureExtractor, mix, hashString } from '../../src/engines';
import { MP } from '../../src/litmus-shapes';
import type { Execution } from '../../src/machine';
import { TraceSource, execute } from '../../src/machine';

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
