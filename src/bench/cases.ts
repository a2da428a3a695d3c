import type { Target } from '../campaign';
import { selectTargets } from '../campaign';
import { builtinReaders } from '../kernel';
import type { ModelKind } from '../machine';
import type { Scenario } from '../scenario';
import { builtinScenario, builtinScenarios } from '../scenario';

/** One benchmark case: a known-bug scenario (built-in, or a `.scn` file) with a reader expected to diverge on it. */
export interface BenchCase {
  readonly scenario: string;
  /** the scenario file of a case not built in (`--scenario FILE.scn`): what a `fuzz` child process is given */
  readonly file?: string;
  readonly reader: string;
  readonly model: ModelKind;
  readonly target: Target;
  /** "scenario reader model" */
  readonly label: string;
}

/**
 * Every (scenario, reader) of the built-in scenarios with a `bug` clause in its
 * expectation, or of the scenarios given (built-in names, or kernel scenarios
 * loaded from `.scn` files), in that order. A case runs under the clause's model
 * (`bug under weak`: S2 without the writer barriers is torn for
 * ptep_get_lockless only under `weak`, x86-TSO keeps store order), else the
 * scenario's own (the architecture's); `model` overrides both. The case's target
 * is judged under the contract its expectation is about (`reader … contract C`,
 * else the reader's declared one).
 */
export function knownBugCases(scenarios?: readonly (string | Scenario)[], model?: ModelKind): BenchCase[] {
  const registry = builtinReaders();
  const out: BenchCase[] = [];
  const chosen =
    scenarios && scenarios.length > 0
      ? scenarios.map((s) => (typeof s === 'string' ? builtinScenario(s)! : s))
      : builtinScenarios();
  for (const s of chosen) {
    for (const reader of s.readers) {
      // one bug clause at most: the language refuses a second (one says the other, by nesting)
      const bug = s.expect[reader]?.find((c) => c.verdict === 'bug');
      if (bug === undefined) continue;
      const m = model ?? bug.model ?? s.model;
      const [target] = selectTargets({ scenarios: [s], readers: [reader], models: [m] }, registry);
      const file = s.file !== undefined ? { file: s.file } : {};
      out.push({ scenario: s.name, ...file, reader, model: m, target: target!, label: `${s.name} ${reader} ${m}` });
    }
  }
  return out;
}
