import type { Bounds, Execution } from '../machine';
import { DEFAULT_BOUNDS, TraceSource } from '../machine';
import type { CoverageStats, Engine, FuzzEngineName, PctBound, PctUsage } from '../engines';
import { createEngine, createRng, deriveSeed } from '../engines';
import type { Judgement, Verdict } from '../compare';
import type { CorpusKey, CorpusStore } from './corpus';
import type { ReaderStats } from './stats';
import { countRun, emptyStats } from './stats';
import type { ExecutionWatch, Target } from './target';
import { runTarget } from './target';
import type { SettledWitness } from './minimize-witness';
import { settleWitness, settledFinding } from './minimize-witness';
import type { Partition } from './partition';
import { WHOLE, partitionRuns } from './partition';
import type { CorpusExchange, ExchangedEntry } from './exchange';
import { EXCHANGE_EPOCH_RUNS } from './exchange';
import { targetExpectation } from './expectations';

export type { EngineName, FuzzEngineName } from '../engines';
export { DEFAULT_FUZZ_ENGINE, ENGINES, FUZZ_ENGINES } from '../engines';

/** A distinct divergence: one minimized witness, however often it was hit. */
export interface Finding {
  readonly target: Target;
  readonly class: string;
  /** minimized trace */
  readonly trace: readonly number[];
  readonly exec: Execution;
  readonly judgement: Judgement;
  /** executions and seconds into the campaign when it was first seen */
  readonly first: { readonly executions: number; readonly seconds: number };
  hits: number;
  /** set by the sink (the crash file path) */
  file?: string;
  /** the divergence identity (fingerprint) assigned by the sink */
  id?: string;
  /**
   * set when the reader did not replay the divergence for the minimizer (settleWitness): the trace is the
   * execution as it ran, unminimized, and a replay of its crash file may not reproduce it
   */
  readonly unreplayed?: true;
}

export interface CampaignStatus {
  readonly executions: number;
  readonly runs: number;
  readonly seconds: number;
  readonly findings: number;
  /** engine `coverage`: map and corpus figures summed over the targets */
  readonly coverage?: { readonly cov: number; readonly ft: number; readonly corpus: number };
  /** engine `coverage`: corpus re-executions so far, summed over the targets */
  readonly stability?: StabilityStats;
}

/**
 * Stability (AFL++'s `stability`): corpus entries re-executed from their
 * trace, and how many reproduced the coverage hash and verdict they were
 * admitted with. Anything below 100 % is a determinism bug (same trace ⇒
 * same execution is a law).
 */
export interface StabilityStats {
  readonly checked: number;
  readonly stable: number;
}

/** The share of stable re-executions, in percent (100 when nothing was checked yet). */
export const stabilityPercent = (s: StabilityStats): number => (s.checked === 0 ? 100 : (100 * s.stable) / s.checked);

/** The re-executions of `a` and `b` together (targets, workers). */
export const addStability = (a: StabilityStats, b: StabilityStats): StabilityStats => ({
  checked: a.checked + b.checked,
  stable: a.stable + b.stable,
});

/** A corpus entry whose re-execution differed from its admission. */
export interface Unstable {
  readonly target: Target;
  readonly trace: readonly number[];
  /** when it was re-executed: on admission, in a periodic resample, or in the final sample */
  readonly when: 'admission' | 'resample' | 'final';
  /** what differed, one line */
  readonly detail: string;
}

/** Every STABILITY_EVERY runs one entry of each target's corpus is re-executed (on top of every entry once on admission). */
export const STABILITY_EVERY = 500;
/** At the end of a campaign up to this many entries per target, evenly spaced over the corpus, are re-executed. */
export const STABILITY_FINAL = 32;

/** Status events: a pulse, a new distinct divergence (`new`, with the finding), a new corpus entry, the end. */
export type CampaignEvent = 'pulse' | 'new' | 'corpus' | 'done';

export interface CampaignConfig {
  readonly targets: readonly Target[];
  readonly engine: FuzzEngineName;
  /** PCT bug depth d (default 3) */
  readonly depth?: number;
  readonly seed: string;
  /**
   * stop after this many runs (one run = one schedule, executed by every target
   * of a scenario); with a partition, the runs of the whole campaign: this
   * worker executes its share of runs 0..runs-1
   */
  readonly runs?: number;
  /** which rounds of the campaign this worker executes (default: all — see partition.ts) */
  readonly partition?: Partition;
  /** stop after this many seconds (measured with `clock`) */
  readonly seconds?: number;
  /**
   * After each run, one more execution of a target its scenario expects to be a bug (targetExpectation `bug`) that
   * has not diverged yet, round-robin over them (seeded `chase/RUN`); none once each has diverged. Default: a
   * campaign without `runs` (a time budget): a campaign over many scenarios gives each target one execution in as
   * many as it has targets, and the deepest expected bugs (S4's ptep_get_atomic64: thousands of executions of its
   * own, p90 about 12000) go unfound in the default 60 s; `runs` keeps a run's executions exactly its scenario's
   * targets (same seed, same runs ⇒ same files, as before).
   */
  readonly chase?: boolean;
  /** milliseconds; injected so that nothing inside a run reads the clock */
  readonly clock: () => number;
  readonly bounds?: Bounds;
  /**
   * Called once per minimized witness; returns the identity (fingerprint) of
   * the divergence, so that repeated witnesses collapse. Sets `finding.file`.
   */
  readonly onWitness: (f: Finding) => { id: string; fresh: boolean };
  readonly onStatus?: (s: CampaignStatus, event: CampaignEvent, f?: Finding) => void;
  readonly shouldStop?: () => boolean;
  /** how often to emit a pulse status, in ms (default 2000) */
  readonly pulseMs?: number;
  /**
   * engine `coverage`: the persistent corpus — polled for saved entries at the
   * start and, without an `exchange`, every `syncMs` (entries other workers added), and given every new
   * entry. Without it the corpus lives in memory only.
   */
  readonly corpus?: CorpusStore;
  /** how often to poll the corpus store for entries of other workers, in ms (default 5000; not with `exchange`) */
  readonly syncMs?: number;
  /**
   * engine `coverage`, the jobs of a split campaign: the entries of the other jobs come from here, at fixed
   * run counts (exchange.ts), instead of from polling `corpus` on the clock; this job's new entries go to it too
   */
  readonly exchange?: CorpusExchange;
  /**
   * engine `coverage`: called just before every pulse status and before `done` with, per target, the map
   * features first set since the previous call and the target's map and corpus figures — a `--jobs`
   * worker sends them on, so that the main thread can report the union of the workers' maps
   */
  readonly onCoverage?: (delta: readonly CoverageDelta[]) => void;
  /** campaignSteps only: yield after a run once this many ms have passed since the last yield (default 50) */
  readonly sliceMs?: number;
  /**
   * Resume a campaign stopped at run `run` (the watchdog's fresh worker): runs
   * of the partition before `run` are skipped, and so are the first `pos`
   * targets of that run's scenario. The partial run is not counted in `runs`
   * (the worker that started it counted it).
   */
  readonly from?: { readonly run: number; readonly pos: number };
  /** told the run and the position of the target in its scenario's group before each execution of the loop */
  readonly onExecute?: (run: number, pos: number) => void;
  /** told each run as it is counted in `runs` */
  readonly onRun?: (run: number) => void;
  /** wraps every execution: the loop's, the minimizer's and the replay of a new witness */
  readonly watch?: ExecutionWatch;
  /** the per-target counters to count into (e.g. in shared memory), by target key; default: fresh ones */
  readonly stats?: ReadonlyMap<string, ReaderStats>;
  /** called each time a finding's hit count grows (its first hit included) */
  readonly onHit?: (id: string) => void;
  /**
   * keys of targets not to execute (the watchdog drops a target that keeps hanging); asked before every
   * execution, so a set that grows while the campaign runs (another worker's hangs) takes effect at once
   */
  readonly skip?: Pick<ReadonlySet<string>, 'has'>;
  /** engine `coverage`: a corpus entry whose re-execution differed (stability) */
  readonly onUnstable?: (u: Unstable) => void;
  /**
   * target + class pairs (`minimizeKey`) whose witnesses are handed to `onWitness` as executed, not
   * minimized: a minimization of them hung (every worker of the campaign is told, so none hangs on it again);
   * asked before every minimization, so a set that grows while the campaign runs takes effect at once
   */
  readonly unminimized?: Pick<ReadonlySet<string>, 'has'>;
  /** the minimizations' schedule search (settleWitness; default CAMPAIGN_MINIMIZE_SCHEDULES) */
  readonly minimizeSchedules?: number;
}

/** The key of a target's divergence class in CampaignConfig.unminimized. */
export const minimizeKey = (t: Target, cls: string): string => `${t.key} ${cls}`;

/** One target's coverage news for onCoverage. */
export interface CoverageDelta {
  readonly key: string;
  /** map features (counter × 8 + bucket index) first set since the previous delta */
  readonly features: readonly number[];
  readonly stats: CoverageStats;
}

/**
 * A distinct divergence as a campaign's summary needs it: without its execution (a `fuzz` campaign's main thread
 * holds none: its workers ran them).
 */
export type FoundDivergence = Omit<Finding, 'exec' | 'judgement'>;

/** What a campaign did; `F`: its findings (a `fuzz` campaign's main thread holds them without their executions). */
export interface CampaignResult<F extends FoundDivergence = Finding> {
  /** the targets exercised, in selection order (the keys of perTarget and pctBounds) */
  readonly targets: readonly Target[];
  readonly executions: number;
  readonly runs: number;
  readonly seconds: number;
  readonly perTarget: ReadonlyMap<string, ReaderStats>;
  readonly findings: readonly F[];
  /** true when stopped by shouldStop() */
  readonly interrupted: boolean;
  /** engine `pct`: the probability bound per target key */
  readonly pctBounds: ReadonlyMap<string, PctBound>;
  /** engine `coverage`: map and corpus figures per target key */
  readonly coverage: ReadonlyMap<string, CoverageStats>;
  /** engine `pct`: the runs behind each bound, to merge workers' bounds (mergePctUsage) */
  readonly pctUsage: ReadonlyMap<string, PctUsage>;
  /** engine `coverage`: re-executions of corpus entries per target key (absent from a --jobs campaign) */
  readonly stability?: ReadonlyMap<string, StabilityStats>;
}

/** The corpus a target's entries belong to. */
export const corpusKey = (t: Target): CorpusKey => ({
  scenario: t.scenario.name,
  reader: t.reader.name,
  contract: t.contract.name,
  model: t.model,
});

/**
 * The reader's verdict as the coverage engine's opaque `verdict` feature:
 * agree (raced or not), the divergence class, or the bound that was hit.
 */
export function verdictLabel(v: Verdict, raced: number): string {
  if (v.kind === 'divergence') return `divergence/${v.class}`;
  if (v.kind === 'bound-hit') return `bound-hit/${v.bound}`;
  return raced > 0 ? 'agree/raced' : 'agree';
}

const sameStats = (a: CoverageStats, b: CoverageStats): boolean =>
  a.cov === b.cov && a.ft === b.ft && a.corpus === b.corpus && a.seeds === b.seeds;

const isPowerOfTwo = (n: number): boolean => (n & (n - 1)) === 0;

/**
 * Whether a worker minimizes its `hits`-th hit of a target and class. One worker (the whole campaign)
 * minimizes the 1st, 2nd, 4th, 8th … hit. The S workers of a split campaign (`--jobs`, `--shard`: the
 * partition's stride S) each see about 1/S of the hits; rather than each minimizing every level (S times
 * the work of one worker), each minimizes its own 1st hit — a bug only this worker hits still gets its witness — and its
 * 2^m-th hit only for m ≥ 1 with m ≡ its offset (mod S), so that together they minimize about as often as
 * one worker does. A rule on the worker's own hit count and partition only: the witnesses a split campaign
 * writes do not depend on thread timing.
 */
export function minimizesHit(hits: number, p: Partition): boolean {
  if (hits < 1 || !isPowerOfTwo(hits)) return false;
  if (hits === 1 || p.stride === 1) return true;
  const m = 31 - Math.clz32(hits);
  return m % p.stride === p.offset % p.stride;
}

/**
 * The fuzz loop. Runs are spread round-robin over the scenarios (run r: seed
 * `deriveSeed(seed, r)`, scenario r mod S; with a partition, only that
 * worker's rounds of them — see partition.ts); each run's
 * schedule (a seeded choice stream) is executed by every target of that
 * scenario — the readers under test, each model and contract — and each
 * execution is judged against the SC reference. A divergence is minimized
 * (its 1st, 2nd, 4th, 8th … hit per target and class — see minimizesHit for a split campaign —, so that a different
 * witness of the same class still gets its own file while a bug hit a
 * thousand times costs ~10 minimizations) and handed to `onWitness`.
 */
export function runCampaign(cfg: CampaignConfig): CampaignResult {
  return runToEnd(campaignSteps({ ...cfg, sliceMs: Infinity }));
}

/** Run a sliced computation (campaignSteps, or one built on it) to its end and return its result. */
export function runToEnd<T>(steps: Generator<void, T, undefined>): T {
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

/**
 * The same loop, cut into slices: it yields between two runs every
 * `sliceMs` (default 50 ms) so that a caller on an event loop can handle
 * signals, messages and redraws; where it yields changes nothing it computes.
 */
export function* campaignSteps(cfg: CampaignConfig): Generator<void, CampaignResult, undefined> {
  const bounds = cfg.bounds ?? DEFAULT_BOUNDS;
  const groups = new Map<string, Target[]>();
  for (const t of cfg.targets) {
    const g = groups.get(t.scenario.name) ?? [];
    g.push(t);
    groups.set(t.scenario.name, g);
  }
  const groupList = [...groups.values()];
  const perTarget = new Map<string, ReaderStats>(
    cfg.targets.map((t) => [t.key, cfg.stats?.get(t.key) ?? emptyStats()]),
  );
  // one engine per target: PCT estimates its step count k from that target's own executions
  const engines = new Map<string, Engine>(
    cfg.targets.map((t) => [t.key, createEngine(cfg.engine, { cpus: t.built.cpus.length, depth: cfg.depth })]),
  );
  const syncCorpus = (): void => {
    if (!cfg.corpus) return;
    for (const t of cfg.targets) {
      const e = engines.get(t.key)!;
      if (!e.addSeeds) continue;
      const traces = cfg.corpus.poll(corpusKey(t));
      if (traces.length > 0) e.addSeeds(traces);
    }
  };
  syncCorpus();
  cfg.exchange?.started();
  const coverage = (): CampaignStatus['coverage'] => {
    let cov = 0;
    let ft = 0;
    let corpus = 0;
    let any = false;
    for (const e of engines.values()) {
      const c = e.coverage?.();
      if (!c) continue;
      any = true;
      cov += c.cov;
      ft += c.ft;
      corpus += c.corpus;
    }
    return any ? { cov, ft, corpus } : undefined;
  };
  // stability: re-execute corpus entries from their trace and compare coverage hash and verdict
  const stability = new Map<string, { checked: number; stable: number }>();
  for (const t of cfg.targets) if (engines.get(t.key)!.entries) stability.set(t.key, { checked: 0, stable: 0 });
  const recheck = (t: Target, index: number, when: Unstable['when']): void => {
    const e = engines.get(t.key)!;
    const entry = e.entries!()[index]!;
    // watched as the loop's executions are: a reader that keeps state between calls can hang here too
    const again = runTarget(t, new TraceSource(entry.trace), bounds, cfg.watch);
    const label = verdictLabel(again.judgement.verdict, again.judgement.raced);
    const hash = e.coverageHash!(again.exec, label);
    const st = stability.get(t.key)!;
    st.checked++;
    if (label === entry.label && hash === entry.hash) {
      st.stable++;
      return;
    }
    const hex = (h: number): string => h.toString(16).padStart(8, '0');
    const detail =
      label !== entry.label
        ? `verdict ${entry.label ?? '-'} on admission, ${label} when re-executed`
        : `coverage hash ${hex(entry.hash)} on admission, ${hex(hash)} when re-executed`;
    cfg.onUnstable?.({ target: t, trace: entry.trace, when, detail });
  };
  const stabilityTotal = (): StabilityStats | undefined =>
    stability.size === 0 ? undefined : [...stability.values()].reduce(addStability, { checked: 0, stable: 0 });
  /**
   * The figures each target's last delta carried: a target is sent again only when it gained features or its
   * figures changed (the first delta and `done` send every target), so that a delta per corpus entry costs
   * what changed, not the 85 targets of the default campaign — the receiver's union and figures come out
   * the same (adding no features and the same figures again changes nothing).
   */
  const sentStats = new Map<string, CoverageStats>();
  /** targets executed since the last delta: no other engine's map or figures can have changed */
  const touched = new Set<string>();
  const coverageDelta = (all = false): void => {
    if (!cfg.onCoverage) return;
    const out: CoverageDelta[] = [];
    const first = sentStats.size === 0;
    for (const [key, e] of engines) {
      if (!e.newFeatures || !e.coverage) continue;
      if (!all && !first && !touched.has(key)) continue;
      const features = e.newFeatures();
      const stats = e.coverage();
      const last = sentStats.get(key);
      if (!all && last !== undefined && features.length === 0 && sameStats(last, stats)) continue;
      sentStats.set(key, stats);
      out.push({ key, features, stats });
    }
    touched.clear();
    if (out.length > 0) cfg.onCoverage(out);
  };
  const findings = new Map<string, Finding>();
  const hitsByClass = new Map<string, number>();
  const firstIdByClass = new Map<string, string>();
  const t0 = cfg.clock();
  const maxRuns = cfg.runs ?? (cfg.seconds === undefined ? 0 : Infinity);
  const pulseMs = cfg.pulseMs ?? 2000;
  let nextPulse = t0 + pulseMs;
  const syncMs = cfg.syncMs ?? 5000;
  let nextSync = t0 + syncMs;
  const sliceMs = cfg.sliceMs ?? 50;
  let nextSlice = t0 + sliceMs;
  const partition = cfg.partition ?? WHOLE;
  const runIndices = partitionRuns(partition, groupList.length, maxRuns);
  let executions = 0;
  let runs = 0;
  let interrupted = false;
  /** runs of the partition passed so far (skipped ones after a restart included): the exchange's epochs count them */
  let passed = 0;
  /** the entries this job admitted in its current epoch, in admission order (with an exchange) */
  let admitted: ExchangedEntry[] = [];
  const targetIndex = new Map(cfg.targets.map((t, i) => [t.key, i]));
  const elapsed = (): number => (cfg.clock() - t0) / 1000;
  const status = (): CampaignStatus => {
    const c = coverage();
    const stab = stabilityTotal();
    return {
      executions,
      runs,
      seconds: elapsed(),
      findings: findings.size,
      ...(c ? { coverage: c } : {}),
      ...(stab ? { stability: stab } : {}),
    };
  };

  const watch = cfg.watch;
  const hit = (f: Finding): void => {
    f.hits++;
    cfg.onHit?.(f.id!);
  };
  /** One execution of `t` from the engine's source seeded `seed`: judged, counted, its divergence minimized and saved. */
  const executeOne = (t: Target, seed: string): void => {
    const engine = engines.get(t.key)!;
    const { exec, judgement } = runTarget(t, engine.source(seed), bounds, watch);
    const admittedBefore = engine.entries?.().length ?? 0;
    const fresh = engine.observe(exec, verdictLabel(judgement.verdict, judgement.raced));
    if (cfg.onCoverage) touched.add(t.key);
    executions++;
    // every entry is re-executed once on admission (replayed seeds included)
    if (engine.entries && engine.entries().length > admittedBefore) recheck(t, admittedBefore, 'admission');
    if (fresh) {
      cfg.corpus?.save(corpusKey(t), exec.trace);
      if (cfg.exchange) admitted.push({ target: targetIndex.get(t.key)!, trace: exec.trace });
      coverageDelta();
      cfg.onStatus?.(status(), 'corpus');
    }
    countRun(perTarget.get(t.key)!, judgement);
    const v = judgement.verdict;
    if (v.kind === 'divergence') {
      const classKey = minimizeKey(t, v.class);
      const hits = (hitsByClass.get(classKey) ?? 0) + 1;
      hitsByClass.set(classKey, hits);
      if (!minimizesHit(hits, partition)) {
        hit(findings.get(firstIdByClass.get(classKey)!)!);
        return;
      }
      // the witness as executed when a minimization of this class hung before (it diverged and returned);
      // else minimized — the reduced scenario's target when the program passes dropped something (same key)
      let w: Pick<Finding, 'target' | 'trace' | 'exec' | 'judgement' | 'unreplayed'> = {
        target: t,
        trace: exec.trace,
        exec,
        judgement,
      };
      if (!cfg.unminimized?.has(classKey)) {
        // the watchdog keeps the divergence while its candidates run: one that hangs does not lose it
        watch?.minimizing?.({ target: t, class: v.class, exec, judgement });
        let min: SettledWitness;
        try {
          min = settleWitness(t, v.class, { exec, judgement }, bounds, watch, cfg.minimizeSchedules);
        } finally {
          watch?.minimizing?.(undefined);
        }
        w = settledFinding(min);
      }
      const f: Finding = { ...w, class: v.class, first: { executions, seconds: elapsed() }, hits: 1 };
      const { id } = cfg.onWitness(f);
      const known = findings.get(id);
      // the finding the class's hits that are not minimized count toward: its first witness's, even when that
      // one is an earlier finding's (another class whose witness minimized to the same one)
      if (!firstIdByClass.has(classKey)) firstIdByClass.set(classKey, id);
      if (known) {
        hit(known);
      } else {
        f.id = id;
        cfg.onHit?.(id);
        findings.set(id, f);
        cfg.onStatus?.(status(), 'new', f);
      }
    }
  };
  const chased = (cfg.chase ?? cfg.runs === undefined) ? cfg.targets.filter((t) => targetExpectation(t) === 'bug') : [];
  let chaseNext = 0;
  for (const r of runIndices) {
    const skip = cfg.from === undefined ? 0 : r < cfg.from.run ? Infinity : r === cfg.from.run ? cfg.from.pos : 0;
    if (skip === Infinity) {
      passed++;
      continue;
    }
    if (cfg.seconds !== undefined && elapsed() >= cfg.seconds) break;
    if (cfg.shouldStop?.()) {
      interrupted = true;
      break;
    }
    const group = groupList[r % groupList.length]!;
    const runSeed = deriveSeed(cfg.seed, r);
    if (skip === 0) {
      runs++;
      cfg.onRun?.(r);
    }
    for (let pos = skip; pos < group.length; pos++) {
      const t = group[pos]!;
      if (cfg.skip?.has(t.key)) continue;
      cfg.onExecute?.(r, pos);
      executeOne(t, runSeed);
    }
    // the chase: one execution more for a target whose expected bug is still unfound (position group.length: a
    // fresh worker resuming after it hung there goes on with the next run)
    if (chased.length > 0 && skip <= group.length) {
      for (let k = 0; k < chased.length; k++) {
        const t = chased[(chaseNext + k) % chased.length]!;
        if (perTarget.get(t.key)!.verdicts.divergence > 0 || cfg.skip?.has(t.key)) continue;
        chaseNext = (chaseNext + k + 1) % chased.length;
        cfg.onExecute?.(r, group.length);
        executeOne(t, deriveSeed(cfg.seed, 'chase', r));
        break;
      }
    }
    if (runs % STABILITY_EVERY === 0 && stability.size > 0) {
      const pick = createRng(deriveSeed(cfg.seed, 'stability', r));
      for (const t of cfg.targets) {
        const n = engines.get(t.key)!.entries?.().length ?? 0;
        if (n > 0) recheck(t, pick.int(n), 'resample');
      }
    }
    if (cfg.onStatus && cfg.clock() >= nextPulse) {
      nextPulse = cfg.clock() + pulseMs;
      coverageDelta();
      cfg.onStatus(status(), 'pulse');
    }
    passed++;
    if (cfg.exchange && passed % EXCHANGE_EPOCH_RUNS === 0) {
      for (const e of cfg.exchange.swap(passed / EXCHANGE_EPOCH_RUNS - 1, admitted)) {
        engines.get(cfg.targets[e.target]!.key)!.addSeeds?.([e.trace]);
      }
      admitted = [];
    }
    if (cfg.corpus && !cfg.exchange && cfg.clock() >= nextSync) {
      nextSync = cfg.clock() + syncMs;
      syncCorpus();
    }
    if (sliceMs !== Infinity && cfg.clock() >= nextSlice) {
      yield;
      nextSlice = cfg.clock() + sliceMs;
    }
  }
  cfg.exchange?.finish(Math.floor(passed / EXCHANGE_EPOCH_RUNS), admitted);
  for (const t of cfg.targets) {
    const n = engines.get(t.key)!.entries?.().length ?? 0;
    const m = Math.min(n, STABILITY_FINAL);
    for (let i = 0; i < m; i++) recheck(t, Math.floor((i * n) / m), 'final');
  }
  coverageDelta(true);
  cfg.onStatus?.(status(), 'done');
  const pctBounds = new Map<string, PctBound>();
  for (const [key, e] of engines) if (e.pctBound) pctBounds.set(key, e.pctBound());
  const coverageByTarget = new Map<string, CoverageStats>();
  for (const [key, e] of engines) if (e.coverage) coverageByTarget.set(key, e.coverage());
  const pctUsage = new Map<string, PctUsage>();
  for (const [key, e] of engines) {
    if (e.pctBound) pctBounds.set(key, e.pctBound());
    if (e.pctUsage) pctUsage.set(key, e.pctUsage());
  }
  return {
    targets: cfg.targets,
    executions,
    runs,
    seconds: elapsed(),
    perTarget,
    findings: [...findings.values()],
    interrupted,
    pctBounds,
    coverage: coverageByTarget,
    pctUsage,
    ...(stability.size > 0 ? { stability } : {}),
  };
}
