import { workerScript } from './worker-script';
import { Worker } from 'node:worker_threads';
import { WatchBuffer, watchWorker } from './watchdog';
import type { WorkerReaderModules } from './reader-modules';
import { workerReaderModules } from './reader-modules';

export interface ReplayInput {
  readonly file: string;
  /** the crash file's bytes, when the caller has them (else read from `file`, which also names it in errors) */
  readonly bytes?: Uint8Array;
  /** `--reader-module` files, loaded by the worker itself (functions do not cross threads) */
  readonly readerModules: WorkerReaderModules;
  readonly watch: SharedArrayBuffer;
  /** also draw the replay's report (findingReport) */
  readonly report: boolean;
}

/** How a watched replay ended: hung again (stopped after the limit), or returned with a verdict. */
export type ReplayOutcome =
  /** `step`, `cpu`: where it hung, as the watch buffer saw it (HangSnapshot) — as a campaign records a hang */
  | { readonly hung: true; readonly seconds: number; readonly step: number; readonly cpu: number }
  | {
      readonly hung: false;
      readonly verdict: string;
      readonly steps: number;
      readonly report?: string;
      /** the replayed trace's notes (traceNotes) */
      readonly traceNotes: readonly string[];
    }
  /** a user-input problem in the worker (e.g. the reader module threw): one line */
  | { readonly hung: false; readonly error: string };

/**
 * Replay a crash file's trace in a worker thread (replay-worker.js) under the
 * watchdog: if its execution has not returned after `seconds`, the worker is
 * terminated and the replay counts as hung. `opts.report`: the outcome has the
 * replay's report (scenario, diagram, verdict), drawn in the worker;
 * `opts.bytes`: the file's bytes (`file` then only names it).
 */
export function replayWatched(
  file: string,
  readerModules: readonly string[],
  seconds: number,
  opts: { readonly report?: boolean; readonly bytes?: Uint8Array } = {},
): Promise<ReplayOutcome> {
  const buf = WatchBuffer.create(1);
  const input: ReplayInput = {
    file,
    ...(opts.bytes !== undefined ? { bytes: opts.bytes } : {}),
    readerModules: workerReaderModules(readerModules),
    watch: buf.buffer,
    report: opts.report === true,
  };
  const w = new Worker(workerScript('replay-worker'), { workerData: input });
  return new Promise<ReplayOutcome>((resolve, reject) => {
    let outcome: ReplayOutcome | undefined;
    watchWorker(w, buf, seconds * 1000, Date.now, () => {
      const { step, cpu } = buf.snapshot();
      outcome ??= { hung: true, seconds, step, cpu };
    });
    w.on('message', (m: ReplayOutcome) => {
      outcome ??= m;
    });
    w.on('error', reject);
    w.on('exit', () => {
      if (outcome === undefined) reject(new Error('[ptefuzz internal bug] the replay worker exited without a result'));
      else resolve(outcome);
    });
  });
}
