import type { ModelKind } from '../../machine';
import { DEFAULT_BOUNDS, execute } from '../../machine';
import type { RawTest } from '../../scenario';
import { rawConditionText, rawHolds, rawKept, rawMachine, rawState, weakGapWarning } from '../../scenario';
import type { FuzzEngineName } from '../../engines';
import { createEngine, deriveSeed } from '../../engines';
import { resolveModel } from '../../campaign';
import { EXIT_DIVERGENCE, EXIT_OK } from '../errors';
import { shellQuote } from '../../crash';
import { ptefuzzInvocation } from '../invocation';

/** Runs of each test × model when neither --runs nor --time is given. */
export const DEFAULT_RAW_RUNS = 10000;

export interface RawFuzzOptions {
  readonly engine: FuzzEngineName;
  readonly depth?: number;
  readonly seed: string;
  readonly runs?: number;
  readonly time?: number;
  readonly model?: readonly string[];
  readonly json?: boolean;
}

/** One test under one model: what was explored and the first witness found. */
export interface RawFuzzResult {
  readonly test: string;
  readonly file: string;
  readonly model: ModelKind;
  readonly condition: string;
  readonly executions: number;
  readonly boundHits: number;
  /** with a `filter (…)`: the executions it dropped (no witness among them) */
  readonly filtered?: number;
  /** executions whose final state is a witness (satisfies the proposition; violates it under `forall`) */
  readonly witnesses: number;
  readonly first?: { readonly execution: number; readonly state: string; readonly trace: readonly number[] };
  /** under weak: why LKMM may have witnesses weak never produces (scenario/litmus/weak-gap.ts) */
  readonly weakGap?: string;
}

/**
 * `ptefuzz fuzz --scenario FILE.litmus` (or a raw `.scn`): the test's
 * programs run under the fuzz engines instead of being enumerated. A
 * *witness* is an execution whose final state satisfies the condition's
 * proposition — the outcome `exists` asks for, the one `~exists` forbids — or,
 * under `forall`, violates it. Witnesses are findings (exit 1); each test ×
 * model line says what was explored. `ptefuzz litmus FILE --model M` gives the
 * exhaustive answer the witness can be checked against.
 */
export function fuzzRawTests(
  tests: readonly { readonly test: RawTest; readonly file: string }[],
  o: RawFuzzOptions,
  clock: () => number,
): number {
  const models: ModelKind[] = o.model?.map(resolveModel) ?? ['weak'];
  const runs = o.runs ?? (o.time === undefined ? DEFAULT_RAW_RUNS : Infinity);
  const pairs = tests.flatMap((t) => models.map((model) => ({ ...t, model })));
  const deadline = o.time === undefined ? Infinity : clock() + o.time * 1000;
  const share = o.time === undefined ? Infinity : (o.time * 1000) / pairs.length;
  const results: RawFuzzResult[] = [];
  for (const { test, file, model } of pairs) {
    const spec = rawMachine(test);
    const engine = createEngine(o.engine, { cpus: test.cpus.length, depth: o.depth });
    const until = Math.min(deadline, clock() + share);
    let executions = 0;
    let boundHits = 0;
    let witnesses = 0;
    let filtered = 0;
    let first: RawFuzzResult['first'];
    for (let r = 0; r < runs && (r === 0 || clock() < until); r++) {
      const exec = execute(spec, model, engine.source(deriveSeed(o.seed, test.name, model, r)), DEFAULT_BOUNDS);
      executions++;
      if (exec.outcome.kind !== 'complete') boundHits++;
      const holds = rawHolds(test, exec);
      // an execution the test's filter drops is no witness either way (herd7 drops it)
      const kept = rawKept(test, exec);
      if (!kept) filtered++;
      const witness = exec.outcome.kind === 'complete' && kept && (test.quantifier === 'forall' ? !holds : holds);
      engine.observe(exec, witness ? 'witness' : 'none');
      if (!witness) continue;
      witnesses++;
      first ??= { execution: r, state: rawState(test, exec), trace: exec.trace };
    }
    results.push({
      test: test.name,
      file,
      model,
      condition: rawConditionText(test),
      executions,
      boundHits,
      ...(test.filter !== undefined ? { filtered } : {}),
      witnesses,
      ...(first ? { first } : {}),
      ...(model === 'weak' && !first ? gapOf(test) : {}),
    });
  }
  if (o.json) process.stdout.write(JSON.stringify({ seed: o.seed, engine: o.engine, tests: results }, null, 2) + '\n');
  process.stderr.write(rawReport(results, o) + '\n');
  return results.some((r) => r.witnesses > 0) ? EXIT_DIVERGENCE : EXIT_OK;
}

function gapOf(t: RawTest): { weakGap?: string } {
  const gap = weakGapWarning(t);
  return gap === undefined ? {} : { weakGap: gap };
}

const what = (q: string): string =>
  q === 'forall' ? 'violated the condition' : q === '~exists' ? 'reached the forbidden outcome' : 'reached the outcome';

export function rawReport(results: readonly RawFuzzResult[], o: RawFuzzOptions): string {
  const lines: string[] = [];
  for (const r of results) {
    const q = r.condition.split(' ')[0]!;
    const explored =
      `engine ${o.engine}, seed ${o.seed}: ${r.executions} executions, ${r.boundHits} bound-hit` +
      (r.filtered !== undefined ? `, ${r.filtered} dropped by the filter` : '');
    if (r.first === undefined) {
      lines.push(`${r.test} ${r.model}: no execution ${what(q)} of ${r.condition} — ${explored}`);
      if (r.weakGap !== undefined) lines.push(`  warning: ${r.weakGap}; LKMM may have witnesses here`);
      continue;
    }
    lines.push(
      `${r.test} ${r.model}: WITNESS — ${r.witnesses} of ${r.executions} executions ${what(q)} of ${r.condition} (${explored})`,
      `  first at run ${r.first.execution}: ${r.first.state}`,
      `  trace [${r.first.trace.join(',')}]`,
      `  exhaustive answer: ${ptefuzzInvocation()} litmus ${shellQuote(r.file)} --model ${r.model}`,
    );
  }
  return lines.join('\n');
}
