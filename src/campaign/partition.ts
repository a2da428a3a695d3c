/**
 * How one campaign is split over machines (shards) and worker threads (jobs)
 * without duplicating a run.
 *
 * A campaign is a sequence of runs r = 0, 1, 2, …; run r executes the
 * schedule seeded `deriveSeed(seed, r)` on scenario group r mod G. Runs come
 * in *rounds* of G consecutive runs (one per scenario), and the rounds are
 * dealt out: shard i (0-based here) of N, job j of J owns the rounds k with
 * k mod N·J = i + N·j. So shard i owns the rounds k ≡ i (mod N), its job j
 * the j-th of every J of those, and any N shards × J jobs (each shard may
 * pick its own J) together execute every run of the one-machine campaign
 * exactly once — with `--runs R`, exactly the runs 0..R-1. Dealing whole
 * rounds keeps every worker's scenario mix the same as the campaign's.
 */
export interface Partition {
  /** the first round this worker owns */
  readonly offset: number;
  /** the distance between two of its rounds */
  readonly stride: number;
}

/** The whole campaign: one worker, every round. */
export const WHOLE: Partition = { offset: 0, stride: 1 };

/** A slice of a multi-machine campaign: shard `index` (0-based) of `count`. */
export interface ShardSpec {
  readonly index: number;
  readonly count: number;
}

export const NO_SHARD: ShardSpec = { index: 0, count: 1 };

/** The rounds job `job` (0-based) of `jobs` on shard `shard` owns. */
export function partitionOf(shard: ShardSpec, job: number, jobs: number): Partition {
  if (!(shard.count >= 1 && shard.index >= 0 && shard.index < shard.count && jobs >= 1 && job >= 0 && job < jobs)) {
    throw new Error(`[ptefuzz internal bug] bad partition: shard ${shard.index}/${shard.count}, job ${job}/${jobs}`);
  }
  return { offset: shard.index + shard.count * job, stride: shard.count * jobs };
}

/**
 * The global run indices a worker executes, in order: its rounds' runs, below
 * `limit` (the campaign's --runs; Infinity for a time budget).
 */
export function* partitionRuns(p: Partition, groups: number, limit = Infinity): Generator<number, void, undefined> {
  for (let round = p.offset; ; round += p.stride) {
    for (let g = 0; g < groups; g++) {
      const r = round * groups + g;
      if (r >= limit) return;
      yield r;
    }
  }
}
