import type { ReaderRegistry } from '../../kernel';
import type { CorpusDistiller, CrashFileError, DistilledFolder } from '../../crash';
import { mergeFolders } from '../../crash';
import type { Scenario } from '../../scenario';
import { UsageError, corpusTarget, distillTarget } from '../../campaign';
import { EXIT_OK, EXIT_USAGE } from '../errors';
import { isScenarioPath, loadScenarioFile } from '../scenario-files';

export interface MergeOptions {
  /** keep only corpus entries that add interleaving coverage for their target (afl-cmin, libFuzzer -merge=1) */
  distill?: boolean;
  /** `.scn` files whose scenarios' corpus entries are distilled (an entry records only the scenario's name) */
  scenario?: string[];
}

/**
 * `ptefuzz merge OUT IN…`: the union of crash folders and corpus folders.
 * Exit 0 when every file merged (new or duplicate), 2 when one was rejected
 * (the others are merged all the same) or an input is not a folder.
 * With `--distill`, corpus entries are distilled per target (src/campaign/distill.ts):
 * crash files merge as without it.
 */
export function mergeCommand(
  out: string,
  inputs: readonly string[],
  o: MergeOptions = {},
  registry?: ReaderRegistry,
  clock: () => number = Date.now,
): number {
  if (o.scenario !== undefined && o.distill !== true) {
    throw new UsageError(
      '--scenario: only with --distill (it names the .scn scenarios whose corpus entries are replayed)',
    );
  }
  let distill: CorpusDistiller | undefined;
  let replaySeconds = 0;
  if (o.distill === true) {
    if (registry === undefined) throw new Error('[ptefuzz internal bug] merge --distill needs the reader registry');
    const reg = registry;
    const scenarios = scnScenarios(o.scenario ?? [], reg);
    distill = (key, existing, candidates) => {
      let t;
      try {
        t = corpusTarget(key, reg, scenarios);
      } catch (e) {
        if (e instanceof UsageError) return { unresolved: e.message };
        throw e;
      }
      const t0 = clock();
      const d = distillTarget(t, existing, candidates);
      replaySeconds += (clock() - t0) / 1000;
      return d;
    };
  }
  const c = mergeFolders(
    out,
    inputs,
    (e: CrashFileError) => process.stderr.write(`ptefuzz: ${e.message}; skipped\n`),
    (e: CrashFileError) => process.stderr.write(`ptefuzz: warning: ${e.message}\n`),
    distill === undefined ? {} : { distill },
  );
  if (c.distilled !== undefined) printDistilled(c.distilled, replaySeconds);
  const added = c.crashes.added + c.corpus.added;
  const dup = c.crashes.duplicate + c.corpus.duplicate;
  process.stdout.write(
    `merged ${inputs.length} folder(s) into ${out}: ${added} new, ${dup} duplicate, ${c.rejected} rejected ` +
      `(crash files: ${c.crashes.added} new, ${c.crashes.duplicate} duplicate; ` +
      `corpus entries: ${c.corpus.added} new, ${c.corpus.duplicate} duplicate` +
      (c.distilled !== undefined ? `, ${c.corpus.dropped ?? 0} dropped as redundant by --distill` : '') +
      ')' +
      (c.replaced > 0 ? `; ${c.replaced} unreadable file(s) in ${out} replaced` : '') +
      '\n',
  );
  return c.rejected > 0 ? EXIT_USAGE : EXIT_OK;
}

/** The kernel scenarios of `--scenario FILE.scn` values; anything else is a usage error. */
function scnScenarios(files: readonly string[], registry: ReaderRegistry): Scenario[] {
  return files.map((f) => {
    if (!isScenarioPath(f) || f.endsWith('.litmus')) {
      throw new UsageError(
        `--scenario ${f}: expected a .scn file (built-in scenarios are known by name; litmus tests have no corpus)`,
      );
    }
    const l = loadScenarioFile(f, registry);
    if (l.kind !== 'kernel') throw new UsageError(`--scenario ${f}: a raw test (no pte, no reader) has no corpus`);
    return l.scenario;
  });
}

/** One line per target folder distilled, a warning per folder that could not be, and the totals. */
function printDistilled(folders: readonly DistilledFolder[], seconds: number): void {
  let candidates = 0;
  let kept = 0;
  let existing = 0;
  /** entries of the folders distilled (an unresolved folder's are written without a replay) */
  let replayed = 0;
  for (const f of folders) {
    candidates += f.candidates;
    kept += f.kept;
    existing += f.existing;
    if (f.unresolved === undefined) replayed += f.candidates + f.existing;
    if (f.unresolved !== undefined) {
      process.stderr.write(
        `ptefuzz: warning: ${f.unresolved.file}: cannot distill ${f.folder} (${f.unresolved.reason}); ` +
          `its ${f.candidates} new entries are merged whole\n`,
      );
      process.stdout.write(`distill ${f.folder}: ${f.kept} of ${f.candidates} kept (not distilled: see the warning)\n`);
      continue;
    }
    process.stdout.write(
      `distill ${f.folder}: ${f.kept} of ${f.candidates} kept, ${f.dropped} dropped` +
        (f.existing > 0 ? ` (${f.existing} already in OUT, kept)` : '') +
        `; ft ${f.ft ?? 0}\n`,
    );
  }
  process.stdout.write(
    `distilled ${folders.length} target(s): ${kept} of ${candidates} new corpus entries kept, ${candidates - kept} dropped` +
      (existing > 0 ? ` (${existing} already in OUT, kept)` : '') +
      `; ${replayed} entries replayed in ${seconds.toFixed(1)} s\n`,
  );
}
