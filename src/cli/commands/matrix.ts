import type { ReaderRegistry } from '../../kernel';
import type { ModelKind } from '../../machine';
import { DEFAULT_BOUNDS, MODEL_KINDS } from '../../machine';
import { HungExecution, SLICE_MS, WatchedExecutions, watchedSlice } from '../watched-call';
import { DEFAULT_TIMEOUT_SECONDS } from '../watchdog';
import { CONTRACTS } from '../../compare';
import type { Scenario } from '../../scenario';
import { builtinScenarios } from '../../scenario';
import type { ExpectationCheck, MatrixCell, MatrixConfig, MatrixEngine } from '../../campaign';
import {
  ENGINES,
  MatrixHang,
  UsageError,
  cellFinding,
  checkExpectations,
  expectationAt,
  crashRecord,
  failsExpectation,
  matrixReaders,
  requireReadersRun,
  notSingledOutNote,
  resolveContract,
  resolveModel,
  resolveReader,
  distinctScenarios,
  resolveScenario,
  runScenarioMatrix,
} from '../../campaign';
import { DEFAULT_PCT_DEPTH } from '../../engines';
import { checkOutputFolder } from '../../crash';
import { EXIT_DIVERGENCE, EXIT_OK, EXIT_USAGE } from '../errors';
import type { WriteFailure } from '../unsaved';
import { notSavedSummary, trySaveCrash, writeFailureLines } from '../unsaved';
import { alignColumns } from '../render';
import { kernelScenarios } from './fuzz';
import { replayCommandFor } from '../replay-command';

export interface MatrixOptions {
  scenario?: string[];
  reader?: string[];
  contract?: string[];
  model?: string[];
  engine: string;
  depth?: number;
  runs?: number;
  seed: number;
  bound?: number;
  maxExecutions: number;
  crashes?: string;
  json?: boolean;
  /** the watchdog: an execution running longer than this many seconds stops the matrix */
  timeout?: number;
  /** the minimizations' schedule search (with --crashes; default CAMPAIGN_MINIMIZE_SCHEDULES) */
  minimizeSchedules?: number;
}

/** Runs per scenario: every built-in scenario × reader × model in a few seconds each. */
export const DEFAULT_MATRIX_RUNS = 1000;
/** A matrix is quoted in cover letters: it is reproducible by default. */
export const DEFAULT_MATRIX_SEED = 1;
export const DEFAULT_MATRIX_BOUND = 2;

interface ScenarioResult {
  readonly scenario: Scenario;
  readonly cells: readonly MatrixCell[];
  readonly checks: readonly ExpectationCheck[];
  /** per cell index, the crash file of each divergence class */
  readonly files: Map<MatrixCell, Map<string, string>>;
  /** the crash files of `files` that could not be written (their bytes are on stderr) */
  readonly unsaved: readonly WriteFailure[];
}

/**
 * `ptefuzz matrix`: for every scenario, reader, contract and model, the
 * verdict and what it rests on. Exit 0 when the matrix bears out every
 * scenario expectation, 1 when one is contradicted or unconfirmed — or when
 * an execution did not return within `--timeout` (watched: watched-call.ts):
 * the matrix then ends with one line and no table (a hung cell has no verdict).
 */
export function matrixCommand(o: MatrixOptions, registry: ReaderRegistry): number {
  try {
    return runMatrix(o, registry);
  } catch (e) {
    const line = hangLine(e, o.timeout ?? DEFAULT_TIMEOUT_SECONDS);
    if (line === undefined) throw e;
    process.stderr.write(line + '\n');
    return EXIT_DIVERGENCE;
  }
}

/** The one line of a matrix stopped by its watch (MatrixHang, HungExecution); undefined for any other error. */
function hangLine(e: unknown, seconds: number): string | undefined {
  const where =
    e instanceof MatrixHang
      ? { t: e.target, what: `in execution ${e.execution} of its reader × model` }
      : e instanceof HungExecution
        ? { t: e.target, what: 'while minimizing or replaying its witness' }
        : undefined;
  if (where === undefined) return undefined;
  const t = where.t;
  const fuzz = `ptefuzz fuzz --scenario ${t.scenario.name} --reader ${t.reader.name} --model ${t.model} --timeout ${seconds}`;
  return (
    `ptefuzz: matrix: reader ${t.reader.name} did not return within ${seconds} s on ${t.scenario.name} (model ${t.model}) ${where.what}, and was stopped; ` +
    `the matrix ends here, no table (a cell that hangs has no verdict); \`${fuzz}\` (with its --reader-module) saves such a hang as a timeout crash file`
  );
}

function runMatrix(o: MatrixOptions, registry: ReaderRegistry): number {
  const limit = o.timeout ?? DEFAULT_TIMEOUT_SECONDS;
  const executions = new WatchedExecutions(limit);
  const engine = parseEngine(o);
  if (o.crashes !== undefined) checkOutputFolder(o.crashes, '--crashes');
  const scenarios = o.scenario
    ? distinctScenarios(kernelScenarios(o.scenario, registry).map((s) => resolveScenario(s)))
    : builtinScenarios();
  const readers = o.reader?.map((r) => resolveReader(r, registry).name);
  const contracts = o.contract ? o.contract.map(resolveContract) : CONTRACTS;
  const models: ModelKind[] = o.model ? o.model.map(resolveModel) : [...MODEL_KINDS];
  const cfg: MatrixConfig = {
    scenarios,
    readers,
    contracts: [...new Set(contracts)],
    models: [...new Set(models)],
    engine,
    seed: String(o.seed),
    runs: o.runs ?? DEFAULT_MATRIX_RUNS,
    depth: engine === 'pct' ? (o.depth ?? DEFAULT_PCT_DEPTH) : undefined,
    bound: o.bound ?? DEFAULT_MATRIX_BOUND,
    maxExecutions: o.maxExecutions,
    minimize: o.crashes !== undefined,
    ...(o.minimizeSchedules !== undefined ? { minimizeSchedules: o.minimizeSchedules } : {}),
    watch: {
      slice: (work) => {
        const r = watchedSlice(work, limit);
        return r.hung ? 'hung' : r.value;
      },
      executions,
      clock: () => Date.now(),
      sliceMs: SLICE_MS,
    },
  };
  const plan = scenarios
    .map((s) => ({ s, readers: matrixReaders(s, registry, readers) }))
    .filter((p) => p.readers.length > 0);
  requireReadersRun(
    scenarios,
    readers?.map((r) => resolveReader(r, registry)),
    plan.length > 0,
    (r) => plan.some((p) => p.readers.some((d) => d.name === r.name)),
  );
  process.stderr.write(`INFO: matrix over ${plan.length} scenario(s), ${explorationText(cfg)}\n`);
  const t0 = Date.now();
  const results: ScenarioResult[] = [];
  for (const { s, readers: rs } of plan) {
    const t = Date.now();
    const cells = runScenarioMatrix(s, rs, cfg);
    const files = new Map<MatrixCell, Map<string, string>>();
    const unsaved: WriteFailure[] = [];
    if (o.crashes !== undefined) {
      for (const c of cells) {
        for (const cls of c.witnesses.keys()) {
          const rec = crashRecord(
            cellFinding(c, cls, DEFAULT_BOUNDS, executions),
            engine,
            engine === 'exhaustive' ? `bound ${cfg.bound}` : cfg.seed,
          );
          const m = files.get(c) ?? new Map<string, string>();
          const saved = trySaveCrash(o.crashes, rec);
          if (saved.unsaved !== undefined) {
            unsaved.push(saved.unsaved);
            // at once, on stderr (stdout is the table, or JSON): the finding is not lost with the file
            process.stderr.write(writeFailureLines(saved.unsaved, 'the matrix goes on') + '\n');
          }
          m.set(cls, saved.path);
          files.set(c, m);
        }
      }
    }
    results.push({ scenario: s, cells, checks: checkExpectations(s, cells), files, unsaved });
    const execs = cells.reduce((n, c) => n + (c.target.contract === cfg.contracts[0] ? c.stats.executions : 0), 0);
    process.stderr.write(`INFO: ${s.name}: ${cells.length} cells, ${execs} executions in ${secs(t)} s\n`);
  }
  const seconds = (Date.now() - t0) / 1000;
  if (o.json) process.stdout.write(JSON.stringify(matrixJson(cfg, results, seconds), null, 2) + '\n');
  else process.stdout.write(matrixText(cfg, results) + '\n');
  const unsaved = results.flatMap((r) => r.unsaved);
  if (unsaved.length > 0) {
    // every cell ran and was judged (a crash file is not needed to go on): a failure to look at all the same
    process.stderr.write(`ptefuzz: ${notSavedSummary(unsaved, 'the matrix ran every cell all the same')}\n`);
    return EXIT_USAGE;
  }
  return results.some((r) => r.checks.some((c) => failsExpectation(c.status))) ? EXIT_DIVERGENCE : EXIT_OK;
}

const secs = (t: number): string => ((Date.now() - t) / 1000).toFixed(1);

/** What `ptefuzz matrix --engine` takes: one schedule stream replayed for every reader × model, so no feedback-driven engine. */
export const MATRIX_ENGINES: readonly string[] = ENGINES.map((e) => e.name as string).filter(
  (n) => n !== 'coverage' && n !== 'jsfuzz',
);

function parseEngine(o: MatrixOptions): MatrixEngine {
  if (!MATRIX_ENGINES.includes(o.engine)) {
    throw new UsageError(`unknown engine "${o.engine}"; valid: ${MATRIX_ENGINES.join(', ')}`);
  }
  const engine = o.engine as MatrixEngine;
  if (o.depth !== undefined && engine !== 'pct') {
    throw new UsageError(`--depth applies to --engine pct only (engine is ${engine})`);
  }
  if (o.bound !== undefined && engine !== 'exhaustive') {
    throw new UsageError(`--bound applies to --engine exhaustive only (engine is ${engine})`);
  }
  if (o.minimizeSchedules !== undefined && o.crashes === undefined) {
    throw new UsageError(
      '--minimize-schedules applies with --crashes only (matrix minimizes its witnesses only to write crash files)',
    );
  }
  if (o.runs !== undefined && engine === 'exhaustive') {
    throw new UsageError('--runs does not apply to --engine exhaustive (it enumerates every trace within --bound)');
  }
  return engine;
}

/** One line: what every cell explored. */
export function explorationText(cfg: MatrixConfig): string {
  if (cfg.engine === 'exhaustive') {
    return `engine exhaustive: every trace with at most ${cfg.bound} preemptions (at most ${cfg.maxExecutions} executions per reader × model)`;
  }
  const depth = cfg.engine === 'pct' ? ` (depth ${cfg.depth})` : '';
  return `engine ${cfg.engine}${depth}, seed ${cfg.seed}, ${cfg.runs} runs per scenario (every reader × model replays the same ${cfg.runs} schedules; each contract judges the same executions)`;
}

function verdictText(c: MatrixCell): string {
  if (c.verdict === 'divergence') return [...c.classes.keys()].join('+');
  return c.verdict;
}

function searchText(c: MatrixCell): string {
  const x = c.explored;
  if (x.engine !== 'exhaustive') return `${x.runs} runs`;
  if (x.truncated) return 'truncated';
  return x.boundCut ? `bound ${x.bound}` : 'complete';
}

const STATUS_TEXT: Record<ExpectationCheck['status'], string> = {
  met: 'ok',
  mismatch: 'MISMATCH',
  unconfirmed: 'UNCONFIRMED',
  benign: 'benign',
  unchecked: 'unchecked',
};

export function matrixText(cfg: MatrixConfig, results: readonly ScenarioResult[]): string {
  const out = [
    `ptefuzz matrix — ${explorationText(cfg)}`,
    'execs: executions judged; raced: reader invocations that overlapped a writer; diverged: executions whose read the contract rejects;',
    'verdict: divergence class(es), agree (no divergence in those executions, and it raced), vacuous (never raced: proves nothing) or bound-hit;',
    ...(cfg.engine === 'exhaustive'
      ? ['search: complete, bound K (the preemption bound cut the search) or truncated (--max-executions);']
      : []),
    "* = the reader's declared contract, which its expectation is about.",
  ];
  const replays: string[] = [];
  for (const r of results) {
    out.push('', `${r.scenario.name} [${r.scenario.arch}] — ${r.scenario.title}`);
    const exhaustive = cfg.engine === 'exhaustive';
    const rows: string[][] = [
      ['reader', 'contract', 'model', 'execs', 'raced', 'diverged', 'bound-hit']
        .concat(exhaustive ? ['search'] : [])
        .concat(['verdict', 'expected']),
    ];
    for (const c of r.cells) {
      const t = c.target;
      const expect = c.declared ? expectationAt(r.scenario, t.reader.name, t.model) : undefined;
      rows.push([
        t.reader.name + (t.reader.module ? ' (module)' : ''),
        t.contract.name + (c.declared ? '*' : ''),
        t.model,
        String(c.stats.executions),
        String(c.stats.races),
        String(c.stats.verdicts.divergence),
        String(c.stats.verdicts.boundHit),
        ...(exhaustive ? [searchText(c)] : []),
        verdictText(c),
        expect ?? '',
      ]);
      for (const [, file] of r.files.get(c) ?? [])
        replays.push(
          r.unsaved.some((w) => w.path === file)
            ? `  NOT SAVED: ${file} (its bytes are printed on stderr, with the command that writes them)`
            : `  ${replayCommandFor(file, t.reader.module?.path)}`,
        );
    }
    out.push(...alignColumns(rows, new Set([3, 4, 5, 6])).map((l) => '  ' + l));
    const diverged = r.cells
      .filter((c) => c.verdict === 'divergence')
      .map((c) => ({ reader: c.target.reader.name, model: c.target.model }));
    const note = notSingledOutNote(r.scenario, diverged);
    if (note !== undefined) out.push('  ' + note);
  }
  const checks = results.flatMap((r) => r.checks);
  if (checks.length > 0) {
    out.push('', "Expectations (scenario.expect, under the reader's declared contract, over the models above):");
    const rows = checks.map((c) => [c.scenario, c.reader, c.contract, c.expect, STATUS_TEXT[c.status], c.detail]);
    out.push(...alignColumns(rows).map((l) => '  ' + l));
  }
  const failed = checks.filter((c) => failsExpectation(c.status));
  const unchecked = checks.filter((c) => c.status === 'unchecked');
  // a clause under a model says which: `ptep_get_lockless on S, bug under weak`
  const which = (c: ExpectationCheck): string =>
    `${c.reader} on ${c.scenario}${c.model !== undefined ? `, ${c.expect}` : ''}`;
  out.push(
    '',
    failed.length > 0
      ? `${failed.length} of ${checks.length} expectation(s) NOT borne out: ${failed.map((c) => `${which(c)} (${STATUS_TEXT[c.status]})`).join('; ')}`
      : unchecked.length === 0
        ? `All ${checks.length} expectation(s) borne out.`
        : `All ${checks.length - unchecked.length} judged expectation(s) borne out; ${unchecked.length} unchecked: ${unchecked.map(which).join('; ')}.`,
  );
  if (replays.length > 0) out.push('', 'Crash files (one per divergent cell and class):', ...replays);
  else if (!cfg.minimize && results.some((r) => r.cells.some((c) => c.verdict === 'divergence'))) {
    out.push('', 'Pass --crashes DIR to write a replayable crash file per divergent cell and class.');
  }
  return out.join('\n');
}

export function matrixJson(cfg: MatrixConfig, results: readonly ScenarioResult[], seconds: number) {
  const checks = results.flatMap((r) => r.checks);
  return {
    engine: cfg.engine,
    ...(cfg.engine === 'exhaustive'
      ? { bound: cfg.bound, maxExecutions: cfg.maxExecutions }
      : { seed: cfg.seed, runs: cfg.runs, ...(cfg.depth !== undefined ? { depth: cfg.depth } : {}) }),
    contracts: cfg.contracts.map((c) => c.name),
    models: [...cfg.models],
    cells: results.flatMap((r) =>
      r.cells.map((c) => {
        const t = c.target;
        const files = r.files.get(c);
        const notSaved = [...(files?.values() ?? [])].filter((f) => r.unsaved.some((w) => w.path === f));
        return {
          scenario: t.scenario.name,
          reader: t.reader.name,
          ...(t.reader.module ? { readerModule: t.reader.module.path } : {}),
          contract: t.contract.name,
          declared: c.declared,
          model: t.model,
          executions: c.stats.executions,
          races: c.stats.races,
          verdicts: { ...c.stats.verdicts },
          classes: Object.fromEntries(c.classes),
          verdict: c.verdict,
          explored: c.explored,
          ...(files ? { crashes: Object.fromEntries(files) } : {}),
          ...(notSaved.length > 0 ? { notSaved } : {}),
        };
      }),
    ),
    expectations: checks,
    failed: checks.filter((c) => failsExpectation(c.status)).length,
    seconds,
  };
}
