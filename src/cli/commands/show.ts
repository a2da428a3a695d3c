import type { ReaderRegistry } from '../../kernel';
import { loadCrash, writeFileAtomic } from '../../crash';
import type { CrashFile } from '../../crash';
import type { ReplayResult } from '../../campaign';
import { UsageError, crashTarget, readerModuleNote, recordedValueText } from '../../campaign';
import { litmusText, renderHtmlReport } from '../../report';
import { EXIT_DIVERGENCE, EXIT_OK } from '../errors';
import { basename } from 'node:path';
import { reportInput, runReport, scenarioHead, watchedHangReport } from '../render';
import { watchedHangTraceNotes, watchedReplay } from '../watched-call';
import { DEFAULT_TIMEOUT_SECONDS } from '../watchdog';
import { pageReplayCommand, replayCommandFor, showCommandFor, timeoutReplayCommand } from '../replay-command';

export interface ShowOptions {
  /** write a self-contained HTML timeline here instead of printing the report */
  readonly html?: string;
  /** print the witness as an LKMM C litmus test (herd7 syntax) instead */
  readonly litmus?: boolean;
  /** the watchdog: a replay running longer than this many seconds is stopped (default DEFAULT_TIMEOUT_SECONDS) */
  readonly timeout?: number;
}

/**
 * Print a crash file as a CPU-column diagram with its verdict, and the command that replays it. Its replay is
 * watched (watched-call.ts): one that does not return within `--timeout` is stopped, one line on stderr, exit 1.
 */
export function showCommand(file: string, registry: ReaderRegistry, o: ShowOptions = {}): number {
  if (o.html !== undefined && o.litmus) throw new UsageError('--html and --litmus: choose one');
  const crash = loadCrash(file);
  const seconds = o.timeout ?? DEFAULT_TIMEOUT_SECONDS;
  if (crash.verdict.kind === 'timeout') return showTimeout(file, crash, registry, o, seconds);
  const r = watchedReplay(crash, file, registry, seconds, 'on replay (nothing to show)');
  if (r === undefined) return EXIT_DIVERGENCE;
  // named by the file, as replay names them (replay.ts)
  if (r.moduleNote !== undefined) process.stderr.write(`${file}: ${r.moduleNote}\n`);
  for (const note of r.traceNotes) process.stderr.write(`${file}: ${note}\n`);
  if (o.litmus) return printLitmus(file, r);
  const recorded =
    `recorded: ${crash.verdict.class} ${crash.verdict.kind === 'divergence' ? recordedValueText(crash.verdict.observed, r.target) : ''} (engine ${crash.engine}, seed ${crash.seed}, ptefuzz ${crash.tool}); ` +
    (r.reproduced ? 'reproduced' : `NOT reproduced (${r.difference})`);
  const signature = `signature: ${crash.signature}`;
  const trace = `trace (${crash.trace.length} choices): [${crash.trace.join(', ')}]`;
  const replay = `replay: ${replayCommandFor(file, r.target.reader.module?.path)}`;
  if (o.html !== undefined) {
    const pageReplay = `replay: ${pageReplayCommand(file, crash.readerModule?.path)}`;
    const bytes = writeHtml(o.html, r, [recorded, trace, pageReplay]);
    process.stdout.write(`${recorded}\nwrote ${o.html} (${bytes} bytes)\n`);
  } else {
    const stored = storedLines(crash);
    process.stdout.write(
      [runReport(r.target, r.run), '', recorded, signature, trace, replay, '', ...stored].join('\n') + '\n',
    );
  }
  return r.reproduced ? EXIT_OK : EXIT_DIVERGENCE;
}

function storedLines(crash: CrashFile): string[] {
  return crash.scenario.text === undefined
    ? [`scenario: built-in ${crash.scenario.name} (format version 1 stores no text)`]
    : [
        crash.scenario.dropped === undefined
          ? `scenario (${crash.scenario.source}, as stored in the crash file):`
          : `scenario (reduced from the ${crash.scenario.source === 'builtin' ? 'built-in' : 'scenario file'} ${crash.scenario.name}: ${crash.scenario.dropped.length} dropped, as stored in the crash file):`,
        ...crash.scenario.text
          .trimEnd()
          .split('\n')
          .map((l) => `  ${l}`),
      ];
}

/**
 * A timeout file: the execution up to the step that never returned (replayed
 * with that step bound, so `show` itself cannot hang) and what the watchdog
 * recorded. Not re-run to the hang: `ptefuzz replay` does that, under the watchdog.
 */
function showTimeout(
  file: string,
  crash: CrashFile,
  registry: ReaderRegistry,
  o: ShowOptions,
  seconds: number,
): number {
  const v = crash.verdict;
  if (v.kind !== 'timeout') throw new Error('[ptefuzz internal bug] not a timeout file');
  if (o.html !== undefined || o.litmus) {
    throw new UsageError(
      `${file}: a timeout file has no divergence to draw with --${o.litmus ? 'litmus' : 'html'}; \`${showCommandFor(file, crash.readerModule?.path)}\` prints the execution up to the hang`,
    );
  }
  const target = crashTarget(crash, file, registry);
  const note = readerModuleNote(crash, target.reader);
  if (note !== undefined) process.stderr.write(note + '\n');
  // the trace up to the step the file says never returned, as the diagram replays it
  for (const n of watchedHangTraceNotes(target, { trace: crash.trace, step: v.step, cpu: v.cpu }, seconds))
    process.stderr.write(`${file}: ${n}\n`);
  const recorded =
    `recorded: timeout after ${v.seconds} s (engine ${crash.engine}, seed ${crash.seed}, ptefuzz ${crash.tool}); ` +
    'not re-run to the hang here: replay runs it under the watchdog';
  const signature = `signature: ${crash.signature}`;
  const trace = `trace (${crash.trace.length} choices): [${crash.trace.join(', ')}]`;
  const replay = `replay: ${timeoutReplayCommand(file, target.reader.module?.path, v.seconds)}`;
  process.stdout.write(
    [
      watchedHangReport(target, v, crash.trace, seconds),
      '',
      recorded,
      signature,
      trace,
      replay,
      '',
      ...storedLines(crash),
    ].join('\n') + '\n',
  );
  return EXIT_OK;
}

function writeHtml(out: string, r: ReplayResult, notes: readonly string[]): number {
  const t = r.target;
  const html = renderHtmlReport({
    ...reportInput(t, r.run),
    heading: scenarioHead(t)[0]!,
    notes: [...scenarioHead(t).slice(1), ...notes],
  });
  try {
    writeFileAtomic(out, html);
  } catch (e) {
    throw new UsageError(`--html ${out}: cannot write (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  return Buffer.byteLength(html);
}

/** `show --litmus`: the witness as an LKMM C litmus test; a witness outside LKMM's C subset is refused (exit 2). */
function printLitmus(file: string, r: ReplayResult): number {
  const t = r.target;
  const v = r.run.judgement.verdict;
  if (!r.reproduced || v.kind !== 'divergence') {
    process.stderr.write(`ptefuzz: ${file}: does not reproduce its recorded divergence (${r.difference})\n`);
    return EXIT_DIVERGENCE;
  }
  const res = litmusText({
    name: `${t.scenario.name}+${t.reader.name}+${t.model}`,
    exec: r.run.exec,
    locations: t.built.locations,
    verdict: v,
    cpuNames: t.built.cpus.map((c) => c.name),
    comment: [
      `ptefuzz witness ${basename(file)}`,
      ...scenarioHead(t),
      `reader ${t.reader.name} returned ${t.arch.format(v.observed)} (${v.class} under ${t.contract.name}, model ${t.model})`,
    ],
  });
  if (!res.ok) {
    const show = showCommandFor(file, t.reader.module?.path);
    throw new UsageError(
      `${file}: no LKMM C-litmus form: ${res.reason} (instead: \`${show}\` draws the witness, \`${show} --html OUT.html\` as a page to attach)`,
    );
  }
  process.stdout.write(res.text);
  return EXIT_OK;
}
