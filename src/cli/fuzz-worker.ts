/**
 * One `--jobs` worker thread: the campaign loop over its partition of the
 * runs. It touches no file: every minimized witness goes to the main thread
 * as a small message (target key, trace, crash record, fingerprint) — never
 * the execution — and the main thread de-duplicates, writes and reports.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { builtinReaders } from '../kernel';
import type { CoverageDelta } from '../campaign';
import { crashRecord, runCampaign, selectTargets } from '../campaign';
import { FileCorpusStore, fingerprint } from '../crash';
import { rankOf } from '../minimize';
import type { FromWorker, WorkerInput } from './parallel';

const port = parentPort;
if (!port) throw new Error('[ptefuzz internal bug] fuzz-worker.js runs as a worker thread only');
const d = workerData as WorkerInput;
const post = (m: FromWorker): void => port.postMessage(m);
const stop = new Int32Array(d.stop);
const targets = selectTargets(d.selection, builtinReaders());
/** coverage news since the last message (engine coverage) */
let coverage: CoverageDelta[] = [];
const seconds = d.deadline === undefined ? undefined : Math.max(0, (d.deadline - Date.now()) / 1000);

const result = runCampaign({
  targets,
  engine: d.engine,
  ...(d.depth !== undefined ? { depth: d.depth } : {}),
  seed: d.seed,
  ...(d.runs !== undefined ? { runs: d.runs } : {}),
  ...(seconds !== undefined ? { seconds } : {}),
  partition: d.partition,
  ...(d.corpus !== undefined
    ? { corpus: new FileCorpusStore(d.corpus, (line) => process.stderr.write(`ptefuzz: warning: ${line}\n`)) }
    : {}),
  clock: () => Date.now(),
  shouldStop: () => Atomics.load(stop, 0) !== 0,
  pulseMs: d.progressMs,
  onWitness: (f) => {
    const record = crashRecord(f, d.engine, d.seed);
    const id = fingerprint(record);
    post({ type: 'witness', key: f.target.key, id, record, rank: rankOf(f.exec), executions: f.first.executions });
    return { id, fresh: true };
  },
  onCoverage: (delta) => {
    coverage = coverage.concat(delta);
  },
  onStatus: (s, event) => {
    if (event !== 'pulse') return;
    post({ type: 'progress', executions: s.executions, runs: s.runs, ...(coverage.length > 0 ? { coverage } : {}) });
    coverage = [];
  },
});

post({
  type: 'done',
  executions: result.executions,
  runs: result.runs,
  interrupted: result.interrupted,
  perTarget: [...result.perTarget],
  hits: result.findings.map((f) => [f.id!, f.hits]),
  pctUsage: [...result.pctUsage],
  ...(coverage.length > 0 ? { coverage } : {}),
});
