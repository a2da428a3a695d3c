import type { ReaderRegistry } from '../../kernel';
import type { Run, Target } from '../../campaign';
import { UsageError, notSingledOutNote, resolveModel, runTarget, selectTargets } from '../../campaign';
import type { EnumerateOptions } from '../../engines';
import { exhaust } from '../../engines';
import type { LitmusShape } from '../../litmus-shapes';
import { SHAPES, shapeByName } from '../../litmus-shapes';
import type { ModelKind } from '../../machine';
import { EXIT_DIVERGENCE, EXIT_OK } from '../errors';
import { herdBlock, rawHerdTest, searchLine, shapeTest } from '../herd';
import type { LoadedFile } from '../scenario-files';
import type { Scenario } from '../../scenario';
import { resolveScenarioArgs } from '../scenario-files';
import { checkOutputFolder } from '../../crash';
import { findingReport } from '../render';
import { fieldsText } from '../../report';
import { replayCommandFor } from '../replay-command';
import { cleanStaleTemps } from './fuzz';
import type { StateWitness } from './explore-crashes';
import { saveExploreCrashes } from './explore-crashes';

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
 */
export function exploreCommand(o: ExploreOptions, registry: ReaderRegistry): number {
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
  for (const t of targets) {
    const r = exploreTarget(t, o, registry);
    diverged ||= r.diverged;
    emit(r.text);
  }
  return diverged ? EXIT_DIVERGENCE : EXIT_OK;
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

function exploreTarget(t: Target, o: ExploreOptions, registry: ReaderRegistry): { text: string; diverged: boolean } {
  const bound = o.bound ?? DEFAULT_SCENARIO_BOUND;
  let raced = 0;
  let boundHits = 0;
  const values = new Map<string, bigint>();
  const x = exhaust(
    (source) => {
      const run = runTarget(t, source);
      if (run.judgement.raced > 0) raced++;
      if (run.judgement.verdict.kind === 'bound-hit') boundHits++;
      return run;
    },
    (run) => scenarioStates(t, run, values),
    enumOptions(o, bound),
  );
  const states = [...x.states.values()].sort((a, b) => a.state.localeCompare(b.state));
  const width = Math.max(1, ...states.map((s) => String(s.count).length));
  const out = [
    `Explore ${t.scenario.name}: ${t.scenario.title}`,
    `reader ${t.reader.name}, contract ${t.contract.name}, model ${t.model}, preemption bound ${bound}`,
    `States ${states.length}`,
  ];
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
  out.push(searchLine(x, bound));
  out.push(`Raced: the reader overlapped a writer in ${raced} of ${x.executions} executions`);
  if (witnesses.length === 0) {
    out.push(
      x.truncated
        ? `no divergence in the ${x.executions} executions explored (search truncated)`
        : x.boundCut
          ? `no divergence within bound ${bound}`
          : 'no divergence (complete search)',
    );
    if (boundHits > 0) out.push(boundHitNote(boundHits, x.executions));
  } else {
    const divergent = states.filter((s) => [...s.labels.keys()].some((l) => !NOT_DIVERGENT.has(l)));
    const crashes = saveExploreCrashes(t, witnesses, o.crashes, bound, registry);
    out.push(
      `DIVERGENCE: ${divergent.length} divergent state(s) within bound ${bound}; the first witness of each, minimized: ` +
        `${crashes.length} crash file(s) (one per distinct divergence), in ${o.crashes.replace(/\/+$/, '')}/`,
    );
    const note = notSingledOutNote(t.scenario, [t.reader.name]);
    if (note !== undefined) out.push(note);
    for (const c of crashes) {
      out.push(
        '',
        c.states.length === 1
          ? `first witness of ${c.states[0]!}, minimized:`
          : `first witnesses of ${c.states.join('; ')}, minimized (one divergence: the same fingerprint):`,
        findingReport(c.finding),
        `\treplay: ${replayCommandFor(c.file, t.reader.module?.path)}`,
      );
    }
  }
  return { text: out.join('\n'), diverged: witnesses.length > 0 };
}

// ---- litmus shapes (herd7 output) -----------------------------------------

/** herd7's answer for one shape under one model: States, Ok/No, Witnesses, Condition, Observation. */
function exploreLitmus(shape: LitmusShape, model: ModelKind, o: ExploreOptions): string {
  return herdBlock(shapeTest(shape), model, enumOptions(o, o.bound)).text;
}
