import type { ReaderRegistry } from '../../kernel';
import type { CrashFile } from '../../crash';
import { CrashFileError, loadCrash } from '../../crash';
import { crashPathsOf } from '../crash-paths';
import {
  ReaderModuleNeeded,
  UsageError,
  crashTarget,
  readerModuleNote,
  recordedValueText,
  unrunCounts,
} from '../../campaign';
import { EXIT_DIVERGENCE, EXIT_OK, EXIT_USAGE } from '../errors';
import { runReport, watchedHangReport } from '../render';
import { watchedHangSignature, watchedHangTraceNotes, watchedReplay } from '../watched-call';
import { replayWatched } from '../replay-watched';

/**
 * How `replay` watches its executions: a timeout file runs in a watched worker thread, stopped after `seconds`; a
 * divergence file in this thread, as a watched call stopped after `seconds` (watched-call.ts).
 */
export interface ReplayWatchdog {
  readonly seconds: number;
  /** the `--reader-module` files, for the worker to load */
  readonly readerModules: readonly string[];
}

/**
 * Re-execute every crash file; exit 0 iff each reproduces its recorded
 * verdict, 1 if one does not, 2 if a file cannot be read or needs a --reader-module it was not given (one line each).
 * A timeout file reproduces when its execution hangs again: it runs in a
 * worker thread that is stopped after `watchdog.seconds`. A divergence file
 * whose replay does not return within `watchdog.seconds` is stopped and does
 * not reproduce (one line on stderr).
 */
export async function replayCommand(
  paths: readonly string[],
  registry: ReaderRegistry,
  diagram: boolean,
  watchdog: ReplayWatchdog,
): Promise<number> {
  const files = crashPathsOf(paths);
  let unreadable = 0;
  let needModule = 0;
  let failed = 0;
  let ok = 0;
  for (const file of files) {
    try {
      const crash = loadCrash(file);
      const reproduced =
        crash.verdict.kind === 'timeout'
          ? await replayTimeout(crash, file, registry, diagram, watchdog)
          : replayDivergence(crash, file, registry, diagram, watchdog.seconds);
      if (reproduced) ok++;
      else failed++;
    } catch (e) {
      if (!(e instanceof CrashFileError)) throw e;
      if (e instanceof ReaderModuleNeeded) needModule++;
      else unreadable++;
      process.stderr.write(`ptefuzz: ${e.message}\n`);
    }
  }
  process.stdout.write(
    `${files.length} crash file(s): ${ok} reproduced, ${failed} not reproduced, ${unrunCounts(unreadable, needModule)}\n`,
  );
  if (unreadable > 0 || needModule > 0) return EXIT_USAGE;
  return failed > 0 ? EXIT_DIVERGENCE : EXIT_OK;
}

function replayDivergence(
  crash: CrashFile,
  file: string,
  registry: ReaderRegistry,
  diagram: boolean,
  seconds: number,
): boolean {
  const r = watchedReplay(crash, file, registry, seconds, 'on replay');
  if (r === undefined) {
    process.stdout.write(
      `NOT REPRODUCED ${file}: recorded ${crash.verdict.class} — ${crash.reader} on ${crash.scenario.name} (${crash.contract}, ${crash.model}); replay did not return within ${seconds} s\n`,
    );
    return false;
  }
  if (r.moduleNote !== undefined) process.stdout.write(`${file}: ${r.moduleNote}\n`);
  for (const note of r.traceNotes) process.stdout.write(`${file}: ${note}\n`);
  const v = crash.verdict;
  const what = `${v.class} ${v.kind === 'divergence' ? recordedValueText(v.observed, r.target) : ''} — ${crash.reader} on ${crash.scenario.name} (${crash.contract}, ${crash.model})`;
  if (r.reproduced) process.stdout.write(`REPRODUCED ${file}: ${what}\n`);
  else process.stdout.write(`NOT REPRODUCED ${file}: recorded ${what}; ${r.difference}\n`);
  if (diagram || !r.reproduced) process.stdout.write(runReport(r.target, r.run) + '\n\n');
  return r.reproduced;
}

async function replayTimeout(
  crash: CrashFile,
  file: string,
  registry: ReaderRegistry,
  diagram: boolean,
  watchdog: ReplayWatchdog,
): Promise<boolean> {
  const v = crash.verdict;
  if (v.kind !== 'timeout') throw new Error('[ptefuzz internal bug] not a timeout file');
  // rebuilt here first, so a file naming an unknown reader or scenario is one line (exit 2)
  const target = crashTarget(crash, file, registry);
  const note = readerModuleNote(crash, target.reader);
  if (note !== undefined) process.stdout.write(`${file}: ${note}\n`);
  const where = `${crash.reader} on ${crash.scenario.name} (${crash.contract}, ${crash.model})`;
  const r = await replayWatched(file, watchdog.readerModules, watchdog.seconds);
  if ('error' in r) throw new UsageError(r.error);
  let reproduced = r.hung;
  if (r.hung) {
    // where it hung, described as the campaign described the hang it recorded (watchedTimeoutRecord): the
    // signature is the hang's identity, as a divergence's is
    const hang = { trace: crash.trace, step: r.step, cpu: r.cpu };
    const got = watchedHangSignature(target, hang, crash.signature, watchdog.seconds);
    for (const note of watchedHangTraceNotes(target, hang, watchdog.seconds))
      process.stdout.write(`${file}: ${note}\n`);
    reproduced = got.same;
    if (reproduced)
      process.stdout.write(`REPRODUCED ${file}: timeout after ${r.seconds} s (expected: timeout) — ${where}\n`);
    else
      process.stdout.write(
        `NOT REPRODUCED ${file}: recorded timeout (after ${v.seconds} s) — ${where}; replay hung too, in step ${r.step} on CPU ${r.cpu} (stopped after ${r.seconds} s), ` +
          `with signature "${got.signature}", the file records "${crash.signature}" (another hang: the trace or the signature was edited or damaged)\n`,
      );
  } else {
    for (const note of r.traceNotes) process.stdout.write(`${file}: ${note}\n`);
    process.stdout.write(
      `NOT REPRODUCED ${file}: recorded timeout (after ${v.seconds} s) — ${where}; replay returned within ${watchdog.seconds} s: ${r.verdict}, ${r.steps} steps\n`,
    );
  }
  if (diagram || !reproduced)
    process.stdout.write(watchedHangReport(target, v, crash.trace, watchdog.seconds) + '\n\n');
  return reproduced;
}
