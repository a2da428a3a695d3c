/**
 * `ptefuzz fuzz --jobs N`: N worker threads (dist/cli/fuzz-worker.js), each
 * running the campaign loop over its own partition of the runs (partition.ts),
 * and this thread, which de-duplicates their witnesses by fingerprint, writes
 * the crash files, adds up the statistics and prints one status stream.
 *
 * Messages stay small: a worker sends the crash record of a witness (its
 * trace, no execution), a progress count every `progressMs`, and its totals
 * at the end; this thread replays a new witness once to draw its diagram.
 */
import { Worker } from 'node:worker_threads';
import { join } from 'node:path';
import type {
  CampaignEvent,
  CampaignResult,
  CampaignStatus,
  CoverageDelta,
  Finding,
  FuzzEngineName,
  Partition,
  ReaderStats,
  Selection,
  ShardSpec,
  Target,
} from '../campaign';
import { addStats, emptyStats, partitionOf, runTarget } from '../campaign';
import type { CrashFile } from '../crash';
import { encodeCrash, saveCrash, writeFileAtomic } from '../crash';
import type { CoverageStats, PctBound, PctUsage } from '../engines';
import { FeatureUnion, mergePctUsage, pctBoundOf } from '../engines';
import { TraceSource } from '../machine';
import type { Rank } from '../minimize';
import { lighter } from '../minimize';

/** What a worker is started with (structured-cloned once). */
export interface WorkerInput {
  readonly selection: Selection;
  readonly engine: FuzzEngineName;
  readonly depth?: number;
  readonly seed: string;
  readonly runs?: number;
  /** epoch ms at which the shared time budget ends */
  readonly deadline?: number;
  readonly partition: Partition;
  /** engine coverage: the shared corpus folder */
  readonly corpus?: string | undefined;
  /** Int32Array[1]: non-zero = stop after the current run */
  readonly stop: SharedArrayBuffer;
  readonly progressMs: number;
}

export type FromWorker =
  | {
      readonly type: 'witness';
      readonly key: string;
      readonly id: string;
      readonly record: CrashFile;
      readonly rank: Rank;
      /** the worker's executions when it found it */
      readonly executions: number;
    }
  | {
      readonly type: 'progress';
      readonly executions: number;
      readonly runs: number;
      /** engine coverage: the map features each target gained since the last message, its figures */
      readonly coverage?: readonly CoverageDelta[];
    }
  | {
      readonly type: 'done';
      readonly coverage?: readonly CoverageDelta[];
      readonly executions: number;
      readonly runs: number;
      readonly interrupted: boolean;
      readonly perTarget: readonly [string, ReaderStats][];
      readonly hits: readonly [string, number][];
      readonly pctUsage: readonly [string, PctUsage][];
    };

export interface ParallelConfig {
  readonly jobs: number;
  readonly shard: ShardSpec;
  readonly selection: Selection;
  /** the same targets the workers select, in the same order */
  readonly targets: readonly Target[];
  readonly engine: FuzzEngineName;
  readonly depth?: number;
  readonly seed: string;
  readonly runs?: number;
  readonly seconds?: number;
  /** engine coverage: the shared corpus folder */
  readonly corpus?: string | undefined;
  readonly crashes: string;
  readonly clock: () => number;
  readonly pulseMs?: number;
  readonly onStatus: (s: CampaignStatus, event: CampaignEvent, f?: Finding) => void;
  /** after every progress message (for the progress bar) */
  readonly onProgress?: (s: CampaignStatus) => void;
}

interface Witness {
  finding: Finding;
  rank: Rank;
  bytes: Buffer;
  /** the file was written by this campaign (not there before): a lighter witness may replace it */
  ours: boolean;
}

export interface ParallelRun {
  readonly done: Promise<CampaignResult>;
  /** ask every worker to stop after its current run; `done` then resolves with their last findings */
  stop(): void;
}

export function runParallel(cfg: ParallelConfig): ParallelRun {
  const t0 = cfg.clock();
  const stopBuf = new SharedArrayBuffer(4);
  const stopFlag = new Int32Array(stopBuf);
  const byKey = new Map(cfg.targets.map((t, i) => [t.key, { t, i }]));
  const witnesses = new Map<string, Witness>();
  const lastExec = new Array<number>(cfg.jobs).fill(0);
  const lastRuns = new Array<number>(cfg.jobs).fill(0);
  const finals: Extract<FromWorker, { type: 'done' }>[] = [];
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
      executions: sum(lastExec),
      runs: sum(lastRuns),
      seconds: elapsed(),
      findings: witnesses.size,
      ...(coverage ? { coverage } : {}),
    };
  };

  const onWitness = (job: number, m: Extract<FromWorker, { type: 'witness' }>): void => {
    const entry = byKey.get(m.key);
    if (!entry) throw new Error(`[ptefuzz internal bug] a worker reported an unknown target ${m.key}`);
    const bytes = encodeCrash(m.record);
    const known = witnesses.get(m.id);
    if (known) {
      // Same fingerprint from another worker (or a later hit): keep the lightest
      // witness, ties broken by bytes, so a --runs campaign writes the same bytes
      // however the workers interleave.
      const better =
        lighter(m.rank, known.rank) || (!lighter(known.rank, m.rank) && Buffer.compare(bytes, known.bytes) < 0);
      if (known.ours && better) {
        writeFileAtomic(known.finding.file!, bytes);
        known.finding = { ...findingOf(entry.t, m.record, known.finding.first), file: known.finding.file!, id: m.id };
        known.rank = m.rank;
        known.bytes = bytes;
      }
      return;
    }
    lastExec[job] = Math.max(lastExec[job]!, m.executions);
    const saved = saveCrash(cfg.crashes, m.record);
    const first = { executions: sum(lastExec), seconds: elapsed() };
    const finding: Finding = { ...findingOf(entry.t, m.record, first), file: saved.path, id: m.id };
    witnesses.set(m.id, { finding, rank: m.rank, bytes, ours: saved.fresh });
    cfg.onStatus(status(), 'new', finding);
  };

  const workerScript = join(__dirname, 'fuzz-worker.js');
  const deadline = cfg.seconds === undefined ? undefined : t0 + cfg.seconds * 1000;
  const failures: unknown[] = [];
  const pulse = setInterval(() => cfg.onStatus(status(), 'pulse'), cfg.pulseMs ?? 2000);

  const exits = Array.from({ length: cfg.jobs }, (_, job) => {
    const input: WorkerInput = {
      selection: cfg.selection,
      engine: cfg.engine,
      ...(cfg.depth !== undefined ? { depth: cfg.depth } : {}),
      seed: cfg.seed,
      ...(cfg.runs !== undefined ? { runs: cfg.runs } : {}),
      ...(deadline !== undefined ? { deadline } : {}),
      partition: partitionOf(cfg.shard, job, cfg.jobs),
      corpus: cfg.corpus,
      stop: stopBuf,
      progressMs: 250,
    };
    const w = new Worker(workerScript, { workerData: input });
    return new Promise<void>((resolve) => {
      w.on('message', (m: FromWorker) => {
        try {
          if (m.type === 'witness') onWitness(job, m);
          else {
            if (m.coverage) onCoverage(job, m.coverage);
            lastExec[job] = m.executions;
            lastRuns[job] = m.runs;
            if (m.type === 'done') finals.push(m);
            else cfg.onProgress?.(status());
          }
        } catch (e) {
          failures.push(e);
          Atomics.store(stopFlag, 0, 1);
        }
      });
      w.on('error', (e) => {
        failures.push(e);
        Atomics.store(stopFlag, 0, 1);
      });
      w.on('exit', () => resolve());
    });
  });

  const done = Promise.all(exits).then((): CampaignResult => {
    clearInterval(pulse);
    if (failures.length > 0) throw failures[0];
    if (finals.length !== cfg.jobs) throw new Error('[ptefuzz internal bug] a worker exited without its totals');
    const perTarget = new Map<string, ReaderStats>(cfg.targets.map((t) => [t.key, emptyStats()]));
    const usage = new Map<string, PctUsage>();
    for (const f of finals) {
      for (const [key, st] of f.perTarget) addStats(perTarget.get(key)!, st);
      for (const [id, hits] of f.hits) {
        const w = witnesses.get(id);
        if (w) w.finding.hits += hits;
      }
      for (const [key, u] of f.pctUsage) {
        const prev = usage.get(key);
        usage.set(key, prev ? mergePctUsage(prev, u) : u);
      }
    }
    const pctBounds = new Map<string, PctBound>();
    for (const t of cfg.targets) {
      const u = usage.get(t.key);
      if (u) pctBounds.set(t.key, pctBoundOf(u));
    }
    // Arrival order depends on thread timing; report in target order, then class, then fingerprint.
    const findings = [...witnesses.values()]
      .map((w) => w.finding)
      .sort(
        (a, b) =>
          byKey.get(a.target.key)!.i - byKey.get(b.target.key)!.i ||
          a.class.localeCompare(b.class) ||
          a.id!.localeCompare(b.id!),
      );
    cfg.onStatus(status(), 'done');
    return {
      targets: cfg.targets,
      executions: sum(finals.map((f) => f.executions)),
      runs: sum(finals.map((f) => f.runs)),
      seconds: elapsed(),
      perTarget,
      findings,
      interrupted: finals.some((f) => f.interrupted),
      pctBounds,
      coverage: new Map(cfg.targets.filter((t) => unions.has(t.key)).map((t) => [t.key, targetCoverage(t.key)])),
      pctUsage: usage,
    };
  });

  return { done, stop: () => Atomics.store(stopFlag, 0, 1) };
}

/** A finding rebuilt from a worker's record: replayed once here, for its diagram. */
function findingOf(t: Target, rec: CrashFile, first: Finding['first']): Finding {
  const run = runTarget(t, new TraceSource(rec.trace));
  return {
    target: t,
    class: rec.verdict.class,
    trace: rec.trace,
    exec: run.exec,
    judgement: run.judgement,
    first,
    hits: 0,
  };
}
