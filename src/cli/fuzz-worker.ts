/**
 * One `fuzz` worker thread: the campaign loop over its partition of the
 * runs, watched by the main thread (watchdog.ts). It touches no file but the
 * corpus folder: every minimized witness goes to the main thread as a small
 * message (target key, crash record, fingerprint; the first time this worker
 * sends a fingerprint, its report too — the diagram, drawn here from the
 * execution the campaign ran, so the main thread never runs the reader for
 * it) — never the execution —, and the main thread de-duplicates, writes and
 * reports. So does every divergence before its minimization begins
 * (`minimizing`, without a report): if a candidate hangs, the main thread keeps
 * that one unminimized as it is. Its per-target
 * statistics and hit counts are counted in the shared WatchBuffer, so they
 * survive the worker being terminated by the watchdog (the hits of findings
 * past HIT_SLOTS go with its progress and done messages instead).
 *
 * A worker runs its first campaign from its workerData; one that ended it
 * normally (`done`, its last message of the campaign) may be kept idle by the
 * main thread (worker-pool.ts) and given the next campaign of the process in a
 * `start` message (ToWorker).
 */
import type { MessagePort } from 'node:worker_threads';
import wt, { parentPort } from 'node:worker_threads';
import { builtinReaders } from '../kernel';
import type { CoverageDelta, Finding } from '../campaign';
import { crashRecord, runCampaign, selectTargets } from '../campaign';
import { FileCorpusStore, fingerprint } from '../crash';
import { rankOf } from '../minimize';
import type { FromWorker, ToWorker, WitnessMessage, WorkerInput } from './parallel';
import { divergenceReport } from './render';
import { isUserError } from './errors';
import { HEAP_TRIM_MS, heapTrimmer } from './heap';
import { registerWorkerReaderModules } from './reader-modules';
import { SharedWatch, WatchBuffer } from './watchdog';
import { CampaignDecisions } from './campaign-decisions';
import { WorkerExchange } from './corpus-exchange';

if (!parentPort) throw new Error('[ptefuzz internal bug] fuzz-worker.js runs as a worker thread only');
const port: MessagePort = parentPort;
const post = (m: FromWorker): void => port.postMessage(m);

// What this thread writes on its stdout and stderr (a corpus warning, a reader module's console.log) goes to the
// main thread on the port of its other messages, so it is written there before the campaign's `done` is taken —
// and the summary printed after it — also when the thread outlives its campaign (worker-pool.ts): Node's own
// stdio forwarding is another port, flushed only when the thread exits.
for (const stream of ['stdout', 'stderr'] as const) {
  process[stream].write = (chunk: string | Uint8Array, ...rest: unknown[]): boolean => {
    const encoding = rest.find((r): r is BufferEncoding => typeof r === 'string');
    const cb = rest.find((r): r is (e?: Error | null) => void => typeof r === 'function');
    post({
      type: 'output',
      stream,
      chunk:
        typeof chunk === 'string' && encoding !== undefined && encoding !== 'utf8'
          ? Buffer.from(chunk, encoding)
          : chunk,
    });
    if (cb) process.nextTick(cb, null);
    return true;
  };
}

/**
 * One campaign; then the thread waits for the next `start` (a thread kept idle by worker-pool.ts after it sent
 * `done`). Everything of a campaign lives in this call: the thread keeps nothing of it but module-level tables keyed
 * by content (transpiled reader modules) or built from constants (the built-in scenarios, lowered once).
 */
function campaign(d: WorkerInput): void {
  // a reader module that asks which job it runs in (workerData.partition) sees this campaign's input
  (wt as { workerData: unknown }).workerData = d;
  let ok = false;
  try {
    run(d);
    ok = true;
  } catch (e) {
    // a user's slip (a reader module that throws, …) is one line in the main thread, as without workers; the
    // thread then ends (no listener left): it is not reused
    if (!isUserError(e)) throw e;
    post({ type: 'user-error', message: e.message });
  } finally {
    // its end of the corpus exchange (closed by the campaign when it ran to its end): nothing more comes on it
    d.exchange?.port.close();
  }
  if (ok) port.once('message', (m: ToWorker) => campaign(m.input));
}

campaign(wt.workerData as WorkerInput);

function run(d: WorkerInput): void {
  const stop = new Int32Array(d.stop);
  const stopping = (): boolean => Atomics.load(stop, 0) !== 0;
  const seconds = d.deadline === undefined ? undefined : Math.max(0, (d.deadline - Date.now()) / 1000);
  const corpus =
    d.corpus === undefined
      ? undefined
      : new FileCorpusStore(
          d.corpus,
          (line) => process.stderr.write(`ptefuzz: warning: ${line}\n`),
          // every worker (and every fresh one after a hang) reads the same folders: the main thread counts and reports
          // each file once (posted at once: a message posted before a hang still arrives)
          {
            onSkip: (e) => post({ type: 'corpus-skip', file: e.file, line: `${e.message}; skipped` }),
            onLoaded: (names) => post({ type: 'corpus-names', loaded: names }),
            onSaved: (name) => post({ type: 'corpus-names', saved: [name] }),
          },
        );
  const corpusCounts = () =>
    corpus
      ? {
          // loaded, saved and skipped entries go by name (corpus-names, corpus-skip): the main thread counts them
          corpus: {
            ...(corpus.unsaved > 0 ? { unsaved: corpus.unsaved } : {}),
            ...(corpus.unsynced > 0 ? { unsynced: corpus.unsynced } : {}),
          },
        }
      : {};
  /** finding id → its hit counter in the shared buffer */
  const slots = new Map<string, number>();
  const trim = heapTrimmer(HEAP_TRIM_MS, () => Date.now());
  const registry = builtinReaders();
  // probed by the main thread already: run only under the watchdog here
  registerWorkerReaderModules(d.readerModules, registry);
  const targets = selectTargets(d.selection, registry);
  const buf = new WatchBuffer(d.watch, targets.length);
  const decisions = new CampaignDecisions(
    d.decisions,
    targets.map((t) => t.key),
  );
  /** coverage news since the last message (engine coverage) */
  let coverage: CoverageDelta[] = [];
  const takeCoverage = (): { coverage?: CoverageDelta[] } => {
    if (coverage.length === 0) return {};
    const out = coverage;
    coverage = [];
    return { coverage: out };
  };
  const hitsPast = (): { hitsPast?: number[] } => {
    const past = buf.hitsPast();
    return past.length > 0 ? { hitsPast: past } : {};
  };
  const result = runCampaign({
    targets,
    engine: d.engine,
    ...(d.depth !== undefined ? { depth: d.depth } : {}),
    ...(d.minimizeSchedules !== undefined ? { minimizeSchedules: d.minimizeSchedules } : {}),
    seed: d.seed,
    ...(d.runs !== undefined ? { runs: d.runs } : {}),
    ...(seconds !== undefined ? { seconds } : {}),
    partition: d.partition,
    ...(d.from !== undefined ? { from: d.from } : {}),
    // the main thread's decisions, as it takes them (another worker's hang included)
    skip: decisions.dropped,
    unminimized: decisions.unminimized,
    ...(corpus !== undefined ? { corpus } : {}),
    ...(d.exchange !== undefined
      ? { exchange: new WorkerExchange(d.exchange, (batch) => post({ type: 'epoch', batch }), stopping) }
      : {}),
    clock: () => Date.now(),
    shouldStop: stopping,
    pulseMs: d.progressMs,
    watch: new SharedWatch(buf, targets, (m) =>
      post({ type: 'minimizing', ...witnessMessage(d, { ...m, trace: m.exec.trace }) }),
    ),
    stats: new Map(targets.map((t, i) => [t.key, buf.stats(i)])),
    onExecute: (run, pos) => buf.position(run, pos),
    onRun: () => buf.countRun(),
    onHit: (id) => buf.addHit(slots.get(id)!),
    onWitness: (f) => {
      const w = witnessMessage(d, f);
      let slot = slots.get(w.id);
      // its report once per fingerprint: the main thread prints a witness's report when it is new, and a
      // fingerprint new to the campaign is new to the worker that sends it (a witness hit again is one line)
      const report = slot === undefined ? { report: divergenceReport(f) } : {};
      if (slot === undefined) {
        slot = slots.size;
        slots.set(w.id, slot);
      }
      post({ type: 'witness', ...w, ...report, slot, executions: f.first.executions });
      return { id: w.id, fresh: true };
    },
    onStatus: (s, event) => {
      trim();
      if (event === 'pulse' || (event === 'corpus' && d.reportCorpus)) {
        post({
          type: event === 'pulse' ? 'progress' : 'corpus',
          executions: s.executions,
          runs: s.runs,
          ...takeCoverage(),
          ...(s.stability ? { stability: s.stability } : {}),
          ...corpusCounts(),
          ...hitsPast(),
        });
      }
    },
    onCoverage: (delta) => {
      coverage = coverage.concat(delta);
    },
    onUnstable: (u) => post({ type: 'unstable', key: u.target.key, trace: u.trace, when: u.when, detail: u.detail }),
  });

  post({
    type: 'done',
    executions: result.executions,
    runs: result.runs,
    interrupted: result.interrupted,
    pctUsage: [...result.pctUsage],
    ...takeCoverage(),
    ...(result.stability ? { stability: [...result.stability] } : {}),
    ...corpusCounts(),
    ...hitsPast(),
  });
}

/** A divergence as the main thread takes it: its crash record, fingerprint and rank, from its run here. */
function witnessMessage(d: WorkerInput, f: Pick<Finding, 'target' | 'trace' | 'exec' | 'judgement'>): WitnessMessage {
  const record = crashRecord(f, d.engine, d.seed);
  return { key: f.target.key, id: fingerprint(record), record, rank: rankOf(f.exec) };
}
