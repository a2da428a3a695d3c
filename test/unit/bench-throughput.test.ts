/**
 * The bench's side-by-side throughput (issue 4: "coverage exec/s at least half
 * of random's"): the engines' campaigns of a case interleaved in slices of
 * their own time, so that a machine whose speed drifts hits them alike. Time
 * is simulated: no test reads the wall clock.
 */
import { describe, expect, test } from 'vitest';
import { knownBugCases } from '../../src/bench/cases';
import type { EngineRunner, Throughput } from '../../src/bench/runners';
import { campaignRunner } from '../../src/bench/runners';
import { OwnClock, pairedThroughput } from '../../src/bench/throughput';

describe('bench: OwnClock', () => {
  test('advances only while its own slice runs', () => {
    let t = 100;
    const c = new OwnClock(() => t);
    expect(c.now()).toBe(0);
    t += 50; // another campaign's slice
    expect(c.now()).toBe(0);
    const seen = c.during(() => {
      t += 7;
      const mid = c.now();
      t += 3;
      return mid;
    });
    expect(seen).toBe(7);
    expect(c.now()).toBe(10);
    t += 1000;
    expect(c.now()).toBe(10);
  });
});

describe('bench: pairedThroughput', () => {
  const c = knownBugCases()[0]!;
  /**
   * A simulated engine: each execution costs `costMs` × the machine's slowness at that moment; it yields after
   * `sliceMs` of its own time, as campaignSteps does, and logs each slice.
   */
  function fake(
    name: string,
    costMs: number,
    sim: { now: number; slowness: () => number; log: string[] },
  ): EngineRunner {
    return {
      name,
      run: () => {
        throw new Error('not used');
      },
      *throughput(_c, seconds, clock, sliceMs): Generator<void, Throughput, undefined> {
        const t0 = clock();
        let nextSlice = t0 + sliceMs;
        let executions = 0;
        while (clock() - t0 < seconds * 1000) {
          sim.now += costMs * sim.slowness();
          executions++;
          if (clock() >= nextSlice) {
            sim.log.push(name);
            yield;
            nextSlice = clock() + sliceMs;
          }
        }
        const s = (clock() - t0) / 1000;
        return { ...c, engine: name, executions, seconds: s, execsPerSec: executions / s, peakRssMb: 0 };
      },
    };
  }

  test('a machine that slows down 4× half-way: the side-by-side ratio is the engines’ cost ratio', () => {
    const sim = { now: 0, slowness: (): number => (sim.now < 3000 ? 1 : 4), log: [] as string[] };
    const runners = [fake('fast', 0.01, sim), fake('slow', 0.02, sim)];
    const [a, b] = pairedThroughput(runners, c, 2, 100, () => sim.now);
    expect([a!.engine, b!.engine]).toEqual(['fast', 'slow']);
    // each ran 2 s of its own time (to within an execution)
    expect(a!.seconds).toBeCloseTo(2, 3);
    expect(b!.seconds).toBeCloseTo(2, 3);
    // one after the other, 'fast' would have run wholly before the slow-down: a ratio near 0.5 / 4 … 0.5
    expect(b!.execsPerSec / a!.execsPerSec).toBeGreaterThan(0.48);
    expect(b!.execsPerSec / a!.execsPerSec).toBeLessThan(0.52);
    // round robin, slice by slice
    expect(sim.log.slice(0, 6)).toEqual(['fast', 'slow', 'fast', 'slow', 'fast', 'slow']);
  });

  test('a runner without throughput is left out', () => {
    const sim = { now: 0, slowness: (): number => 1, log: [] as string[] };
    const none: EngineRunner = { name: 'none', run: () => Promise.reject(new Error('not used')) };
    const out = pairedThroughput([none, fake('x', 0.5, sim)], c, 0.01, 5, () => sim.now);
    expect(out.map((t) => t.engine)).toEqual(['x']);
    expect(out[0]!.executions).toBe(20);
  });

  test('the real campaigns run on their own clocks: each for its seconds, slice by slice in turn', () => {
    // every clock reading costs 0.01 simulated ms: deterministic, and a campaign passes time only by running
    let now = 0;
    const time = (): number => (now += 0.01);
    const log: string[] = [];
    const logged = (r: EngineRunner): EngineRunner => ({
      ...r,
      *throughput(k, seconds, clock, sliceMs): Generator<void, Throughput, undefined> {
        const g = r.throughput!(k, seconds, clock, sliceMs);
        for (;;) {
          const n = g.next();
          if (n.done) return n.value;
          log.push(r.name);
          yield;
        }
      },
    });
    const out = pairedThroughput(
      [logged(campaignRunner('random')), logged(campaignRunner('coverage'))],
      c,
      0.05,
      5,
      time,
    );
    expect(out.map((t) => t.engine)).toEqual(['random', 'coverage']);
    for (const t of out) {
      expect(t.executions).toBeGreaterThan(0);
      expect(t.seconds).toBeGreaterThanOrEqual(0.05);
      expect(t.execsPerSec).toBeCloseTo(t.executions / t.seconds, 6);
      expect(t.peakRssMb).toBeGreaterThan(0);
    }
    expect(log.length).toBeGreaterThanOrEqual(8);
    expect(log.slice(0, 8)).toEqual([
      'random',
      'coverage',
      'random',
      'coverage',
      'random',
      'coverage',
      'random',
      'coverage',
    ]);
  });
});
