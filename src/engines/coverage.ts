import type { ChoiceSource, Execution } from '../machine';
import { ExecMap, VirginMap } from './coverage-map';
import { FeatureExtractor } from './coverage-features';
import type { MutatorName } from './coverage-mutators';
import { MUTATORS, mutate } from './coverage-mutators';
import type { Plan } from './coverage-plan';
import { CpuListTable, PackedPlan } from './coverage-pack';
import { PlanSource, markReaderWindows, planOfTrace } from './coverage-plan';
import { DEFAULT_PCT_DEPTH, PctSource, countSched, pctSteps, schedulingSteps } from './pct';
import { RandomSource } from './random';
import type { Rng } from './rng';
import { createFastRng, deriveSeed } from './rng';

/**
 * Engine `coverage` (the default): coverage-guided, in-process, AFL/libFuzzer
 * style over traces instead of bytes. A corpus of executions that each set a
 * new (feature, hit-count bucket) bit of the interleaving-coverage map
 * (coverage-features.ts); every run either
 * - replays a saved corpus entry once (at start, or when another job of the
 *   campaign sent it, or another process added it to the corpus folder), or
 * - is a *fresh* run — the first 2 × FRESH_WARMUP runs (random and PCT in
 *   turn: a first corpus), then one in FRESH_ONE_IN —, either a uniform
 *   random one (exactly the `random` engine's run for that seed) or a PCT one
 *   (the `pct` engine's scheduler, depth 3, k = the most scheduling steps
 *   of a fresh PCT run seen), chosen by Thompson sampling on how often each
 *   one's recent runs joined the corpus (pickFresh), or
 * - mutates a corpus entry with 1–4 stacked structured mutators
 *   (coverage-mutators.ts). Preemptions are inserted and removed mostly
 *   inside the window of an operation under test (a reader, or the consumer
 *   calling it: PlanStep.hot), and `pct-tail` keeps a prefix and lets a PCT
 *   scheduler finish the run (the reader stopped at a hot cut resumes last) —
 *   so a mutant combines a corpus entry's prefix with either generator's strength.
 *
 * Energy: the parent is drawn with probability proportional to
 *   (1 + min(new bits, 16)/4) × (2 if an operation retried) × (1.5 if no longer
 *   than the mean) × (2 if among the newest quarter) / (1 + picks/64)
 * — favouring entries that found much, that made a reader loop retry (the
 * races that matter happen there), that are short, and that are recent, and
 * decaying entries already fuzzed a lot (AFL's "favoured" and libFuzzer's
 * entropic schedules in a simple form).
 *
 * Deterministic: all randomness of a run comes from its run seed (engines/rng),
 * and the corpus only changes through observe(), so the same seed and the
 * same number of runs give the same corpus.
 */

/** The two generators of fresh runs. */
export type FreshArm = 'random' | 'pct';
/** The kinds of run (what pendingArm reports). */
export type RunArm = FreshArm | 'mutant';
/** Fresh runs alternate between random and PCT this many times each before the corpus is mutated. */
export const FRESH_WARMUP = 2;
/**
 * After the warm-up, a run is fresh with probability 1/FRESH_ONE_IN, a mutant
 * otherwise. Measured on the known-bug built-ins (60 seeds each, README
 * *Benchmark*): the deep bugs are found by mutants (S1: 28 of 30 first
 * finds), and a fifth of the runs fresh keeps the shallow ones found about as
 * fast as by the better generator.
 */
export const FRESH_ONE_IN = 5;
/**
 * Each observed fresh run discounts its arm's earlier counts by this factor:
 * the arm's rate is an exponentially weighted mean over roughly its last
 * 1/(1 − ARM_DISCOUNT) runs, since each generator's admission rate falls as
 * the map fills up, at its own pace.
 */
export const ARM_DISCOUNT = 0.98;
/**
 * How often each mutator is drawn: insert-preemption and pct-tail 4 times as
 * often as each other one — the races under test are decided by where a
 * reader is preempted, and for how long. Measured against weights of 2
 * (120 seeds of every known-bug built-in, README *Coverage engine*): median
 * executions to the first divergence lower on 17 of the 23 cases that take
 * more than 3, higher on 6, 0.94× overall (geometric mean).
 */
export const MUTATOR_WEIGHTS: Readonly<Record<MutatorName, number>> = {
  'change-step': 1,
  'insert-preemption': 4,
  'delete-preemption': 1,
  'swap-steps': 1,
  'change-rf': 1,
  'change-drain': 1,
  'change-op': 1,
  splice: 1,
  'random-tail': 1,
  'pct-tail': 4,
};
const MUTATOR_DRAW: readonly MutatorName[] = MUTATORS.flatMap((m) => Array<MutatorName>(MUTATOR_WEIGHTS[m]).fill(m));

/** At most this many mutators are stacked on one parent. */
export const MAX_STACK = 4;

export interface CorpusEntry {
  /** the executed trace (what is persisted; replays exactly) */
  readonly trace: readonly number[];
  /** the recorded plan (mutation material), packed: entries live for the whole campaign */
  readonly packed: PackedPlan;
  /** (feature, bucket) bits it set first */
  readonly newBits: number;
  /** an operation of the execution retried */
  readonly retried: boolean;
  /** order of addition */
  readonly index: number;
  /** the execution's coverage hash (ExecMap.hash, verdict feature included) and verdict label, for stability checks */
  readonly hash: number;
  readonly label: string | undefined;
  picks: number;
}

export interface CoverageStats {
  /** map counters ever hit (libFuzzer `cov:`) */
  readonly cov: number;
  /** (counter, bucket) bits ever set (libFuzzer `ft:`) */
  readonly ft: number;
  /** corpus entries */
  readonly corpus: number;
  /** saved entries replayed (from the corpus folder: at start and synced during the run) */
  readonly seeds: number;
}

interface PendingRun {
  readonly source: PlanSource;
  readonly arm?: RunArm;
}

/** An arm's discounted record: runs and runs that joined the corpus. */
interface ArmRecord {
  runs: number;
  admitted: number;
  /** undiscounted runs, for reporting */
  total: number;
}

export class CoverageEngine {
  readonly name = 'coverage' as const;
  private readonly corpus: CorpusEntry[] = [];
  private readonly pendingSeeds: (readonly number[])[] = [];
  private readonly virgin = new VirginMap();
  private readonly execMap = new ExecMap();
  private readonly scratch = new ExecMap();
  private readonly features = new FeatureExtractor();
  /** runnable-CPU lists of the packed plans */
  private readonly cpuLists = new CpuListTable();
  private last: PendingRun | undefined;
  private fresh = 0;
  private seedsRun = 0;
  /**
   * PCT's k: the most scheduling steps of a complete execution of a fresh PCT
   * run so far — as the `pct` engine keeps it over its own runs (mutants'
   * inserted bursts and random runs' retries make longer executions, and a
   * larger k spreads the change points thinner)
   */
  private maxSched = 0;
  private totalLength = 0;
  /** pickParent's per-entry weights: one buffer for the engine, grown with the corpus (a run draws a parent) */
  private weights = new Float64Array(64);
  /** the corpus size the weights were computed for (they are recomputed when it grows) */
  private weightsFor = 0;
  private readonly arms: Record<RunArm, ArmRecord> = {
    random: { runs: 0, admitted: 0, total: 0 },
    pct: { runs: 0, admitted: 0, total: 0 },
    mutant: { runs: 0, admitted: 0, total: 0 },
  };

  /** Queue saved traces: each is replayed once, in order, before any new run, and kept if it adds coverage. */
  addSeeds(traces: readonly (readonly number[])[]): void {
    for (const t of traces) this.pendingSeeds.push(t);
  }

  source(seed: string): ChoiceSource {
    const saved = this.pendingSeeds.shift();
    if (saved !== undefined) {
      this.seedsRun++;
      return this.start(new PlanSource(planOfTrace(saved)));
    }
    // the engine's own decisions use a stream of their own, so a fresh run's choices are exactly random's / pct's
    const rng = createFastRng(deriveSeed(seed, 'coverage'));
    const arm = this.pickArm(rng);
    if (arm !== 'mutant') return this.freshRun(seed, arm);
    const parent = this.pickParent(rng);
    let plan: Plan = parent.packed.unpack();
    const stack = 1 + rng.int(MAX_STACK);
    let applied = 0;
    for (let tries = 0; applied < stack && tries < 4 * stack; tries++) {
      const name: MutatorName = MUTATOR_DRAW[rng.int(MUTATOR_DRAW.length)]!;
      const donor = name === 'splice' ? this.corpus[rng.int(this.corpus.length)]!.packed.unpack() : undefined;
      const m = mutate(name, plan, rng, donor);
      if (m === null) continue;
      plan = m.plan;
      applied++;
    }
    if (applied === 0) return this.freshRun(seed, this.pickFresh(rng));
    const tailSeed = deriveSeed(seed, 'tail');
    const tail =
      plan.pctTail === true
        ? new PctSource(
            tailSeed,
            DEFAULT_PCT_DEPTH,
            Math.max(1, pctSteps(this.maxSched) - countSched(plan.steps)),
            plan.tailLowest,
          )
        : new RandomSource(tailSeed);
    return this.start(new PlanSource(plan, tail), 'mutant');
  }

  private freshRun(seed: string, arm: FreshArm): ChoiceSource {
    this.fresh++;
    const tail =
      arm === 'random' ? new RandomSource(seed) : new PctSource(seed, DEFAULT_PCT_DEPTH, pctSteps(this.maxSched));
    return this.start(new PlanSource({ steps: [], randomTail: true }, tail), arm);
  }

  /**
   * Which kind of run comes next: the first 2 × FRESH_WARMUP alternate between
   * random and PCT (a first corpus: mutants need one); after that a fresh run
   * one time in FRESH_ONE_IN, a mutant otherwise.
   */
  private pickArm(rng: Rng): RunArm {
    if (this.fresh < 2 * FRESH_WARMUP) return this.fresh % 2 === 0 ? 'random' : 'pct';
    if (this.corpus.length === 0 || rng.int(FRESH_ONE_IN) === 0) return this.pickFresh(rng);
    return 'mutant';
  }

  /**
   * Thompson sampling between the fresh generators, the reward being a run
   * that joined the corpus (set a new map bit): each one's admission rate has
   * a Beta(1 + admitted, 1 + runs − admitted) posterior over its discounted
   * counts; draw from both, run the larger. Measured over 1000 fresh runs of
   * each on every known-bug built-in, the generator with the higher admission
   * rate is the one with the higher bug rate wherever the two bug rates differ
   * by more than 2× on a bug rarer than one run in ten (S1, S2-samelow,
   * GUP-fast, S4, S6, S11, S12) — unlike the race rate, which always favours
   * uniform random (it interleaves more).
   */
  private pickFresh(rng: Rng): FreshArm {
    const draw = (a: FreshArm): number => {
      const r = this.arms[a];
      return betaSample(rng, 1 + r.admitted, 1 + r.runs - r.admitted);
    };
    const x = draw('random');
    return draw('pct') > x ? 'pct' : 'random';
  }

  /**
   * Feedback for the execution of the last source: its features (and the
   * reader's verdict `label`) are merged into the map; it joins the corpus
   * when it set a new bit. Returns whether it joined and was not a replayed
   * seed (i.e. whether it is a new entry to persist).
   */
  observe(exec: Execution, label?: string): boolean {
    const run = this.last;
    this.last = undefined;
    this.execMap.clear();
    this.features.collect(exec, label, this.execMap);
    if (exec.outcome.kind === 'complete' && run?.arm === 'pct') {
      this.maxSched = Math.max(this.maxSched, schedulingSteps(exec));
    }
    const newBits = this.virgin.merge(this.execMap);
    if (run?.arm !== undefined) {
      const r = this.arms[run.arm];
      r.runs = ARM_DISCOUNT * r.runs + 1;
      r.admitted = ARM_DISCOUNT * r.admitted + (newBits > 0 ? 1 : 0);
      r.total++;
    }
    if (newBits === 0 || run === undefined) return false;
    if (run.source.recorded.length !== exec.trace.length) {
      throw new Error('[ptefuzz internal bug] coverage engine: recorded plan and trace differ in length');
    }
    const plan = markReaderWindows(run.source.recorded, run.source.stepOf, exec);
    this.corpus.push({
      trace: exec.trace,
      packed: PackedPlan.pack({ steps: plan, randomTail: false }, this.cpuLists),
      newBits,
      retried: exec.ops.some((o) => o.retries > 0),
      index: this.corpus.length,
      hash: this.execMap.hash(),
      label,
      picks: 0,
    });
    this.totalLength += exec.trace.length;
    return run.arm !== undefined;
  }

  /** The map features first set since the last call (all so far on the first call): VirginMap.takeNew. */
  newFeatures(): number[] {
    return this.virgin.takeNew();
  }

  stats(): CoverageStats {
    return { cov: this.virgin.cov, ft: this.virgin.ft, corpus: this.corpus.length, seeds: this.seedsRun };
  }

  /**
   * The coverage hash of an execution (with its verdict label), as a corpus
   * entry records it — for re-executing entries and comparing (stability).
   * Touches neither the map nor the corpus.
   */
  coverageHash(exec: Execution, label?: string): number {
    this.scratch.clear();
    this.features.collect(exec, label, this.scratch);
    return this.scratch.hash();
  }

  /** The arm of the run handed out last and not yet observed (undefined: a replayed seed). */
  pendingArm(): RunArm | undefined {
    return this.last?.arm;
  }

  /** Per kind of run: the runs observed, and the discounted runs and admissions (what pickFresh samples from for the fresh ones). */
  runArms(): Readonly<Record<RunArm, { readonly runs: number; readonly weight: number; readonly admitted: number }>> {
    const f = (a: RunArm): { runs: number; weight: number; admitted: number } => ({
      runs: this.arms[a].total,
      weight: this.arms[a].runs,
      admitted: this.arms[a].admitted,
    });
    return { random: f('random'), pct: f('pct'), mutant: f('mutant') };
  }

  /** The corpus, in order of addition. */
  entries(): readonly CorpusEntry[] {
    return this.corpus;
  }

  /** `arm` undefined: a replayed seed. */
  private start(source: PlanSource, arm?: RunArm): ChoiceSource {
    this.last = arm === undefined ? { source } : { source, arm };
    return source;
  }

  /**
   * Entry i's energy (see the class comment). `mean` and `recent` depend on the corpus size and total length
   * only, so between two admissions only a picked entry's weight changes (its picks).
   */
  private weightOf(i: number, mean: number, recent: number): number {
    const e = this.corpus[i]!;
    let x = 1 + Math.min(e.newBits, 16) / 4;
    if (e.retried) x *= 2;
    if (e.trace.length <= mean) x *= 1.5;
    if (i >= recent) x *= 2;
    x /= 1 + e.picks / 64;
    return x;
  }

  private pickParent(rng: Rng): CorpusEntry {
    const n = this.corpus.length;
    const mean = this.totalLength / n;
    const recent = n - Math.max(1, Math.floor(n / 4));
    if (this.weights.length < n) {
      const grown = new Float64Array(Math.max(n, 2 * this.weights.length));
      grown.set(this.weights.subarray(0, this.weightsFor));
      this.weights = grown;
    }
    const w = this.weights;
    // the weights of the last draw stay valid while the corpus has not grown (mean and recent are unchanged);
    // the entry picked then was updated as its picks grew — every weight is the formula's, bit for bit
    if (this.weightsFor !== n) {
      for (let i = 0; i < n; i++) w[i] = this.weightOf(i, mean, recent);
      this.weightsFor = n;
    }
    // summed in index order, as the weights were always summed: the same float sum
    let sum = 0;
    for (let i = 0; i < n; i++) sum += w[i]!;
    // u32 / 2^32 in [0, 1): a uniform point on the cumulative weights
    let r = (rng.u32() / 0x1_0000_0000) * sum;
    let picked = n - 1;
    for (let i = 0; i < n; i++) {
      r -= w[i]!;
      if (r < 0) {
        picked = i;
        break;
      }
    }
    const parent = this.corpus[picked]!;
    parent.picks++;
    w[picked] = this.weightOf(picked, mean, recent);
    return parent;
  }
}

/** Uniform in (0, 1), never 0. */
const unit = (rng: Rng): number => (rng.u32() + 0.5) / 0x1_0000_0000;

/** Gamma(shape, 1) for shape ≥ 1 (Marsaglia and Tsang, ACM TOMS 2000), from the seeded Rng. */
export function gammaSample(rng: Rng, shape: number): number {
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    // a standard normal deviate (Box–Muller)
    const z = Math.sqrt(-2 * Math.log(unit(rng))) * Math.cos(2 * Math.PI * unit(rng));
    const v = (1 + c * z) ** 3;
    if (v <= 0) continue;
    const u = unit(rng);
    if (Math.log(u) < 0.5 * z * z + d - d * v + d * Math.log(v)) return d * v;
  }
}

/** Beta(a, b) for a, b ≥ 1. */
export function betaSample(rng: Rng, a: number, b: number): number {
  const x = gammaSample(rng, a);
  return x / (x + gammaSample(rng, b));
}
