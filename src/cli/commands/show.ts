import type { ReaderRegistry } from '../../kernel';
import { loadCrash, writeFileAtomic } from '../../crash';
import type { ReplayResult } from '../../campaign';
import { UsageError, replayCrash } from '../../campaign';
import { renderHtmlReport } from '../../report';
import { EXIT_DIVERGENCE, EXIT_OK } from '../errors';
import { runReport } from '../render';
import { replayCommandFor } from './fuzz';

export interface ShowOptions {
  /** write a self-contained HTML timeline here instead of printing the report */
  readonly html?: string;
}

/** Print a crash file as a CPU-column diagram with its verdict, and the command that replays it. */
export function showCommand(file: string, registry: ReaderRegistry, o: ShowOptions = {}): number {
  const crash = loadCrash(file);
  const r = replayCrash(crash, file, registry);
  if (r.moduleNote !== undefined) process.stderr.write(r.moduleNote + '\n');
  const recorded =
    `recorded: ${crash.verdict.class} ${crash.verdict.observed} (engine ${crash.engine}, seed ${crash.seed}, ptefuzz ${crash.tool}); ` +
    (r.reproduced ? 'reproduced' : `NOT reproduced (replay gave ${r.observed})`);
  const trace = `trace (${crash.trace.length} choices): [${crash.trace.join(', ')}]`;
  const replay = `replay: ${replayCommandFor(file, r.target.reader.module?.path)}`;
  if (o.html !== undefined) {
    const bytes = writeHtml(o.html, r, [recorded, trace, replay]);
    process.stdout.write(`${recorded}\nwrote ${o.html} (${bytes} bytes)\n`);
  } else {
    process.stdout.write([runReport(r.target, r.run), '', recorded, trace, replay].join('\n') + '\n');
  }
  return r.reproduced ? EXIT_OK : EXIT_DIVERGENCE;
}

function writeHtml(out: string, r: ReplayResult, notes: readonly string[]): number {
  const t = r.target;
  const html = renderHtmlReport({
    exec: r.run.exec,
    built: t.built,
    arch: t.arch,
    judgement: r.run.judgement,
    readerName: t.reader.name,
    contract: t.contract.name,
    heading: `${t.scenario.name}: ${t.scenario.title}`,
    notes: [`model ${t.model}; source: ${t.scenario.source}`, ...notes],
  });
  try {
    writeFileAtomic(out, html);
  } catch (e) {
    throw new UsageError(`--html ${out}: cannot write (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  return Buffer.byteLength(html);
}
