import seedrandom from 'seedrandom';

/**
 * The only source of randomness in ptefuzz (seedrandom's ARC4-based PRNG).
 * Nothing else may call Math.random or read the clock inside a run.
 */
export interface Rng {
  /** uniform integer in [0, n) */
  int(n: number): number;
  /** uniform 32-bit unsigned integer */
  u32(): number;
}

export function createRng(seed: string | number): Rng {
  const prng = seedrandom(String(seed));
  return {
    int: (n) => Math.floor(prng() * n),
    u32: () => prng.int32() >>> 0,
  };
}

/** A seed derived from a campaign seed and an index, as text (stable across platforms). */
export function deriveSeed(seed: string | number, ...parts: (string | number)[]): string {
  return [String(seed), ...parts.map(String)].join('/');
}
