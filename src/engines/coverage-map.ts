/**
 * AFL-style coverage map (Zalewski, american fuzzy lop, "technical
 * details"): every feature of an execution is hashed to one of MAP_SIZE u8
 * counters; a counter's hit count is folded into one of eight buckets
 * (1, 2, 3, 4-7, 8-15, 16-31, 32-127, 128+), one bit each, so a loop that
 * retried 5 times instead of 4 is the same behaviour, and 8 instead of 7 is
 * a new one. An execution is interesting when it sets a (counter, bucket)
 * bit no earlier execution set.
 */

/** Counters in the map (AFL's 64 Ki). invariant: a power of two. */
export const MAP_SIZE = 1 << 16;

/** The bucket bit of a hit count (0 for 0 hits): AFL's count_class_lookup8. */
export function bucketOf(hits: number): number {
  if (hits <= 0) return 0;
  if (hits === 1) return 1;
  if (hits === 2) return 2;
  if (hits === 3) return 4;
  if (hits <= 7) return 8;
  if (hits <= 15) return 16;
  if (hits <= 31) return 32;
  if (hits <= 127) return 64;
  return 128;
}

/**
 * Set bucket bit `bit` of counter `i` in `seen` (the bucket bits each counter has had): 0 when it was set
 * already, else 1, or 2 when it is the counter's first bit (a new `cov` as well as a new `ft`). On the hot
 * path of the coverage engine: no allocation.
 */
export function setBucketBit(seen: Uint8Array, i: number, bit: number): 0 | 1 | 2 {
  const old = seen[i]!;
  if ((old & bit) !== 0) return 0;
  seen[i] = old | bit;
  return old === 0 ? 2 : 1;
}

/** The hit counts of one execution: counters saturate at 255; the touched indices are kept so clearing is cheap. */
export class ExecMap {
  readonly counts = new Uint8Array(MAP_SIZE);
  /** indices with a non-zero count, in order of first hit */
  readonly touched: number[] = [];

  hit(index: number, times = 1): void {
    const i = index & (MAP_SIZE - 1);
    const c = this.counts[i]!;
    if (c === 0) this.touched.push(i);
    this.counts[i] = Math.min(255, c + times);
  }

  /**
   * A hash of the (counter, bucket) pairs set — what the map would merge —,
   * independent of the order of the hits: equal for two executions with the
   * same coverage (AFL++'s stability check compares these).
   */
  hash(): number {
    let h = 0;
    for (const i of this.touched) {
      // murmur3-style mix of (index, bucket), summed: commutative
      let x = Math.imul(i ^ (bucketOf(this.counts[i]!) << 16), 0x85ebca6b);
      x ^= x >>> 13;
      x = Math.imul(x, 0xc2b2ae35);
      x ^= x >>> 16;
      h = (h + x) >>> 0;
    }
    return (h ^ this.touched.length) >>> 0;
  }

  clear(): void {
    for (const i of this.touched) this.counts[i] = 0;
    this.touched.length = 0;
  }
}

/**
 * Everything seen so far: per counter, the bucket bits any execution set.
 * `cov` counts counters ever hit, `ft` (features) counts (counter, bucket)
 * bits — libFuzzer's `cov:` and `ft:`.
 */
export class VirginMap {
  readonly seen = new Uint8Array(MAP_SIZE);
  cov = 0;
  ft = 0;
  /** features set since the last takeNew() (null until the first call: nothing is logged unless asked) */
  private added: number[] | null = null;

  /** Merge one execution in; returns how many new (counter, bucket) bits it set. */
  merge(m: ExecMap): number {
    let fresh = 0;
    for (const i of m.touched) {
      const bit = bucketOf(m.counts[i]!);
      const set = setBucketBit(this.seen, i, bit);
      if (set === 0) continue;
      if (set === 2) this.cov++;
      this.ft++;
      fresh++;
      this.added?.push(i * 8 + (31 - Math.clz32(bit)));
    }
    return fresh;
  }

  /**
   * The (counter, bucket) features first set since the last call, each as counter × 8 + bucket index
   * (log2 of its bit) — what a worker sends so that a union over workers can be kept (FeatureUnion); the
   * first call returns every feature set so far.
   */
  takeNew(): number[] {
    if (this.added === null) {
      this.added = [];
      const all: number[] = [];
      for (let i = 0; i < MAP_SIZE; i++) {
        const s = this.seen[i]!;
        if (s !== 0) for (let b = 0; b < 8; b++) if ((s & (1 << b)) !== 0) all.push(i * 8 + b);
      }
      return all;
    }
    const out = this.added;
    this.added = [];
    return out;
  }

  /** Would merging `m` set a new bit? (no side effect) */
  wouldGrow(m: ExecMap): boolean {
    for (const i of m.touched) if ((this.seen[i]! & bucketOf(m.counts[i]!)) === 0) return true;
    return false;
  }
}

/**
 * The union of several maps' features (the workers of a `--jobs` campaign, each with its own map of
 * one target), fed with VirginMap.takeNew() batches: `cov` and `ft` as the one map of a single worker
 * that had seen every execution would count them.
 */
export class FeatureUnion {
  readonly seen = new Uint8Array(MAP_SIZE);
  cov = 0;
  ft = 0;

  add(features: readonly number[]): void {
    for (const f of features) {
      const set = setBucketBit(this.seen, (f >>> 3) & (MAP_SIZE - 1), 1 << (f & 7));
      if (set === 0) continue;
      if (set === 2) this.cov++;
      this.ft++;
    }
  }
}
