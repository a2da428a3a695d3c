/**
 * `ptefuzz merge --distill`: the replays of the corpus entries run in this
 * worker thread, watched by the main thread (distill-watched.ts, watchdog.ts),
 * which terminates it when a replay hangs and starts a fresh one that skips
 * the entry. One message per target folder distilled; before each replay the
 * folder's index and the entry's position go to the shared buffer (plain
 * stores), so the main thread knows which entry hung.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { builtinReaders } from '../kernel';
import { corpusTarget, distillTarget } from '../campaign';
import type { DistillFromWorker, DistillWorkerInput } from './distill-watched';
import { isUserError } from './errors';
import { registerWorkerReaderModules } from './reader-modules';
import { scnScenarios } from './scenario-files';
import { SharedWatch, WatchBuffer } from './watchdog';

const port = parentPort;
if (!port) throw new Error('[ptefuzz internal bug] distill-worker.js runs as a worker thread only');
const d = workerData as DistillWorkerInput;
const post = (m: DistillFromWorker): void => port.postMessage(m);
try {
  run();
  post({ type: 'done' });
} catch (e) {
  // a user's slip (a reader module that throws, …) is one line in the main thread
  if (!isUserError(e)) throw e;
  post({ type: 'user-error', message: e.message });
}

function run(): void {
  const registry = builtinReaders();
  // probed by the main thread already: run only under the watchdog here
  registerWorkerReaderModules(d.readerModules, registry);
  const scenarios = scnScenarios(d.scenarioFiles, registry);
  const buf = new WatchBuffer(d.watch, 1);
  for (const job of d.jobs) {
    const t = corpusTarget(job.target, registry, scenarios);
    const result = distillTarget(t, job.existing, job.candidates, {
      watch: new SharedWatch(buf, [t]),
      onReplay: (i) => buf.position(job.index, i),
      ...(job.limit !== undefined ? { limit: job.limit } : {}),
    });
    post({ type: 'folder', index: job.index, result });
  }
}
