/**
 * `ptefuzz fuzz` (any --jobs N): N worker threads (dist/cli/fuzz-worker.js),
 * each running the campaign loop over its own partition of the runs
 * (partition.ts), and this thread — the supervisor —, which de-duplicates
 * their witnesses by fingerprint, writes the crash files, adds up the
 * statistics, prints one status stream, and is the hang watchdog
 * (watchdog.ts): a worker whose execution in flight has not returned for
 * `timeoutSeconds` is terminated, the choices it had made are saved as a
 * `timeout` crash file, and a fresh worker continues the worker's partition
 * right after the hung execution (same seed, same run numbering, same
 * deadline), so a `--runs` campaign stays deterministic.
 *
 * Messages stay small: a worker sends the crash record of a witness (its
 * trace, no execution) with, the first time it sends that fingerprint, its
 * report (the diagram, drawn in the worker from the run it judged), a progress
 * count every `progressMs`, and its totals at the end. The diagram of a
 * divergence kept unminimized after a hung minimization is drawn by a watched
 * replay (replay-watched.ts). This thread runs a reader only in the load-time
 * check of a reader module and in the replay of a hung execution up to its
 * last step (timeoutRecord), both watched calls (watched-call.ts).
 * Per-target statistics and hit counts live in the worker's shared buffer, so
 * those of a terminated worker are exact (but for the hits of its findings
 * past HIT_SLOTS, which come with its progress messages: see watchdog.ts).
 */
import { workerScript } from './worker-script';
import type { WriteFailure } from './unsaved';
import { trySaveCrash } from './unsaved';
import { releaseWorker, takeWorker } from './worker-pool';
import type {
  StabilityStats,
  Unstable,
  CampaignEvent,
  CampaignResult,
  CampaignStatus,
  CoverageDelta,
  EpochBatch,
  Finding,
  FoundDivergence,
  FuzzEngineName,
  Partition,
  ReaderStats,
  Selection,
  ShardSpec,
  Target,
  TimeoutFinding,
} from '../campaign';
import { UsageError, addStability, addStats, emptyStats, partitionOf, witnessTarget } from '../campaign';
import type { CrashFile } from '../crash';
import { crashFileName, encodeCrash, fsReason, writeFileAtomic } from '../crash';
import type { CoverageStats, PctBound, PctUsage } from '../engines';
import type { ReaderRegistry } from '../kernel';
import { builtinReaders } from '../kernel';
import { FeatureUnion, mergePctUsage, pctBoundOf } from '../engines';
import { byCodeUnit } from '../machine';
import type { Rank } from '../minimize';
import { preferredWitness } from '../minimize';
import type { HangSnapshot, MinimizingSnapshot } from './watchdog';
import { WatchBuffer, watchWorker } from './watchdog';
import { CampaignDecisions } from './campaign-decisions';
import type { ReplayOutcome } from './replay-watched';
import { replayWatched } from './replay-watched';
import type { DivergenceReport } from './render';
import type { ExchangeInput } from './corpus-exchange';
import { ExchangeHub } from './corpus-exchange';
import type { MinimizeHang } from './timeout-ledger';
import { TimeoutLedger } from './timeout-ledger';
import type { WorkerReaderModules } from './reader-modules';
import { workerReaderModules } from './reader-modules';

/** What a worker is started with (structured-cloned once). */
export interface WorkerInput {
  readonly selection: Selection;
  /** `--reader-module` files, loaded by the worker itself (functions do not cross threads) */
  readonly readerModules: WorkerReaderModules;
  readonly engine: FuzzEngineName;
  readonly depth?: number;
  /** the minimizations' schedule search (CampaignConfig.minimizeSchedules) */
  readonly minimizeSchedules?: number;
  readonly seed: string;
  readonly runs?: number;
  /** epoch ms at which the shared time budget ends */
  readonly deadline?: number;
  readonly partition: Partition;
  /** a fresh worker after a timeout: where to resume (see CampaignConfig.from) */
  readonly from?: { readonly run: number; readonly pos: number };
  /**
   * the campaign's CampaignDecisions buffer, shared by every worker: the targets dropped after
   * MAX_TIMEOUTS_PER_TARGET hangs (not executed) and the target + class pairs whose minimization hung
   * (their witnesses handed over unminimized), as the main thread decides them
   */
  readonly decisions: SharedArrayBuffer;
  /** engine coverage: the shared corpus folder */
  readonly corpus?: string | undefined;
  /** engine coverage with 2 jobs or more: this worker's end of the corpus exchange (corpus-exchange.ts) */
  readonly exchange?: ExchangeInput;
  /** Int32Array[1]: non-zero = stop after the current run */
  readonly stop: SharedArrayBuffer;
  /** this worker's WatchBuffer */
  readonly watch: SharedArrayBuffer;
  readonly progressMs: number;
  /** post a `corpus` message for each new corpus entry (the `NEW` status lines of one job) */
  readonly reportCorpus: boolean;
}

/**
 * A worker's corpus failures, in its progress and final messages (summed over the workers). What it loaded,
 * saved and skipped it posts by name instead (`corpus-names`, `corpus-skip`): a worker loads what its siblings
 * and its predecessor wrote, and every worker reads the same damaged files, so those counts are the main thread's.
 */
export interface WorkerCorpusCounts {
  /** entries that could not be written (kept in memory only) */
  readonly unsaved?: number;
  /** syncs after the start that could not list a target folder (removed, replaced by a file, …) */
  readonly unsynced?: number;
}

/** The campaign's corpus counts: each entry and each skipped file counted once, whichever worker met it. */
export interface CorpusCounts extends WorkerCorpusCounts {
  readonly loaded: number;
  readonly saved: number;
  readonly skipped: number;
}

/** A divergence a worker ran, as this thread takes it (made by the worker: fuzz-worker.ts). */
export interface WitnessMessage {
  /** its target's key (the campaign's target, whose program the minimizer may have reduced) */
  readonly key: string;
  /** its fingerprint */
  readonly id: string;
  readonly record: CrashFile;
  readonly rank: Rank;
}

export type FromWorker =
  | (WitnessMessage & {
      readonly type: 'witness';
      /**
       * its report (divergenceReport: scenario, diagram, observed and allowed values, and its warning), drawn in the
       * worker from its run, the first time the worker sends this fingerprint (a fingerprint new to the campaign is
       * one of those)
       */
      readonly report?: DivergenceReport;
      /** where the worker counts this finding's hits in its WatchBuffer */
      readonly slot: number;
      /** the worker's executions when it found it */
      readonly executions: number;
    })
  /**
   * a divergence the worker is about to minimize, as executed: kept unminimized if a candidate of its
   * minimization hangs (the last such message before the hang; sent before the watch buffer says it minimizes)
   */
  | (WitnessMessage & { readonly type: 'minimizing' })
  | {
      readonly type: 'progress' | 'corpus';
      readonly executions: number;
      readonly runs: number;
      /** engine coverage: the map features each target gained since the last message, its figures */
      readonly coverage?: readonly CoverageDelta[];
      readonly stability?: StabilityStats;
      readonly corpus?: WorkerCorpusCounts;
      /** the worker's WatchBuffer.hitsPast(), when it has findings past the shared hit slots */
      readonly hitsPast?: readonly number[];
    }
  /** engine coverage: a corpus entry whose re-execution differed (stability) */
  | {
      readonly type: 'unstable';
      readonly key: string;
      readonly trace: readonly number[];
      readonly when: Unstable['when'];
      readonly detail: string;
    }
  /** what the worker wrote on its stdout or stderr (fuzz-worker.ts), written on this thread's */
  | { readonly type: 'output'; readonly stream: 'stdout' | 'stderr'; readonly chunk: string | Uint8Array }
  /** a user-input problem (e.g. a reader module that throws): one line, exit 2 */
  | { readonly type: 'user-error'; readonly message: string }
  /** a corpus file that does not load (skipped): `line` names it and why */
  | { readonly type: 'corpus-skip'; readonly file: string; readonly line: string }
  /** corpus entries loaded or written, as `<target folder>/<file name>` */
  | { readonly type: 'corpus-names'; readonly loaded?: readonly string[]; readonly saved?: readonly string[] }
  /** engine coverage, 2 jobs or more: the entries the worker admitted in one of its epochs (for the other jobs) */
  | { readonly type: 'epoch'; readonly batch: EpochBatch }
  | {
      readonly type: 'done';
      readonly coverage?: readonly CoverageDelta[];
      readonly executions: number;
      readonly runs: number;
      readonly interrupted: boolean;
      readonly pctUsage: readonly [string, PctUsage][];
      readonly stability?: readonly [string, StabilityStats][];
      readonly corpus?: WorkerCorpusCounts;
      /** as in a progress message: final */
      readonly hitsPast?: readonly number[];
    };

/** The next campaign of a worker kept idle after its last one (worker-pool.ts); the corpus exchange's port in the transfer list. */
export interface ToWorker {
  readonly type: 'start';
  readonly input: WorkerInput;
}

export interface ParallelConfig {
  readonly jobs: number;
  readonly shard: ShardSpec;
  readonly selection: Selection;
  /** the same targets the workers select, in the same order */
  readonly targets: readonly Target[];
  readonly readerModules: readonly string[];
  readonly engine: FuzzEngineName;
  readonly depth?: number;
  /** the minimizations' schedule search (CampaignConfig.minimizeSchedules) */
  readonly minimizeSchedules?: number;
  readonly seed: string;
  readonly runs?: number;
  readonly seconds?: number;
  /** the watchdog: an execution running longer than this is stopped and saved as a timeout */
  readonly timeoutSeconds: number;
  /** engine coverage: the shared corpus folder */
  readonly corpus?: string | undefined;
  readonly crashes: string;
  readonly clock: () => number;
  readonly pulseMs?: number;
  /**
   * `f`, `report` on a new divergence: its finding (target: the program its trace runs on — the one the minimizer
   * reduced, when it dropped something) and its report (scenario, diagram, values), drawn in a watched worker; or,
   * as its warning, a one-line `ptefuzz: warning:` saying why there is none (the replay that draws a divergence kept
   * unminimized hung)
   */
  readonly onStatus: (s: CampaignStatus, event: CampaignEvent, f?: FoundDivergence, report?: DivergenceReport) => void;
  /**
   * a worker was stopped by the watchdog; `fresh`: a new distinct hang (else a repeat of `t`);
   * `dropped`: that was the target's MAX_TIMEOUTS_PER_TARGET-th hang, it is no longer executed
   */
  readonly onTimeout?: (s: CampaignStatus, t: TimeoutFinding, fresh: boolean, dropped: boolean) => void;
  /**
   * a worker was stopped by the watchdog while it minimized a divergence: called after the divergence,
   * kept unminimized, went the way of every witness (and, for a candidate on the target itself, after onTimeout)
   */
  readonly onMinimizeHang?: (s: CampaignStatus, h: MinimizeHang) => void;
  /** after every progress message (for the progress bar) */
  readonly onProgress?: (s: CampaignStatus) => void;
  /** engine coverage: a corpus entry whose re-execution differed */
  readonly onUnstable?: (u: Unstable) => void;
  /** hit counters per worker in shared memory (default HIT_SLOTS; a test makes it small) */
  readonly hitSlots?: number;
  /**
   * the readers (built-in and `--reader-module`) that lower a reduced witness's stored scenario, so a finding's
   * target is the program the minimizer left (default: the built-in readers)
   */
  readonly registry?: ReaderRegistry;
  /**
   * a crash file could not be written (disk full, folder made read-only, …): called before the
   * finding's status line. The campaign then stops as on SIGINT (see `WriteFailure`).
   */
  readonly onWriteFailure?: (w: WriteFailure) => void;
  /**
   * a corpus file that does not load, skipped: called once per file for the whole campaign (every worker, and every
   * fresh worker after a hang, reads the same folders), `n` = the distinct files skipped so far, this one included
   */
  readonly onCorpusSkip?: (line: string, n: number) => void;
}

export type { WriteFailure } from './unsaved';

/**
 * A worker thread that died (out of memory, `process.exit` in a reader module, an uncaught
 * exception): the campaign stops as on SIGINT, keeping what every worker found and counted.
 */
export interface WorkerDeath {
  /** 0-based job index */
  readonly job: number;
  /** the target key of the execution in flight, if one was */
  readonly target?: string;
  /** the run in progress */
  readonly run: number;
  /** why, in words: `out of memory (ERR_WORKER_OUT_OF_MEMORY)`, `exited with code 3`, the error's message */
  readonly reason: string;
}

export interface ParallelResult extends CampaignResult<FoundDivergence> {
  /** distinct hangs, in target order */
  readonly timeouts: readonly TimeoutFinding[];
  /**
   * workers stopped by the watchdog, one per hung execution (each replaced by a fresh one): the sum of `hangs`
   * and of the `minimizeHangs` on a reduced program
   */
  readonly restarts: number;
  /** hung candidates of the minimizer, in the order they were met (target order with --jobs > 1) */
  readonly minimizeHangs: readonly MinimizeHang[];
  /** hung executions per target key (targets that never hung are absent) */
  readonly hangs: ReadonlyMap<string, number>;
  /** keys of the targets dropped after MAX_TIMEOUTS_PER_TARGET hangs, in target order */
  readonly dropped: readonly string[];
  /** the corpus store figures added over the workers (engine coverage) */
  readonly corpusCounts?: CorpusCounts;
  /** crash files that could not be written (their findings are in `findings`/`timeouts` all the same) */
  readonly writeFailures: readonly WriteFailure[];
  /** worker threads that died; the campaign stopped at the first */
  readonly deaths: readonly WorkerDeath[];
}

interface Witness {
  finding: FoundDivergence;
  rank: Rank;
  bytes: Buffer;
  /** the file was written by this campaign (not there before): a lighter witness may replace it */
  ours: boolean;
}

export interface ParallelRun {
  readonly done: Promise<ParallelResult>;
  /** ask every worker to stop after its current run; `done` then resolves with their last findings */
  stop(): void;
}

/** How one worker (one incarnation of a job) ended. */
type Ending =
  | { readonly kind: 'done'; readonly msg: Extract<FromWorker, { type: 'done' }> }
  | {
      readonly kind: 'hang';
      readonly snap: HangSnapshot;
      /** the last divergence the worker said it was about to minimize */
      readonly minimizing?: WitnessMessage;
    };

export function runParallel(cfg: ParallelConfig): ParallelRun {
  const t0 = cfg.clock();
  const registry = cfg.registry ?? builtinReaders();
  const stopBuf = new SharedArrayBuffer(4);
  const stopFlag = new Int32Array(stopBuf);
  const readerModules = workerReaderModules(cfg.readerModules);
  const byKey = new Map(cfg.targets.map((t, i) => [t.key, { t, i }]));
  const witnesses = new Map<string, Witness>();
  /** what every worker, running or fresh, is told: the dropped targets, the classes not to minimize */
  const decisions = CampaignDecisions.create(cfg.targets.map((t) => t.key));
  /** the hung executions: per target, distinct (timeout crash files), while minimizing */
  const ledger = new TimeoutLedger({
    targets: cfg.targets,
    registry,
    timeoutSeconds: cfg.timeoutSeconds,
    engine: cfg.engine,
    seed: cfg.seed,
    save: (record) => trySave(record, encodeCrash(record)).path,
    // every worker, not only the next fresh one: another job still running must not hang on it again
    onDrop: (i) => decisions.drop(i),
  });
  /** executions and runs of every job: finished incarnations + the live one's last report */
  const baseExec = new Array<number>(cfg.jobs).fill(0);
  const baseRuns = new Array<number>(cfg.jobs).fill(0);
  const lastExec = new Array<number>(cfg.jobs).fill(0);
  const lastRuns = new Array<number>(cfg.jobs).fill(0);
  const perTarget = new Map<string, ReaderStats>(cfg.targets.map((t) => [t.key, emptyStats()]));
  const usage = new Map<string, PctUsage>();
  /** engine coverage, stability: per target from the finished workers; totals of finished incarnations + live ones' last report */
  const stability = new Map<string, StabilityStats>();
  /** stability counts of workers the watchdog stopped (their last report) */
  let hungStab: StabilityStats = { checked: 0, stable: 0 };
  const lastStab: (StabilityStats | undefined)[] = new Array(cfg.jobs).fill(undefined);
  const corpusFailures = { unsaved: 0, unsynced: 0 };
  let anyCorpus = false;
  /** corpus files skipped (they do not load), whichever worker read them: each counted and reported once */
  const skippedFiles = new Set<string>();
  /**
   * corpus entries any worker loaded, and any wrote: a worker loads the entries its siblings (and its predecessor,
   * after a hang) wrote, so "loaded" is the entries loaded that no worker of this campaign wrote
   */
  const loadedNames = new Set<string>();
  const savedNames = new Set<string>();
  let interrupted = false;
  const elapsed = (): number => (cfg.clock() - t0) / 1000;
  const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);
  // engine coverage: per target, the union of the workers' maps and each worker's latest figures
  const unions = new Map<string, FeatureUnion>();
  const coverageOf = new Map<string, CoverageStats[]>();
  const onCoverage = (job: number, deltas: readonly CoverageDelta[]): void => {
    for (const d of deltas) {
      let u = unions.get(d.key);
      if (u === undefined) unions.set(d.key, (u = new FeatureUnion()));
      u.add(d.features);
      let per = coverageOf.get(d.key);
      if (per === undefined) coverageOf.set(d.key, (per = []));
      per[job] = d.stats;
    }
  };
  /** cov and ft of the union of the workers' maps; corpus: the largest worker corpus (they share the folder) */
  const targetCoverage = (key: string): CoverageStats => {
    const u = unions.get(key)!;
    const per = (coverageOf.get(key) ?? []).filter((c) => c !== undefined);
    return {
      cov: u.cov,
      ft: u.ft,
      corpus: Math.max(0, ...per.map((c) => c.corpus)),
      seeds: sum(per.map((c) => c.seeds)),
    };
  };
  const coverageTotals = (): CampaignStatus['coverage'] => {
    if (unions.size === 0) return undefined;
    const out = { cov: 0, ft: 0, corpus: 0 };
    for (const key of unions.keys()) {
      const c = targetCoverage(key);
      out.cov += c.cov;
      out.ft += c.ft;
      out.corpus += c.corpus;
    }
    return out;
  };
  const status = (): CampaignStatus => {
    const coverage = coverageTotals();
    return {
      executions: sum(baseExec) + sum(lastExec),
      runs: sum(baseRuns) + sum(lastRuns),
      seconds: elapsed(),
      findings: witnesses.size + ledger.distinctCount,
      ...(coverage ? { coverage } : {}),
      ...stabilityTotal(),
    };
  };
  /** finished workers (per target) + stopped workers + the live workers' last reports */
  const stabilityTotal = (): { stability?: StabilityStats } => {
    let total = hungStab;
    for (const st of stability.values()) total = addStability(total, st);
    for (const st of lastStab) if (st) total = addStability(total, st);
    if (!lastStab.some((x) => x !== undefined) && total.checked === 0) return {};
    return { stability: total };
  };

  const onWitness = (job: number, m: Extract<FromWorker, { type: 'witness' }>, slots: string[]): void => {
    slots[m.slot] = m.id;
    const entry = byKey.get(m.key);
    if (!entry) throw new Error(`[ptefuzz internal bug] a worker reported an unknown target ${m.key}`);
    if (!witnesses.has(m.id)) {
      lastExec[job] = Math.max(lastExec[job]!, m.executions);
      if (m.report === undefined)
        throw new Error(`[ptefuzz internal bug] a worker sent a witness new to the campaign without its report`);
    }
    const { w, fresh } = acceptWitness(entry.t, m);
    if (fresh) cfg.onStatus(status(), 'new', w.finding, m.report);
  };

  /**
   * A witness (from a worker, or kept unminimized here): de-duplicated by fingerprint, written; `fresh` when it is
   * new — the caller then reports it (status `new`).
   */
  const acceptWitness = (t: Target, m: WitnessMessage): { w: Witness; fresh: boolean } => {
    const bytes = encodeCrash(m.record);
    const known = witnesses.get(m.id);
    if (known) {
      // Same fingerprint from another worker (or a later hit): keep the lightest
      // witness, ties broken by bytes, so a --runs campaign writes the same bytes
      // however the workers interleave.
      const better = preferredWitness(m.rank, bytes, known.rank, known.bytes);
      if (known.ours && better) {
        try {
          writeFileAtomic(known.finding.file!, bytes);
        } catch (e) {
          // the file there stays whole (atomic write) and replays: only the lighter witness is lost
          writeFailed({
            path: known.finding.file!,
            message: `${cfg.crashes}: cannot replace the crash file ${crashFileName(m.record)} with a lighter witness (${fsReason(e)}); the one there is kept`,
            bytes,
          });
          return { w: known, fresh: false };
        }
        known.finding = {
          ...foundDivergence(t, m, known.finding.file!, registry, known.finding.first),
          file: known.finding.file!,
          id: m.id,
          hits: known.finding.hits,
        };
        known.rank = m.rank;
        known.bytes = bytes;
      }
      return { w: known, fresh: false };
    }
    const saved = trySave(m.record, bytes);
    const first = { executions: sum(baseExec) + sum(lastExec), seconds: elapsed() };
    const finding: FoundDivergence = {
      ...foundDivergence(t, m, saved.path, registry, first),
      file: saved.path,
      id: m.id,
    };
    const w: Witness = { finding, rank: m.rank, bytes, ours: saved.fresh };
    witnesses.set(m.id, w);
    return { w, fresh: true };
  };

  const writeFailures: WriteFailure[] = [];
  /** A crash file could not be written: say so (with its bytes) and stop the campaign after the current run. */
  const writeFailed = (w: WriteFailure): void => {
    writeFailures.push(w);
    cfg.onWriteFailure?.(w);
    // the workers stop after their current run and say they were interrupted
    Atomics.store(stopFlag, 0, 1);
  };
  /**
   * saveCrash, but a write error (ENOSPC, EROFS, EACCES, …) is a WriteFailure, not the end of
   * the campaign: `fresh` false, so no lighter witness is written over a file that is not there.
   */
  const trySave = (record: CrashFile, bytes: Buffer): { path: string; fresh: boolean } => {
    const saved = trySaveCrash(cfg.crashes, record, undefined, bytes);
    if (saved.unsaved !== undefined) writeFailed(saved.unsaved);
    return saved;
  };

  /** Add what an ended worker counted (exact: from its shared buffer) to the campaign's totals. */
  const settle = (
    job: number,
    buf: WatchBuffer,
    slots: readonly string[],
    hitsPast: readonly number[],
    corpus?: WorkerCorpusCounts,
  ) => {
    let executions = 0;
    cfg.targets.forEach((t, i) => {
      const st = buf.statsCopy(i);
      executions += st.executions;
      addStats(perTarget.get(t.key)!, st);
    });
    slots.forEach((id, slot) => {
      const w = witnesses.get(id);
      if (w) w.finding.hits += buf.hits(slot, hitsPast);
    });
    baseExec[job]! += executions;
    baseRuns[job]! += buf.runs;
    lastExec[job] = 0;
    lastRuns[job] = 0;
    if (corpus) {
      anyCorpus = true;
      corpusFailures.unsaved += corpus.unsaved ?? 0;
      corpusFailures.unsynced += corpus.unsynced ?? 0;
    }
  };

  const onHang = async (snap: HangSnapshot, minimizing: WitnessMessage | undefined): Promise<void> => {
    if (snap.minimizing !== undefined) {
      await onMinimizeHang(snap, snap.minimizing, minimizing);
      return;
    }
    const t = cfg.targets[snap.target];
    if (t === undefined) throw new Error(`[ptefuzz internal bug] a hung worker names target ${snap.target}`);
    const r = ledger.timeout(t, snap, firstStamp());
    cfg.onTimeout?.(status(), r.finding, r.fresh, r.drop);
  };
  /** where the campaign is now, as a finding's `first` */
  const firstStamp = (): TimeoutFinding['first'] => ({ executions: status().executions, seconds: elapsed() });

  /**
   * A candidate of the minimizer hung. Nothing found is lost: the divergence being minimized (the worker sent it,
   * as it diverged and returned, before the minimization began: `kept`) is kept unminimized, through the same
   * witness path as the workers' (its diagram, when it is new, drawn by a watched replay: keptReport) — and every
   * worker, the fresh one and those still running, hands that target and class over unminimized from now on, so
   * one bad minimization does not cost a restart per hit. A candidate on the target itself is also a timeout of
   * the target; one on a reduced program is not (the target never runs that program): counted and reported only.
   */
  const onMinimizeHang = async (
    snap: HangSnapshot,
    m: MinimizingSnapshot,
    kept: WitnessMessage | undefined,
  ): Promise<void> => {
    const t = cfg.targets[m.target];
    if (t === undefined) throw new Error(`[ptefuzz internal bug] a worker minimizing names target ${m.target}`);
    if (kept === undefined || kept.key !== t.key || kept.record.verdict.class !== m.class)
      throw new Error(
        `[ptefuzz internal bug] a worker hung minimizing the ${m.class} witness of ${t.key} without sending it first`,
      );
    // false: another job's minimization of this class hung first (both were minimizing it when that was decided)
    const first = decisions.unminimize(m.target, m.class);
    const { w, fresh } = acceptWitness(t, kept);
    // the hit the stopped worker was minimizing, not counted yet (it counts a hit once minimized)
    w.finding.hits++;
    if (fresh) cfg.onStatus(status(), 'new', w.finding, await keptReport(w.finding, m.class, w.bytes));
    const { hang, timeout } = ledger.minimizeHang(
      t,
      snap,
      { file: w.finding.file!, choices: kept.record.trace.length, again: !first },
      firstStamp(),
    );
    if (timeout !== undefined) cfg.onTimeout?.(status(), timeout.finding, timeout.fresh, timeout.drop);
    cfg.onMinimizeHang?.(status(), hang);
  };

  /**
   * The report of a divergence kept unminimized, drawn by replaying its crash file in a watched worker thread (this
   * thread runs no reader: one that hangs here would hang the campaign); a one-line warning instead when that replay
   * hangs or does not diverge as the campaign's run did (a reader module that does not replay what it did).
   */
  const keptReport = async (f: FoundDivergence, cls: string, bytes: Buffer): Promise<DivergenceReport> => {
    const no = (why: string): DivergenceReport => ({
      warning: `ptefuzz: warning: no diagram of this divergence: ${why}`,
    });
    let r: ReplayOutcome;
    try {
      r = await replayWatched(f.file!, cfg.readerModules, cfg.timeoutSeconds, { report: true, bytes });
    } catch (e) {
      return no(`its replay ended its worker thread (${deathReason(e, 1)}); the crash file is kept`);
    }
    if (r.hung)
      return no(
        `its replay, in a watched worker thread, did not return within ${r.seconds} s (the campaign's run of it returned); the crash file is kept`,
      );
    if ('error' in r) return no(`its replay failed (${r.error}); the crash file is kept`);
    if (r.report === undefined || r.verdict !== `divergence (${cls})`)
      return no(
        `its replay judged it ${r.verdict}, not ${cls} (is the reader deterministic?); the crash file holds it as the campaign ran it`,
      );
    return { diagram: r.report };
  };

  const script = workerScript('fuzz-worker');
  // the jobs of a coverage campaign share their corpus entries at fixed run counts (campaign/exchange.ts)
  const hub = cfg.engine === 'coverage' && cfg.jobs > 1 ? new ExchangeHub(cfg.jobs) : undefined;
  const deadline = cfg.seconds === undefined ? undefined : t0 + cfg.seconds * 1000;
  const failures: unknown[] = [];
  const deaths: WorkerDeath[] = [];
  const fail = (e: unknown): void => {
    failures.push(e);
    Atomics.store(stopFlag, 0, 1);
  };
  const pulse = setInterval(() => cfg.onStatus(status(), 'pulse'), cfg.pulseMs ?? 2000);
  const limitMs = cfg.timeoutSeconds * 1000;

  /** One worker of job `job`, from `from` on; resolves with how it ended. */
  const incarnation = (job: number, from: { run: number; pos: number } | undefined) =>
    new Promise<void | Ending>((resolve) => {
      const buf = WatchBuffer.create(cfg.targets.length, cfg.hitSlots);
      const slots: string[] = [];
      /** the divergence the worker last said it was about to minimize */
      let minimizing: WitnessMessage | undefined;
      let lastCorpus: WorkerCorpusCounts | undefined;
      let hitsPast: readonly number[] = [];
      let ending: Ending | undefined;
      const input: WorkerInput = {
        selection: cfg.selection,
        readerModules,
        engine: cfg.engine,
        ...(cfg.depth !== undefined ? { depth: cfg.depth } : {}),
        ...(cfg.minimizeSchedules !== undefined ? { minimizeSchedules: cfg.minimizeSchedules } : {}),
        seed: cfg.seed,
        ...(cfg.runs !== undefined ? { runs: cfg.runs } : {}),
        ...(deadline !== undefined ? { deadline } : {}),
        partition: partitionOf(cfg.shard, job, cfg.jobs),
        ...(from !== undefined ? { from } : {}),
        decisions: decisions.buffer,
        corpus: cfg.corpus,
        stop: stopBuf,
        watch: buf.buffer,
        progressMs: 250,
        reportCorpus: cfg.jobs === 1,
        ...(hub !== undefined ? { exchange: hub.connect(job) } : {}),
      };
      const w = takeWorker(script, input, input.exchange !== undefined ? [input.exchange.port] : [], cfg.jobs);
      const unwatch = watchWorker(w, buf, limitMs, cfg.clock, () => {
        ending ??= { kind: 'hang', snap: buf.snapshot() };
      });
      const onMessage = (m: FromWorker): void => {
        try {
          if (m.type === 'output') process[m.stream].write(m.chunk);
          else if (m.type === 'witness') onWitness(job, m, slots);
          else if (m.type === 'minimizing') minimizing = m;
          else if (m.type === 'unstable') {
            const entry = byKey.get(m.key);
            if (!entry) throw new Error(`[ptefuzz internal bug] a worker reported an unknown target ${m.key}`);
            cfg.onUnstable?.({ target: entry.t, trace: m.trace, when: m.when, detail: m.detail });
          } else if (m.type === 'user-error') fail(new UsageError(m.message));
          else if (m.type === 'corpus-skip') {
            if (!skippedFiles.has(m.file)) {
              skippedFiles.add(m.file);
              cfg.onCorpusSkip?.(m.line, skippedFiles.size);
            }
          } else if (m.type === 'corpus-names') {
            for (const n of m.loaded ?? []) loadedNames.add(n);
            for (const n of m.saved ?? []) savedNames.add(n);
          } else if (m.type === 'epoch') {
            if (!hub) throw new Error('[ptefuzz internal bug] a worker without a corpus exchange sent an epoch');
            hub.deliver(m.batch);
          } else {
            if (m.coverage) onCoverage(job, m.coverage);
            lastExec[job] = m.executions;
            lastRuns[job] = m.runs;
            if (m.type !== 'done' && m.stability) lastStab[job] = m.stability;
            if (m.corpus) lastCorpus = m.corpus;
            if (m.hitsPast) hitsPast = m.hitsPast;
            if (m.type === 'done') {
              ending ??= { kind: 'done', msg: m };
            } else {
              if (m.type === 'corpus') cfg.onStatus(status(), 'corpus');
              else cfg.onProgress?.(status());
            }
          }
        } catch (e) {
          fail(e);
        }
        // `done` is the worker's last message of its campaign (every one it posted before has arrived, on the same
        // port): it ends here, and waits for the next campaign of this process (worker-pool.ts) — unless the watchdog
        // has just stopped it, or it has thrown (it is exiting)
        if (m.type === 'done' && ending?.kind === 'done' && died === undefined) {
          end(undefined);
          releaseWorker(script, w);
        }
      };
      w.on('message', onMessage);
      /** an uncaught exception in the worker (ERR_WORKER_OUT_OF_MEMORY, …): it exits next */
      let died: unknown;
      const onError = (e: unknown): void => {
        died ??= e;
      };
      w.on('error', onError);
      /** a worker that ended without sending its totals (hung, died): its counts from its shared buffer, its last stability report */
      const settleWithoutTotals = (): void => {
        settle(job, buf, slots, hitsPast, lastCorpus);
        if (lastStab[job]) hungStab = addStability(hungStab, lastStab[job]);
        lastStab[job] = undefined;
      };
      /** The worker's campaign ended: `done` (it lives on: `code` undefined), or its thread exited with `code`. */
      const end = (code: number | undefined): void => {
        unwatch();
        w.off('message', onMessage);
        w.off('error', onError);
        w.off('exit', end);
        hub?.disconnect(job);
        try {
          if (ending?.kind === 'hang') {
            // the snapshot was taken when the hang was detected (the worker stood still);
            // its counters are final now that it is gone
            settleWithoutTotals();
          } else if (ending?.kind === 'done') {
            lastStab[job] = undefined;
            settle(job, buf, slots, hitsPast, ending.msg.corpus);
            if (ending.msg.interrupted) interrupted = true;
            for (const [key, st] of ending.msg.stability ?? []) {
              stability.set(key, addStability(stability.get(key) ?? { checked: 0, stable: 0 }, st));
            }
            for (const [key, u] of ending.msg.pctUsage) {
              const prev = usage.get(key);
              usage.set(key, prev ? mergePctUsage(prev, u) : u);
            }
          } else if (failures.length === 0) {
            // it died: keep what it counted (exact, in its shared buffer) and stop the others after their run
            const snap = buf.snapshot();
            const inFlight = buf.inFlight ? cfg.targets[snap.target]?.key : undefined;
            settleWithoutTotals();
            deaths.push({
              job,
              ...(inFlight !== undefined ? { target: inFlight } : {}),
              run: snap.run,
              reason: deathReason(died, code ?? 0),
            });
            Atomics.store(stopFlag, 0, 1);
            interrupted = true;
          }
        } catch (e) {
          fail(e);
        }
        // every message the worker posted has arrived by now (the divergence it was minimizing among them)
        resolve(ending?.kind === 'hang' && minimizing !== undefined ? { ...ending, minimizing } : ending);
      };
      w.on('exit', end);
    });

  const job = async (j: number): Promise<void> => {
    let from: { run: number; pos: number } | undefined;
    for (;;) {
      const end = await incarnation(j, from);
      if (end === undefined || end.kind === 'done' || failures.length > 0) return;
      try {
        await onHang(end.snap, end.minimizing);
      } catch (e) {
        fail(e);
        return;
      }
      if (Atomics.load(stopFlag, 0) !== 0) {
        interrupted = true;
        return;
      }
      from = { run: end.snap.run, pos: end.snap.pos + 1 };
    }
  };

  const done = Promise.all(Array.from({ length: cfg.jobs }, (_, j) => job(j))).then((): ParallelResult => {
    clearInterval(pulse);
    if (failures.length > 0) throw failures[0];
    const pctBounds = new Map<string, PctBound>();
    for (const t of cfg.targets) {
      const u = usage.get(t.key);
      if (u) pctBounds.set(t.key, pctBoundOf(u));
    }
    const order = (a: { target: Target; id?: string }, b: { target: Target; id?: string }): number =>
      byKey.get(a.target.key)!.i - byKey.get(b.target.key)!.i;
    // Arrival order depends on thread timing; report in target order, then class, then fingerprint.
    const findings = [...witnesses.values()]
      .map((w) => w.finding)
      .sort((a, b) => order(a, b) || byCodeUnit(a.class, b.class) || byCodeUnit(a.id!, b.id!));
    cfg.onStatus(status(), 'done');
    return {
      targets: cfg.targets,
      executions: sum(baseExec),
      runs: sum(baseRuns),
      seconds: elapsed(),
      perTarget,
      findings,
      interrupted,
      pctBounds,
      coverage: new Map(cfg.targets.filter((t) => unions.has(t.key)).map((t) => [t.key, targetCoverage(t.key)])),
      pctUsage: usage,
      timeouts: [...ledger.timeouts].sort((a, b) => order(a, b) || byCodeUnit(a.id, b.id)),
      // every hung execution stopped its worker (a fresh one continues unless the campaign is stopping)
      restarts: ledger.restarts,
      minimizeHangs: [...ledger.minimizeHangs].sort(
        (a, b) => order(a, b) || byCodeUnit(a.class, b.class) || byCodeUnit(a.file ?? '', b.file ?? ''),
      ),
      hangs: ledger.hangs,
      dropped: ledger.dropped,
      ...(anyCorpus
        ? {
            corpusCounts: {
              loaded: [...loadedNames].filter((n) => !savedNames.has(n)).length,
              saved: savedNames.size,
              skipped: skippedFiles.size,
              ...corpusFailures,
            },
          }
        : {}),
      ...(stability.size > 0 ? { stability } : {}),
      writeFailures,
      deaths,
    };
  });

  return { done, stop: () => Atomics.store(stopFlag, 0, 1) };
}

/** Why a worker thread ended without its totals, in words. */
export function deathReason(error: unknown, code: number): string {
  const e = error as NodeJS.ErrnoException | undefined;
  if (e?.code === 'ERR_WORKER_OUT_OF_MEMORY') return 'out of memory, ERR_WORKER_OUT_OF_MEMORY';
  if (error instanceof Error) return `${error.name}: ${error.message.split('\n')[0]}`;
  if (error !== undefined) return `threw ${String(error).split('\n')[0]}`;
  return `exited with code ${code}`;
}

/**
 * A finding from a worker's witness of target `t`, not executed here (a worker ran it); its target is the
 * program its trace runs on (witnessTarget).
 */
function foundDivergence(
  t: Target,
  m: WitnessMessage,
  file: string,
  registry: ReaderRegistry,
  first: Finding['first'],
): FoundDivergence {
  const rec = m.record;
  return { target: witnessTarget(t, rec, file, registry), class: rec.verdict.class, trace: rec.trace, first, hits: 0 };
}
