import type { ReaderRegistry } from '../../kernel';
import { CrashFileError, expandCrashPaths, loadCrash } from '../../crash';
import { replayCrash } from '../../campaign';
import { EXIT_DIVERGENCE, EXIT_OK, EXIT_USAGE } from '../errors';
import { runReport } from '../render';

/**
 * Re-execute every crash file; exit 0 iff each reproduces its recorded
 * verdict, 1 if one does not, 2 if a file cannot be read (one line each).
 */
export function replayCommand(paths: readonly string[], registry: ReaderRegistry, diagram: boolean): number {
  const files = expandCrashPaths(paths);
  let unreadable = 0;
  let failed = 0;
  let ok = 0;
  for (const file of files) {
    try {
      const crash = loadCrash(file);
      const r = replayCrash(crash, file, registry);
      if (r.moduleNote !== undefined) process.stdout.write(`${file}: ${r.moduleNote}\n`);
      const what = `${crash.verdict.class} ${crash.verdict.observed} — ${crash.reader} on ${crash.scenario.name} (${crash.contract}, ${crash.model})`;
      if (r.reproduced) {
        ok++;
        process.stdout.write(`REPRODUCED ${file}: ${what}\n`);
      } else {
        failed++;
        process.stdout.write(`NOT REPRODUCED ${file}: recorded ${what}; replay gave ${r.observed}\n`);
      }
      if (diagram || !r.reproduced) process.stdout.write(runReport(r.target, r.run) + '\n\n');
    } catch (e) {
      if (!(e instanceof CrashFileError)) throw e;
      unreadable++;
      process.stderr.write(`ptefuzz: ${e.message}\n`);
    }
  }
  process.stdout.write(
    `${files.length} crash file(s): ${ok} reproduced, ${failed} not reproduced, ${unreadable} unreadable\n`,
  );
  if (unreadable > 0) return EXIT_USAGE;
  return failed > 0 ? EXIT_DIVERGENCE : EXIT_OK;
}
