import type { Expectation, Scenario } from '../scenario';
import type { MatrixCell } from './matrix';
import type { Target } from './target';
import { expectedContract } from './select';

/**
 * How a matrix stands against a scenario's expectation for one reader
 * (`scenario.expect`, DOMAIN §C). An expectation is about the reader's
 * declared contract, over every model in the matrix:
 * - `bug`: met when some model diverges;
 * - `correct`: met when no model diverges and every model raced (a reader
 *   that never raced confirms nothing: `unconfirmed`, as is all-bound-hit);
 * - `benign`: never contradicted — reported for information.
 * `unchecked`: the declared contract is not in the matrix (--contract), or
 * the expectation is a word this ptefuzz does not know.
 */
export type ExpectationStatus = 'met' | 'mismatch' | 'unconfirmed' | 'benign' | 'unchecked';

export interface ExpectationCheck {
  readonly scenario: string;
  readonly reader: string;
  readonly contract: string;
  readonly expect: string;
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

/** The scenario's `expect` for a reader; undefined when it states none (a reader module's reader). */
export function expectationFor(s: Scenario, reader: string): Expectation | undefined {
  return (s.expect as Readonly<Record<string, Expectation | undefined>>)[reader];
}

/** The target is judged by the contract its scenario's expectation for the reader is about. */
export function judgesExpectation(t: Target): boolean {
  return t.contract.name === expectedContract(t.scenario, t.reader);
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

/** Check every expectation of a scenario against its cells (readers without one are skipped). */
export function checkExpectations(s: Scenario, cells: readonly ExpectationCell[]): ExpectationCheck[] {
  const out: ExpectationCheck[] = [];
  const names = [...new Set(cells.map((c) => c.target.reader.name))];
  for (const name of names) {
    const reader = cells.find((c) => c.target.reader.name === name)!.target.reader;
    const expect = expectationFor(s, reader.name);
    if (expect === undefined) continue;
    const mine = cells.filter((c) => c.target.reader.name === name && c.declared);
    const base = { scenario: s.name, reader: reader.name, contract: expectedContract(s, reader), expect };
    const models = mine.map((c) => c.target.model).join(', ');
    if (mine.length === 0) {
      out.push({
        ...base,
        status: 'unchecked',
        detail: `its declared contract ${base.contract} is not in the matrix`,
      });
      continue;
    }
    const diverged = mine.some((c) => c.verdict === 'divergence');
    if (expect === 'bug') {
      out.push(
        diverged
          ? { ...base, status: 'met', detail: `divergence: ${divergent(mine)}` }
          : { ...base, status: 'mismatch', detail: `no divergence under ${models} (${seen(mine)})` },
      );
    } else if (expect === 'correct') {
      const weak = mine.filter((c) => c.verdict === 'vacuous' || c.verdict === 'bound-hit');
      out.push(
        diverged
          ? { ...base, status: 'mismatch', detail: `divergence: ${divergent(mine)}` }
          : weak.length > 0
            ? {
                ...base,
                status: 'unconfirmed',
                detail: `${weak.map((c) => `${c.verdict} under ${c.target.model}`).join(', ')} (${seen(mine)})`,
              }
            : { ...base, status: 'met', detail: `agree under ${models} (${seen(mine)})` },
      );
    } else if (expect === 'benign') {
      out.push({
        ...base,
        status: 'benign',
        detail: diverged ? `divergence: ${divergent(mine)} (tolerated)` : `agree under ${models} (${seen(mine)})`,
      });
    } else {
      out.push({ ...base, status: 'unchecked', detail: `unknown expectation "${expect}"` });
    }
  }
  return out;
}

/**
 * The readers `s` names when every one of them is expected to diverge (`expect bug`, its atomic
 * controls included): the kernel path it models is then broken whatever the reader. Else undefined.
 */
export function divergesForEveryReader(s: Scenario): readonly string[] | undefined {
  const named = Object.entries(s.expect);
  if (named.length === 0 || named.some(([, e]) => e !== 'bug')) return undefined;
  return named.map(([r]) => r);
}

/**
 * For the readers among `readers` that `s` has no expectation for (a reader module's), on a scenario
 * that diverges for every reader it names: one line saying that a divergence there does not single
 * them out. Else undefined.
 */
export function notSingledOutNote(s: Scenario, readers: readonly string[]): string | undefined {
  const all = divergesForEveryReader(s);
  const others = [...new Set(readers)].filter((r) => expectationFor(s, r) === undefined);
  if (all === undefined || others.length === 0) return undefined;
  return (
    `note: every reader ${s.name} names is expected to diverge (${all.join(', ')}: expect bug) — the kernel ` +
    `path it models is broken whatever the reader, so a divergence of ${others.join(', ')} there does not single ` +
    `${others.length === 1 ? 'it' : 'them'} out`
  );
}
