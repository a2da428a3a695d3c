import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { CampaignResult, Finding } from '../../campaign';
import { UsageError, convertArtifact, crashRecord, harnessSelection } from '../../campaign';
import { checkOutputFolder, fingerprint, saveCrash, writeFileAtomic } from '../../crash';
import type { ReaderRegistry } from '../../kernel';
import { EXIT_DIVERGENCE, EXIT_OK } from '../errors';
import { runJsfuzz } from '../../jsfuzz';
import { findingReport } from '../render';
import { replayCommandFor } from '../replay-command';
import { STOP_SIGNALS } from '../stop-signals';
import { statusLine } from '../status';
import type { FuzzOptions } from './fuzz';
import { DEFAULT_SECONDS, cleanStaleTemps, jsonSummary, randomSeed, selectionOf, summaryTable } from './fuzz';

/**
 * `ptefuzz fuzz --engine jsfuzz`: jsfuzz over the harness target, restarted
 * after each crash; every artifact is decoded, minimized with the campaign's
 * predicate and saved under the same fingerprint — so the same file name —
 * as the native engines' file for the same bug. `--runs N` is N executions
 * of the harness target (exact, counted by the harness); `--seed` is only
 * recorded: jsfuzz cannot be seeded.
 */
export async function jsfuzzCommand(o: FuzzOptions, registry: ReaderRegistry): Promise<number> {
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
  let stop = false;
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
      shouldStop: () => stop,
      onLine: (line) => process.stderr.write(line + '\n'),
      onArtifact: (bytes, executions) => {
        const elapsed = (Date.now() - t0) / 1000;
        const c = convertArtifact(bytes, targets);
        if (c.kind === 'no-divergence') {
          // not a divergence (a harness exception, a jsfuzz timeout or OOM kill): keep the input
          const sha = createHash('sha256').update(bytes).digest('hex');
          const kept = join(o.crashes, `jsfuzz-crash-${sha.slice(0, 12)}.bin`);
          writeFileAtomic(kept, bytes);
          errors.push(kept);
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
        const saved = saveCrash(o.crashes, rec);
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
        process.stderr.write(findingReport(f) + `\n\treplay: ${replayCommandFor(saved.path)}\n\n`);
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
  process.stderr.write(summaryTable(r) + '\n');
  for (const f of r.findings) process.stderr.write(`  ${replayCommandFor(f.file!)}\n`);
  process.stderr.write(
    `jsfuzz: ${result.sessions} session(s), ${result.artifacts} crash artifact(s); jsfuzz is not seedable: ` +
      `seed ${seed} is recorded in the crash files but does not repeat this campaign\n`,
  );
  if (o.json) {
    const summary = {
      ...jsonSummary(r, seed),
      jsfuzz: { sessions: result.sessions, artifacts: result.artifacts, notDivergences: errors, seedable: false },
    };
    process.stdout.write(JSON.stringify(summary, null, 2) + '\n');
  }
  return r.findings.length > 0 || errors.length > 0 ? EXIT_DIVERGENCE : EXIT_OK;
}
