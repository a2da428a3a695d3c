import type { ModelKind } from '../machine';
import { MODEL_KINDS, modelsAtLeastAsStrong, modelsAtMostAsStrong } from '../machine';
import type { ExpectClause, Expectation, Scenario } from '../scenario';
import { EXPECTATIONS, clauseText, expectText, own } from '../scenario';
import type { MatrixCell } from './matrix';
import type { Target } from './target';
import { expectedContract } from './select';

/**
 * How a matrix stands against a scenario's expectation for one reader
 * (`scenario.expect`, DOMAIN §C), clause by clause. An expectation is about the
 * reader's declared contract. A clause without a model is judged over every
 * model in the matrix; `under M` narrows it by nesting (SC ⊆ TSO ⊆ weak):
 * `bug under M` to M and the weaker models (a bug under M shows there too),
 * `correct`/`benign under M` to M and the stronger ones (a divergence only a
 * weaker model shows does not contradict them). On those cells:
 * - `bug`: met when some model diverges;
 * - `correct`: met when no model diverges and every model raced (a reader
 *   that never raced confirms nothing: `unconfirmed`, as is all-bound-hit);
 * - `benign`: never contradicted — reported for information.
 * `unchecked`: the declared contract is not in the matrix (--contract), none
 * of the models the clause is about was run (--model), or the expectation is
 * a word this ptefuzz does not know.
 */
export type ExpectationStatus = 'met' | 'mismatch' | 'unconfirmed' | 'benign' | 'unchecked';

export interface ExpectationCheck {
  readonly scenario: string;
  readonly reader: string;
  readonly contract: string;
  /** the clause as the `expect` line writes it: `bug`, `bug under weak` */
  readonly expect: string;
  /** its verdict word (`bug`, `correct`, `benign`, or one this ptefuzz does not know) */
  readonly verdict: string;
  /** its model, for a clause `under` one */
  readonly model?: ModelKind;
  /** for an `unchecked` clause about models none of which was run: those models (the clause's `--model` choices) */
  readonly notRun?: readonly ModelKind[];
  readonly status: ExpectationStatus;
  /** one line: what the matrix saw */
  readonly detail: string;
}

/**
 * What an expectation is judged on: one target's counts (a matrix cell, or a
 * campaign's target with the classes of its distinct divergences).
 */
export type ExpectationCell = Pick<MatrixCell, 'target' | 'declared' | 'stats' | 'verdict'> & {
  readonly classes: ReadonlyMap<string, number>;
};

/** The scenario's `expect` clauses for a reader; undefined when it states none (a reader module's reader). */
export function expectationFor(s: Scenario, reader: string): readonly ExpectClause[] | undefined {
  // a reader module's reader may be named `constructor`: not Object.prototype's
  return own(s.expect, reader);
}

/** The models a clause is judged on (nesting: `bug under M` on M and weaker, the others on M and stronger). */
export function clauseModels(c: ExpectClause): readonly ModelKind[] {
  if (c.model === undefined) return MODEL_KINDS;
  return c.verdict === 'bug' ? modelsAtMostAsStrong(c.model) : modelsAtLeastAsStrong(c.model);
}

const LEAST_WRONG_FIRST: readonly Expectation[] = ['correct', 'benign', 'bug'];

/**
 * What the scenario expects of a reader under one model (a table's `expected` column): the clause that
 * covers the model — the one claiming least is wrong when two do (`correct under sc, benign under tso`: sc
 * is expected correct) —, or undefined.
 */
export function expectationAt(s: Scenario, reader: string, model: ModelKind): Expectation | undefined {
  const covering = (expectationFor(s, reader) ?? []).filter((c) => clauseModels(c).includes(model));
  return LEAST_WRONG_FIRST.find((e) => covering.some((c) => c.verdict === e));
}

/** The target is judged by the contract its scenario's expectation for the reader is about. */
export function judgesExpectation(t: Target): boolean {
  return t.contract.name === expectedContract(t.scenario, t.reader);
}

/**
 * What the scenario expects of a target (a campaign table's `expected` column, a new divergence's line): the
 * expectation at its model (expectationAt) when the target runs the contract the expectation is about, else undefined.
 */
export function targetExpectation(t: Target): Expectation | undefined {
  return judgesExpectation(t) ? expectationAt(t.scenario, t.reader.name, t.model) : undefined;
}

/** A status that makes `ptefuzz matrix` exit 1. */
export const failsExpectation = (s: ExpectationStatus): boolean => s === 'mismatch' || s === 'unconfirmed';

function seen(cells: readonly ExpectationCell[]): string {
  const execs = cells.reduce((n, c) => n + c.stats.executions, 0);
  const races = cells.reduce((n, c) => n + c.stats.races, 0);
  return `${execs} executions, ${races} raced`;
}

function divergent(cells: readonly ExpectationCell[]): string {
  return cells
    .filter((c) => c.verdict === 'divergence')
    .map((c) => `${[...c.classes.keys()].join('+')} under ${c.target.model}`)
    .join(', ');
}

/** Check every expectation clause of a scenario against its cells (readers without one are skipped). */
export function checkExpectations(s: Scenario, cells: readonly ExpectationCell[]): ExpectationCheck[] {
  const out: ExpectationCheck[] = [];
  const names = [...new Set(cells.map((c) => c.target.reader.name))];
  for (const name of names) {
    const reader = cells.find((c) => c.target.reader.name === name)!.target.reader;
    const clauses = expectationFor(s, reader.name);
    if (clauses === undefined) continue;
    const mine = cells.filter((c) => c.target.reader.name === name && c.declared);
    for (const clause of clauses) out.push(checkClause(s, reader.name, expectedContract(s, reader), clause, mine));
  }
  return out;
}

function checkClause(
  s: Scenario,
  reader: string,
  contract: string,
  clause: ExpectClause,
  mine: readonly ExpectationCell[],
): ExpectationCheck {
  const base = {
    scenario: s.name,
    reader,
    contract,
    expect: clauseText(clause),
    verdict: clause.verdict,
    ...(clause.model !== undefined ? { model: clause.model } : {}),
  };
  if (mine.length === 0)
    return { ...base, status: 'unchecked', detail: `its declared contract ${contract} is not in the matrix` };
  if (!(EXPECTATIONS as readonly string[]).includes(clause.verdict))
    return { ...base, status: 'unchecked', detail: `unknown expectation "${clause.verdict}"` };
  const about = clauseModels(clause);
  const judged = mine.filter((c) => about.includes(c.target.model));
  if (judged.length === 0) {
    const ran = [...new Set(mine.map((c) => c.target.model))].join(', ');
    return {
      ...base,
      status: 'unchecked',
      notRun: about,
      detail: `${about.join(', ')} not run (the models run: ${ran}; ${clause.verdict} under ${clause.model} is judged under ${about.join(', ')})`,
    };
  }
  const models = judged.map((c) => c.target.model).join(', ');
  const diverged = judged.some((c) => c.verdict === 'divergence');
  if (clause.verdict === 'bug')
    return diverged
      ? { ...base, status: 'met', detail: `divergence: ${divergent(judged)}` }
      : { ...base, status: 'mismatch', detail: `no divergence under ${models} (${seen(judged)})` };
  if (clause.verdict === 'correct') {
    const weak = judged.filter((c) => c.verdict === 'vacuous' || c.verdict === 'bound-hit');
    return diverged
      ? { ...base, status: 'mismatch', detail: `divergence: ${divergent(judged)}` }
      : weak.length > 0
        ? {
            ...base,
            status: 'unconfirmed',
            detail: `${weak.map((c) => `${c.verdict} under ${c.target.model}`).join(', ')} (${seen(judged)})`,
          }
        : { ...base, status: 'met', detail: `agree under ${models} (${seen(judged)})` };
  }
  return {
    ...base,
    status: 'benign',
    detail: diverged ? `divergence: ${divergent(judged)} (tolerated)` : `agree under ${models} (${seen(judged)})`,
  };
}

/** A scenario expectation judged on a search or campaign, with the memory models its reader ran under. */
export type RunExpectation = ExpectationCheck & { readonly models: readonly string[] };

/**
 * Every scenario's expectations judged on the cells of a campaign or an explore (each target once), as `matrix`
 * judges them: per reader, over the models of its declared contract; scenarios in the order of their first cell.
 */
export function expectationsOf(cells: readonly ExpectationCell[]): RunExpectation[] {
  const byScenario = new Map<string, ExpectationCell[]>();
  for (const c of cells) byScenario.set(c.target.scenario.name, [...(byScenario.get(c.target.scenario.name) ?? []), c]);
  return [...byScenario.values()].flatMap((mine) =>
    checkExpectations(mine[0]!.target.scenario, mine).map((c) => ({
      ...c,
      models: mine.filter((m) => m.target.reader.name === c.reader && m.declared).map((m) => m.target.model),
    })),
  );
}

/**
 * The readers `s` names when every one of them is expected to diverge (a `bug` clause for each — covering
 * `model` when one is given —, its atomic controls included): the kernel path it models is then broken
 * whatever the reader. Else undefined.
 */
export function divergesForEveryReader(s: Scenario, model?: ModelKind): readonly string[] | undefined {
  const named = Object.entries(s.expect);
  const bug = (clauses: readonly ExpectClause[]): boolean =>
    clauses.some((c) => c.verdict === 'bug' && (model === undefined || clauseModels(c).includes(model)));
  if (named.length === 0 || named.some(([, clauses]) => !bug(clauses))) return undefined;
  return named.map(([r]) => r);
}

/** A divergent reader under a model (a cell, a campaign finding, an explored target). */
export interface DivergedReader {
  readonly reader: string;
  readonly model: ModelKind;
}

/**
 * For the readers among `diverged` that `s` has no expectation for (a reader module's), on a scenario
 * that diverges for every reader it names under each model they diverged under: one line saying that a
 * divergence there does not single them out. Else undefined.
 */
export function notSingledOutNote(s: Scenario, diverged: readonly DivergedReader[]): string | undefined {
  const theirs = diverged.filter((d) => expectationFor(s, d.reader) === undefined);
  const others = [...new Set(theirs.map((d) => d.reader))];
  const all = divergesForEveryReader(s);
  if (all === undefined || others.length === 0) return undefined;
  if (theirs.some((d) => divergesForEveryReader(s, d.model) === undefined)) return undefined;
  const byText = new Map<string, string[]>();
  for (const r of all) {
    const text = expectText(s.expect[r]!);
    byText.set(text, [...(byText.get(text) ?? []), r]);
  }
  const expected = [...byText].map(([text, readers]) => `${readers.join(', ')}: expect ${text}`).join('; ');
  return (
    `note: every reader ${s.name} names is expected to diverge (${expected}) — the kernel ` +
    `path it models is broken whatever the reader, so a divergence of ${others.join(', ')} there does not single ` +
    `${others.length === 1 ? 'it' : 'them'} out`
  );
}
