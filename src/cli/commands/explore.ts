import type { ReaderRegistry } from '../../kernel';
import type { ExpectationCell, Run, Target } from '../../campaign';
import {
  UsageError,
  countRun,
  emptyStats,
  expectationsOf,
  judgesExpectation,
  notSingledOutNote,
  overallVerdict,
  resolveModel,
  runTarget,
  selectTargets,
} from '../../campaign';
import type { EnumerateOptions } from '../../engines';
import type { Exploration } from '../../engines';
import { exhaustSteps } from '../../engines';
import type { LitmusShape } from '../../litmus-shapes';
import { SHAPES, shapeByName } from '../../litmus-shapes';
import type { Execution, ModelKind } from '../../machine';
import { DEFAULT_BOUNDS, byCodeUnit } from '../../machine';
import { EXIT_DIVERGENCE, EXIT_OK, EXIT_USAGE } from '../errors';
import type { HerdTest } from '../herd';
import { countText, herdResult, herdSteps, rawHerdTest, searchLine, shapeTest } from '../herd';
import type { LoadedFile } from '../scenario-files';
import type { Scenario } from '../../scenario';
import { resolveScenarioArgs } from '../scenario-files';
import { checkOutputFolder } from '../../crash';
import { findingReport } from '../render';
import { fieldsText } from '../../report';
import { replayCommandFor, timeoutReplayCommand } from '../replay-command';
import { cleanStaleTemps, expectationLines } from './fuzz';
import type { StopSignals } from '../stop-signals';
import { nextTurn, notStartedLine } from '../stop-signals';
import type { WriteFailure } from '../unsaved';
import { NOT_SAVED_REPLAY, notSavedSummary, trySaveCrash, writeFailureLines } from '../unsaved';
import type { StateWitness } from './explore-crashes';
import { saveExploreCrashes, saveUnminimized } from './explore-crashes';
import type { HangSnapshot } from '../watchdog';
import { DEFAULT_TIMEOUT_SECONDS, SharedWatch, WatchBuffer } from '../watchdog';
import type { Watched } from '../watched-call';
import { SLICE_MS, WatchedExecutions, watchedSlice, watchedTimeoutRecord } from '../watched-call';

export interface ExploreOptions {
  scenario?: string[];
  litmus?: string[];
  reader?: string[];
  contract?: string;
  model?: string[];
  bound?: number;
  maxExecutions: number;
  /** crash folder of `--scenario` (kernel scenarios): one minimized crash file per distinct divergence */
  crashes: string;
  /** `--crashes` was on the command line (not its default): refused where no crash file is written */
  crashesGiven?: boolean;
  /** the watchdog of a scenario's target: an execution running longer than this many seconds stops its search */
  timeout?: number;
  /** the minimizations' schedule search (default CAMPAIGN_MINIMIZE_SCHEDULES) */
  minimizeSchedules?: number;
}

/** Preemption bound of `explore --scenario` when `--bound` is not given (CHESS: most bugs need ≤ 2). */
export const DEFAULT_SCENARIO_BOUND = 2;
/** Safety net: an enumeration stops (and says so) after this many executions. */
export const DEFAULT_MAX_EXECUTIONS = 1_000_000;
/** Litmus shapes are kernel (LKMM) litmus tests: the `weak` model unless --model says otherwise. */
export const DEFAULT_LITMUS_MODEL: ModelKind = 'weak';

/**
 * `ptefuzz explore`: the exhaustive engine. Enumerates every trace of a
 * built-in scenario (each selected reader × model, under a preemption bound)
 * or of a litmus shape, and prints the reachable outcomes like herd7's
 * `States` block. A divergence of a scenario's reader is written to the
 * crash folder as `fuzz` writes it (explore-crashes.ts), with the command
 * that replays it. Exit 1 iff a reader diverged.
 *
 * SIGINT/SIGTERM/SIGHUP (`signals`, installed before anything was loaded: see
 * main.ts) during the searches — of scenarios, of litmus shapes and of tests
 * judged by their condition alike: the search running stops at the next
 * execution and is printed as interrupted — its partial states, no claim
 * about the bound (a test: no Ok/No, no Observation) — with the crash files of
 * the divergences found so far; searches not started are named as not
 * searched. Exit codes as an interrupted `fuzz`: 1 if a divergence was found, else 0.
 */
export async function exploreCommand(
  o: ExploreOptions,
  registry: ReaderRegistry,
  signals: StopSignals,
): Promise<number> {
  if ((o.scenario === undefined) === (o.litmus === undefined)) {
    throw new UsageError('explore needs exactly one of --scenario NAME or --litmus SHAPE');
  }
  if (o.litmus) {
    if (o.reader || o.contract !== undefined) throw new UsageError('--reader and --contract apply to --scenario only');
    if (o.crashesGiven === true) {
      throw new UsageError(
        '--crashes does not apply to --litmus: a litmus shape has no reader; explore prints its States block and writes no crash file',
      );
    }
    if (o.timeout !== undefined) {
      throw new UsageError(
        "--timeout does not apply to --litmus: a litmus shape has no reader (no user code that could hang); it watches the executions of a scenario's reader",
      );
    }
    if (o.minimizeSchedules !== undefined) {
      throw new UsageError(
        '--minimize-schedules does not apply to --litmus: a litmus shape has no reader; explore minimizes no witness and writes no crash file',
      );
    }
    const models = o.model?.map(resolveModel) ?? [DEFAULT_LITMUS_MODEL];
    const shapes = o.litmus.map(resolveShape);
    return runSearches(
      shapes.flatMap((shape) => models.map((m) => herdSearch(shapeTest(shape), m, o))),
      signals,
    );
  }
  const loaded = resolveScenarioArgs(o.scenario!, registry);
  const raw = loaded.filter((l): l is LoadedFile & { kind: 'raw' } => typeof l !== 'string' && l.kind === 'raw');
  if (raw.length > 0 && (o.reader || o.contract !== undefined)) {
    throw new UsageError(`--reader and --contract do not apply to ${raw[0]!.file} (a test judged by its condition)`);
  }
  const kernel: (string | Scenario)[] = [];
  for (const l of loaded) {
    if (typeof l === 'string') kernel.push(l);
    else if (l.kind === 'kernel') kernel.push(l.scenario);
  }
  if (kernel.length === 0 && o.crashesGiven === true) {
    throw new UsageError(
      `--crashes does not apply to ${raw[0]!.file} (a test judged by its condition, no reader): explore prints its States block and writes no crash file`,
    );
  }
  if (kernel.length === 0 && o.minimizeSchedules !== undefined) {
    throw new UsageError(
      `--minimize-schedules does not apply to ${raw[0]!.file} (a test judged by its condition, no reader): explore minimizes no witness and writes no crash file`,
    );
  }
  if (kernel.length === 0 && o.timeout !== undefined) {
    throw new UsageError(
      `--timeout does not apply to ${raw[0]!.file} (a test judged by its condition, no reader: no user code that could hang); it watches the executions of a scenario's reader`,
    );
  }
  const rawModels = o.model?.map(resolveModel) ?? [DEFAULT_LITMUS_MODEL];
  // the tests judged by their condition first, then the scenarios' targets (every usage error before any search)
  const tests = raw.flatMap((r) => rawModels.map((m) => ({ r, m })));
  // a test from a file may be large: stderr says which one is being searched, as for a scenario's targets
  // (the built-in litmus shapes take milliseconds: their explore keeps stderr empty, like herd7)
  const searches = tests.map(({ r, m }, i) =>
    herdSearch(rawHerdTest(r.test), m, o, `${r.file} (test ${i + 1} of ${tests.length})`),
  );
  if (kernel.length > 0) {
    const targets = selectTargets(
      {
        scenarios: kernel,
        ...(o.reader ? { readers: o.reader } : {}),
        ...(o.contract !== undefined ? { contract: o.contract } : {}),
        // no --model: the models fuzz runs, so that explore, too, searches where a scenario expects its bug
        ...(o.model ? { models: o.model } : { withBugModels: true }),
      },
      registry,
    );
    checkOutputFolder(o.crashes, '--crashes');
    cleanStaleTemps([o.crashes]);
    searches.push(
      ...targets.map((t, i): Searchable => ({
        kind: 'target',
        name: t.key,
        notSearched: `  ${t.scenario.name}: reader ${t.reader.name}, contract ${t.contract.name}, model ${t.model}`,
        run: (search) => {
          // on stderr: which of a long explore's searches is running (the blocks come out on stdout as each ends)
          process.stderr.write(
            `INFO: exploring ${t.key}, preemption bound ${o.bound ?? DEFAULT_SCENARIO_BOUND} (target ${i + 1} of ${targets.length})\n`,
          );
          return exploreTarget(t, o, registry, search);
        },
      })),
    );
  }
  return runSearches(searches, signals, o.bound ?? DEFAULT_SCENARIO_BOUND);
}

/** One search of an explore: a scenario's target, a litmus shape or a test judged by its condition, under one model. */
interface Searchable {
  /** a scenario's target (reader × contract × model) or a test (litmus shape, test judged by its condition) × model */
  readonly kind: 'target' | 'test';
  /** named on stderr when a signal arrives during its search */
  readonly name: string;
  /** its line in the NOT SEARCHED block */
  readonly notSearched: string;
  run(search: Search): Promise<SearchResult>;
}

/** What a search printed and found; a scenario's target searched to its end also gives its expectation cell. */
interface SearchResult {
  readonly text: string;
  readonly diverged: boolean;
  readonly unsaved: readonly WriteFailure[];
  readonly cell?: ExpectationCell;
}

/**
 * Run the searches in order, each block printed (stdout) as soon as its search ends, a blank line between
 * blocks: an interrupted or failing explore has printed every finished search, and the crash files it wrote.
 * A signal stops the search running at its next execution; the searches after it are named NOT SEARCHED.
 */
async function runSearches(searches: readonly Searchable[], signals: StopSignals, bound?: number): Promise<number> {
  let printed = 0;
  const cells: ExpectationCell[] = [];
  const emit = (block: string): void => void process.stdout.write(`${printed++ > 0 ? '\n' : ''}${block}\n`);
  let diverged = false;
  const unsaved: WriteFailure[] = [];
  const search: Search = { signals, name: undefined };
  // a signal during the start-up (reader modules, scenario files) was recorded: its handler runs now, and the
  // loop below names every search as not searched. From here the first signal stops the search at its next execution (drive lets the event loop turn every
  // SLICE_MS); an interrupted target's witnesses are on disk unminimized before `dispose` lets a second one end it
  await nextTurn();
  signals.handle((sig) =>
    process.stderr.write(
      search.name === undefined
        ? `INFO: ${sig}: stopping before the next search (send it again to abort at once)\n`
        : `INFO: ${sig}: stopping the search of ${search.name} after the current execution (send it again to abort at once)\n`,
    ),
  );
  try {
    for (let i = 0; i < searches.length; i++) {
      await nextTurn(); // a signal sent during the last target's minimization is handled here
      if (signals.signal !== undefined) {
        const rest = searches.slice(i);
        emit(notSearchedBlock(rest, signals.signal));
        if (i === 0) {
          process.stderr.write(
            notStartedLine(signals.signal, `none of the ${searchCount(rest)} was searched (no execution)`) + '\n',
          );
        }
        break;
      }
      const r = await searches[i]!.run(search);
      diverged ||= r.diverged;
      unsaved.push(...r.unsaved);
      if (r.cell !== undefined) cells.push(r.cell);
      emit(r.text);
    }
  } finally {
    signals.dispose();
  }
  // the scenarios' expectations, judged when every target was searched to its end (a hung or interrupted search
  // makes no claim about the bound, so neither does the check)
  const targets = searches.filter((s) => s.kind === 'target').length;
  if (signals.signal === undefined && targets > 0 && cells.length === targets) {
    const lines = expectationLines(
      expectationsOf(cells),
      (n) =>
        `expected bug NOT FOUND within preemption bound ${bound} (${n}; a search the bound cut may find it with a higher --bound — its block above says whether the bound cut it):`,
    );
    if (lines.length > 0) emit(lines.join('\n'));
  }
  if (unsaved.length > 0) {
    // every search ran to its end (a crash file is not needed to go on): a failure to look at all the same
    process.stderr.write(`ptefuzz: ${notSavedSummary(unsaved, 'explore searched every target all the same')}\n`);
    return EXIT_USAGE;
  }
  return diverged ? EXIT_DIVERGENCE : EXIT_OK;
}

/** The signal handlers of an explore and the search running, if any (named when a signal arrives). */
interface Search {
  readonly signals: StopSignals;
  name: string | undefined;
}

/**
 * Run a sliced computation (exhaustSteps) to its end, letting the event loop turn every SLICE_MS. With `seconds`
 * each slice is a watched call (watched-call.ts's watchedSlice) stopped after that long: `hung` — the computation is then dead,
 * never resumed. A search of a scenario's target is watched (its reader may be a module that never returns); a
 * litmus shape or a test judged by its condition runs no user code, and is not.
 */
async function drive<T>(steps: Generator<void, T, undefined>, seconds?: number): Promise<Watched<T>> {
  const slice = (): IteratorReturnResult<T> | undefined => {
    const end = Date.now() + SLICE_MS;
    for (;;) {
      const r = steps.next();
      if (r.done === true) return r;
      if (Date.now() >= end) return undefined;
    }
  };
  for (;;) {
    const r = seconds === undefined ? { hung: false as const, value: slice() } : watchedSlice(slice, seconds);
    if (r.hung) return r;
    if (r.value !== undefined) return { hung: false, value: r.value.value };
    await nextTurn();
  }
}

/** The value of a search that is not watched (it runs no user code: it cannot hang). */
function unwatched<T>(r: Watched<T>): T {
  if (r.hung) throw new Error('[ptefuzz internal bug] an unwatched search reported a hang');
  return r.value;
}

/** The searches an interrupted explore never started: named, so that nobody reads their absence as a pass. */
function notSearchedBlock(searches: readonly Searchable[], signal: NodeJS.Signals): string {
  return [
    `NOT SEARCHED (${signal} before their search began): ${searchCount(searches)}, no claim about them`,
    ...searches.map((s) => s.notSearched),
  ].join('\n');
}

/** `3 target(s)`, `2 test(s)` (litmus shapes, tests judged by their condition), or `5 search(es)` of both. */
function searchCount(searches: readonly Searchable[]): string {
  const targets = searches.filter((s) => s.kind === 'target').length;
  if (targets === searches.length) return `${targets} target(s)`;
  return targets === 0 ? `${searches.length} test(s)` : `${searches.length} search(es)`;
}

/** The herd7 answer of a litmus shape or a test judged by its condition under one model, as a search. */
function herdSearch(test: HerdTest, model: ModelKind, o: ExploreOptions, announce?: string): Searchable {
  const name = `${test.name} under ${model}`;
  return {
    kind: 'test',
    name,
    notSearched: `  ${test.name}: model ${model}`,
    run: async (search) => {
      if (announce !== undefined) {
        const bound = o.bound !== undefined ? `preemption bound ${o.bound}` : 'no preemption bound';
        process.stderr.write(`INFO: exploring ${name}, ${bound}: ${announce}\n`);
      }
      search.name = name;
      const opts = { ...enumOptions(o, o.bound), shouldStop: search.signals.shouldStop };
      const x = unwatched(await drive(herdSteps(test, model, opts)));
      search.name = undefined;
      const stopped = x.interrupted ? search.signals.signal : undefined;
      return { text: herdResult(test, model, opts, x, stopped).text, diverged: false, unsaved: [] };
    },
  };
}

function resolveShape(name: string): LitmusShape {
  const s = shapeByName(name);
  if (!s) throw new UsageError(`unknown litmus shape "${name}"; valid: ${SHAPES.map((x) => x.name).join(', ')}`);
  return s;
}

function enumOptions(o: ExploreOptions, bound: number | undefined): EnumerateOptions {
  return { ...(bound !== undefined ? { preemptionBound: bound } : {}), maxExecutions: o.maxExecutions };
}

// ---- scenarios -------------------------------------------------------------

const AGREE = 'agree';
const NO_READ = 'no read';
/** labels that are not a divergence: no witness is printed for them */
export const NOT_DIVERGENT: ReadonlySet<string> = new Set([AGREE, 'bound-hit', NO_READ]);

/**
 * One state per judged reader invocation: its returned value, labelled with its verdict. A divergence
 * that no returned value explains — a consumer invariant (use-after-free, lost-dirty, wrong-page) broken
 * although every value the reader returned was acceptable, or a livelock — is a state of its own, so the
 * execution counts as divergent. Exported for test/laws/exhaustive-completeness.test.ts (the states explore prints).
 */
export function scenarioStates(t: Target, r: Run, values?: Map<string, bigint>): [string, string][] {
  const { exec, judgement } = r;
  const v = judgement.verdict;
  const states: [string, string][] = judgement.judged.map((j) => {
    const label = j.accepted ? AGREE : v.kind === 'divergence' && v.op === j.op.id ? v.class : 'divergence';
    const value = j.op.result!;
    const state = t.arch.format(value) + (t.arch.present(value) ? '' : ' (not present)');
    values?.set(state, value);
    return [state, label];
  });
  if (v.kind === 'divergence' && states.every(([, label]) => label === AGREE)) {
    states.push([
      `${v.class} ${t.arch.format(v.observed)} (execution-level: every value the reader returned was acceptable)`,
      v.class,
    ]);
  } else if (states.length === 0) {
    const why =
      exec.outcome.kind === 'bound-hit'
        ? `bound-hit (${exec.outcome.bound})`
        : judgement.discarded > 0
          ? 'no judged read (GUP-fast returned no page)'
          : 'no completed read';
    states.push([why, v.kind === 'bound-hit' ? 'bound-hit' : NO_READ]);
  }
  return states;
}

/**
 * Under the "no divergence" line when some executions hit a bound: they were not judged, so the claim
 * covers the others only. A retry-bound hit is split by what the other CPUs did: one still had an operation unfinished, or ran
 * during the stopped read — usually a writer that needs one more preemption to finish while the reader
 * retries on it (a livelock is a divergence, not a bound hit) —; or the read began after every other CPU had
 * finished its operations and still retried to the bound: it kept reading an old value, which tso and weak
 * allow on every retry (a weak load may read an old message again, a store may stay in a TSO buffer): no model
 * makes a store visible within bounded time, so this happens under any preemption bound, 0 included. The
 * step bound and deadlocks are counted apart.
 */
function boundHitNote(hits: number, afterOthers: number, otherBounds: number, executions: number): string {
  const during = hits - afterOthers - otherBounds;
  const causes = [
    ...(during > 0
      ? [
          `${during} with another CPU's operation unfinished or running during the read (typically a ` +
            'writer the preemption bound stopped half way, the reader retrying on it)',
        ]
      : []),
    ...(afterOthers > 0
      ? [
          `${afterOthers} with the read begun after every other CPU had finished its operations (the reader kept ` +
            'reading an old value on every retry, which tso and weak allow: a store need not become visible within any bound)',
        ]
      : []),
    ...(otherBounds > 0 ? [`${otherBounds} stopped by the step bound or a deadlock`] : []),
  ];
  return (
    `  (${hits} of ${executions} executions hit a bound and were not judged — neither a pass nor a divergence: ` +
    `${causes.join('; ')}; the bound-hit state above)`
  );
}

/**
 * A retry-bound hit whose read began after every other CPU had finished its operations: no other CPU has an
 * operation left open, and none took a step after the read's first (store-buffer drains are no CPU's step).
 */
function readAfterOthers(exec: Execution): boolean {
  const o = exec.outcome;
  if (o.kind !== 'bound-hit' || o.bound !== 'retries') return false;
  const read = exec.ops[o.op];
  if (read === undefined) return false;
  if (exec.ops.some((op) => op.cpu !== read.cpu && !op.done)) return false;
  return !exec.events.some((e) => e.cpu !== read.cpu && e.kind !== 'drain' && e.step > read.start);
}

async function exploreTarget(
  t: Target,
  o: ExploreOptions,
  registry: ReaderRegistry,
  search: Search,
): Promise<SearchResult> {
  const bound = o.bound ?? DEFAULT_SCENARIO_BOUND;
  const unsaved: WriteFailure[] = [];
  let raced = 0;
  // executions with reads a GUP-fast threw away (a `gate`d contract does not judge them), and those reads
  let gaveUp = 0;
  let discardedReads = 0;
  const stats = emptyStats();
  let boundHits = 0;
  let staleHits = 0;
  let otherBoundHits = 0;
  const values = new Map<string, bigint>();
  const interrupt = search.signals;
  search.name = t.key;
  // the watchdog's view of the execution in flight (its choices, its steps' CPUs), as a fuzz worker publishes it
  const buf = WatchBuffer.create(1);
  const watch = new SharedWatch(buf, [t]);
  /** executions that returned (the hung one, if any, is the next) */
  let returned = 0;
  /** the first execution of each divergent state and label, as it is classified: the witnesses a hang keeps */
  const found = new Map<string, StateWitness>();
  const seconds = o.timeout ?? DEFAULT_TIMEOUT_SECONDS;
  const driven = await drive(
    exhaustSteps(
      (source) => {
        const run = runTarget(t, source, DEFAULT_BOUNDS, watch);
        returned++;
        countRun(stats, run.judgement);
        if (run.judgement.raced > 0) raced++;
        if (run.judgement.discarded > 0) {
          gaveUp++;
          discardedReads += run.judgement.discarded;
        }
        if (run.judgement.verdict.kind === 'bound-hit') {
          boundHits++;
          const o = run.exec.outcome;
          if (o.kind === 'bound-hit' && o.bound !== 'retries') otherBoundHits++;
          else if (readAfterOthers(run.exec)) staleHits++;
        }
        return run;
      },
      (run) => {
        const states = scenarioStates(t, run, values);
        for (const [state, label] of states) {
          if (NOT_DIVERGENT.has(label)) continue;
          const key = `${state} ${label}`;
          if (!found.has(key)) found.set(key, { state, label, run });
        }
        return states;
      },
      { ...enumOptions(o, bound), shouldStop: interrupt.shouldStop },
      (state, label, executions) => {
        // on stderr as the search goes: a long search tells its finds (and a test knows when to interrupt)
        if (!NOT_DIVERGENT.has(label))
          process.stderr.write(`#${executions}\tNEW\tdivergent state ${state}  ${label}\t(${t.key})\n`);
      },
    ),
    seconds,
  );
  if (driven.hung) {
    search.name = undefined;
    return hungSearch(t, o, bound, seconds, { ...buf.snapshot(), execution: returned + 1 }, [...found.values()]);
  }
  const x: Exploration<Run> = driven.value;
  search.name = undefined;
  const stopped = x.interrupted ? interrupt.signal! : undefined;
  const states = [...x.states.values()].sort((a, b) => byCodeUnit(a.state, b.state));
  const width = Math.max(1, ...states.map((s) => String(s.count).length));
  const out = [
    `Explore ${t.scenario.name}: ${t.scenario.title}`,
    `reader ${t.reader.name}, contract ${t.contract.name}, model ${t.model}, preemption bound ${bound}`,
  ];
  if (stopped !== undefined) {
    out.push(
      `INTERRUPTED by ${stopped} after ${x.executions} executions: the outcome set below is partial — not a claim about preemption bound ${bound}`,
    );
  }
  out.push(`States ${states.length}`);
  const witnesses: StateWitness[] = [];
  for (const s of states) {
    const labels = [...s.labels].map(([label, l]) => (s.labels.size > 1 ? `${label} ${l.count}` : label));
    out.push(`${String(s.count).padStart(width)}  ${s.state}  ${labels.join(', ')}`);
    for (const [label, l] of s.labels)
      if (!NOT_DIVERGENT.has(label)) witnesses.push({ state: s.state, label, run: l.first });
  }
  // the states are raw numbers (an arm64 descriptor is 16 hex digits): each decoded once, in the same order
  const decoded = states.flatMap((s) => {
    const v = values.get(s.state);
    return v === undefined ? [] : [`  ${s.state.replace(/ \(not present\)$/, '')}  ${fieldsText(v, t.arch)}`];
  });
  if (decoded.length > 0) out.push(`Fields (${t.arch.name} value decoded):`, ...decoded);
  out.push(
    stopped !== undefined
      ? `${countText(x)}; INTERRUPTED by ${stopped}: the states above are partial`
      : searchLine(x, bound),
  );
  out.push(`Raced: the reader overlapped a writer in ${raced} of ${x.executions} executions`);
  if (gaveUp > 0)
    out.push(
      `Not judged (contract ${t.contract.name}): ${discardedReads} reads in a GUP-fast that returned no page, in ${gaveUp} of ${x.executions} executions`,
    );
  if (witnesses.length === 0) {
    out.push(
      stopped !== undefined
        ? `no divergence in the ${x.executions} executions explored before ${stopped} (search interrupted: not a claim about preemption bound ${bound})`
        : x.truncated
          ? `no divergence in the ${x.executions} executions explored (search truncated)`
          : x.boundCut
            ? `no divergence within bound ${bound}`
            : 'no divergence (complete search)',
    );
    if (boundHits > 0) out.push(boundHitNote(boundHits, staleHits, otherBoundHits, x.executions));
  } else {
    const divergent = states.filter((s) => [...s.labels.keys()].some((l) => !NOT_DIVERGENT.has(l)));
    let standIns: ReturnType<typeof saveUnminimized> = [];
    if (stopped !== undefined) {
      // on disk before the minimization, which a second signal may cut short (it then ends the process)
      standIns = saveUnminimized(t, witnesses, o.crashes, bound);
      interrupt.dispose();
      process.stderr.write(
        `INFO: ${stopped}: ${standIns.length} divergence(s) found in ${t.key} written unminimized; minimizing them ` +
          `(send ${stopped} again to stop now and keep the unminimized files: ${standIns.map((s) => s.path).join(' ')})\n`,
      );
    }
    const crashes = saveExploreCrashes(
      t,
      witnesses,
      o.crashes,
      bound,
      registry,
      standIns,
      new WatchedExecutions(seconds),
      o.minimizeSchedules,
    );
    unsaved.push(...crashes.flatMap((c) => (c.unsaved ? [c.unsaved] : [])));
    out.push(
      (stopped !== undefined
        ? `DIVERGENCE: ${divergent.length} divergent state(s) in the ${x.executions} executions explored before ${stopped} (search interrupted; more may exist within bound ${bound})`
        : `DIVERGENCE: ${divergent.length} divergent state(s) within bound ${bound}`) +
        '; the first witness of each, minimized: ' +
        `${crashes.length} crash file(s) (one per distinct divergence), in ${o.crashes.replace(/\/+$/, '')}/` +
        (unsaved.length > 0 ? ` — ${unsaved.length} of them NOT SAVED (see below)` : ''),
    );
    // what was explored and what was not judged, as under "no divergence": a reader of a divergence reads the
    // outcome set above it, and the bound-hit executions in it are neither passes nor divergences
    if (boundHits > 0) out.push(boundHitNote(boundHits, staleHits, otherBoundHits, x.executions));
    const note = notSingledOutNote(t.scenario, [{ reader: t.reader.name, model: t.model }]);
    if (note !== undefined) out.push(note);
    for (const c of crashes) {
      out.push(
        '',
        (c.states.length === 1 ? `first witness of ${c.states[0]!}, ` : `first witnesses of ${c.states.join('; ')}, `) +
          (c.hung !== undefined
            ? `NOT minimized: a candidate of the minimizer did not return within ${c.hung.seconds} s (reader ${c.hung.target.reader.name}, stopped); saved as found`
            : 'minimized') +
          (c.states.length === 1 ? ':' : ' (one divergence: the same fingerprint):'),
        findingReport(c.finding),
        ...(c.unsaved
          ? [writeFailureLines(c.unsaved, 'explore goes on'), `\treplay: ${NOT_SAVED_REPLAY}`]
          : [`\treplay: ${replayCommandFor(c.file, t.reader.module?.path)}`]),
      );
    }
  }
  const classes = new Map<string, number>();
  for (const w of witnesses) classes.set(w.label, (classes.get(w.label) ?? 0) + 1);
  const cell: ExpectationCell = {
    target: t,
    declared: judgesExpectation(t),
    stats,
    verdict: overallVerdict(stats),
    classes,
  };
  return { text: out.join('\n'), diverged: witnesses.length > 0, unsaved, ...(stopped === undefined ? { cell } : {}) };
}

/**
 * The block of a target whose search did not return: execution `hang.execution` ran over `seconds` and was stopped,
 * with the search (its generator, the machine, the reader's state: all dead, never resumed). No claim about the
 * bound. The hung execution is saved as a `timeout` crash file, as `fuzz` saves one (its fingerprint and detail come
 * from a replay up to the step that never returned, watched too: watchedTimeoutRecord), and the
 * first witness of each divergent state found before it is saved unminimized (the minimizer would run the reader
 * again).
 */
function hungSearch(
  t: Target,
  o: ExploreOptions,
  bound: number,
  seconds: number,
  hang: HangSnapshot & { readonly execution: number },
  witnesses: readonly StateWitness[],
): SearchResult {
  const unsaved: WriteFailure[] = [];
  const judged = hang.execution - 1;
  const out = [
    `Explore ${t.scenario.name}: ${t.scenario.title}`,
    `reader ${t.reader.name}, contract ${t.contract.name}, model ${t.model}, preemption bound ${bound}`,
  ];
  const record = watchedTimeoutRecord(t, hang, seconds, 'exhaustive', `bound ${bound}`);
  const detail = record.verdict.kind === 'timeout' ? record.verdict.detail : '';
  out.push(
    `TIMEOUT: execution ${hang.execution} did not return within ${seconds} s (reader ${t.reader.name}: ${detail}); ` +
      `the search of this target was stopped after ${judged} judged execution(s): NO CLAIM about preemption bound ${bound} for this target`,
  );
  const saved = trySaveCrash(o.crashes, record);
  if (saved.unsaved) {
    unsaved.push(saved.unsaved);
    out.push(writeFailureLines(saved.unsaved, 'explore goes on'), `\treplay: ${NOT_SAVED_REPLAY}`);
  } else {
    out.push(
      `timeout file: ${saved.path} (${hang.trace.length} choices)`,
      `\treplay: ${timeoutReplayCommand(saved.path, t.reader.module?.path, seconds)}`,
    );
  }
  if (witnesses.length > 0) {
    const files = saveUnminimized(t, witnesses, o.crashes, bound);
    out.push(
      `DIVERGENCE: ${witnesses.length} divergent state(s) in the ${judged} executions judged before the hang: ` +
        witnesses.map((w) => `${w.state} ${w.label}`).join('; '),
      `the first witness of each, unminimized (the reader is not run again on this target): ${files.length} crash file(s)` +
        (files.length > 0 ? ':' : ''),
      ...files.map((f) => `\treplay: ${replayCommandFor(f.path, t.reader.module?.path)}`),
    );
  }
  return { text: out.join('\n'), diverged: true, unsaved };
}
