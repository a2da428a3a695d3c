import { existsSync, readFileSync, renameSync, unlinkSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { ReaderRegistry } from '../../kernel';
import type { CrashFile } from '../../crash';
import {
  CrashFileError,
  crashFileName,
  encodeCrash,
  fsReason,
  legacyCrashFileName,
  loadCrash,
  loadIfCrash,
  writeFileAtomic,
} from '../../crash';
import { crashPathsOf } from '../crash-paths';
import type { Run, Target } from '../../campaign';
import {
  ReaderModuleNeeded,
  crashRecord,
  crashTarget,
  minimizeWitness,
  recordedValueText,
  replayCrash,
  unrunCounts,
} from '../../campaign';
import type { Execution } from '../../machine';
import { DEFAULT_BOUNDS, countPreemptions } from '../../machine';
import { HungExecution, WatchedExecutions, hungLine } from '../watched-call';
import { DEFAULT_TIMEOUT_SECONDS } from '../watchdog';
import { preferredWitness, rankOf } from '../../minimize';
import type { RefutedDrop } from '../../minimize';
import { EXIT_DIVERGENCE, EXIT_OK, EXIT_USAGE } from '../errors';
import { droppedText } from '../render';

type Outcome = 'rewritten' | 'unchanged' | 'renamed' | 'not-reproduced' | 'hung';

/**
 * `minimize --schedules N` by default: seeded schedules run per candidate program the carried-over schedule does
 * not fail (src/minimize/program.ts). Measured on the 125 crash files of crashes/ and `fuzz --runs 20000 --seed 1`:
 * see README, *Limitations*.
 */
export const DEFAULT_MINIMIZE_SCHEDULES = 256;

/** ` (S in the schedule search, C by the controls)`: the parts of a file's predicate evaluations, those not 0. */
function searchedText(search: number, controls: number): string {
  const parts = [
    ...(search > 0 ? [`${search} in the schedule search`] : []),
    ...(controls > 0 ? [`${controls} by the controls`] : []),
  ];
  return parts.length > 0 ? ` (${parts.join(', ')})` : '';
}

/** Schedule-search executions of the files minimized (`minimize`'s summary line). */
interface Searched {
  executions: number;
}

/** The `; refused…` part of a file's line for a candidate a control refuted (ControlOutcome.refuted). */
export function refusedText(f: RefutedDrop): string {
  const why =
    f.rule !== undefined
      ? `outside the reference's contract on schedule ${f.schedules} of the control ${f.control}: ${f.rule}`
      : `${f.control}, which the scenario expects correct, fails on it the same way after ${f.schedules} schedule(s): the reduction, not the reader`;
  return `; refused${f.searched ? ' (schedule search)' : ''}: ${droppedText(f.dropped)} (${why})`;
}

/**
 * Re-minimize crash files in place: the file is rewritten atomically under
 * its (possibly new) fingerprint name, and the old file is removed only when
 * the name changed. A file under its legacy name (legacyCrashFileName: before
 * names carried the contract) whose witness is already minimal is renamed to
 * the new form (one rename(2): the file is under exactly one of the names at
 * every instant). Every execution — the replay, each candidate of the
 * minimizer — is watched (watched-call.ts): one that does not return within
 * `seconds` stops that file's minimization, the file is left untouched and
 * named on one line (stderr). Exit 0 when every file was minimized, 1 when
 * one no longer shows its recorded divergence or hung (left untouched), 2
 * when one is unreadable. `schedules` > 0: the program passes' schedule search,
 * that many seeded schedules per candidate program (minimizeWitness).
 */
export function minimizeCommand(
  paths: readonly string[],
  registry: ReaderRegistry,
  seconds: number = DEFAULT_TIMEOUT_SECONDS,
  schedules: number = DEFAULT_MINIMIZE_SCHEDULES,
): number {
  const files = crashPathsOf(paths);
  const count = { rewritten: 0, unchanged: 0, renamed: 0, 'not-reproduced': 0, hung: 0, unreadable: 0, needModule: 0 };
  const watch = new WatchedExecutions(seconds);
  const searched: Searched = { executions: 0 };
  for (const file of files) {
    try {
      count[minimizeFile(file, registry, watch, schedules, searched)]++;
    } catch (e) {
      if (e instanceof HungExecution) {
        count.hung++;
        process.stderr.write(hungLine(file, e, 'while minimizing (the file is left as it was)') + '\n');
        continue;
      }
      if (!(e instanceof CrashFileError)) throw e;
      if (e instanceof ReaderModuleNeeded) count.needModule++;
      else count.unreadable++;
      process.stderr.write(`ptefuzz: ${e.message}\n`);
    }
  }
  process.stdout.write(
    `${files.length} crash file(s): ${count.rewritten} rewritten, ${count.unchanged} already minimal, ` +
      (count.renamed > 0 ? `${count.renamed} already minimal renamed from a legacy name, ` : '') +
      `${count['not-reproduced']} not reproduced, ` +
      (count.hung > 0 ? `${count.hung} hung (left as they were), ` : '') +
      `${unrunCounts(count.unreadable, count.needModule)}` +
      (searched.executions > 0 ? `; schedule search: ${searched.executions} execution(s)` : '') +
      '\n',
  );
  if (count.unreadable > 0 || count.needModule > 0) return EXIT_USAGE;
  return count['not-reproduced'] > 0 || count.hung > 0 ? EXIT_DIVERGENCE : EXIT_OK;
}

function minimizeFile(
  file: string,
  registry: ReaderRegistry,
  watch: WatchedExecutions,
  schedules: number,
  searched: Searched,
): Outcome {
  const crash = loadCrash(file);
  const target = crashTarget(crash, file, registry);
  if (crash.verdict.kind === 'timeout') {
    // every candidate trace could hang this thread: timeouts are kept as recorded
    process.stdout.write(`UNCHANGED ${file}: a timeout file is kept as recorded (not minimized)\n`);
    return 'unchanged';
  }
  // First the file as `replay` judges it (replayCrash): its recorded class, value and signature, exactly. One whose
  // replay is another divergence — an edited or damaged file, another bug's trace under this bug's name — is left
  // as it is: minimizing that witness would write another bug in its place, or remove the file as that bug's
  // duplicate.
  const replayed = replayCrash(crash, file, registry, watch);
  for (const note of replayed.traceNotes) process.stdout.write(`${file}: ${note}\n`);
  if (!replayed.reproduced) {
    process.stdout.write(
      `NOT REPRODUCED ${file}: recorded ${crash.verdict.class} ${recordedValueText(crash.verdict.observed, target)}; ${replayed.difference}; not rewritten\n`,
    );
    return 'not-reproduced';
  }
  const before = replayed.run.exec;
  const min = minimizeWitness(target, crash.verdict.class, crash.trace, DEFAULT_BOUNDS, watch, schedules);
  searched.executions += min?.search.executions ?? 0;
  if (min === null) {
    process.stdout.write(`NOT REPRODUCED ${file}: no ${crash.verdict.class} divergence on replay; not rewritten\n`);
    return 'not-reproduced';
  }
  const rec = withTrace(crash, min.target, min.trace, min.run);
  const out = join(dirname(file), crashFileName(rec));
  const bytes = encodeCrash(rec);
  const stats =
    `trace ${crash.trace.length} → ${min.trace.length} choices, ` +
    `preemptions ${countPreemptions(before.choices)} → ${countPreemptions(min.run.exec.choices)}, ` +
    (min.dropped.length > 0 ? `${droppedText(min.dropped)}; ` : '') +
    `${min.tries} predicate evaluations` +
    searchedText(min.search.executions, min.controls.executions) +
    min.search.found
      .map((f) => `; schedule search: ${droppedText(f.dropped)} after ${f.schedules} schedule(s)`)
      .join('') +
    min.controls.refuted.map(refusedText).join('') +
    min.controls.outside
      .map((f) => `; refused: ${droppedText(f.dropped)} (outside the reference's contract: ${f.rule})`)
      .join('');
  const renamed = resolve(out) !== resolve(file);
  const same = Buffer.compare(readFileSync(file), bytes) === 0;
  if (!renamed && same) {
    process.stdout.write(`UNCHANGED ${file}: ${stats}\n`);
    return 'unchanged';
  }
  if (renamed && existsSync(out) && !lighterThanFile(min.run.exec, bytes, out, registry, watch)) {
    // the same bug as a witness already in the folder, which is as light or lighter: it stays
    const identical = same && Buffer.compare(readFileSync(out), bytes) === 0;
    unlinkSync(file);
    process.stdout.write(
      `MINIMIZED ${file}: ${stats}; same fingerprint as ${out}, which is ${identical ? 'the same file' : 'lighter'}: removed\n`,
    );
    return 'rewritten';
  }
  if (renamed && same && !existsSync(out) && basename(file) === legacyCrashFileName(rec)) {
    // an older ptefuzz's name for the same bytes: the file moves to the name that says its contract
    try {
      renameSync(file, out);
    } catch (e) {
      throw new CrashFileError(file, `cannot rename to ${out} (${fsReason(e)})`);
    }
    process.stdout.write(`RENAMED ${file}: ${stats}; already minimal, legacy name renamed to ${out}\n`);
    return 'renamed';
  }
  writeFileAtomic(out, bytes);
  if (renamed) unlinkSync(file);
  process.stdout.write(`MINIMIZED ${file}: ${stats}${renamed ? `; renamed to ${out}` : ''}\n`);
  return 'rewritten';
}

/**
 * Whether a witness beats the crash file already under its fingerprint name,
 * as a campaign decides between two witnesses of one fingerprint: lighter
 * (minimize/order.ts), ties broken by bytes; a file that no longer shows its
 * divergence, or does not load, loses.
 */
function lighterThanFile(
  exec: Execution,
  bytes: Buffer,
  other: string,
  registry: ReaderRegistry,
  watch: WatchedExecutions,
): boolean {
  const crash = loadIfCrash(other);
  // a file under the name that is no crash file (truncated, overwritten) loses, as saveCrash replaces it
  if (crash === undefined || crash.verdict.kind !== 'divergence') return true;
  // and so does one that does not reproduce as `replay` judges it (its class, value and signature)
  const r = replayCrash(crash, other, registry, watch);
  if (!r.reproduced) return true;
  const [mine, theirs] = [rankOf(exec), rankOf(r.run.exec)];
  return preferredWitness(mine, bytes, theirs, readFileSync(other));
}

/** The crash record of the re-minimized witness; provenance (engine, seed) is kept. */
function withTrace(crash: CrashFile, target: Target, trace: readonly number[], run: Run) {
  const finding = {
    target,
    class: crash.verdict.class,
    trace,
    exec: run.exec,
    judgement: run.judgement,
    first: { executions: 0, seconds: 0 },
    hits: 1,
  };
  return crashRecord(finding, crash.engine, crash.seed);
}
