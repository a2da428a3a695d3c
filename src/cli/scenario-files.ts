import { readFileSync } from 'node:fs';
import { basename, extname } from 'node:path';
import type { ReaderRegistry } from '../kernel';
import { builtinOperations } from '../kernel';
import { UsageError } from '../campaign';
import type { Lowered, RawTest, Scenario } from '../scenario';
import { builtinScenario, loadScn, parseLitmus, programKey } from '../scenario';
import { notARegularFile } from '../crash';

/** A scenario argument that names a file rather than a built-in scenario. */
export function isScenarioPath(arg: string): boolean {
  return /\.(scn|litmus)$/.test(arg) || arg.includes('/');
}

/** A loaded file: a kernel scenario, or a raw test (a `.scn` without ptes, or a C litmus test). */
export type LoadedFile =
  | {
      readonly kind: 'kernel';
      readonly scenario: Scenario;
      readonly file: string;
      readonly text: string;
      readonly cpus: readonly string[];
    }
  | { readonly kind: 'raw'; readonly test: RawTest; readonly file: string; readonly text: string };

export function readText(file: string): string {
  // as replay, show and merge say it (crash/store.ts emptyPathError)
  if (file === '') throw new UsageError("'': an empty path was given (expected a .scn or .litmus file)");
  try {
    const kind = notARegularFile(file);
    if (kind !== undefined)
      throw new UsageError(`${file}: ${kind}, not a regular file (expected a .scn or .litmus file)`);
    return readFileSync(file, 'utf8');
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(`${file}: cannot read (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
}

/**
 * Read and lower a `.scn` file or a C litmus test (`.litmus`); a syntax or
 * name problem is a ScenarioError at file:line:col.
 */
export function loadScenarioFile(file: string, readers: ReaderRegistry): LoadedFile {
  const text = readText(file);
  const name = basename(file, extname(file));
  if (extname(file) === '.litmus') return { kind: 'raw', test: parseLitmus(text, file), file, text };
  const l: Lowered = loadScn(text, file, { readers, operations: builtinOperations() }, name);
  if (l.kind === 'kernel') sameProgramAsBuiltin(l.scenario, file);
  return l.kind === 'kernel'
    ? { kind: 'kernel', scenario: { ...l.scenario, file }, file, text: l.text, cpus: l.cpus }
    : { kind: 'raw', test: l.test, file, text: l.text };
}

/**
 * A file may reuse a built-in scenario's name only for the built-in's own program (its `corpus/mailing-list` copy,
 * comments, title, source and claim aside): crash-file names, corpus folders and a campaign's targets are keyed by
 * scenario name, so another program under that name would take the built-in's witnesses for its own and the
 * built-in's corpus entries for seeds (an audit: a `.scn` named s1-pae-double-refault with another program was
 * told its finding was in a crash file that held the built-in's program).
 */
function sameProgramAsBuiltin(s: Scenario, file: string): void {
  const builtin = builtinScenario(s.name);
  if (builtin?.ast === undefined || s.ast === undefined) return;
  if (programKey(builtin.ast.file) === programKey(s.ast.file)) return;
  throw new UsageError(
    `${file}: scenario ${s.name} is the name of a built-in scenario with another program (crash files, corpus ` +
      `folders and campaigns are keyed by scenario name): give it a name of its own in its \`scenario\` line`,
  );
}

/** `--scenario` values: built-in names stay names; paths are loaded. */
export function resolveScenarioArgs(args: readonly string[], readers: ReaderRegistry): (string | LoadedFile)[] {
  return args.map((a) => (isScenarioPath(a) ? loadScenarioFile(a, readers) : a));
}

/**
 * The kernel scenarios of `merge --distill --scenario FILE.scn` values (a corpus entry records only its
 * scenario's name); anything else is a usage error. Loaded by the main thread and by the distill worker.
 */
export function scnScenarios(files: readonly string[], registry: ReaderRegistry): Scenario[] {
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
