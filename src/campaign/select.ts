import { resolve as resolvePath } from 'node:path';
import type { ModelKind } from '../machine';
import { MODEL_KINDS } from '../machine';
import type { ReaderDef, ReaderRegistry } from '../kernel';
import { ARCHES, builtinOperations } from '../kernel';
import type { Contract } from '../compare';
import { CONTRACTS, contractByName } from '../compare';
import type { Scenario } from '../scenario';
import { BUILTIN_NAMES, ScenarioError, builtinScenario, builtinScenarios, loadScn, own } from '../scenario';
import type { Target } from './target';
import { makeTarget } from './target';
import { UsageError } from './usage-error';

export { UsageError };

/**
 * A `.scn` scenario as printed text: the form a selection crosses a thread or
 * process boundary in (`--jobs` workers, the jsfuzz harness), lowered again there.
 */
export interface ScenarioText {
  readonly name: string;
  readonly text: string;
  /** the `.scn` file it was loaded from (Scenario.file) */
  readonly file?: string;
}

export interface Selection {
  /** built-in names, scenarios already loaded from `.scn` files, or their printed texts */
  readonly scenarios?: readonly (string | Scenario | ScenarioText)[];
  readonly readers?: readonly string[];
  readonly contract?: string;
  readonly models?: readonly string[];
  /**
   * Without `models`: run each reader also under the models its `bug under M` clauses name, besides the
   * scenario's own (`fuzz`'s default campaign: S2 without the writer barriers is torn only under weak).
   */
  readonly withBugModels?: boolean;
}

const list = (xs: readonly string[]): string => xs.join(', ');

/** Lower a printed scenario text again (with the readers of `registry`). */
export function scenarioFromText(t: ScenarioText, registry: ReaderRegistry): Scenario {
  try {
    const l = loadScn(t.text, `scenario ${t.name}`, { readers: registry, operations: builtinOperations() }, t.name);
    if (l.kind !== 'kernel') throw new UsageError(`scenario ${t.name} has no pte and no reader`);
    return t.file !== undefined ? { ...l.scenario, file: t.file } : l.scenario;
  } catch (e) {
    if (e instanceof ScenarioError) throw new UsageError(e.message);
    throw e;
  }
}

/**
 * A selection that survives structured cloning and JSON: every scenario
 * loaded from a file becomes its printed text.
 */
export function portableSelection(sel: Selection): Selection {
  if (!sel.scenarios) return sel;
  return {
    ...sel,
    scenarios: sel.scenarios.map((s) => {
      if (typeof s === 'string' || !('build' in s)) return s;
      if (s.text === undefined) return s.name;
      return { name: s.name, text: s.text, ...(s.file !== undefined ? { file: s.file } : {}) };
    }),
  };
}

export function resolveScenario(name: string | Scenario | ScenarioText, registry?: ReaderRegistry): Scenario {
  if (typeof name !== 'string') {
    if ('build' in name) return name;
    if (!registry) throw new Error('[ptefuzz internal bug] a scenario text needs the reader registry to lower');
    return scenarioFromText(name, registry);
  }
  const s = builtinScenario(name);
  if (!s) {
    throw new UsageError(`unknown scenario "${name}"; valid: ${list(BUILTIN_NAMES)}, or a .scn or .litmus file`);
  }
  return s;
}

/**
 * The scenarios of a selection, each once: one given twice (a built-in named twice, one file given twice) counts
 * once; two different ones of one name are refused — targets, their counters and the summary's rows, corpus
 * subfolders and crash-file names are all keyed by the scenario's name, so their campaigns would be mixed.
 */
export function distinctScenarios(scenarios: readonly Scenario[]): Scenario[] {
  const byName = new Map<string, Scenario>();
  const where = (s: Scenario): string => (s.file === undefined ? 'the built-in' : s.file);
  const source = (s: Scenario): string => (s.file === undefined ? '' : resolvePath(s.file));
  const out: Scenario[] = [];
  for (const s of scenarios) {
    const seen = byName.get(s.name);
    if (seen === undefined) {
      byName.set(s.name, s);
      out.push(s);
    } else if (source(seen) !== source(s)) {
      throw new UsageError(
        `--scenario: two scenarios are named ${s.name} (${where(seen)} and ${where(s)}); campaigns, corpus folders ` +
          `and crash files are keyed by scenario name — rename one (its \`scenario\` line)`,
      );
    }
  }
  return out;
}

export function resolveReader(name: string, registry: ReaderRegistry): ReaderDef {
  const r = registry.get(name);
  if (!r) throw new UsageError(`unknown reader "${name}"; valid: ${list(registry.names())}`);
  return r;
}

/**
 * The contract a scenario judges a reader by — its `reader NAME contract C` line, else the reader's declared
 * one — which the scenario's `expect` for the reader is about.
 */
export function expectedContract(s: Scenario, r: ReaderDef): string {
  // a reader module's reader may be named `constructor`: not Object.prototype's
  return (s.contracts !== undefined ? own(s.contracts, r.name) : undefined) ?? r.contract;
}

export function resolveContract(name: string): Contract {
  const c = contractByName(name);
  if (!c) throw new UsageError(`unknown contract "${name}"; valid: ${list(CONTRACTS.map((x) => x.name))}`);
  return c;
}

export function resolveModel(name: string): ModelKind {
  if (!(MODEL_KINDS as readonly string[]).includes(name)) {
    throw new UsageError(`unknown memory model "${name}"; valid: ${list(MODEL_KINDS)}`);
  }
  return name as ModelKind;
}

/**
 * The user readers (`--reader-module`) that run on a scenario: every one of
 * its architecture — a scenario names only built-in readers.
 */
export function moduleReaders(s: Scenario, registry: ReaderRegistry): ReaderDef[] {
  return registry.all().filter((r) => r.module !== undefined && r.arch === s.arch && !s.readers.includes(r.name));
}

/** Does a reader run on a scenario: named by it, or a user reader of its architecture. */
export function readerApplies(s: Scenario, r: ReaderDef): boolean {
  return s.readers.includes(r.name) || (r.module !== undefined && r.arch === s.arch);
}

/**
 * The models a reader's `bug under M` clauses name, in MODEL_KINDS order (a clause without a model names
 * none): where its scenario expects it to diverge, whatever the scenario's own model.
 */
export function bugModels(s: Scenario, reader: string): ModelKind[] {
  const named = (own(s.expect, reader) ?? []).filter((c) => c.verdict === 'bug' && c.model !== undefined);
  return MODEL_KINDS.filter((m) => named.some((c) => c.model === m));
}

/**
 * The target of `reader` on scenario `s`, with the contract and memory model named in a file (a crash file, a
 * corpus entry); a UsageError when the reader reads another architecture's ptes or a name is unknown.
 */
export function namedTarget(s: Scenario, reader: ReaderDef, contract: string, model: string): Target {
  // a reader of another architecture would be handed a pte of the wrong shape
  if (reader.arch !== s.arch) {
    throw new UsageError(
      `reader "${reader.name}" reads ${reader.arch} ptes, scenario ${s.name} is ${s.arch} (expected a reader of its architecture)`,
    );
  }
  const arch = ARCHES[s.arch];
  if (!arch) throw new UsageError(`no encoding for architecture ${s.arch}`);
  return makeTarget(s, reader, resolveContract(contract), resolveModel(model), arch);
}

/**
 * Expand a selection into targets: every chosen scenario × its readers and
 * the user readers of its architecture (or the chosen ones it supports) × the chosen models (default: the scenario's
 * own, and with `withBugModels` the reader's `bug under M` models) under the chosen contract (default: each reader's
 * declared one).
 */
export function selectTargets(sel: Selection, registry: ReaderRegistry): Target[] {
  const scenarios =
    sel.scenarios && sel.scenarios.length > 0
      ? distinctScenarios(sel.scenarios.map((x) => resolveScenario(x, registry)))
      : builtinScenarios();
  const readers = sel.readers?.map((r) => resolveReader(r, registry));
  const contract = sel.contract === undefined ? undefined : resolveContract(sel.contract);
  const models = sel.models?.map(resolveModel);
  const targets: Target[] = [];
  for (const s of scenarios) {
    const arch = ARCHES[s.arch];
    if (!arch) throw new Error(`[ptefuzz internal bug] no encoding for architecture ${s.arch}`);
    const chosen = readers
      ? readers.filter((r) => readerApplies(s, r))
      : [...s.readers.map((n) => resolveReader(n, registry)), ...moduleReaders(s, registry)];
    for (const r of chosen) {
      const own =
        sel.withBugModels === true ? [s.model, ...bugModels(s, r.name).filter((m) => m !== s.model)] : [s.model];
      for (const m of models && models.length > 0 ? models : own) {
        const declared = expectedContract(s, r);
        targets.push(makeTarget(s, r, contract ?? resolveContract(declared), m, arch));
      }
    }
  }
  requireReadersRun(scenarios, readers, targets.length > 0, (r) => targets.some((t) => t.reader === r));
  return targets;
}

/**
 * A selection runs something, and every reader it names (`--reader`) on some chosen scenario: a named reader that
 * none runs would be left out without a word, and the command's "no divergence" would seem to cover it. Else
 * noScenarioUses (fuzz and explore through selectTargets, matrix through its own plan).
 */
export function requireReadersRun(
  scenarios: readonly Scenario[],
  named: readonly ReaderDef[] | undefined,
  anyRuns: boolean,
  runs: (r: ReaderDef) => boolean,
): void {
  if (!anyRuns) throw noScenarioUses(scenarios, named ?? []);
  const idle = named?.filter((r) => !runs(r)) ?? [];
  if (idle.length > 0) throw noScenarioUses(scenarios, idle);
}

/**
 * No chosen scenario runs any chosen reader: which ones, and why for each reader — it reads ptes of another
 * architecture than every scenario's, or it is a built-in reader none of them names.
 */
export function noScenarioUses(scenarios: readonly Scenario[], readers: readonly ReaderDef[]): UsageError {
  const why = readers.map((r) => {
    if (scenarios.some((s) => s.arch === r.arch)) {
      return `${r.name} is a built-in ${r.arch} reader: it runs only on the scenarios that name it`;
    }
    const arches = [...new Set(scenarios.map((s) => s.arch))];
    const are = scenarios.length === 1 ? `scenario ${scenarios[0]!.name} is` : `the scenarios are`;
    return `${r.name} reads ${r.arch} ptes, ${are} ${arches.join(' and ')}`;
  });
  const names = list(readers.map((r) => r.name));
  return new UsageError(
    `no scenario among ${list(scenarios.map((s) => s.name))} uses reader(s) ${names}${why.length > 0 ? `: ${why.join('; ')}` : ''}`,
  );
}
