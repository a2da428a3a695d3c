import type { ReaderRegistry } from '../../kernel';
import type { Run, Target } from '../../campaign';
import { UsageError, notSingledOutNote, resolveModel, runTarget, selectTargets } from '../../campaign';
import type { EnumerateOptions } from '../../engines';
import type { Exploration } from '../../engines';
import { exhaustSteps } from '../../engines';
import type { LitmusShape } from '../../litmus-shapes';
import { SHAPES, shapeByName } from '../../litmus-shapes';
import type { ModelKind } from '../../machine';
import { EXIT_DIVERGENCE, EXIT_OK, EXIT_USAGE } from '../errors';
import { herdBlock, rawHerdTest, searchLine, shapeTest } from '../herd';
import type { LoadedFile } from '../scenario-files';
import type { Scenario } from '../../scenario';
import { resolveScenarioArgs } from '../scenario-files';
import { checkOutputFolder } from '../../crash';
import { findingReport } from '../render';
import { fieldsText } from '../../report';
import { replayCommandFor } from '../replay-command';
import { cleanStaleTemps } from './fuzz';
import { StopSignals } from '../stop-signals';
import type { WriteFailure } from '../unsaved';
import { NOT_SAVED_REPLAY, notSavedSummary, writeFailureLines } from '../unsaved';
import type { StateWitness } from './explore-crashes';
import { saveExploreCrashes, saveUnminimized } from './explore-crashes';

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
 * SIGINT/SIGTERM during the scenarios' searches (see Interrupt): the target
 * being searched stops at the next execution and is printed as interrupted —
 * its partial states, no claim about the bound — with the crash files of the
 * divergences found so far; targets not started are named as not searched.
 * Exit codes as an interrupted `fuzz`: 1 if a divergence was found, else 0.
 */
export async function exploreCommand(o: ExploreOptions, registry: ReaderRegistry): Promise<number> {
  const write = (text: string): void => void process.stdout.write(text);
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
    const models = o.model?.map(resolveModel) ?? [DEFAULT_LITMUS_MODEL];
    const blocks: string[] = [];
    for (const name of o.litmus) for (const m of models) blocks.push(exploreLitmus(resolveShape(name), m, o));
    write(blocks.join('\n\n') + '\n');
    return EXIT_OK;
  }
  const loaded = resolveScenarioArgs(o.scenario!, registry);
  const raw = loaded.filter((l): l is LoadedFile & { kind: 'raw' } => typeof l !== 'string' && l.kind === 'raw');
  // each block is printed as soon as its search ends (blank line between blocks): an interrupted
  // or failing explore has printed every finished target, and the crash files it wrote
  let printed = 0;
  const emit = (block: string): void => write(`${printed++ > 0 ? '\n' : ''}${block}\n`);
  const blocks: string[] = [];
  if (raw.length > 0) {
    if (o.reader || o.contract !== undefined) {
      throw new UsageError(`--reader and --contract do not apply to ${raw[0]!.file} (a test judged by its condition)`);
    }
    const models = o.model?.map(resolveModel) ?? [DEFAULT_LITMUS_MODEL];
    for (const r of raw)
      for (const m of models) blocks.push(herdBlock(rawHerdTest(r.test), m, enumOptions(o, o.bound)).text);
  }
  const kernel: (string | Scenario)[] = [];
  for (const l of loaded) {
    if (typeof l === 'string') kernel.push(l);
    else if (l.kind === 'kernel') kernel.push(l.scenario);
  }
  if (kernel.length === 0) {
    if (o.crashesGiven === true) {
      throw new UsageError(
        `--crashes does not apply to ${raw[0]!.file} (a test judged by its condition, no reader): explore prints its States block and writes no crash file`,
      );
    }
    blocks.forEach(emit);
    return EXIT_OK;
  }
  const targets = selectTargets(
    {
      scenarios: kernel,
      ...(o.reader ? { readers: o.reader } : {}),
      ...(o.contract !== undefined ? { contract: o.contract } : {}),
      ...(o.model ? { models: o.model } : {}),
    },
    registry,
  );
  checkOutputFolder(o.crashes, '--crashes');
  cleanStaleTemps([o.crashes]);
  blocks.forEach(emit);
  let diverged = false;
  const unsaved: WriteFailure[] = [];
  // the first signal stops the search at its next execution (drive lets the event loop turn every SLICE_MS);
  // an interrupted target's witnesses are on disk unminimized before `dispose` lets a second signal end it
  const signals = new StopSignals((sig) =>
    process.stderr.write(
      search.target === undefined
        ? `INFO: ${sig}: stopping before the next target (send it again to abort at once)\n`
        : `INFO: ${sig}: stopping the search of ${search.target.key} after the current execution (send it again to abort at once)\n`,
    ),
  );
  const search: Search = { signals, target: undefined };
  try {
    for (let i = 0; i < targets.length; i++) {
      await nextTurn(); // a signal sent during the last target's minimization is handled here
      if (signals.signal !== undefined) {
        emit(notSearchedBlock(targets.slice(i), signals.signal));
        break;
      }
      const t = targets[i]!;
      // on stderr: which of a long explore's searches is running (the blocks come out on stdout as each ends)
      process.stderr.write(
        `INFO: exploring ${t.key}, preemption bound ${o.bound ?? DEFAULT_SCENARIO_BOUND} (target ${i + 1} of ${targets.length})\n`,
      );
      const r = await exploreTarget(t, o, registry, search);
      diverged ||= r.diverged;
      unsaved.push(...r.unsaved);
      emit(r.text);
    }
  } finally {
    signals.dispose();
  }
  if (unsaved.length > 0) {
    // every search ran to its end (a crash file is not needed to go on): a failure to look at all the same
    process.stderr.write(`ptefuzz: ${notSavedSummary(unsaved, 'explore searched every target all the same')}\n`);
    return EXIT_USAGE;
  }
  return diverged ? EXIT_DIVERGENCE : EXIT_OK;
}

/** The signal handlers of an explore and the target whose search is running (named when a signal arrives). */
interface Search {
  readonly signals: StopSignals;
  target: Target | undefined;
}

/** How long a search runs between two turns of the event loop (where a signal handler can run). */
const SLICE_MS = 50;

/** One turn of the event loop: pending signal handlers run (libuv polls its signal pipe before the check phase). */
function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Run a sliced computation (exhaustSteps) to its end, letting the event loop turn every SLICE_MS. */
async function drive<T>(steps: Generator<void, T, undefined>): Promise<T> {
  let slice = Date.now() + SLICE_MS;
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
    if (Date.now() >= slice) {
      await nextTurn();
      slice = Date.now() + SLICE_MS;
    }
  }
}

/** The targets an interrupted explore never started: named, so that nobody reads their absence as a pass. */
function notSearchedBlock(targets: readonly Target[], signal: NodeJS.Signals): string {
  return [
    `NOT SEARCHED (${signal} before their search began): ${targets.length} target(s), no claim about them`,
    ...targets.map(
      (t) => `  ${t.scenario.name}: reader ${t.reader.name}, contract ${t.contract.name}, model ${t.model}`,
    ),
  ].join('\n');
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
const NOT_DIVERGENT: ReadonlySet<string> = new Set([AGREE, 'bound-hit', NO_READ]);

/**
 * One state per judged reader invocation: its returned value, labelled with its verdict. A divergence
 * that no returned value explains — a consumer invariant (use-after-free, lost-dirty, wrong-page) broken
 * although every value the reader returned was acceptable, or a livelock — is a state of its own, so the
 * execution counts as divergent.
 */
function scenarioStates(t: Target, r: Run, values?: Map<string, bigint>): [string, string][] {
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
    const why = exec.outcome.kind === 'bound-hit' ? `bound-hit (${exec.outcome.bound})` : 'no completed read';
    states.push([why, v.kind === 'bound-hit' ? 'bound-hit' : NO_READ]);
  }
  return states;
}

/**
 * Under the "no divergence" line when some executions hit a bound: they were not judged, so the claim
 * covers the others only. A retry bound hit under a preemption bound is usually a reader spinning on a
 * writer that would need one more preemption to finish (a livelock is a divergence, not a bound hit).
 */
function boundHitNote(hits: number, executions: number): string {
  return (
    `  (${hits} of ${executions} executions hit a bound and were not judged — neither a pass nor a divergence; ` +
    'typically the reader retrying on a writer left half done when the preemption bound ran out: the bound-hit ' +
    'state above)'
  );
}

async function exploreTarget(
  t: Target,
  o: ExploreOptions,
  registry: ReaderRegistry,
  search: Search,
): Promise<{ text: string; diverged: boolean; unsaved: readonly WriteFailure[] }> {
  const bound = o.bound ?? DEFAULT_SCENARIO_BOUND;
  const unsaved: WriteFailure[] = [];
  let raced = 0;
  let boundHits = 0;
  const values = new Map<string, bigint>();
  const interrupt = search.signals;
  search.target = t;
  const x: Exploration<Run> = await drive(
    exhaustSteps(
      (source) => {
        const run = runTarget(t, source);
        if (run.judgement.raced > 0) raced++;
        if (run.judgement.verdict.kind === 'bound-hit') boundHits++;
        return run;
      },
      (run) => scenarioStates(t, run, values),
      { ...enumOptions(o, bound), shouldStop: interrupt.shouldStop },
      (state, label, executions) => {
        // on stderr as the search goes: a long search tells its finds (and a test knows when to interrupt)
        if (!NOT_DIVERGENT.has(label))
          process.stderr.write(`#${executions}\tNEW\tdivergent state ${state}  ${label}\t(${t.key})\n`);
      },
    ),
  );
  search.target = undefined;
  const stopped = x.interrupted ? interrupt.signal! : undefined;
  const states = [...x.states.values()].sort((a, b) => a.state.localeCompare(b.state));
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
      ? `Executions ${x.executions}; INTERRUPTED by ${stopped}: the states above are partial`
      : searchLine(x, bound),
  );
  out.push(`Raced: the reader overlapped a writer in ${raced} of ${x.executions} executions`);
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
    if (boundHits > 0) out.push(boundHitNote(boundHits, x.executions));
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
    const crashes = saveExploreCrashes(t, witnesses, o.crashes, bound, registry, standIns);
    unsaved.push(...crashes.flatMap((c) => (c.unsaved ? [c.unsaved] : [])));
    out.push(
      (stopped !== undefined
        ? `DIVERGENCE: ${divergent.length} divergent state(s) in the ${x.executions} executions explored before ${stopped} (search interrupted; more may exist within bound ${bound})`
        : `DIVERGENCE: ${divergent.length} divergent state(s) within bound ${bound}`) +
        '; the first witness of each, minimized: ' +
        `${crashes.length} crash file(s) (one per distinct divergence), in ${o.crashes.replace(/\/+$/, '')}/` +
        (unsaved.length > 0 ? ` — ${unsaved.length} of them NOT SAVED (see below)` : ''),
    );
    const note = notSingledOutNote(t.scenario, [{ reader: t.reader.name, model: t.model }]);
    if (note !== undefined) out.push(note);
    for (const c of crashes) {
      out.push(
        '',
        c.states.length === 1
          ? `first witness of ${c.states[0]!}, minimized:`
          : `first witnesses of ${c.states.join('; ')}, minimized (one divergence: the same fingerprint):`,
        findingReport(c.finding),
        ...(c.unsaved
          ? [writeFailureLines(c.unsaved, 'explore goes on'), `\treplay: ${NOT_SAVED_REPLAY}`]
          : [`\treplay: ${replayCommandFor(c.file, t.reader.module?.path)}`]),
      );
    }
  }
  return { text: out.join('\n'), diverged: witnesses.length > 0, unsaved };
}

// ---- litmus shapes (herd7 output) -----------------------------------------

/** herd7's answer for one shape under one model: States, Ok/No, Witnesses, Condition, Observation. */
function exploreLitmus(shape: LitmusShape, model: ModelKind, o: ExploreOptions): string {
  return herdBlock(shapeTest(shape), model, enumOptions(o, o.bound)).text;
}
