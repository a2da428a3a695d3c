import { Worker } from 'node:worker_threads';
import type { TransferListItem } from 'node:worker_threads';

/**
 * The idle worker threads of this process's finished `fuzz` campaigns, kept for its next campaigns: starting a
 * worker costs ~0.15–0.25 s of CPU (mostly loading fuzz-worker.js's ~180 modules), and a process that runs
 * campaigns back to back (the tests' in-process `main(['fuzz', …])`, ~1000 of them) paid it every time.
 *
 * A worker is given back (`release`) only when it ended its campaign normally (it sent `done`): never one the
 * watchdog stopped, one that died or threw, or one that reported a user error. The script then waits for its next
 * `start` message (fuzz-worker.ts) and keeps no state of its campaign (every module-level table it keeps is keyed
 * by content or built from constants). An idle worker is unref'd — it never keeps the process alive, so a CLI
 * process exits as soon as its campaign is done, taking its idle workers with it — and ref'd again when taken.
 * At most `capacity` idle workers per script are kept (release's caller: the most jobs a campaign of this process
 * used, at most MAX_IDLE), the others are terminated, so memory does not grow with the campaigns a process runs.
 */

/** The most idle workers kept per script, whatever `--jobs` a campaign used. */
export const MAX_IDLE = 4;

const idle = new Map<string, Worker[]>();
/** per idle worker: its `exit` listener, which takes it out of the pool if it ends while idle */
const onIdleExit = new WeakMap<Worker, () => void>();
let starts = 0;
let largestJobs = 0;

/**
 * A worker of `script` for one campaign: an idle one (ref'd again; it is then sent `first` as a message, with
 * `transfer`), else a new one started with `first` as its workerData. `jobs`: the campaign's jobs (the pool keeps
 * as many idle workers as the most jobs of a campaign of this process, at most MAX_IDLE).
 */
export function takeWorker(
  script: string,
  first: unknown,
  transfer: readonly TransferListItem[],
  jobs: number,
): Worker {
  largestJobs = Math.max(largestJobs, jobs);
  const w = idle.get(script)?.pop();
  if (w !== undefined) {
    w.off('exit', onIdleExit.get(w)!);
    onIdleExit.delete(w);
    w.ref();
    w.postMessage({ type: 'start', input: first }, transfer);
    return w;
  }
  starts++;
  return new Worker(script, { workerData: first, ...(transfer.length > 0 ? { transferList: [...transfer] } : {}) });
}

/**
 * A worker that ended its campaign normally (its last message was `done`), its listeners removed: kept idle for the
 * next campaign, or terminated when the pool of its script is full.
 */
export function releaseWorker(script: string, w: Worker): void {
  const pool = idle.get(script) ?? [];
  if (pool.length >= Math.min(largestJobs, MAX_IDLE)) {
    void w.terminate();
    return;
  }
  const gone = (): void => {
    const i = pool.indexOf(w);
    if (i >= 0) pool.splice(i, 1);
  };
  onIdleExit.set(w, gone);
  w.once('exit', gone);
  w.unref();
  pool.push(w);
  idle.set(script, pool);
}

/**
 * Diagnostics (tests): how many worker threads takeWorker has started in this process — a campaign that reused
 * idle workers started fewer than its jobs.
 */
export function workerStarts(): number {
  return starts;
}

/** Terminate every idle worker (tests: a campaign that must start fresh workers, as a new process would). */
export async function drainWorkerPool(): Promise<void> {
  const all = [...idle.values()].flat();
  idle.clear();
  await Promise.all(all.map((w) => w.terminate()));
}
