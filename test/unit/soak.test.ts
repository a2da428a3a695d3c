import { describe, expect, it } from 'vitest';
import { referenceMark, soakFailures, soakFigures } from '../../src/bench/soak';

const samples = (xs: [number, number][]) => xs.map(([t, rssMb]) => ({ t, rssMb }));

describe('soak figures', () => {
  it('takes the first sample at or after the mark, the last sample, and the peak including the high-water mark', () => {
    const f = soakFigures(
      samples([
        [10, 100],
        [59, 150],
        [61, 200],
        [120, 400],
        [3600, 220],
      ]),
      60,
      450,
    );
    expect(f).toEqual({ markSeconds: 60, rssAtMarkMb: 200, rssAtEndMb: 220, peakRssMb: 450, drift: 0.1 });
  });

  it("takes the end at the campaign's DONE line when given: not the samples after it, as the workers stop", () => {
    const xs = samples([
      [60, 300],
      [599, 320],
      [600, 330],
      [601, 232],
      [602, 180],
    ]);
    expect(soakFigures(xs, 60, 0, 600.5)!.rssAtEndMb).toBe(330);
    expect(soakFigures(xs, 60, 0)!.rssAtEndMb).toBe(180);
    // the peak and the mark are over every sample
    expect(soakFigures(xs, 60, 0, 600.5)!.peakRssMb).toBe(330);
  });

  it('uses one minute for campaigns of two minutes or more, half the campaign otherwise', () => {
    expect(referenceMark(3600)).toBe(60);
    expect(referenceMark(120)).toBe(60);
    expect(referenceMark(20)).toBe(10);
  });

  it('has no figures when no sample reached the mark', () => {
    expect(soakFigures(samples([[5, 100]]), 60)).toBeNull();
    expect(soakFailures(null, 0, null)).toEqual(['no RSS sample reached the reference mark']);
  });

  it('fails on growth or shrinkage beyond 25%, a peak of 1 GB, a crash or a stack trace', () => {
    const ok = soakFigures(
      samples([
        [60, 200],
        [3600, 249],
      ]),
      60,
    )!;
    expect(soakFailures(ok, 1, null)).toEqual([]);
    const grew = soakFigures(
      samples([
        [60, 200],
        [3600, 251],
      ]),
      60,
    )!;
    expect(soakFailures(grew, 0, null)).toEqual(['RSS at the end 251 MB is 25.5% from 200 MB at 60 s (limit ±25%)']);
    const shrank = soakFigures(
      samples([
        [60, 400],
        [3600, 290],
      ]),
      60,
    )!;
    expect(soakFailures(shrank, 0, null)).toHaveLength(1);
    const big = soakFigures(
      samples([
        [60, 1000],
        [3600, 1100],
      ]),
      60,
    )!;
    expect(soakFailures(big, 0, null)).toContain('peak RSS 1100 MB ≥ 1024 MB');
    expect(soakFailures(ok, 2, null)).toEqual(['the campaign exited with 2 (expected 0 or 1)']);
    expect(soakFailures(ok, null, null)).toEqual(['the campaign exited with a signal (expected 0 or 1)']);
    expect(soakFailures(ok, 1, 'at foo (x.js:1:2)')).toEqual(['stack trace on stderr: at foo (x.js:1:2)']);
  });
});
