/**
 * A watched replay of one crash file — `ptefuzz replay` of a timeout crash file, and the diagram of a divergence
 * `fuzz` keeps unminimized when its minimization hung: the one execution runs in this worker thread, watched by the
 * main thread (watchdog.ts), which terminates it if it hangs. The main thread has already loaded the file and
 * rebuilt its target (so a bad file is reported there, as one line), or made the file itself.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { builtinReaders } from '../kernel';
import { crashTarget, runTarget, traceNotes } from '../campaign';
import { decodeCrash, loadCrash } from '../crash';
import { DEFAULT_BOUNDS, TraceSource } from '../machine';
import { isUserError } from './errors';
import type { ReplayInput, ReplayOutcome } from './replay-watched';
import { registerWorkerReaderModules } from './reader-modules';
import { findingReport } from './render';
import { SharedWatch, WatchBuffer } from './watchdog';

const port = parentPort;
if (!port) throw new Error('[ptefuzz internal bug] replay-worker.js runs as a worker thread only');
const d = workerData as ReplayInput;
try {
  port.postMessage(replay());
} catch (e) {
  // a user's slip (a reader module that throws, …) is one line in the main thread
  if (!isUserError(e)) throw e;
  const m: ReplayOutcome = { hung: false, error: e.message };
  port.postMessage(m);
}

function replay(): ReplayOutcome {
  const registry = builtinReaders();
  // probed by the main thread already: run only under the watchdog here
  registerWorkerReaderModules(d.readerModules, registry);
  const crash = d.bytes === undefined ? loadCrash(d.file) : decodeCrash(d.bytes, d.file);
  const target = crashTarget(crash, d.file, registry);
  const watch = new SharedWatch(new WatchBuffer(d.watch, 1), [target]);
  const source = new TraceSource(crash.trace);
  const run = runTarget(target, source, DEFAULT_BOUNDS, watch);
  const v = run.judgement.verdict;
  const outcome: ReplayOutcome = {
    hung: false,
    verdict:
      v.kind === 'divergence' ? `divergence (${v.class})` : v.kind === 'bound-hit' ? `bound hit (${v.bound})` : 'agree',
    steps: run.exec.steps,
    ...(d.report ? { report: findingReport({ target, ...run }) } : {}),
    traceNotes: traceNotes(source, crash.trace.length),
  };
  return outcome;
}
