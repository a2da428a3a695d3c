import type { Target } from '../campaign';
import { selectTargets } from '../campaign';
import { builtinReaders } from '../kernel';
import type { ModelKind } from '../machine';
import { builtinScenarios } from '../scenario';

/** One benchmark case: a known-bug built-in scenario with a reader expected to diverge on it. */
export interface BenchCase {
  readonly scenario: string;
  readonly reader: string;
  readonly model: ModelKind;
  readonly target: Target;
  /** "scenario reader model" */
  readonly label: string;
}

/**
 * Every (scenario, reader) of the built-in scenarios with a `bug` clause in its
 * expectation, optionally restricted to some scenarios. A case runs under the
 * clause's model (`bug under weak`: S2 without the writer barriers is torn for
 * ptep_get_lockless only under `weak`, x86-TSO keeps store order), else the
 * scenario's own (the architecture's); `model` overrides both.
 */
export function knownBugCases(scenarios?: readonly string[], model?: ModelKind): BenchCase[] {
  const registry = builtinReaders();
  const out: BenchCase[] = [];
  for (const s of builtinScenarios()) {
    if (scenarios && scenarios.length > 0 && !scenarios.includes(s.name)) continue;
    for (const reader of s.readers) {
      // one bug clause at most: the language refuses a second (one says the other, by nesting)
      const bug = s.expect[reader]?.find((c) => c.verdict === 'bug');
      if (bug === undefined) continue;
      const m = model ?? bug.model ?? s.model;
      const [target] = selectTargets({ scenarios: [s.name], readers: [reader], models: [m] }, registry);
      out.push({ scenario: s.name, reader, model: m, target: target!, label: `${s.name} ${reader} ${m}` });
    }
  }
  return out;
}
