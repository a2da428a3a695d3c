import { basename } from 'node:path';
import seedrandom from 'seedrandom';
import type { ReaderRegistry } from '../../kernel';
import type {
  CampaignResult,
  CampaignEvent,
  TimeoutFinding,
  CampaignStatus,
  FoundDivergence,
  FuzzEngineName,
  ReaderStats,
  Selection,
  ShardSpec,
  Target,
  ExpectationCheck,
  RunExpectation,
} from '../../campaign';
import {
  FUZZ_ENGINES,
  NO_SHARD,
  UsageError,
  addStats,
  emptyStats,
  expectationsOf,
  overallVerdict,
  portableSelection,
  selectTargets,
} from '../../campaign';
import {
  addStability,
  corpusKey,
  judgesExpectation,
  notSingledOutNote,
  stabilityPercent,
  targetExpectation,
} from '../../campaign';
import type { PctBound } from '../../engines';
import { DEFAULT_PCT_DEPTH, FUZZ_COMMAND_ENGINES } from '../../engines';
import { checkOutputFolder, removeStaleTemps } from '../../crash';
import { corpusFileName, corpusFolderName, encodeCorpusEntry } from '../../crash';
import { EXIT_DIVERGENCE, EXIT_OK, EXIT_USAGE } from '../errors';
import { barInfo, statusLine } from '../status';
import type { DivergenceReport } from '../render';
import { alignColumns, counted } from '../render';
import type { Diagrams } from '../divergence-lines';
import { defaultDiagrams, newDivergenceLines } from '../divergence-lines';
import type { RawTest, Scenario } from '../../scenario';
import { EXPECTATIONS } from '../../scenario';
import type { LoadedFile } from '../scenario-files';
import { resolveScenarioArgs } from '../scenario-files';
import { CampaignOutput } from '../progress';
import type { CorpusCounts, ParallelResult } from '../parallel';
import type { WriteFailure } from '../unsaved';
import { NOT_SAVED_REPLAY, notSavedSummary, writeFailureLines } from '../unsaved';
import { runParallel } from '../parallel';
import type { MinimizeHang } from '../timeout-ledger';
import { MAX_TIMEOUTS_PER_TARGET } from '../timeout-ledger';
import { fuzzRawTests } from './fuzz-raw';
import { replayCommandFor, timeoutReplayCommand } from '../replay-command';
import { ptefuzzInvocation } from '../invocation';
import { shellQuote } from '../../crash';
import { DEFAULT_TIMEOUT_SECONDS } from '../watchdog';
import type { StopSignals } from '../stop-signals';
import { nextTurn, notStartedLine } from '../stop-signals';

export interface FuzzOptions {
  scenario?: string[];
  reader?: string[];
  contract?: string;
  model?: string[];
  engine: string;
  /** PCT bug depth d */
  depth?: number;
  runs?: number;
  time?: number;
  seed?: number;
  crashes: string;
  /** `--crashes` was on the command line (not its default): refused where no crash file is written */
  crashesGiven?: boolean;
  /** corpus folder: engine coverage (msgpack traces) or engine jsfuzz (byte inputs) */
  corpus?: string;
  json?: boolean;
  /** worker threads (default 1: the campaign runs in this thread) */
  jobs?: number;
  /** this machine's slice of a multi-machine campaign (0-based index internally) */
  shard?: ShardSpec;
  /** the watchdog: seconds an execution may run before it is stopped and saved as a timeout */
  timeout?: number;
  /** `--reader-module` files (already registered; the workers load them again) */
  readerModule?: string[];
  /** the new divergences whose diagram is printed (default: defaultDiagrams) */
  diagrams?: Diagrams;
  /** the minimizations' schedule search (default CAMPAIGN_MINIMIZE_SCHEDULES) */
  minimizeSchedules?: number;
}

/**
 * A temporary file of an atomic write older than this is a leftover of a
 * killed process (a live writer holds one for milliseconds; the margin covers
 * clock skew between machines sharing a folder).
 */
export const STALE_TEMP_AGE_MS = 10 * 60 * 1000;

/** Remove stale temporary files from the campaign's output folders, saying how many. */
export function cleanStaleTemps(dirs: readonly string[]): void {
  for (const dir of dirs) {
    const n = removeStaleTemps(dir, Date.now(), STALE_TEMP_AGE_MS);
    if (n > 0) {
      process.stderr.write(
        `INFO: removed ${n} stale temporary file${n === 1 ? '' : 's'} (*.tmp-<pid>-<thread>-<n>) from ${dir}\n`,
      );
    }
  }
}

/** Default corpus folder (git-ignored). */
export const DEFAULT_CORPUS_DIR = 'corpus/generated';

/** Default campaign length when neither --runs nor --time is given. */
export const DEFAULT_SECONDS = 60;

/** Corpus files that do not load are named one line each up to this many; one line then stands for the rest. */
export const CORPUS_SKIP_LINES = 10;

export function randomSeed(): number {
  // seedrandom's autoseed (crypto entropy) — the only randomness; printed so the run can be repeated.
  return seedrandom(undefined, { entropy: true }).int32() >>> 0;
}

/** `--scenario` values for a campaign: built-in names and kernel `.scn` files. */
export function kernelScenarios(args: readonly string[], registry: ReaderRegistry): (string | Scenario)[] {
  return kernelOf(resolveScenarioArgs(args, registry));
}

/** Loaded `--scenario` values as a kernel campaign takes them: a raw test is refused. */
function kernelOf(loaded: readonly (string | LoadedFile)[]): (string | Scenario)[] {
  return loaded.map((l) => {
    if (typeof l === 'string') return l;
    if (l.kind === 'kernel') return l.scenario;
    throw new UsageError(
      `${l.file} is a test judged by its condition (no pte, no reader): run it with \`ptefuzz fuzz --scenario ${shellQuote(l.file)}\`, \`ptefuzz explore --scenario ${shellQuote(l.file)}\` or \`ptefuzz litmus ${shellQuote(l.file)}\``,
    );
  });
}

/**
 * The litmus tests and raw `.scn` files of `--scenario` (tests judged by their
 * condition, fuzzed by fuzz-raw.ts), or undefined when there are none. They
 * cannot share a campaign with kernel scenarios, and the options that only
 * mean something for a kernel campaign are refused.
 */
function rawTestsOf(
  o: FuzzOptions,
  loaded: readonly (string | LoadedFile)[],
): { test: RawTest; file: string }[] | undefined {
  const raw = loaded.flatMap((l) =>
    typeof l !== 'string' && l.kind === 'raw' ? [{ test: l.test, file: l.file }] : [],
  );
  if (raw.length === 0) return undefined;
  if (raw.length < loaded.length) {
    throw new UsageError(
      '--scenario: litmus tests (and .scn files without a pte) are judged by their condition and cannot share a campaign with kernel scenarios; run them in a campaign of their own',
    );
  }
  const noReader = 'they have no reader';
  const kernelOnly: [boolean, string, string][] = [
    [o.reader !== undefined, '--reader', noReader],
    [o.contract !== undefined, '--contract', noReader],
    [(o.jobs ?? 1) > 1, '--jobs', noReader],
    [o.shard !== undefined, '--shard', noReader],
    [o.corpus !== undefined, '--corpus', noReader],
    // a litmus campaign runs in this thread, unwatched: its programs have no reader code that could hang
    [o.timeout !== undefined, '--timeout', noReader],
    [
      o.diagrams !== undefined,
      '--diagrams',
      'a litmus campaign draws no diagram (its report names each witness state)',
    ],
    [
      o.crashesGiven === true,
      '--crashes',
      'a litmus campaign counts the executions reaching the condition and writes no crash file',
    ],
    [
      o.minimizeSchedules !== undefined,
      '--minimize-schedules',
      'a litmus campaign minimizes no witness (it writes no crash file)',
    ],
  ];
  for (const [given, flag, why] of kernelOnly) {
    if (given) throw new UsageError(`${flag} does not apply to litmus tests (${raw[0]!.file}): ${why}`);
  }
  return raw;
}

/**
 * The target selection of the fuzz options (`.scn` files loaded with the readers of `registry`, unless the
 * caller already loaded the `--scenario` values: `loaded`). Without --model each reader runs under its
 * scenario's model and the models its `bug under M` clauses name; with it, exactly those models.
 */
export function selectionOf(
  o: FuzzOptions,
  registry: ReaderRegistry,
  loaded = o.scenario ? resolveScenarioArgs(o.scenario, registry) : undefined,
): Selection {
  return {
    ...(loaded ? { scenarios: kernelOf(loaded) } : {}),
    ...(o.reader ? { readers: o.reader } : {}),
    ...(o.contract !== undefined ? { contract: o.contract } : {}),
    // no --model: each reader under its scenario's model and the models its `bug under M` clauses name
    ...(o.model ? { models: o.model } : { withBugModels: true }),
  };
}

/**
 * `ptefuzz fuzz` (engines coverage, random, pct). `signals` was installed before anything was loaded
 * (main.ts): a signal during the start-up stops the campaign before its first execution.
 */
export async function fuzzCommand(o: FuzzOptions, registry: ReaderRegistry, signals: StopSignals): Promise<number> {
  if (o.engine === 'exhaustive') {
    throw new UsageError('engine "exhaustive" enumerates every trace: use `ptefuzz explore --scenario NAME --bound K`');
  }
  if (!(FUZZ_ENGINES as readonly string[]).includes(o.engine)) {
    throw new UsageError(`unknown engine "${o.engine}"; valid: ${FUZZ_COMMAND_ENGINES.join(', ')}`);
  }
  if (o.depth !== undefined && o.engine !== 'pct') {
    throw new UsageError(`--depth applies to --engine pct only (engine is ${o.engine})`);
  }
  if (o.corpus !== undefined && o.engine !== 'coverage') {
    throw new UsageError(`--corpus applies to --engine coverage only (engine is ${o.engine})`);
  }
  // each --scenario file is read and lowered once, for both the litmus check and the selection
  const loaded = o.scenario ? resolveScenarioArgs(o.scenario, registry) : undefined;
  const raw = rawTestsOf(o, loaded ?? []);
  if (raw !== undefined) {
    // the litmus campaign runs in this thread without a turn of the event loop: a signal before it is handled
    // here, one during it has its default effect (it is bounded by --runs or --time)
    await nextTurn();
    if (signals.signal !== undefined) {
      process.stderr.write(
        notStartedLine(signals.signal, `none of the ${raw.length} test(s) was run (no execution)`) + '\n',
      );
      return EXIT_OK;
    }
    signals.dispose();
    const seed = String(o.seed ?? randomSeed());
    if (o.seed === undefined)
      process.stderr.write(`INFO: Seed: ${seed} (chosen at random; pass --seed ${seed} to repeat)\n`);
    return fuzzRawTests(
      raw,
      {
        engine: o.engine as FuzzEngineName,
        seed,
        ...(o.depth !== undefined ? { depth: o.depth } : {}),
        ...(o.runs !== undefined ? { runs: o.runs } : {}),
        ...(o.time !== undefined ? { time: o.time } : {}),
        ...(o.model ? { model: o.model } : {}),
        ...(o.json ? { json: true } : {}),
      },
      () => Date.now(),
    );
  }
  const shard = o.shard ?? NO_SHARD;
  if (o.shard !== undefined && o.seed === undefined) {
    throw new UsageError(
      `--shard ${shard.index + 1}/${shard.count} needs --seed: every shard must run the same campaign (e.g. --seed 1)`,
    );
  }
  const jobs = o.jobs ?? 1;
  const timeoutSeconds = o.timeout ?? DEFAULT_TIMEOUT_SECONDS;
  const engine = o.engine as FuzzEngineName;
  const corpusDir = engine === 'coverage' ? (o.corpus ?? DEFAULT_CORPUS_DIR) : undefined;
  checkOutputFolder(o.crashes, '--crashes');
  // checked here, before any worker starts (each worker opens the folder itself)
  if (corpusDir !== undefined) checkOutputFolder(corpusDir, '--corpus');
  const depth = engine === 'pct' ? (o.depth ?? DEFAULT_PCT_DEPTH) : undefined;
  const sel: Selection = selectionOf(o, registry, loaded);
  const targets = selectTargets(sel, registry);
  const seedChosen = o.seed === undefined;
  const seed = String(o.seed ?? randomSeed());
  if (seedChosen) process.stderr.write(`INFO: Seed: ${seed} (chosen at random; pass --seed ${seed} to repeat)\n`);
  const seconds = o.runs === undefined && o.time === undefined ? DEFAULT_SECONDS : o.time;
  const splitText =
    (jobs > 1 ? `, ${jobs} jobs` : '') + (shard.count > 1 ? `, shard ${shard.index + 1}/${shard.count}` : '');
  process.stderr.write(
    `INFO: ${counted(targets.length, 'target')} (${counted(new Set(targets.map((t) => t.scenario.name)).size, 'scenario')}), engine ${o.engine}${depth !== undefined ? ` (depth ${depth})` : ''}, ` +
      (o.runs !== undefined ? `${o.runs} runs${shard.count > 1 ? ' (all shards)' : ''}` : `${seconds} s`) +
      `${splitText}, crashes in ${o.crashes}/` +
      (corpusDir !== undefined ? `, corpus in ${corpusDir.replace(/\/+$/, '')}/` : '') +
      '\n',
  );
  cleanStaleTemps([o.crashes, ...(corpusDir !== undefined ? [corpusDir] : [])]);
  const out = new CampaignOutput(process.stderr, seconds);
  const t0 = Date.now();
  /** crash files that could not be written (paths): their findings print no replay command */
  const unsaved = new Set<string>();
  const diagrams = o.diagrams ?? defaultDiagrams(targets);
  const onStatus = (s: CampaignStatus, event: CampaignEvent, f?: FoundDivergence, report?: DivergenceReport): void => {
    // a new divergence: its report drawn in a worker thread (the reader runs only there), or a warning line;
    // a new corpus entry (dozens a second early on) updates the bar instead of scrolling the reports away
    if (event === 'new' && f && report !== undefined) {
      out.write(newDivergenceLines(s, f, report, diagrams, unsaved.has(f.file!)));
    } else if (!(event === 'corpus' && out.bar)) {
      out.write(statusLine(s, event) + '\n');
    }
    out.setInfo(barInfo(s));
    out.progress((Date.now() - t0) / 1000, Date.now());
  };
  const onWriteFailure = (w: WriteFailure): void => {
    unsaved.add(w.path);
    out.write(writeFailureLines(w, 'the campaign stops after the current run') + '\n');
  };
  const onTimeout = (s: CampaignStatus, t: TimeoutFinding, fresh: boolean, dropped: boolean): void => {
    out.write(timeoutLines(s, t, fresh, timeoutSeconds, unsaved.has(t.file)) + '\n');
    if (dropped) out.write(droppedLine(t.target) + '\n');
    out.setInfo(barInfo(s));
  };
  const onMinimizeHang = (_s: CampaignStatus, h: MinimizeHang): void => {
    // one warning per target and class: another job's hang on it too is counted (summary, --json), not said again
    if (!h.again) out.write(minimizeHangWarning(h, unsaved) + '\n');
  };

  // SIGINT/SIGTERM/SIGHUP: stop after the current run, write the summary, exit with the campaign's code.
  // SIGHUP (the terminal closed, `kill -HUP`): a campaign logging to a file ends with its summary, not cut short.
  // A second signal aborts at once (crash files are written atomically, so none is half-written).
  let stopWorkers: (() => void) | undefined;
  // a signal during the start-up (reader modules, .scn files, the selection) is handled now: the workers
  // are stopped before their first run and the summary says nothing was run
  await nextTurn();
  signals.handle((sig) => {
    stopWorkers?.();
    out.write(`INFO: ${sig}: stopping after the current run (send it again to abort at once)\n`);
  });
  let result: ParallelResult;
  try {
    // every campaign runs in worker threads, watched by this one (parallel.ts, watchdog.ts)
    {
      const run = runParallel({
        jobs,
        shard,
        selection: portableSelection(sel),
        targets,
        readerModules: o.readerModule ?? [],
        registry,
        engine,
        ...(depth !== undefined ? { depth } : {}),
        ...(o.minimizeSchedules !== undefined ? { minimizeSchedules: o.minimizeSchedules } : {}),
        seed,
        ...(o.runs !== undefined ? { runs: o.runs } : {}),
        ...(seconds !== undefined ? { seconds } : {}),
        timeoutSeconds,
        ...(corpusDir !== undefined ? { corpus: corpusDir } : {}),
        crashes: o.crashes,
        clock: () => Date.now(),
        onStatus,
        onTimeout,
        onMinimizeHang,
        onWriteFailure,
        onCorpusSkip: (line, n) => {
          // a corpus of thousands of entries, many damaged, must not bury the campaign's output: the first lines,
          // then one line for the rest (the INFO: corpus line at the end counts them all)
          if (n <= CORPUS_SKIP_LINES) out.write(`ptefuzz: warning: ${line}\n`);
          else if (n === CORPUS_SKIP_LINES + 1)
            out.write(
              `ptefuzz: warning: ${(corpusDir ?? '').replace(/\/+$/, '')}/: more corpus files do not load; they are skipped without a line each (the INFO: corpus line at the end counts them; \`ptefuzz merge SCRATCH-FOLDER ${corpusDir ?? ''}\` names every one)\n`,
            );
        },
        onProgress: () => out.progress((Date.now() - t0) / 1000, Date.now()),
        onUnstable: (u) => {
          const key = corpusKey(u.target);
          const file =
            corpusDir === undefined
              ? '(in memory)'
              : `${corpusDir.replace(/\/+$/, '')}/${corpusFolderName(key)}/${corpusFileName(encodeCorpusEntry(key, u.trace))}`;
          out.write(`ptefuzz: warning: unstable corpus entry (${u.when}): ${u.target.key}: ${file}: ${u.detail}\n`);
        },
      });
      stopWorkers = run.stop;
      if (signals.shouldStop()) run.stop();
      result = await run.done;
    }
  } finally {
    signals.dispose();
    out.end();
  }
  // judged once, for the table and for --json
  const checks = campaignExpectations(result);
  process.stderr.write(summaryTable(result, signals.signal, checks, (c) => focusCommand(c, result, o)) + '\n');
  // right under the table's "replay with:" line
  for (const f of result.findings)
    process.stderr.write(
      unsaved.has(f.file!)
        ? `  NOT SAVED: ${basename(f.file!)} (its bytes are printed above, with the command that writes them)\n`
        : `  ${replayCommandFor(f.file!, f.target.reader.module?.path)}\n`,
    );
  for (const s of new Set(result.findings.map((f) => f.target.scenario))) {
    const diverged = result.findings
      .filter((f) => f.target.scenario === s)
      .map((f) => ({ reader: f.target.reader.name, model: f.target.model }));
    const note = notSingledOutNote(s, diverged);
    if (note !== undefined) process.stderr.write(note + '\n');
  }
  if (corpusDir !== undefined)
    process.stderr.write(corpusInfoLine(corpusDir, result.corpusCounts ?? { loaded: 0, saved: 0, skipped: 0 }) + '\n');
  const stab = stabilityTotals(result);
  // no corpus entry re-executed (a campaign stopped before its first run): no stability figure, not "100%"
  if (stab !== undefined && stab.checked > 0) {
    process.stderr.write(
      `INFO: stability ${stab.percent.toFixed(2)}%: ${stab.stable} of ${stab.checked} re-executions of corpus entries reproduced their coverage and verdict\n`,
    );
  }
  if (result.timeouts.length > 0) process.stderr.write(timeoutSummary(result, timeoutSeconds, unsaved) + '\n');
  if (result.minimizeHangs.length > 0)
    process.stderr.write(minimizeHangSummary(result, timeoutSeconds, unsaved) + '\n');
  if (result.pctBounds.size > 0) process.stderr.write(pctBoundLines(result) + '\n');
  const split = {
    engine,
    ...(depth !== undefined ? { depth } : {}),
    ...(jobs > 1 ? { jobs } : {}),
    ...(o.shard !== undefined ? { shard: `${shard.index + 1}/${shard.count}` } : {}),
  };
  const watchdog = watchdogJson(result, timeoutSeconds);
  const failures = {
    ...(result.writeFailures.length > 0
      ? { writeFailures: result.writeFailures.map((w) => ({ file: w.path, message: w.message })) }
      : {}),
    ...(result.deaths.length > 0 ? { workerDeaths: result.deaths.map((d) => ({ ...d, job: d.job + 1 })) } : {}),
  };
  if (o.json)
    process.stdout.write(
      JSON.stringify({ ...jsonSummary(result, seed, split, checks), ...watchdog, ...failures }, null, 2) + '\n',
    );
  // the campaign did not run to its end: a failure to look at (exit 2), its findings summed up above all the same
  const stopped = stoppedLines(result);
  if (stopped.length > 0) {
    process.stderr.write(stopped.map((l) => `ptefuzz: ${l}\n`).join(''));
    return EXIT_USAGE;
  }
  return result.findings.length > 0 || result.timeouts.length > 0 ? EXIT_DIVERGENCE : EXIT_OK;
}

/** Why a campaign stopped before its end (exit 2), one line each: a worker thread died, a crash file was not written. */
export function stoppedLines(r: ParallelResult): string[] {
  const lines = r.deaths.map(
    (d) =>
      `job ${d.job + 1}'s worker thread died (${d.reason}) during run ${d.run}` +
      (d.target !== undefined ? ` of ${d.target}` : '') +
      '; the campaign stopped (any other job after its current run): the summary above counts every execution judged, and the crash files found are written',
  );
  if (r.writeFailures.length > 0) {
    lines.push(notSavedSummary(r.writeFailures, 'the campaign stopped'));
  }
  return lines;
}

function byReader(r: CampaignResult<FoundDivergence>): Map<string, ReaderStats> {
  const out = new Map<string, ReaderStats>();
  for (const t of r.targets) {
    const agg = out.get(t.reader.name) ?? emptyStats();
    addStats(agg, r.perTarget.get(t.key)!);
    out.set(t.reader.name, agg);
  }
  return out;
}

/** The names a target is reported under. */
const names = (t: Target) => ({
  scenario: t.scenario.name,
  reader: t.reader.name,
  contract: t.contract.name,
  model: t.model,
});

/**
 * `split`: the engine (and PCT depth) and the jobs and shard of a split campaign (absent for one job, no shard); `checks`: the campaign's
 * expectations when the caller has judged them already (summaryTable takes the same).
 */
export function jsonSummary(
  r: CampaignResult<FoundDivergence>,
  seed: string,
  split: { engine?: string; depth?: number; jobs?: number; shard?: string } = {},
  checks: readonly CampaignExpectation[] = campaignExpectations(r),
) {
  return {
    executions: r.executions,
    runs: r.runs,
    ...(r.coverage.size > 0 ? { coverage: coverageTotals(r) } : {}),
    ...(r.stability ? { stability: stabilityTotals(r) } : {}),
    seconds: r.seconds,
    execsPerSec: r.seconds > 0 ? Math.round(r.executions / r.seconds) : 0,
    seed,
    ...split,
    interrupted: r.interrupted,
    readers: Object.fromEntries(
      [...byReader(r)].map(([name, st]) => {
        const hung = sumHangs(r, (t) => t.reader.name === name);
        return [name, { ...st, ...(hung > 0 ? { timeouts: hung } : {}), verdict: verdictWithHangs(st, hung) }];
      }),
    ),
    targets: r.targets.map((t) => {
      const st = r.perTarget.get(t.key)!;
      const cov = r.coverage.get(t.key);
      const hung = sumHangs(r, (u) => u === t);
      const stab = r.stability?.get(t.key);
      return {
        ...names(t),
        ...st,
        ...(hung > 0 ? { timeouts: hung } : {}),
        verdict: verdictWithHangs(st, hung),
        ...(cov ? { coverage: cov } : {}),
        ...(stab ? { stability: { ...stab, percent: round2(stabilityPercent(stab)) } } : {}),
      };
    }),
    ...(r.pctBounds.size > 0
      ? {
          pct: r.targets.flatMap((t) => {
            const b = r.pctBounds.get(t.key);
            return b ? [{ ...names(t), ...b }] : [];
          }),
        }
      : {}),
    expectations: checks,
    divergences: r.findings.map((f) => ({
      ...names(f.target),
      class: f.class,
      file: f.file,
      hits: f.hits,
      first: f.first,
    })),
  };
}

/** The `INFO: corpus DIR/:` line at the end of a campaign with a corpus folder: what it loaded, saved, skipped. */
export function corpusInfoLine(dir: string, c: CorpusCounts): string {
  const unsaved = c.unsaved ?? 0;
  const unsynced = c.unsynced ?? 0;
  return (
    `INFO: corpus ${dir.replace(/\/+$/, '')}/: ${counted(c.loaded, 'entry', 'entries')} loaded, ` +
    `${counted(c.saved, 'new entry', 'new entries')} saved` +
    (c.skipped > 0 ? `, ${counted(c.skipped, 'unreadable file')} skipped` : '') +
    (unsaved > 0
      ? `, ${counted(unsaved, 'new entry', 'new entries')} NOT saved (write errors; kept in memory only)`
      : '') +
    (unsynced > 0
      ? `, ${counted(unsynced, 'sync')} of a target folder failed (it could not be listed; see the warning)`
      : '')
  );
}

/** Engine coverage: map and corpus figures summed over the targets. */
function coverageTotals(r: CampaignResult<FoundDivergence>): {
  cov: number;
  ft: number;
  corpus: number;
  seeds: number;
} {
  const out = { cov: 0, ft: 0, corpus: 0, seeds: 0 };
  for (const c of r.coverage.values()) {
    out.cov += c.cov;
    out.ft += c.ft;
    out.corpus += c.corpus;
    out.seeds += c.seeds;
  }
  return out;
}

/** Hung executions (stopped by the watchdog) of the targets `which` selects; 0 without a watchdog result. */
function sumHangs(r: CampaignResult<FoundDivergence>, which: (t: Target) => boolean): number {
  const hangs = (r as Partial<ParallelResult>).hangs;
  if (!hangs) return 0;
  return r.targets.filter(which).reduce((n, t) => n + (hangs.get(t.key) ?? 0), 0);
}

/** A target (or reader) that hung and did not diverge is `timeout`, not agree or vacuous. */
function verdictWithHangs(st: ReaderStats, hung: number): string {
  return hung > 0 && st.verdicts.divergence === 0 ? 'timeout' : overallVerdict(st);
}

const round2 = (x: number): number => Math.round(x * 100) / 100;

/** Engine coverage: corpus re-executions summed over the targets (and over the workers with --jobs). */
function stabilityTotals(
  r: CampaignResult<FoundDivergence>,
): { checked: number; stable: number; percent: number } | undefined {
  if (!r.stability) return undefined;
  const total = [...r.stability.values()].reduce(addStability, { checked: 0, stable: 0 });
  return { ...total, percent: round2(stabilityPercent(total)) };
}

function pad(s: string | number, n: number): string {
  return String(s).padEnd(n);
}

/**
 * The final table: per target, what was explored and what was found. A campaign interrupted before its
 * first execution (`signal`: the signal that stopped it) ends with notStartedLine, not "No divergence"; one that
 * found none, with noDivergenceLine.
 */
export function summaryTable(
  r: CampaignResult<FoundDivergence>,
  signal?: NodeJS.Signals,
  checks: readonly CampaignExpectation[] = campaignExpectations(r),
  /** the command of a campaign on one expected bug not found (expectationLines) */
  focus?: (c: CampaignExpectation) => string | undefined,
): string {
  const rows: string[][] = [
    ['scenario', 'reader', 'contract', 'model', 'execs', 'races', 'diverge', 'bound', 'verdict', 'expected'],
  ];
  for (const t of r.targets) {
    const st = r.perTarget.get(t.key)!;
    const { scenario, reader, contract, model } = names(t);
    rows.push([
      scenario,
      reader,
      contract,
      model,
      String(st.executions),
      String(st.races),
      String(st.verdicts.divergence),
      String(st.verdicts.boundHit),
      verdictWithHangs(
        st,
        sumHangs(r, (u) => u === t),
      ),
      targetExpectation(t) ?? '',
    ]);
  }
  const lines = [
    `Done: ${r.executions} executions (${r.runs} runs) in ${r.seconds.toFixed(1)} s${r.interrupted ? ' (interrupted)' : ''}`,
    ...alignColumns(rows, new Set([4, 5, 6, 7])),
  ];
  // a gated contract leaves reads unjudged: the table's races and verdicts are of the reads it judged
  const gated = [...new Set(r.targets.filter((t) => t.contract.gate !== undefined).map((t) => t.contract.name))];
  for (const c of gated)
    lines.push(
      `contract ${c}: a read inside a GUP-fast that returned no page is not judged (races and verdicts above are of the reads judged; \`explore\` counts the others)`,
    );
  const nothingRun = r.interrupted && r.executions === 0 && r.findings.length === 0 && sumHangs(r, () => true) === 0;
  // nothing was judged: no expectation line (each would be "not found" or "unconfirmed" in no execution)
  if (!nothingRun) lines.push(...expectationLines(checks, undefined, focus));
  const counted = divergentExecutions(r);
  if (r.findings.length > 0) lines.push(`${r.findings.length} distinct divergence(s); replay with:`);
  // every divergence becomes a finding, unless its witness never reached ptefuzz (jsfuzz's artifact not written)
  else if (counted > 0)
    lines.push(`${counted} divergent execution(s) counted, but no witness of them reached ptefuzz: no crash file`);
  else if (nothingRun)
    lines.push(
      notStartedLine(signal ?? 'a signal', `none of the ${r.targets.length} target(s) was run (no execution)`),
    );
  else lines.push(noDivergenceLine(r, signal));
  return lines.join('\n');
}

/**
 * The last line of a campaign that found no divergence, saying what that covers: `No divergence.` when every
 * run it set out to make was made and judged; else the executions judged and what was not — executions that
 * hung (timeouts: never judged), the targets dropped after MAX_TIMEOUTS_PER_TARGET of them, the runs a signal
 * stopped — and, when no execution was judged at all, no claim.
 */
function noDivergenceLine(r: CampaignResult<FoundDivergence>, signal: NodeJS.Signals | undefined): string {
  const bounds =
    '(bounds: 4000 steps per execution, 64 retries per read; races = reader invocations that overlapped a writer)';
  const hung = sumHangs(r, () => true);
  const dropped = (r as Partial<ParallelResult>).dropped?.length ?? 0;
  if (hung === 0 && !r.interrupted) return `No divergence. ${bounds}`;
  const unjudged = [
    ...(hung > 0 ? [`${hung} hung execution(s) stopped, never judged (timeouts below)`] : []),
    ...(dropped > 0 ? [`${dropped} target(s) dropped after ${MAX_TIMEOUTS_PER_TARGET} timeouts, not run further`] : []),
    // not by a signal: a worker thread died, or jsfuzz stopped (the lines below say why)
    ...(r.interrupted ? [`${signal ? `interrupted by ${signal}: ` : ''}the campaign did not run to its end`] : []),
  ].join('; ');
  return r.executions === 0
    ? `No execution judged, so no claim: ${unjudged}.`
    : `No divergence in the ${r.executions} execution(s) judged; ${unjudged}. ${bounds}`;
}

/** The divergent executions a campaign counted, over every target (each one a finding's witness, or lost). */
export function divergentExecutions(r: CampaignResult<FoundDivergence>): number {
  return r.targets.reduce((n, t) => n + r.perTarget.get(t.key)!.verdicts.divergence, 0);
}

/** A scenario expectation judged on a campaign, with the memory models its reader ran under. */
export type CampaignExpectation = RunExpectation;

/**
 * Every scenario's expectations judged on what the campaign ran, as `matrix`
 * judges them: per reader, over the models of its declared contract.
 */
export function campaignExpectations(r: CampaignResult<FoundDivergence>): CampaignExpectation[] {
  return expectationsOf(
    r.targets.map((t) => {
      const stats = r.perTarget.get(t.key)!;
      const classes = new Map<string, number>();
      for (const f of r.findings) if (f.target.key === t.key) classes.set(f.class, (classes.get(f.class) ?? 0) + 1);
      return { target: t, declared: judgesExpectation(t), stats, verdict: overallVerdict(stats), classes };
    }),
  );
}

/**
 * The command of a campaign on the target of an expected bug a campaign did not find, alone: this campaign's
 * command narrowed to that scenario and reader (its `--model`, `--contract`, `--engine`, `--depth`, `--jobs`,
 * `--timeout`, `--minimize-schedules`, `--crashes` and `--corpus` as given — the corpus folder keeps one sub-folder per target, so the focused
 * campaign starts from this one's entries —, its `--reader-module` files for a reader from one), with the default
 * time budget: the target then gets every execution instead of one in as many as the campaign has targets. Undefined
 * when the campaign ran that scenario and reader only (the command would be this one again), and when more than one
 * scenario matches the clause's name (two `.scn` files declaring one scenario name).
 */
export function focusCommand(
  c: CampaignExpectation,
  r: CampaignResult<FoundDivergence>,
  o: Pick<
    FuzzOptions,
    | 'model'
    | 'contract'
    | 'engine'
    | 'depth'
    | 'jobs'
    | 'timeout'
    | 'minimizeSchedules'
    | 'crashes'
    | 'crashesGiven'
    | 'corpus'
    | 'readerModule'
  >,
): string | undefined {
  const mine = r.targets.filter((t) => t.scenario.name === c.scenario && t.reader.name === c.reader);
  if (mine.length === r.targets.length || new Set(mine.map((t) => t.scenario)).size !== 1) return undefined;
  const { scenario: s, reader } = mine[0]!;
  const opt = (flag: string, values: readonly (string | number)[] | undefined): string[] =>
    (values ?? []).map((v) => `${flag} ${shellQuote(String(v))}`);
  return [
    ptefuzzInvocation(),
    'fuzz',
    ...opt('--scenario', [s.file ?? s.name]),
    ...opt('--reader', [c.reader]),
    ...opt('--model', o.model),
    ...opt('--contract', o.contract !== undefined ? [o.contract] : undefined),
    ...opt('--engine', o.engine !== 'coverage' ? [o.engine] : undefined),
    ...opt('--depth', o.depth !== undefined ? [o.depth] : undefined),
    ...opt('--jobs', o.jobs !== undefined ? [o.jobs] : undefined),
    ...opt('--timeout', o.timeout !== undefined ? [o.timeout] : undefined),
    ...opt('--minimize-schedules', o.minimizeSchedules !== undefined ? [o.minimizeSchedules] : undefined),
    ...opt('--reader-module', reader.module !== undefined ? o.readerModule : undefined),
    ...opt('--crashes', o.crashesGiven === true ? [o.crashes] : undefined),
    ...opt('--corpus', o.corpus !== undefined ? [o.corpus] : undefined),
  ].join(' ');
}

/**
 * What the campaign says about the scenarios' expectations, clause by clause: a
 * count line, then the expected bugs it has not found in the executions it ran
 * (a campaign too short, or a model that misses the race; for a clause without
 * a model an item says when `weak` was not run: outcomes nest (SC ⊆ TSO ⊆
 * weak), so a bug under any model shows under `weak`, not necessarily under the
 * scenario's own model — a bug only some models show is written `bug under M`,
 * and is unchecked, never "not found", when no such model ran),
 * divergences where a scenario expects the reader correct (a new finding or a
 * modelling error), correct expectations it could not confirm (never
 * raced, or only bound hits), and clauses it could not judge.
 */
export function expectationLines(
  checks: readonly CampaignExpectation[],
  /** the heading of the expected bugs not found (`explore` says its bound) */
  notFound: (n: number) => string = (n) =>
    `expected bug NOT FOUND in the executions run (${n}; a longer campaign may find it):`,
  /** `fuzz`: the command of a campaign on one expected bug not found alone, printed under its item */
  focus?: (c: CampaignExpectation) => string | undefined,
): string[] {
  if (checks.length === 0) return [];
  const of = (status: ExpectationCheck['status'], verdict?: string) =>
    checks.filter((c) => c.status === status && (verdict === undefined || c.verdict === verdict));
  // a clause under a model says which: `bug under weak: …`
  const item = (c: ExpectationCheck) =>
    `  ${c.reader} on ${c.scenario} (${c.contract})${c.model !== undefined ? `, ${c.expect}` : ''}: ${c.detail}`;
  const met = of('met');
  const count = (status: ExpectationCheck['status']) =>
    of(status).length > 0 ? `, ${of(status).length} ${status}` : '';
  const lines = [
    `expectations (each scenario's \`expect\` for its readers, over the models run): ${met.length} of ${checks.length} borne out` +
      ` (bug found ${met.filter((c) => c.verdict === 'bug').length}, correct confirmed ${met.filter((c) => c.verdict === 'correct').length})` +
      count('benign') +
      count('unchecked'),
  ];
  const missed = of('mismatch', 'bug');
  if (missed.length > 0)
    lines.push(
      notFound(missed.length),
      ...missed.flatMap((c) => {
        const cmd = focus?.(c);
        return [
          item(c) + (c.models.includes('weak') ? '' : '; weak not run, and a bug under any model shows under weak'),
          ...(cmd !== undefined ? [`    a campaign on it alone: ${cmd}`] : []),
        ];
      }),
    );
  const unexpected = of('mismatch', 'correct');
  if (unexpected.length > 0)
    lines.push(
      `UNEXPECTED divergence where the scenario expects the reader correct (${unexpected.length}; a new finding or a modelling error):`,
      ...unexpected.map(item),
    );
  const unconfirmed = of('unconfirmed');
  if (unconfirmed.length > 0)
    lines.push(
      `expected correct, UNCONFIRMED (${unconfirmed.length}; it never raced, or only hit bounds):`,
      ...unconfirmed.map(item),
    );
  const unchecked = of('unchecked');
  if (unchecked.length > 0)
    lines.push(
      unchecked.every((c) => c.notRun === undefined)
        ? `unchecked (${unchecked.length}; an expectation is about the reader's declared contract, which this campaign did not run):`
        : `unchecked (${unchecked.length}; the campaign did not run the reader's declared contract, or any model the clause is about):`,
      ...unchecked.map((c) =>
        !(EXPECTATIONS as readonly string[]).includes(c.verdict)
          ? `  ${c.reader} on ${c.scenario}: ${c.detail}`
          : c.notRun !== undefined
            ? `  ${c.reader} on ${c.scenario} (${c.contract}), ${c.expect}: ${c.detail}; run it with --model ${c.notRun.join(' --model ')}`
            : `  ${c.reader} on ${c.scenario}: declared contract ${c.contract} not run`,
      ),
    );
  return lines;
}

/** The line of a target dropped after MAX_TIMEOUTS_PER_TARGET hangs. */
export function droppedLine(t: Target): string {
  return `INFO: ${t.key}: ${MAX_TIMEOUTS_PER_TARGET} timeouts; this target is dropped from the rest of the campaign`;
}

/** What the watchdog found in a campaign: what timeoutSummary, minimizeHangSummary and watchdogJson report. */
export type WatchdogFindings = Pick<ParallelResult, 'timeouts' | 'restarts' | 'minimizeHangs' | 'hangs' | 'dropped'>;

/** The watchdog's part of `fuzz --json`: the limit, the timeouts, restarts, targets dropped and minimizer hangs. */
export function watchdogJson(result: WatchdogFindings, timeoutSeconds: number) {
  return {
    timeout: timeoutSeconds,
    timeouts: result.timeouts.map((t) => ({
      ...names(t.target),
      file: t.file,
      hits: t.hits,
      detail: t.record.verdict.kind === 'timeout' ? t.record.verdict.detail : '',
      first: t.first,
    })),
    restarts: result.restarts,
    dropped: result.dropped,
    minimizeHangs: result.minimizeHangs.map((h) => ({
      ...names(h.target),
      class: h.class,
      on: h.on,
      file: h.file,
      ...(h.again ? { again: true } : {}),
      choices: h.choices,
      detail: h.detail,
      ...(h.timeout !== undefined ? { timeout: h.timeout } : {}),
    })),
  };
}

/**
 * The status line and report of a hang the watchdog stopped; `restarted`: what the campaign did next (a native
 * engine's worker restarted, jsfuzz restarted).
 */
export function timeoutLines(
  s: CampaignStatus,
  f: TimeoutFinding,
  fresh: boolean,
  seconds: number,
  unsaved = false,
  restarted = 'worker restarted',
): string {
  const t = f.target;
  const v = f.record.verdict;
  const head = statusLine(s, 'new').replace('\tNEW\t', '\tTIMEOUT\t');
  const what = `timeout: ${t.reader.name} on ${t.scenario.name} (${t.contract.name}, ${t.model}) ran over ${seconds} s`;
  if (!fresh) return `${head}\n\t${what} again (hit ${f.hits}) -> ${f.file}; ${restarted}`;
  return (
    `${head}\n\t${what} -> ${f.file}; ${restarted}\n` +
    `\t${v.kind === 'timeout' ? v.detail : ''} (${f.record.trace.length} choices)\n` +
    (unsaved
      ? `\treplay: ${NOT_SAVED_REPLAY}\n`
      : `\treplay: ${timeoutReplayCommand(f.file, t.reader.module?.path, seconds)}\n`)
  );
}

/** The summary lines of the hangs: count and replay commands. */
export function timeoutSummary(r: WatchdogFindings, seconds: number, unsaved: ReadonlySet<string> = new Set()): string {
  const hung = [...r.hangs].map(([key, n]) => `${key}: ${n}${r.dropped.includes(key) ? ' (dropped)' : ''}`);
  const reduced = r.minimizeHangs.filter((h) => h.on === 'reduced').length;
  if (reduced > 0) hung.push(`${reduced} while minimizing, on a program the minimizer reduced`);
  return [
    `timeouts: ${r.timeouts.length} distinct, ${r.restarts} hung execution(s) stopped after ${seconds} s (${hung.join('; ')}); replay with:`,
    ...r.timeouts.map((t) =>
      unsaved.has(t.file)
        ? `  NOT SAVED: ${basename(t.file)} (its bytes are printed above, with the command that writes them)`
        : `  ${timeoutReplayCommand(t.file, t.target.reader.module?.path, seconds)}`,
    ),
  ].join('\n');
}

/** Where a divergence kept unminimized went: its file (or that it could not be written). */
function keptText(h: MinimizeHang, unsaved: ReadonlySet<string>): string {
  return unsaved.has(h.file)
    ? `kept unminimized, NOT SAVED: ${basename(h.file)} (its bytes are printed above)`
    : `kept unminimized: ${h.file}`;
}

/** The warning line of a minimizer's candidate that hung (the divergence it was minimizing is kept). */
export function minimizeHangWarning(h: MinimizeHang, unsaved: ReadonlySet<string> = new Set()): string {
  const where =
    h.on === 'target'
      ? `a schedule of the target itself, saved as a timeout: ${h.detail}`
      : `a candidate ${h.detail}; no timeout file: not a schedule of the target`;
  return (
    `WARNING: minimizing the ${h.class} witness of ${h.target.key} hung (${where}); ${keptText(h, unsaved)}` +
    ' (and its later witnesses in this campaign)'
  );
}

/** The summary lines of the minimizer's hung candidates: counts, and the divergences kept unminimized. */
export function minimizeHangSummary(
  r: Pick<WatchdogFindings, 'minimizeHangs'>,
  seconds: number,
  unsaved: ReadonlySet<string> = new Set(),
): string {
  const reduced = r.minimizeHangs.filter((h) => h.on === 'reduced').length;
  const own = r.minimizeHangs.length - reduced;
  // one line per divergence kept, however many of its candidates hung
  const kept = new Set(r.minimizeHangs.map((h) => `  ${h.target.key} ${h.class}: ${keptText(h, unsaved)}`));
  return [
    `minimization hangs: ${r.minimizeHangs.length} candidate execution(s) of the minimizer stopped after ${seconds} s ` +
      `(${reduced} on a program the minimizer reduced: no timeout file, not a finding about the target; ` +
      `${own} on the target itself: counted as timeouts); the divergences they were minimizing:`,
    ...kept.values(),
  ].join('\n');
}

const sci = (x: number): string => (x === 0 ? '0 (below 1e-300)' : x >= 0.001 ? x.toPrecision(3) : x.toExponential(2));

/**
 * The PCT guarantee (Burckhardt et al. 2010) for every target without a
 * divergence: one run hits a bug of depth ≤ d with probability ≥ 1/(n·k^(d-1)),
 * so N runs miss it with probability ≤ (1 - 1/(n·k^(d-1)))^N.
 */
export function pctBoundLines(r: CampaignResult<FoundDivergence>): string {
  const clean = [...r.pctBounds].filter(([key]) => (r.perTarget.get(key)?.verdicts.divergence ?? 0) === 0);
  if (clean.length === 0) return '';
  const d = clean[0]![1].depth;
  const lines = [
    `PCT bound (Burckhardt et al., ASPLOS 2010), depth d=${d}: one run finds a bug of depth ≤ ${d} with probability ≥ p = 1/(n·k^(d-1)); after N runs P(miss) ≤ (1-p)^N`,
  ];
  const keyWidth = Math.max(...clean.map(([key]) => key.length)) + 2;
  for (const [key, b] of clean) lines.push(`  ${pad(key, keyWidth)}${boundText(b)}`);
  return lines.join('\n');
}

function boundText(b: PctBound): string {
  const counted = b.counted < b.runs ? ` (${b.runs - b.counted} early runs with a smaller k not counted)` : '';
  return `n=${b.cpus} k=${b.steps} p=${sci(b.perRun)} N=${b.counted} P(miss)≤${sci(b.miss)}${counted}`;
}
