import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { CampaignResult, Finding } from '../../campaign';
import { UsageError, convertArtifact, crashRecord, harnessSelection } from '../../campaign';
import { checkOutputFolder, fingerprint, fsReason, writeFileAtomic } from '../../crash';
import type { ReaderRegistry } from '../../kernel';
import { EXIT_DIVERGENCE, EXIT_OK, EXIT_USAGE } from '../errors';
import { runJsfuzz } from '../../jsfuzz';
import { findingReport } from '../render';
import { replayCommandFor } from '../replay-command';
import type { StopSignals } from '../stop-signals';
import { STOP_SIGNALS, nextTurn } from '../stop-signals';
import { statusLine } from '../status';
import type { WriteFailure } from '../unsaved';
import { NOT_SAVED_REPLAY, notSavedSummary, trySaveCrash, writeFailureLines } from '../unsaved';
import type { FuzzOptions } from './fuzz';
import {
  DEFAULT_SECONDS,
  campaignExpectations,
  cleanStaleTemps,
  divergentExecutions,
  jsonSummary,
  randomSeed,
  selectionOf,
  summaryTable,
} from './fuzz';

/**
 * `ptefuzz fuzz --engine jsfuzz`: jsfuzz over the harness target, restarted
 * after each crash; every artifact is decoded, minimized with the campaign's
 * predicate and saved under the same fingerprint — so the same file name —
 * as the native engines' file for the same bug. `--runs N` is N executions
 * of the harness target (exact, counted by the harness); `--seed` is only
 * recorded: jsfuzz cannot be seeded.
 */
export async function jsfuzzCommand(
  o: FuzzOptions,
  registry: ReaderRegistry,
  /** installed before anything was loaded (main.ts): a signal during the start-up starts no jsfuzz process */
  signals: StopSignals,
): Promise<number> {
  if (o.timeout !== undefined) {
    throw new UsageError('--timeout applies to the engines coverage, random and pct (jsfuzz runs its own processes)');
  }
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
  const selection = selectionOf(o, registry);
  const { targets, family } = harnessSelection(selection, registry);
  if (seedChosen) process.stderr.write(`INFO: Seed: ${seed} (chosen at random; recorded in crash files)\n`);
  process.stderr.write(
    `INFO: ${targets.length} targets (${new Set(targets.map((t) => t.scenario.name)).size} scenarios), engine jsfuzz ` +
      `(harness/${family}.fuzz.js, restarted after each crash; not seedable: --seed is only recorded), ` +
      (o.runs !== undefined ? `${o.runs} executions` : `${seconds} s`) +
      `, crashes in ${o.crashes}/\n`,
  );
  checkOutputFolder(o.crashes, '--crashes');
  if (o.corpus !== undefined) checkOutputFolder(o.corpus, '--corpus');
  cleanStaleTemps([o.crashes]);
  const findings = new Map<string, Finding>();
  const errors: string[] = [];
  /** files that could not be written (crash files, kept inputs): printed with their bytes; the campaign stops */
  const writeFailures: WriteFailure[] = [];
  /** a crash file could not be written: the campaign stops after the current session, as on a signal */
  let stop = false;
  const writeFailed = (w: WriteFailure): void => {
    writeFailures.push(w);
    stop = true;
    process.stderr.write(writeFailureLines(w, 'the campaign stops after the current run') + '\n');
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
      shouldStop: () => stop || early !== undefined,
      onLine: (line) => process.stderr.write(line + '\n'),
      onArtifact: (bytes, executions) => {
        const elapsed = (Date.now() - t0) / 1000;
        const c = convertArtifact(bytes, targets);
        if (c.kind === 'no-divergence') {
          // not a divergence (a harness exception, a jsfuzz timeout or OOM kill): keep the input
          const sha = createHash('sha256').update(bytes).digest('hex');
          const kept = join(o.crashes, `jsfuzz-crash-${sha.slice(0, 12)}.bin`);
          errors.push(kept);
          try {
            writeFileAtomic(kept, bytes);
          } catch (e) {
            process.stderr.write(
              `WARNING: jsfuzz reported a crash that replays as ${c.verdict} on ${c.target.key}, not a divergence\n`,
            );
            writeFailed({
              path: kept,
              message: `${o.crashes}: cannot write the jsfuzz input ${basename(kept)} (${fsReason(e)})`,
              bytes,
            });
            return;
          }
          process.stderr.write(
            `WARNING: jsfuzz reported a crash that replays as ${c.verdict} on ${c.target.key}, not a divergence; input kept in ${kept}\n`,
          );
          return;
        }
        const f: Finding = {
          target: c.target,
          class: c.class,
          trace: c.trace,
          exec: c.run.exec,
          judgement: c.run.judgement,
          first: { executions, seconds: elapsed },
          hits: 1,
        };
        const rec = crashRecord(f, 'jsfuzz', seed);
        const saved = trySaveCrash(o.crashes, rec);
        if (saved.unsaved !== undefined) writeFailed(saved.unsaved);
        f.file = saved.path;
        const id = fingerprint(rec);
        const known = findings.get(id);
        if (known) {
          known.hits++;
          process.stderr.write(`INFO: known divergence (${known.hits} hits) -> ${saved.path}; restarting jsfuzz\n`);
          return;
        }
        f.id = id;
        findings.set(id, f);
        const status = { executions, runs: executions, seconds: elapsed, findings: findings.size };
        process.stderr.write(statusLine(status, 'new', f) + '\n');
        const replay = saved.unsaved !== undefined ? NOT_SAVED_REPLAY : replayCommandFor(saved.path);
        process.stderr.write(findingReport(f) + `\n\treplay: ${replay}\n\n`);
      },
    });
  } finally {
    for (const sig of STOP_SIGNALS) process.off(sig, onSignal);
  }
  const r: CampaignResult = {
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
  };
  const checks = campaignExpectations(r); // judged once, for the table and for --json
  process.stderr.write(summaryTable(r, early, checks) + '\n');
  const unsaved = new Set(writeFailures.map((w) => w.path));
  for (const f of r.findings)
    process.stderr.write(
      unsaved.has(f.file!)
        ? `  NOT SAVED: ${basename(f.file!)} (its bytes are printed above, with the command that writes them)\n`
        : `  ${replayCommandFor(f.file!)}\n`,
    );
  process.stderr.write(
    `jsfuzz: ${result.sessions} session(s), ${result.artifacts} crash artifact(s); jsfuzz is not seedable: ` +
      `seed ${seed} is recorded in the crash files but does not repeat this campaign\n`,
  );
  // the harness counts every divergent execution; each one stops jsfuzz, which writes its input as an artifact.
  // An artifact jsfuzz could not write (a full disk, a file-size limit in its working folder) is a finding lost
  const counted = divergentExecutions(r);
  const lost = counted - r.findings.reduce((n, f) => n + f.hits, 0);
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
      ...(writeFailures.length > 0
        ? { writeFailures: writeFailures.map((w) => ({ file: w.path, message: w.message })) }
        : {}),
    };
    process.stdout.write(JSON.stringify(summary, null, 2) + '\n');
  }
  if (lost > 0) {
    process.stderr.write(
      `ptefuzz: the harness counted ${counted} divergent execution(s), but only ${counted - lost} reached ptefuzz as ` +
        `jsfuzz crash artifacts: ${lost} finding(s) LOST (jsfuzz could not write its artifact in its working folder ` +
        `under ${tmpdir()}: a full disk or a file-size limit?); their targets are the rows with diverge > 0 above\n`,
    );
  }
  // a file not written: the campaign stopped before its end (exit 2, as the native engines), its findings printed above
  if (writeFailures.length > 0)
    process.stderr.write(`ptefuzz: ${notSavedSummary(writeFailures, 'the campaign stopped')}\n`);
  if (lost > 0 || writeFailures.length > 0) return EXIT_USAGE;
  return r.findings.length > 0 || errors.length > 0 ? EXIT_DIVERGENCE : EXIT_OK;
}
