import seedrandom from 'seedrandom';

/**
 * The only source of randomness in ptefuzz: seedrandom's PRNGs. Nothing else
 * may call Math.random or read the clock inside a run.
 */
export interface Rng {
  /** uniform integer in [0, n) */
  int(n: number): number;
  /** uniform 32-bit unsigned integer */
  u32(): number;
}

/**
 * seedrandom's default ARC4-based PRNG: the stream of the `random` and `pct`
 * engines' runs (what every committed trace and golden file was drawn from).
 * Seeding it costs about 5 µs (the 256-byte key schedule and 256 discarded
 * bytes) — as much as a tenth of a short execution.
 */
export function createRng(seed: string | number): Rng {
  return asRng(seedrandom(String(seed)));
}

/**
 * seedrandom's Tyche-i PRNG (Neves and Araujo, 2011): seeded in about a tenth
 * of ARC4's time. For streams seeded once per run whose output is not a
 * baseline engine's run — the coverage engine's own per-run decisions (which
 * parent, which mutators).
 */
export function createFastRng(seed: string | number): Rng {
  return asRng(seedrandom.tychei(String(seed)));
}

/** The Rng view of a seedrandom generator. */
function asRng(prng: seedrandom.PRNG): Rng {
  return {
    int: (n) => Math.floor(prng() * n),
    u32: () => prng.int32() >>> 0,
  };
}

/** A seed derived from a campaign seed and an index, as text (stable across platforms). */
export function deriveSeed(seed: string | number, ...parts: (string | number)[]): string {
  // concatenated in a loop (the same text as joining the parts with '/'): a coverage run derives 2-3 seeds
  let s = String(seed);
  for (const p of parts) s += '/' + String(p);
  return s;
}
