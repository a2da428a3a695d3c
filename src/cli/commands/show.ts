import type { ReaderRegistry } from '../../kernel';
import { loadCrash } from '../../crash';
import { replayCrash } from '../../campaign';
import { EXIT_DIVERGENCE, EXIT_OK } from '../errors';
import { runReport } from '../render';
import { replayCommandFor } from './fuzz';

/** Print a crash file as a CPU-column diagram with its verdict, and the command that replays it. */
export function showCommand(file: string, registry: ReaderRegistry): number {
  const crash = loadCrash(file);
  const r = replayCrash(crash, file, registry);
  const out = [
    runReport(r.target, r.run),
    '',
    `recorded: ${crash.verdict.class} ${crash.verdict.observed} (engine ${crash.engine}, seed ${crash.seed}, ptefuzz ${crash.tool}); ` +
      (r.reproduced ? 'reproduced' : `NOT reproduced (replay gave ${r.observed})`),
    `trace (${crash.trace.length} choices): [${crash.trace.join(', ')}]`,
    `replay: ${replayCommandFor(file)}`,
  ];
  process.stdout.write(out.join('\n') + '\n');
  return r.reproduced ? EXIT_OK : EXIT_DIVERGENCE;
}
