import { unlinkSync } from 'node:fs';
import type { ReaderRegistry } from '../../kernel';
import type { Finding, Run, Target } from '../../campaign';
import {
  CAMPAIGN_MINIMIZE_SCHEDULES,
  UnreplayedDivergence,
  crashRecord,
  minimizeWitness,
  runTarget,
  witnessTarget,
} from '../../campaign';
import type { CrashFile } from '../../crash';
import { encodeCrash, fingerprint, loadIfCrash } from '../../crash';
import type { Rank } from '../../minimize';
import { DEFAULT_BOUNDS, TraceSource } from '../../machine';
import type { WatchedExecutions } from '../watched-call';
import { HungExecution } from '../watched-call';
import { preferredWitness, rankOf } from '../../minimize';
import type { WriteFailure } from '../unsaved';
import { trySaveCrash } from '../unsaved';

/** A divergent state of an exploration (its value and verdict label) and the first execution that reached it. */
export interface StateWitness {
  readonly state: string;
  readonly label: string;
  readonly run: Run;
}

/** A crash file `explore` wrote (or found already there): the witness it stores, and the states it stands for. */
export interface ExploreCrash {
  /** the witness as the file replays it (on the reduced program when the minimizer dropped CPUs or operations) */
  readonly finding: Finding;
  readonly file: string;
  /** `VALUE LABEL` of every divergent state whose first witness minimized to this file, in the states' order */
  readonly states: readonly string[];
  /** the file could not be written (disk full, …): its bytes, to print with the command that writes them */
  readonly unsaved?: WriteFailure;
  /** a candidate of the minimizer did not return: the witness is saved as found, unminimized */
  readonly hung?: HungExecution;
}

interface Candidate {
  record: CrashFile;
  rank: Rank;
  bytes: Buffer;
  /** the witness's target and run (what the record stores), drawn when a replay of the file hangs */
  target: Target;
  run: Run;
  hung?: HungExecution;
}

const NOT_TIMED: Finding['first'] = { executions: 0, seconds: 0 };

/**
 * The crash files of one explored target, as a fuzz campaign writes them: the
 * first witness of every divergent state is minimized with the campaign's
 * predicate (same reader, contract, model and class — src/campaign/minimize-witness.ts),
 * witnesses of one fingerprint are one file (the lightest witness, ties
 * broken by bytes, as `fuzz --jobs` decides), and each file is written
 * atomically under its fingerprint name. The engine is `exhaustive` and the
 * seed field says the bound (as `matrix --engine exhaustive --crashes` does).
 * The enumeration is deterministic, so the same scenario and bound write the
 * same files, byte for byte. Every execution of the minimizer, and the replay
 * of each file, runs under `watch` (watched-call.ts): a witness whose
 * minimization hangs is saved as found (ExploreCrash.hung).
 */
export function saveExploreCrashes(
  t: Target,
  witnesses: readonly StateWitness[],
  dir: string,
  bound: number,
  registry: ReaderRegistry,
  /** the unminimized stand-ins saveUnminimized wrote: replaced where a minimized file takes the same name, else removed */
  standIns: readonly SavedStandIn[] = [],
  watch?: WatchedExecutions,
  /** the minimizations' schedule search (minimizeWitness) */
  schedules: number = CAMPAIGN_MINIMIZE_SCHEDULES,
): ExploreCrash[] {
  const minimized = new Map<Run, Candidate>(); // one execution may be the first witness of several states
  const byId = new Map<string, Candidate & { states: string[] }>();
  for (const w of witnesses) {
    let c = minimized.get(w.run);
    if (c === undefined) {
      c = minimize(t, w.run, bound, watch, schedules);
      minimized.set(w.run, c);
    }
    const id = fingerprint(c.record);
    const known = byId.get(id);
    if (known === undefined) {
      byId.set(id, { ...c, states: [`${w.state} ${w.label}`] });
      continue;
    }
    known.states.push(`${w.state} ${w.label}`);
    if (preferredWitness(c.rank, c.bytes, known.rank, known.bytes)) {
      Object.assign(known, c);
    }
  }
  const ours = new Set(standIns.filter((s) => s.fresh).map((s) => s.path));
  const crashes = [...byId.values()].map((c) => {
    const saved = trySaveCrash(dir, c.record, ours, c.bytes);
    // a file of the same fingerprint already there (an earlier campaign's) is kept: draw what it stores
    const record = saved.fresh || saved.unsaved ? c.record : (loadIfCrash(saved.path) ?? c.record);
    return {
      finding: findingOf(t, record, saved.path, registry, c, watch),
      file: saved.path,
      states: c.states,
      ...(saved.unsaved ? { unsaved: saved.unsaved } : {}),
      ...(c.hung ? { hung: c.hung } : {}),
    };
  });
  // every minimized file is written: the stand-ins this process wrote under other names go (where one
  // could not be written, the stand-in of its divergence may be all there is on disk: every stand-in stays)
  if (crashes.some((c) => c.unsaved)) return crashes;
  const kept = new Set(crashes.map((c) => c.file));
  for (const path of ours) {
    if (kept.has(path)) continue;
    try {
      unlinkSync(path);
    } catch {
      // already gone: nothing to remove
    }
  }
  return crashes;
}

/** An unminimized witness saveUnminimized wrote (fresh) or found already under its name. */
export interface SavedStandIn {
  readonly path: string;
  readonly fresh: boolean;
}

/**
 * The first witness of every divergent state as found, unminimized — one
 * file per fingerprint (the first witness in DFS order), each a whole crash
 * file that replays (the full trace on the full program) — written
 * atomically before an interrupted explore minimizes them, so that a second
 * signal during the minimization, which then ends the process at once,
 * leaves a replayable file for every divergence found. saveExploreCrashes
 * replaces or removes them once the minimized files are written. A stand-in
 * that cannot be written (disk full) is left out: the minimized file's
 * failure prints its bytes.
 */
export function saveUnminimized(
  t: Target,
  witnesses: readonly StateWitness[],
  dir: string,
  bound: number,
): SavedStandIn[] {
  const byId = new Map<string, CrashFile>();
  for (const w of witnesses) {
    const record = unminimizedRecord(t, w.run, bound);
    const id = fingerprint(record);
    if (!byId.has(id)) byId.set(id, record);
  }
  return [...byId.values()].map((record) => trySaveCrash(dir, record)).filter((saved) => saved.unsaved === undefined);
}

/** The crash record of a divergent state's first witness as found (whole trace, whole program). */
function unminimizedRecord(t: Target, run: Run, bound: number): CrashFile {
  if (run.judgement.verdict.kind !== 'divergence')
    throw new Error(`[ptefuzz internal bug] a divergent state of ${t.key} without a divergence`);
  return crashRecord(
    { target: t, trace: run.exec.trace, exec: run.exec, judgement: run.judgement },
    'exhaustive',
    `bound ${bound}`,
  );
}

function minimize(
  t: Target,
  run: Run,
  bound: number,
  watch: WatchedExecutions | undefined,
  schedules: number,
): Candidate {
  const v = run.judgement.verdict;
  if (v.kind !== 'divergence')
    throw new Error(`[ptefuzz internal bug] a divergent state of ${t.key} without a divergence`);
  let min: ReturnType<typeof minimizeWitness>;
  try {
    min = minimizeWitness(t, v.class, run.exec.trace, DEFAULT_BOUNDS, watch, schedules);
  } catch (e) {
    if (!(e instanceof HungExecution)) throw e;
    // the minimizer's state is dead: the witness as found (its execution returned during the search)
    const record = unminimizedRecord(t, run, bound);
    return { record, rank: rankOf(run.exec), bytes: encodeCrash(record), target: t, run, hung: e };
  }
  if (min === null) throw new UnreplayedDivergence(t, v.class);
  const record = crashRecord(
    { target: min.target, trace: min.trace, exec: min.run.exec, judgement: min.run.judgement },
    'exhaustive',
    `bound ${bound}`,
  );
  return { record, rank: rankOf(min.run.exec), bytes: encodeCrash(record), target: min.target, run: min.run };
}

/**
 * The witness a crash file of `t` stores, replayed (on the program its trace runs on: witnessTarget), to draw it.
 * A replay that hangs (watched) draws the candidate's own run instead (of the same fingerprint: the same divergence).
 */
function findingOf(
  t: Target,
  rec: CrashFile,
  file: string,
  registry: ReaderRegistry,
  c: Candidate,
  watch: WatchedExecutions | undefined,
): Finding {
  let target = witnessTarget(t, rec, file, registry);
  let run: Run;
  try {
    run = runTarget(target, new TraceSource(rec.trace), DEFAULT_BOUNDS, watch);
  } catch (e) {
    if (!(e instanceof HungExecution)) throw e;
    ({ target, run } = c);
  }
  return {
    target,
    class: rec.verdict.class,
    trace: rec.trace,
    exec: run.exec,
    judgement: run.judgement,
    first: NOT_TIMED,
    hits: 0,
  };
}
