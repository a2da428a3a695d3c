import type { ReaderRegistry } from '../../kernel';
import type {
  CorpusDistiller,
  CrashFile,
  CrashPolicy,
  DistillDecision,
  DistilledFolder,
  MergeCounts,
  MergedCrash,
  PreferCrash,
} from '../../crash';
import { CrashFileError, byBytes, mergeFolders, mergeFoldersDistilled } from '../../crash';
import { ReaderModuleNeeded, UsageError, corpusTarget, crashTarget, replayCrash } from '../../campaign';
import type { Rank } from '../../minimize';
import { preferredWitness, rankOf } from '../../minimize';
import type { WatchedJob } from '../distill-watched';
import { distillWatched } from '../distill-watched';
import { MAX_TIMEOUTS_PER_TARGET } from '../timeout-ledger';
import { EXIT_OK, EXIT_USAGE } from '../errors';
import { scnScenarios } from '../scenario-files';
import { DEFAULT_TIMEOUT_SECONDS } from '../watchdog';
import { counted } from '../render';
import { HungExecution, WatchedExecutions, hungLine } from '../watched-call';

export interface MergeOptions {
  /** keep only corpus entries that add interleaving coverage for their target (afl-cmin, libFuzzer -merge=1) */
  distill?: boolean;
  /** `.scn` files whose scenarios' corpus entries are distilled (an entry records only the scenario's name) */
  scenario?: string[];
  /** with distill, the watchdog: seconds a replay may run before it is stopped (as fuzz's --timeout) */
  timeout?: number;
  /** `--reader-module` files (already registered in the registry): the distill worker loads them too */
  readerModule?: string[];
}

/**
 * `ptefuzz merge OUT IN…`: the union of crash folders and corpus folders.
 * Exit 0 when every file merged (new or duplicate), 2 when one was rejected
 * (the others are merged all the same) or an input is not a folder.
 * With `--distill`, corpus entries are distilled per target (src/campaign/distill.ts)
 * in a worker thread under the hang watchdog (distill-watched.ts): crash files merge as without it.
 */
export async function mergeCommand(
  out: string,
  inputs: readonly string[],
  o: MergeOptions = {},
  registry?: ReaderRegistry,
  clock: () => number = Date.now,
): Promise<number> {
  if (o.scenario !== undefined && o.distill !== true) {
    throw new UsageError(
      '--scenario: only with --distill (it names the .scn scenarios whose corpus entries are replayed)',
    );
  }
  if (o.timeout !== undefined && o.distill !== true) {
    throw new UsageError('--timeout: only with --distill (it limits each replay of a corpus entry)');
  }
  const onReject = (e: CrashFileError): void => void process.stderr.write(`ptefuzz: ${e.message}; skipped\n`);
  const onReplace = (e: CrashFileError): void => void process.stderr.write(`ptefuzz: warning: ${e.message}\n`);
  const policy: CrashPolicy = {
    prefer: lighterWitness(registry, o.timeout ?? DEFAULT_TIMEOUT_SECONDS),
    ...(registry !== undefined ? { check: runnable(registry) } : {}),
  };
  if (o.distill !== true) return printMerged(out, inputs, mergeFolders(out, inputs, onReject, onReplace, policy));

  if (registry === undefined) throw new Error('[ptefuzz internal bug] merge --distill needs the reader registry');
  const reg = registry;
  const scenarioFiles = o.scenario ?? [];
  const scenarios = scnScenarios(scenarioFiles, reg);
  const timeoutSeconds = o.timeout ?? DEFAULT_TIMEOUT_SECONDS;
  let replaySeconds = 0;
  const distill: CorpusDistiller = async (jobs) => {
    const decisions: DistillDecision[] = [];
    const watched: WatchedJob[] = [];
    /** index in `jobs` of each watched job */
    const at: number[] = [];
    jobs.forEach((job, i) => {
      let target;
      try {
        target = corpusTarget(job.target, reg, scenarios);
      } catch (e) {
        if (!(e instanceof UsageError)) throw e;
        // its new entries are merged whole: OUT's folder of the target is not read
        decisions[i] = { unresolved: e.message };
        return;
      }
      watched.push({ key: job.target, target, existing: job.existing(), candidates: job.candidates });
      at.push(i);
    });
    if (watched.length === 0) return decisions;
    const t0 = clock();
    const outcomes = await distillWatched(watched, {
      readerModules: o.readerModule ?? [],
      scenarioFiles,
      timeoutSeconds,
      clock,
      onHung: (k, h) => {
        process.stderr.write(
          `ptefuzz: warning: ${h.file}: its replay ${h.why}; ` +
            (h.existing ? 'it stays in OUT, not distilled' : 'kept, not distilled') +
            (h.last
              ? `; ${jobs[at[k]!]!.folder}: ${MAX_TIMEOUTS_PER_TARGET} replays hung, so its new entries not replayed yet are kept whole, undistilled`
              : '') +
            '\n',
        );
      },
    });
    replaySeconds = (clock() - t0) / 1000;
    outcomes.forEach((w, k) => {
      const hungNew = w.hung.filter((h) => !h.existing).map((h) => h.name);
      decisions[at[k]!] = {
        kept: [...w.result.kept, ...hungNew, ...w.notReplayed],
        dropped: w.result.dropped,
        ft: w.result.ft,
        existing: watched[k]!.existing.length,
        ...(w.hung.length > 0 ? { hung: w.hung.length } : {}),
        ...(w.notReplayed.length > 0 ? { notReplayed: w.notReplayed.length } : {}),
      };
    });
    return decisions;
  };
  // a file of OUT's folder that is no entry of it, and that no merged entry replaces: left as it is, said and counted
  const onUnreadable = (e: CrashFileError): void =>
    void process.stderr.write(
      `ptefuzz: warning: ${e.message}; left in ${out} as it is, not replayed (no merged entry has its name; ` +
        'a campaign skips it as well)\n',
    );
  const c = await mergeFoldersDistilled(out, inputs, onReject, onReplace, distill, policy, onUnreadable);
  printDistilled(c.distilled ?? [], replaySeconds, timeoutSeconds);
  return printMerged(out, inputs, c);
}

/**
 * A crash file merges only if `replay` could run it: its target is rebuilt (crashTarget: reader, contract, model,
 * the stored scenario lowered — nothing is executed), else CrashFileError, and the merge rejects the file. One
 * whose reader comes from a reader module not given (`--reader-module`) is merged unchecked, as before.
 */
function runnable(registry: ReaderRegistry): (crash: CrashFile, file: string) => void {
  return (crash, file) => {
    try {
      crashTarget(crash, file, registry);
    } catch (e) {
      if (!(e instanceof ReaderModuleNeeded)) throw e;
    }
  };
}

/**
 * Of two crash files with one fingerprint, the one a campaign would keep: the lighter witness
 * (src/minimize/order.ts: preemptions, weak choices, length, …), ties broken by bytes. A file that cannot
 * be ranked — a timeout file (it is not replayed: it hangs), a reader module not loaded, a witness that no
 * longer shows its divergence (class, value and signature, as `replay` judges it), one whose replay did not return within `seconds` (watched: watched-call.ts; one
 * line on stderr) — loses to one that can; two such, by bytes. A strict total order, so the
 * merged folder does not depend on the order of the IN folders. Only files that differ are compared.
 */
function lighterWitness(registry: ReaderRegistry | undefined, seconds: number): PreferCrash {
  const watch = new WatchedExecutions(seconds);
  const ranks = new Map<string, Rank | null>();
  const rank = (c: MergedCrash): Rank | null => {
    if (ranks.has(c.file)) return ranks.get(c.file)!;
    let r: Rank | null = null;
    if (registry !== undefined && c.crash.verdict.kind === 'divergence') {
      try {
        // reproduced as replay judges it — class, value and signature: a file whose trace shows a sibling bug
        // of its class (edited, damaged) ranks last, whatever its weight
        const replayed = replayCrash(c.crash, c.file, registry, watch);
        r = replayed.reproduced ? rankOf(replayed.run.exec) : null;
      } catch (e) {
        if (e instanceof HungExecution) {
          process.stderr.write(
            hungLine(c.file, e, 'on replay (to rank it against another witness of its fingerprint: ranked last)') +
              '\n',
          );
        } else if (!(e instanceof CrashFileError)) throw e;
      }
    }
    ranks.set(c.file, r);
    return r;
  };
  return (a, b) => {
    const [ra, rb] = [rank(a), rank(b)];
    if (ra !== null && rb !== null) return preferredWitness(ra, a.bytes, rb, b.bytes);
    if (ra !== null || rb !== null) return ra !== null;
    return byBytes(a, b);
  };
}

/** The merge line; the exit code. */
function printMerged(out: string, inputs: readonly string[], c: MergeCounts): number {
  const added = c.crashes.added + c.corpus.added;
  const dup = c.crashes.duplicate + c.corpus.duplicate;
  process.stdout.write(
    `merged ${inputs.length} folder(s) into ${out}: ${added} new, ${dup} duplicate, ${c.rejected} rejected ` +
      `(crash files: ${c.crashes.added} new, ${c.crashes.duplicate} duplicate; ` +
      `corpus entries: ${c.corpus.added} new, ${c.corpus.duplicate} duplicate` +
      (c.distilled !== undefined ? `, ${c.corpus.dropped ?? 0} dropped as redundant by --distill` : '') +
      ')' +
      (c.replaced > 0 ? `; ${c.replaced} unreadable file(s) in ${out} replaced` : '') +
      ((c.unreadable ?? 0) > 0
        ? `; ${c.unreadable} unreadable file(s) in ${out} left as they are (see the warnings)`
        : '') +
      '\n',
  );
  return c.rejected > 0 ? EXIT_USAGE : EXIT_OK;
}

/**
 * One line per target folder distilled, a warning per folder that could not be, and the totals
 * (the replays that hung were reported as they happened).
 */
function printDistilled(folders: readonly DistilledFolder[], seconds: number, timeoutSeconds: number): void {
  let candidates = 0;
  let kept = 0;
  let existing = 0;
  /** entries of the folders distilled (an unresolved folder's are written without a replay) */
  let replayed = 0;
  let hung = 0;
  for (const f of folders) {
    candidates += f.candidates;
    kept += f.kept;
    existing += f.existing;
    if (f.unresolved === undefined) replayed += f.candidates + f.existing - (f.notReplayed ?? 0);
    hung += f.hung ?? 0;
    if (f.unresolved !== undefined) {
      process.stderr.write(
        `ptefuzz: warning: ${f.unresolved.file}: cannot distill ${f.folder} (${f.unresolved.reason}); ` +
          `its ${counted(f.candidates, 'new entry is', 'new entries are')} merged whole\n`,
      );
      process.stdout.write(`distill ${f.folder}: ${f.kept} of ${f.candidates} kept (not distilled: see the warning)\n`);
      continue;
    }
    process.stdout.write(
      `distill ${f.folder}: ${f.kept} of ${f.candidates} kept, ${f.dropped} dropped` +
        (f.existing > 0 ? ` (${f.existing} already in OUT, kept)` : '') +
        (f.hung !== undefined ? `; ${f.hung} replay(s) hung (kept, not distilled: see the warnings)` : '') +
        (f.notReplayed !== undefined
          ? `, ${counted(f.notReplayed, 'new entry', 'new entries')} not replayed after them (kept whole, undistilled)`
          : '') +
        `; ft ${f.ft ?? 0}\n`,
    );
  }
  process.stdout.write(
    `distilled ${folders.length} target(s): ${kept} of ${candidates} new corpus entries kept, ${candidates - kept} dropped` +
      (existing > 0 ? ` (${existing} already in OUT, kept)` : '') +
      `; ${counted(replayed, 'entry', 'entries')} replayed in ${seconds.toFixed(1)} s` +
      (hung > 0 ? `; ${hung} replay(s) hung, each stopped after ${timeoutSeconds} s (kept, not distilled)` : '') +
      '\n',
  );
}
