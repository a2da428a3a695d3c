import type { Target } from '../campaign';
import { selectTargets } from '../campaign';
import { builtinReaders } from '../kernel';
import type { ModelKind } from '../machine';
import { BUILTIN_SCENARIOS } from '../scenario';

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
 * The memory model a case runs under: the scenario's own (the architecture's),
 * except where the expected bug needs a weaker one — S2 without the writer
 * barriers is torn for ptep_get_lockless only under `weak` (x86-TSO keeps
 * store order; README, Built-in scenarios).
 */
function modelFor(scenario: string, reader: string, fallback: ModelKind): ModelKind {
  if (scenario === 's2-pae-zap-reestablish-nowmb' && reader === 'ptep_get_lockless') return 'weak';
  return fallback;
}

/**
 * Every (scenario, reader) of the built-in scenarios whose expectation is
 * `bug`, optionally restricted to some scenarios; `model` overrides the model.
 */
export function knownBugCases(scenarios?: readonly string[], model?: ModelKind): BenchCase[] {
  const registry = builtinReaders();
  const out: BenchCase[] = [];
  for (const s of BUILTIN_SCENARIOS) {
    if (scenarios && scenarios.length > 0 && !scenarios.includes(s.name)) continue;
    for (const reader of s.readers) {
      if (s.expect[reader] !== 'bug') continue;
      const m = model ?? modelFor(s.name, reader, s.model);
      const [target] = selectTargets({ scenarios: [s.name], readers: [reader], models: [m] }, registry);
      out.push({ scenario: s.name, reader, model: m, target: target!, label: `${s.name} ${reader} ${m}` });
    }
  }
  return out;
}
