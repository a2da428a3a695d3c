import type { Bounds, Execution, ModelKind } from '../machine';
import { DEFAULT_BOUNDS, TraceSource } from '../machine';
import type { ReaderDef, ReaderRegistry } from '../kernel';
import { ARCHES } from '../kernel';
import type { Contract } from '../compare';
import type { Engine, EnumerationSummary, FuzzEngineName } from '../engines';
import { createEngine, deriveSeed, enumerateSteps } from '../engines';
import { CAMPAIGN_MINIMIZE_SCHEDULES, UnreplayedDivergence, divergesAs, minimizeWitness } from './minimize-witness';
import type { Scenario } from '../scenario';
import type { Finding } from './campaign';
import type { ReaderStats } from './stats';
import { countRun, emptyStats, overallVerdict } from './stats';
import type { ExecutionWatch, Target } from './target';
import { judgeTarget, makeTarget, runTarget } from './target';
import { moduleReaders } from './select';
import { judgesExpectation } from './expectations';

/**
 * `ptefuzz matrix`: reader × contract × memory model verdicts per scenario.
 * A *unit* is one scenario × reader × model: its executions are judged under
 * every contract at once (a contract changes the judgement, never the
 * execution), so each cell of a unit saw exactly the same executions.
 */

export type MatrixEngine = FuzzEngineName | 'exhaustive';

/** What a cell's verdict is about: the command line that reproduces it, in data. */
export type Explored =
  | { readonly engine: FuzzEngineName; readonly seed: string; readonly runs: number; readonly depth?: number }
  | {
      readonly engine: 'exhaustive';
      readonly bound: number;
      /** every trace within the bound was enumerated (false: see truncated) */
      readonly complete: boolean;
      /** the preemption bound pruned at least one branch */
      readonly boundCut: boolean;
      /** --max-executions stopped the search */
      readonly truncated: boolean;
    };

export interface MatrixCell {
  readonly target: Target;
  /** the contract is the reader's declared one (the one its expectation is about) */
  readonly declared: boolean;
  readonly stats: ReaderStats;
  /** divergent executions per class, classes in order of first appearance */
  readonly classes: Map<string, number>;
  readonly verdict: ReturnType<typeof overallVerdict>;
  readonly explored: Explored;
  /** per class, the trace of its first divergent execution (minimized when config.minimize) */
  readonly witnesses: Map<string, readonly number[]>;
  /** per class, the reduced scenario's target when minimization dropped CPUs or operations */
  readonly witnessTargets?: Map<string, Target>;
}

export interface MatrixConfig {
  readonly scenarios: readonly Scenario[];
  /** restrict to these reader names (default: the scenario's readers and the module readers of its arch) */
  readonly readers?: readonly string[] | undefined;
  readonly contracts: readonly Contract[];
  readonly models: readonly ModelKind[];
  readonly engine: MatrixEngine;
  readonly seed: string;
  /** random/pct: runs (schedules) per scenario */
  readonly runs: number;
  readonly depth?: number | undefined;
  /** exhaustive: preemption bound and execution cap per unit */
  readonly bound: number;
  readonly maxExecutions: number;
  /** minimize the first witness of every divergent cell and class (for crash files) */
  readonly minimize: boolean;
  /** the minimizations' schedule search (minimizeWitness; default CAMPAIGN_MINIMIZE_SCHEDULES) */
  readonly minimizeSchedules?: number;
  readonly bounds?: Bounds;
  /** the main thread's watch (src/cli/watched-call.ts); without it, nothing is watched */
  readonly watch?: MatrixWatch;
}

/**
 * The main thread's watch of a matrix. `slice` runs `work` — executions of one unit until it is done (it then
 * returns true) or `sliceMs` have passed (false) — as a call it can stop: `hung` when it had to. `executions`
 * watches each execution of the minimizer (its candidates) and of a witness's replay (cellFinding).
 */
export interface MatrixWatch {
  slice(work: () => boolean): boolean | 'hung';
  readonly executions: ExecutionWatch;
  /** milliseconds, for the slices' length */
  readonly clock: () => number;
  /** how long a slice's executions run before `work` returns */
  readonly sliceMs: number;
}

/** Whether the slice begun now is over: never without a watch (a unit then runs in one go). */
function sliceTimer(watch: MatrixWatch | undefined): () => boolean {
  if (watch === undefined) return () => false;
  const end = watch.clock() + watch.sliceMs;
  return () => watch.clock() >= end;
}

/** A unit's execution did not return within the watch's limit: the matrix stops (a hung cell has no verdict). */
export class MatrixHang extends Error {
  constructor(
    /** the unit's target under its first contract */
    readonly target: Target,
    /** the number of the execution that hung in its unit (1-based) */
    readonly execution: number,
  ) {
    super(`execution ${execution} of ${target.key} did not return`);
    this.name = 'MatrixHang';
  }
}

/** Run a unit's `work` to its end, in watched slices when there is a watch; `done` counts its executions so far. */
function runUnit(work: () => boolean, watch: MatrixWatch | undefined, first: Target, done: () => number): void {
  for (;;) {
    const r = watch === undefined ? work() : watch.slice(work);
    if (r === 'hung') throw new MatrixHang(first, done() + 1);
    if (r) return;
  }
}

/** Readers of a scenario in the matrix: the ones it names, then the module readers of its arch. */
export function matrixReaders(s: Scenario, registry: ReaderRegistry, only?: readonly string[]): ReaderDef[] {
  const all = [
    ...s.readers.map((n) => registry.get(n)).filter((r): r is ReaderDef => r !== undefined),
    ...moduleReaders(s, registry),
  ];
  return only ? all.filter((r) => only.includes(r.name)) : all;
}

interface Unit {
  readonly reader: ReaderDef;
  readonly model: ModelKind;
  /** one per contract, in config order */
  readonly cells: MutableCell[];
}

type MutableCell = Omit<MatrixCell, 'verdict' | 'explored' | 'witnessTargets'> & {
  explored?: Explored;
  readonly witnessTargets: Map<string, Target>;
};

function record(cell: MutableCell, exec: Execution): void {
  const t = cell.target;
  const j = judgeTarget(t, exec);
  countRun(cell.stats, j);
  const v = j.verdict;
  if (v.kind === 'divergence') {
    cell.classes.set(v.class, (cell.classes.get(v.class) ?? 0) + 1);
    if (!cell.witnesses.has(v.class)) cell.witnesses.set(v.class, exec.trace);
  }
}

/** Run the matrix of one scenario; cells in reader, contract, model order. */
export function runScenarioMatrix(s: Scenario, readers: readonly ReaderDef[], cfg: MatrixConfig): MatrixCell[] {
  const arch = ARCHES[s.arch];
  if (!arch) throw new Error(`[ptefuzz internal bug] no encoding for architecture ${s.arch}`);
  const bounds = cfg.bounds ?? DEFAULT_BOUNDS;
  const units: Unit[] = [];
  for (const reader of readers) {
    for (const model of cfg.models) {
      units.push({
        reader,
        model,
        cells: cfg.contracts.map((contract) => {
          const target = makeTarget(s, reader, contract, model, arch);
          return {
            target,
            declared: judgesExpectation(target),
            stats: emptyStats(),
            classes: new Map(),
            witnesses: new Map(),
            witnessTargets: new Map(),
          };
        }),
      });
    }
  }
  for (const u of units) {
    const first = u.cells[0]!.target;
    if (cfg.engine === 'exhaustive') {
      let done = 0;
      const steps = enumerateSteps(
        (source) => runTarget(first, source, bounds).exec,
        (exec) => {
          done++;
          u.cells.forEach((c) => record(c, exec));
        },
        { preemptionBound: cfg.bound, maxExecutions: cfg.maxExecutions },
      );
      let x: EnumerationSummary | undefined;
      const work = (): boolean => {
        const over = sliceTimer(cfg.watch);
        for (;;) {
          const r = steps.next();
          if (r.done === true) {
            x = r.value;
            return true;
          }
          if (over()) return false;
        }
      };
      runUnit(work, cfg.watch, first, () => done);
      if (x === undefined) throw new Error('[ptefuzz internal bug] a matrix enumeration ended without its summary');
      const explored: Explored = {
        engine: 'exhaustive',
        bound: cfg.bound,
        complete: !x.truncated,
        boundCut: x.boundCut,
        truncated: x.truncated,
      };
      for (const c of u.cells) c.explored = explored;
    } else {
      const engine: Engine = createEngine(cfg.engine, { cpus: first.built.cpus.length, depth: cfg.depth });
      let run = 0;
      const work = (): boolean => {
        const over = sliceTimer(cfg.watch);
        while (run < cfg.runs) {
          const { exec } = runTarget(first, engine.source(deriveSeed(cfg.seed, run)), bounds);
          engine.observe(exec);
          for (const c of u.cells) record(c, exec);
          run++;
          if (over()) break;
        }
        return run >= cfg.runs;
      };
      runUnit(work, cfg.watch, first, () => run);
      const explored: Explored = {
        engine: cfg.engine,
        seed: cfg.seed,
        runs: cfg.runs,
        ...(cfg.engine === 'pct' && cfg.depth !== undefined ? { depth: cfg.depth } : {}),
      };
      for (const c of u.cells) c.explored = explored;
    }
  }
  const cells: MatrixCell[] = [];
  // reader, contract, model order: the rows of one reader and contract sit together
  for (const reader of readers) {
    for (let k = 0; k < cfg.contracts.length; k++) {
      for (const u of units.filter((x) => x.reader === reader)) {
        const c = u.cells[k]!;
        if (cfg.minimize)
          minimizeWitnesses(c, bounds, cfg.watch?.executions, cfg.minimizeSchedules ?? CAMPAIGN_MINIMIZE_SCHEDULES);
        cells.push({ ...c, verdict: overallVerdict(c.stats), explored: c.explored! });
      }
    }
  }
  return cells;
}

function minimizeWitnesses(c: MutableCell, bounds: Bounds, watch: ExecutionWatch | undefined, schedules: number): void {
  for (const [cls, trace] of c.witnesses) {
    const min = minimizeWitness(c.target, cls, trace, bounds, watch, schedules);
    if (min === null) throw new UnreplayedDivergence(c.target, cls);
    c.witnesses.set(cls, min.trace);
    if (min.target !== c.target) c.witnessTargets.set(cls, min.target);
  }
}

/** A cell's witness as a campaign finding (for a crash record). */
export function cellFinding(
  c: MatrixCell,
  cls: string,
  bounds: Bounds = DEFAULT_BOUNDS,
  watch?: ExecutionWatch,
): Finding {
  const trace = c.witnesses.get(cls);
  if (!trace) throw new Error(`[ptefuzz internal bug] no ${cls} witness on ${c.target.key}`);
  const target = c.witnessTargets?.get(cls) ?? c.target;
  const run = runTarget(target, new TraceSource(trace), bounds, watch);
  if (!divergesAs(run, cls)) throw new UnreplayedDivergence(c.target, cls);
  return {
    target,
    class: cls,
    trace,
    exec: run.exec,
    judgement: run.judgement,
    first: { executions: 0, seconds: 0 },
    hits: c.classes.get(cls) ?? 0,
  };
}
