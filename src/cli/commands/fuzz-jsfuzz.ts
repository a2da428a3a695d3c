import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type {
  CampaignResult,
  CampaignStatus,
  ConvertedArtifact,
  Finding,
  MinimizingWitness,
  Target,
} from '../../campaign';
import {
  UsageError,
  convertArtifact,
  crashRecord,
  harnessSelection,
  minimizeKey,
  settledFinding,
} from '../../campaign';
import type { CrashFile } from '../../crash';
import { checkOutputFolder, fingerprint, fsReason, writeFileAtomic } from '../../crash';
import type { ReaderRegistry } from '../../kernel';
import { DEFAULT_BOUNDS } from '../../machine';
import { EXIT_DIVERGENCE, EXIT_OK, EXIT_USAGE } from '../errors';
import { runJsfuzz } from '../../jsfuzz';
import { counted, divergenceReport } from '../render';
import { defaultDiagrams, newDivergenceLines } from '../divergence-lines';
import { readerModuleCode } from '../reader-modules';
import { replayCommandFor } from '../replay-command';
import type { StopSignals } from '../stop-signals';
import { STOP_SIGNALS, nextTurn } from '../stop-signals';
import type { WriteFailure } from '../unsaved';
import { notSavedSummary, trySaveCrash, writeFailureLines } from '../unsaved';
import type { RecordedTimeout } from '../timeout-ledger';
import { TimeoutLedger } from '../timeout-ledger';
import type { HangSnapshot } from '../watchdog';
import { DEFAULT_TIMEOUT_SECONDS, SharedWatch, WatchBuffer } from '../watchdog';
import { HungExecution, WatchedExecutions } from '../watched-call';
import type { FuzzOptions, WatchdogFindings } from './fuzz';
import {
  DEFAULT_SECONDS,
  campaignExpectations,
  cleanStaleTemps,
  droppedLine,
  divergentExecutions,
  jsonSummary,
  minimizeHangSummary,
  minimizeHangWarning,
  randomSeed,
  selectionOf,
  summaryTable,
  timeoutLines,
  timeoutSummary,
  watchdogJson,
} from './fuzz';

/** The status of a jsfuzz campaign at an artifact: its executions (jsfuzz has no runs but them), seconds, findings. */
function campaignStatus(at: Finding['first'], findings: number): CampaignStatus {
  return { executions: at.executions, runs: at.executions, seconds: at.seconds, findings };
}

/** What a jsfuzz campaign does after a hang: jsfuzz's worker was stopped, and jsfuzz ended with it. */
const RESTARTED = 'restarting jsfuzz';

/**
 * `ptefuzz fuzz --engine jsfuzz`: jsfuzz over the harness target, restarted
 * after each crash; every artifact is decoded, minimized with the campaign's
 * predicate and saved under the same fingerprint — so the same file name —
 * as the native engines' file for the same bug. `--runs N` is N executions
 * of the harness target (exact, counted by the harness); `--seed` is only
 * recorded: jsfuzz cannot be seeded. `--timeout S`: the harness stops an
 * execution after S s (jsfuzz then writes its input as an artifact), and every
 * execution of the conversion here — the artifact's replay, the minimizer's
 * candidates — is a watched call of S s: a replay that hangs is saved as a
 * `timeout` crash file, a minimization that hangs keeps its witness unminimized.
 */
export async function jsfuzzCommand(
  o: FuzzOptions,
  registry: ReaderRegistry,
  /** installed before anything was loaded (main.ts): a signal during the start-up starts no jsfuzz process */
  signals: StopSignals,
): Promise<number> {
  if (o.depth !== undefined) throw new UsageError('--depth applies to --engine pct only (engine is jsfuzz)');
  // one jsfuzz process at a time, over every run: a split it cannot honour is refused, not ignored
  if ((o.jobs ?? 1) > 1)
    throw new UsageError('--jobs applies to the engines coverage, random and pct (jsfuzz runs one process)');
  if (o.shard !== undefined) {
    throw new UsageError(
      '--shard applies to the engines coverage, random and pct (jsfuzz cannot be seeded, so its runs cannot be split)',
    );
  }
  const seedChosen = o.seed === undefined;
  const seed = String(o.seed ?? randomSeed());
  const seconds = o.runs === undefined && o.time === undefined ? DEFAULT_SECONDS : o.time;
  const timeoutSeconds = o.timeout ?? DEFAULT_TIMEOUT_SECONDS;
  const selection = selectionOf(o, registry);
  const { targets, family } = harnessSelection(selection, registry);
  const diagrams = o.diagrams ?? defaultDiagrams(targets);
  if (seedChosen) process.stderr.write(`INFO: Seed: ${seed} (chosen at random; recorded in crash files)\n`);
  process.stderr.write(
    `INFO: ${counted(targets.length, 'target')} (${counted(new Set(targets.map((t) => t.scenario.name)).size, 'scenario')}), engine jsfuzz ` +
      `(harness/${family}.fuzz.js, restarted after each crash; not seedable: --seed is only recorded), ` +
      (o.runs !== undefined ? `${o.runs} executions` : `${seconds} s`) +
      `, crashes in ${o.crashes}/\n`,
  );
  checkOutputFolder(o.crashes, '--crashes');
  if (o.corpus !== undefined) checkOutputFolder(o.corpus, '--corpus');
  cleanStaleTemps([o.crashes]);
  const findings = new Map<string, Finding>();
  const errors: string[] = [];
  /** artifacts whose input the harness judged a divergence in jsfuzz's worker (however they replay here) */
  let judgedArtifacts = 0;
  /** files that could not be written (crash files, kept inputs): printed with their bytes; the campaign stops */
  const writeFailures: WriteFailure[] = [];
  /** their paths */
  const unsaved = new Set<string>();
  /** a crash file could not be written: the campaign stops after the current session, as on a signal */
  let stop = false;
  const writeFailed = (w: WriteFailure): void => {
    writeFailures.push(w);
    unsaved.add(w.path);
    stop = true;
    process.stderr.write(writeFailureLines(w, 'the campaign stops after the current run') + '\n');
  };
  /** a crash file, written — or, when it cannot be, printed with its bytes (writeFailed) */
  const trySave = (rec: CrashFile): ReturnType<typeof trySaveCrash> => {
    const saved = trySaveCrash(o.crashes, rec);
    if (saved.unsaved !== undefined) writeFailed(saved.unsaved);
    return saved;
  };
  /**
   * the hung executions, as the native engines' watchdog records them (parallel.ts): a target that hung
   * MAX_TIMEOUTS_PER_TARGET times is no longer executed (each hang costs a jsfuzz restart); the campaign ends when
   * every target is dropped
   */
  const ledger = new TimeoutLedger({
    targets,
    registry,
    timeoutSeconds,
    engine: 'jsfuzz',
    seed,
    save: (record) => trySave(record).path,
  });
  /** target + class pairs no longer minimized */
  const unminimized = new Set<string>();
  /** A divergence, minimized or kept as executed: its crash file (one per fingerprint) and report. */
  const onDivergence = (
    w: Pick<Finding, 'target' | 'trace' | 'exec' | 'judgement' | 'unreplayed'>,
    cls: string,
    first: Finding['first'],
  ): Finding => {
    const f: Finding = { ...w, class: cls, first, hits: 1 };
    const rec = crashRecord(f, 'jsfuzz', seed);
    const saved = trySave(rec);
    f.file = saved.path;
    const id = fingerprint(rec);
    const known = findings.get(id);
    if (known) {
      known.hits++;
      process.stderr.write(`INFO: known divergence (${known.hits} hits) -> ${saved.path}; restarting jsfuzz\n`);
      return known;
    }
    f.id = id;
    findings.set(id, f);
    process.stderr.write(
      newDivergenceLines(
        campaignStatus(first, findings.size),
        f,
        divergenceReport(f),
        diagrams,
        saved.unsaved !== undefined,
      ),
    );
    return f;
  };
  /** The lines of a hung execution of target `t`, recorded: its timeout, and its drop when it is one. */
  const sayTimeout = (t: Target, r: RecordedTimeout, status: () => CampaignStatus): void => {
    const f = r.finding;
    process.stderr.write(timeoutLines(status(), f, r.fresh, timeoutSeconds, unsaved.has(f.file), RESTARTED) + '\n');
    if (r.drop) process.stderr.write(droppedLine(t) + '\n');
  };
  /**
   * An execution of the conversion hung: the artifact's replay — a timeout of its target —, or a candidate of the
   * minimizer — its divergence, as replayed, kept unminimized (and that target and class no longer minimized),
   * and, for a candidate on the target itself, a timeout too. As the native engines' watchdog does (parallel.ts).
   */
  const onHang = (
    snap: HangSnapshot,
    kept: MinimizingWitness | undefined,
    status: () => CampaignStatus,
    executions: number,
    elapsed: number,
  ): void => {
    const first = { executions, seconds: elapsed };
    const m = snap.minimizing;
    if (m === undefined) {
      const t = targets[snap.target];
      if (t === undefined) throw new Error(`[ptefuzz internal bug] a hung artifact replay names target ${snap.target}`);
      sayTimeout(t, ledger.timeout(t, snap, first), status);
      return;
    }
    const t = targets[m.target];
    if (t === undefined || kept === undefined || kept.target !== t || kept.class !== m.class)
      throw new Error(`[ptefuzz internal bug] a minimization hung without its ${m.class} witness`);
    unminimized.add(minimizeKey(t, m.class));
    const f = onDivergence(
      { target: t, trace: kept.exec.trace, exec: kept.exec, judgement: kept.judgement },
      m.class,
      first,
    );
    const { hang, timeout } = ledger.minimizeHang(
      t,
      snap,
      { file: f.file!, choices: kept.exec.trace.length, again: false },
      first,
    );
    if (timeout !== undefined) sayTimeout(t, timeout, status);
    process.stderr.write(minimizeHangWarning(hang, unsaved) + '\n');
  };
  // a signal during the start-up is handled now: runJsfuzz then starts no session. From here on every signal
  // only stops jsfuzz at its next input — none ends this process at once, which would leave the jsfuzz process
  // group (detached, so that it can be killed as a whole) running
  await nextTurn();
  const early = signals.signal;
  signals.dispose();
  const onSignal = (): void => {
    stop = true;
  };
  for (const sig of STOP_SIGNALS) process.on(sig, onSignal);
  const t0 = Date.now();
  let result;
  try {
    result = await runJsfuzz({
      registry,
      clock: () => Date.now(),
      selection,
      ...(seconds !== undefined ? { seconds } : {}),
      ...(o.runs !== undefined ? { executions: o.runs } : {}),
      ...(o.corpus !== undefined ? { corpus: o.corpus } : {}),
      timeout: timeoutSeconds,
      dropped: () => ledger.droppedIndices,
      readerModules: Object.fromEntries((o.readerModule ?? []).map((f) => readerModuleCode(f))),
      shouldStop: () => stop || early !== undefined,
      onLine: (line) => process.stderr.write(line + '\n'),
      onArtifact: (bytes, executions, judged) => {
        if (judged !== undefined) judgedArtifacts++;
        const elapsed = (Date.now() - t0) / 1000;
        const status = () => campaignStatus({ executions, seconds: elapsed }, findings.size);
        // the conversion's executions watched, and published as a fuzz worker publishes its own
        const buf = WatchBuffer.create(targets.length);
        let minimizing: MinimizingWitness | undefined;
        const record = new SharedWatch(buf, targets, (m) => (minimizing = m));
        let c: ConvertedArtifact;
        try {
          c = convertArtifact(
            bytes,
            targets,
            DEFAULT_BOUNDS,
            new WatchedExecutions(timeoutSeconds, record),
            unminimized,
            o.minimizeSchedules,
          );
        } catch (e) {
          if (!(e instanceof HungExecution)) throw e;
          onHang(buf.snapshot(), minimizing, status, executions, elapsed);
          return;
        }
        if (c.kind === 'no-divergence') {
          // not a divergence (a harness exception, a jsfuzz timeout or OOM kill), or one that jsfuzz's worker
          // judged and that does not replay here (a reader that keeps state between calls): keep the input
          const sha = createHash('sha256').update(bytes).digest('hex');
          const kept = join(o.crashes, `jsfuzz-crash-${sha.slice(0, 12)}.bin`);
          errors.push(kept);
          const what =
            judged === undefined
              ? `WARNING: jsfuzz reported a crash that replays as ${c.verdict} on ${c.target.key}, not a divergence`
              : `WARNING: jsfuzz's worker judged an input a ${judged.class} divergence of ${judged.target} that ` +
                `replays here as ${c.verdict} on ${c.target.key}: ${c.target.reader.name} did not replay what it did ` +
                `(a reader that keeps state between calls?)`;
          try {
            mkdirSync(o.crashes, { recursive: true });
            writeFileAtomic(kept, bytes);
          } catch (e) {
            process.stderr.write(what + '\n');
            writeFailed({
              path: kept,
              message: `${o.crashes}: cannot write the jsfuzz input ${basename(kept)} (${fsReason(e)})`,
              bytes,
            });
            return;
          }
          process.stderr.write(`${what}; input kept in ${kept}\n`);
          return;
        }
        onDivergence(settledFinding(c), c.class, { executions, seconds: elapsed });
      },
    });
  } finally {
    for (const sig of STOP_SIGNALS) process.off(sig, onSignal);
  }
  const r: CampaignResult & WatchdogFindings = {
    targets: result.targets,
    executions: result.executions,
    runs: result.executions,
    seconds: result.seconds,
    perTarget: new Map(result.targets.map((t, i) => [t.key, result.perTarget[i]!])),
    findings: [...findings.values()],
    interrupted: result.interrupted,
    pctBounds: new Map(),
    pctUsage: new Map(),
    coverage: new Map(),
    timeouts: ledger.timeouts,
    hangs: ledger.hangs,
    // a hung execution stops jsfuzz's worker, and jsfuzz with it: each is a restart
    restarts: ledger.restarts,
    dropped: ledger.dropped,
    minimizeHangs: ledger.minimizeHangs,
  };
  const checks = campaignExpectations(r); // judged once, for the table and for --json
  process.stderr.write(summaryTable(r, early, checks) + '\n');
  for (const f of r.findings)
    process.stderr.write(
      unsaved.has(f.file!)
        ? `  NOT SAVED: ${basename(f.file!)} (its bytes are printed above, with the command that writes them)\n`
        : `  ${replayCommandFor(f.file!, f.target.reader.module?.path)}\n`,
    );
  if (r.timeouts.length > 0) process.stderr.write(timeoutSummary(r, timeoutSeconds, unsaved) + '\n');
  if (r.minimizeHangs.length > 0) process.stderr.write(minimizeHangSummary(r, timeoutSeconds, unsaved) + '\n');
  process.stderr.write(
    `jsfuzz: ${result.sessions} session(s), ${result.artifacts} crash artifact(s); jsfuzz is not seedable: ` +
      `seed ${seed} is recorded in the crash files but does not repeat this campaign\n`,
  );
  // the harness counts every divergent execution, and records its input; each one stops jsfuzz, which writes that
  // input as an artifact. An artifact jsfuzz could not write (a full disk, a file-size limit in its working folder)
  // is a finding lost — not one that reached ptefuzz and replayed otherwise (a hang, no divergence: said above)
  const divergent = divergentExecutions(r);
  const lost = divergent - judgedArtifacts;
  if (o.json) {
    const summary = {
      ...jsonSummary(r, seed, { engine: 'jsfuzz' }, checks),
      jsfuzz: {
        sessions: result.sessions,
        artifacts: result.artifacts,
        notDivergences: errors,
        seedable: false,
        ...(lost > 0 ? { lostDivergences: lost } : {}),
      },
      ...watchdogJson(r, timeoutSeconds),
      ...(writeFailures.length > 0
        ? { writeFailures: writeFailures.map((w) => ({ file: w.path, message: w.message })) }
        : {}),
    };
    process.stdout.write(JSON.stringify(summary, null, 2) + '\n');
  }
  if (lost > 0) {
    process.stderr.write(
      `ptefuzz: the harness counted ${divergent} divergent execution(s), but only ${divergent - lost} reached ptefuzz as ` +
        `jsfuzz crash artifacts: ${lost} finding(s) LOST (jsfuzz could not write its artifact in its working folder ` +
        `under ${tmpdir()}: a full disk or a file-size limit?); their targets are the rows with diverge > 0 above\n`,
    );
  }
  // a file not written: the campaign stopped before its end (exit 2, as the native engines), its findings printed above
  if (writeFailures.length > 0)
    process.stderr.write(`ptefuzz: ${notSavedSummary(writeFailures, 'the campaign stopped')}\n`);
  if (lost > 0 || writeFailures.length > 0) return EXIT_USAGE;
  return r.findings.length > 0 || r.timeouts.length > 0 || errors.length > 0 ? EXIT_DIVERGENCE : EXIT_OK;
}
