/**
 * `ptefuzz merge --distill` under the hang watchdog of `fuzz` (watchdog.ts):
 * the replays run in a worker thread (distill-worker.js) that publishes each
 * execution in a shared buffer; when one has not returned for `--timeout`
 * seconds the worker is terminated and a fresh one goes on without that entry.
 * Replays are deterministic, so the fresh worker rebuilds the coverage map by
 * replaying the folder's entries before the hung one again, and the result is
 * what distilling the folder without the hung entry gives; the hung entry
 * itself is kept (it is already in OUT, or it is written), never dropped.
 * After MAX_TIMEOUTS_PER_TARGET hung replays in one folder (the number after
 * which `fuzz` drops a target), its entries not replayed yet are kept whole,
 * undistilled: a reader that hangs on most entries costs three limits per
 * folder, not one per entry.
 */
import { Worker } from 'node:worker_threads';
import type { CorpusKey, DistillEntry, DistillResult, Target } from '../campaign';
import type { FiledCandidate } from '../crash';
import { UsageError, distillSequence } from '../campaign';
import { deathReason } from './parallel';
import { MAX_TIMEOUTS_PER_TARGET } from './timeout-ledger';
import type { HangSnapshot } from './watchdog';
import { WatchBuffer, watchWorker } from './watchdog';
import { workerScript } from './worker-script';
import type { WorkerReaderModules } from './reader-modules';
import { workerReaderModules } from './reader-modules';
import { watchedDescribeHang } from './watched-call';

/** What the worker is started with (structured-cloned once). */
export interface DistillWorkerInput {
  /** `--reader-module` files, loaded by the worker itself (functions do not cross threads) */
  readonly readerModules: WorkerReaderModules;
  /** `--scenario FILE.scn` files */
  readonly scenarioFiles: readonly string[];
  /** the folders still to distill, in order */
  readonly jobs: readonly {
    /** the folder's index in distillWatched's `jobs` */
    readonly index: number;
    readonly target: CorpusKey;
    readonly existing: readonly DistillEntry[];
    readonly candidates: readonly DistillEntry[];
    /** replay only the first `limit` entries (DistillOptions.limit) */
    readonly limit?: number;
  }[];
  /** the worker's WatchBuffer (one target) */
  readonly watch: SharedArrayBuffer;
}

export type DistillFromWorker =
  | { readonly type: 'folder'; readonly index: number; readonly result: DistillResult }
  /** a user-input problem (e.g. a reader module that throws): one line, exit 2 */
  | { readonly type: 'user-error'; readonly message: string }
  | { readonly type: 'done' };

/** One target folder to distill, resolved in this thread (its target draws the description of a hang). */
export interface WatchedJob {
  /** the names the folder's entries record (resolved again by the worker) */
  readonly key: CorpusKey;
  readonly target: Target;
  readonly existing: readonly FiledCandidate[];
  readonly candidates: readonly FiledCandidate[];
}

/** A replay that did not return: its entry is kept, undistilled. */
export interface HungReplay {
  readonly file: string;
  readonly name: string;
  /** one of OUT's entries (else a new one, written) */
  readonly existing: boolean;
  /** why, in words: `did not return within 10 s (CPU 0 … did not yield again …)` or `ended its worker thread (…)` */
  readonly why: string;
  /** this was the folder's MAX_TIMEOUTS_PER_TARGET-th hang: its entries not replayed yet are kept whole */
  readonly last: boolean;
}

export interface WatchedOutcome {
  /** the distillation of the folder's entries but the hung ones (and those not replayed) */
  readonly result: DistillResult;
  readonly hung: readonly HungReplay[];
  /** new entries not replayed (after MAX_TIMEOUTS_PER_TARGET hangs), in distill order: kept whole */
  readonly notReplayed: readonly string[];
}

export interface WatchedDistillConfig {
  readonly readerModules: readonly string[];
  readonly scenarioFiles: readonly string[];
  /** `--timeout`: seconds a replay may run before it is stopped */
  readonly timeoutSeconds: number;
  readonly clock: () => number;
  /** a replay hung (called at once, in the order they happen) */
  readonly onHung?: (job: number, h: HungReplay) => void;
}

type Ending =
  | { readonly kind: 'done' }
  | { readonly kind: 'hang'; readonly snap: HangSnapshot }
  | { readonly kind: 'died'; readonly snap: HangSnapshot; readonly reason: string };

/** Distill every job in a watched worker thread; one outcome per job, in order. */
export async function distillWatched(
  jobs: readonly WatchedJob[],
  cfg: WatchedDistillConfig,
): Promise<WatchedOutcome[]> {
  const results: (DistillResult | undefined)[] = jobs.map(() => undefined);
  const hung: HungReplay[][] = jobs.map(() => []);
  const skip: Set<string>[] = jobs.map(() => new Set());
  const limits: (number | undefined)[] = jobs.map(() => undefined);
  const readerModules = workerReaderModules(cfg.readerModules);
  /** the job's entries but its hung ones */
  const left = (j: number): { existing: FiledCandidate[]; candidates: FiledCandidate[] } => ({
    existing: jobs[j]!.existing.filter((e) => !skip[j]!.has(e.name)),
    candidates: jobs[j]!.candidates.filter((e) => !skip[j]!.has(e.name)),
  });

  for (;;) {
    const start = results.findIndex((r) => r === undefined);
    if (start < 0) break;
    const end = await session(start);
    if (end.kind === 'done') {
      if (results.some((r) => r === undefined)) {
        throw new Error('[ptefuzz internal bug] the distill worker finished without distilling every folder');
      }
      break;
    }
    const j = end.snap.run;
    const job = jobs[j];
    if (job === undefined || results[j] !== undefined) {
      throw new Error(`[ptefuzz internal bug] the distill worker hung in folder ${j}, not one in progress`);
    }
    const { existing, candidates } = left(j);
    const seq = distillSequence(existing, candidates);
    const entry = seq.all[end.snap.pos] as FiledCandidate | undefined;
    if (entry === undefined) throw new Error(`[ptefuzz internal bug] the distill worker hung past its entries`);
    skip[j]!.add(entry.name);
    const last = hung[j]!.length + 1 >= MAX_TIMEOUTS_PER_TARGET;
    // the entries before the hung one, which the same sequence without it begins with
    if (last) limits[j] = end.snap.pos;
    const why =
      end.kind === 'hang'
        ? `did not return within ${cfg.timeoutSeconds} s (${watchedDescribeHang(job.target, end.snap, cfg.timeoutSeconds).detail})`
        : `ended its worker thread (${end.reason})`;
    const h: HungReplay = { file: entry.file, name: entry.name, existing: end.snap.pos < seq.existing, why, last };
    hung[j]!.push(h);
    cfg.onHung?.(j, h);
  }

  return jobs.map((_, j) => {
    const result = results[j]!;
    const decided = new Set([...result.kept, ...result.dropped, ...skip[j]!]);
    const { candidates } = left(j);
    return {
      result,
      hung: hung[j]!,
      notReplayed: distillSequence([], candidates)
        .all.filter((e) => !decided.has(e.name))
        .map((e) => e.name),
    };
  });

  /** One worker, from job `start` on; resolves with how it ended (its folders' results go to `results`). */
  function session(start: number): Promise<Ending> {
    const buf = WatchBuffer.create(1);
    const input: DistillWorkerInput = {
      readerModules,
      scenarioFiles: cfg.scenarioFiles,
      watch: buf.buffer,
      jobs: jobs.flatMap((job, index) => {
        if (index < start || results[index] !== undefined) return [];
        const strip = (es: readonly FiledCandidate[]): DistillEntry[] =>
          es.map((e) => ({ name: e.name, trace: e.trace }));
        const { existing, candidates } = left(index);
        const limit = limits[index];
        return [
          {
            index,
            target: job.key,
            existing: strip(existing),
            candidates: strip(candidates),
            ...(limit !== undefined ? { limit } : {}),
          },
        ];
      }),
    };
    const w = new Worker(workerScript('distill-worker'), { workerData: input });
    return new Promise<Ending>((resolve, reject) => {
      let ending: Ending | undefined;
      let failure: unknown;
      let died: unknown;
      watchWorker(w, buf, cfg.timeoutSeconds * 1000, cfg.clock, () => {
        ending ??= { kind: 'hang', snap: buf.snapshot() };
      });
      w.on('message', (m: DistillFromWorker) => {
        if (m.type === 'folder') results[m.index] = m.result;
        else if (m.type === 'user-error') failure ??= new UsageError(m.message);
        else ending ??= { kind: 'done' };
      });
      w.on('error', (e) => {
        died ??= e;
      });
      w.on('exit', (code) => {
        if (failure !== undefined) reject(failure);
        else if (ending !== undefined) resolve(ending);
        // it died in a replay (out of memory, process.exit in a reader module, …): that entry is set aside as a hung one
        else if (buf.inFlight) resolve({ kind: 'died', snap: buf.snapshot(), reason: deathReason(died, code) });
        else reject(died ?? new Error(`[ptefuzz internal bug] the distill worker exited with code ${code}`));
      });
    });
  }
}
