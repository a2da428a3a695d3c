import type { EnumerateOptions, Exploration } from '../engines';
import { exhaustSteps } from '../engines';
import type { LitmusShape } from '../litmus-shapes';
import type { Execution, MachineSpec, ModelKind } from '../machine';
import { execute, executionKey } from '../machine';
import type { Quantifier, RawTest } from '../scenario';
import { printCond, rawConditionText, rawHolds, rawKept, rawMachine, rawState, weakGapWarning } from '../scenario';

/** What herd7 prints for a test: its states, and whether each execution satisfies its condition's proposition. */
export interface HerdTest {
  readonly name: string;
  readonly quantifier: Quantifier;
  /** `exists (0:r0=1 /\ 1:r0=0)` */
  readonly condition: string;
  build(): MachineSpec;
  /** the `States` line of an execution, `0:r0=1; 1:r0=0;` */
  state(exec: Execution): string;
  holds(exec: Execution): boolean;
  /** herd7's `filter (…)`, as written, and whether an execution passes it (absent: every execution counts) */
  readonly filter?: { readonly text: string; kept(exec: Execution): boolean };
  /** why `weak` may miss LKMM outcomes of this test (scenario/litmus/weak-gap.ts), if it may */
  readonly weakGap?: string;
}

export function shapeTest(shape: LitmusShape): HerdTest {
  return {
    name: shape.name,
    quantifier: 'exists',
    condition: `exists (${shape.interesting.split('; ').join(' /\\ ')})`,
    build: () => shape.build(),
    state: (exec) => `${shape.outcome(exec)};`,
    holds: (exec) => shape.outcome(exec) === shape.interesting,
  };
}

export function rawHerdTest(t: RawTest): HerdTest {
  return {
    name: t.name,
    quantifier: t.quantifier,
    condition: rawConditionText(t),
    build: () => rawMachine(t),
    state: (exec) => rawState(t, exec),
    holds: (exec) => rawHolds(t, exec),
    ...(t.filter !== undefined
      ? { filter: { text: `filter (${printCond(t.filter)})`, kept: (exec) => rawKept(t, exec) } }
      : {}),
    ...withWeakGap(weakGapWarning(t)),
  };
}

const withWeakGap = (gap: string | undefined): { weakGap?: string } => (gap === undefined ? {} : { weakGap: gap });

export type Observation = 'Never' | 'Sometimes' | 'Always';

export interface HerdResult {
  readonly text: string;
  readonly positive: number;
  readonly negative: number;
  readonly observation: Observation;
  readonly exploration: Exploration<unknown>;
}

const POSITIVE = 'positive';
/** the state every execution a filter drops is counted under (no real state line starts with a space) */
const FILTERED = ' filtered';

const traces = (n: number): string => (n === 1 ? '1 trace' : `${n} traces`);

/**
 * What was counted: `Executions E (T traces)` when the traces were grouped into executions in herd7's sense
 * (a litmus test), else `Executions T (traces)` — a kernel scenario's executions are its traces, each judged
 * on its own (README: How explore counts executions).
 */
export function countText(x: Exploration<unknown>): string {
  return x.distinct !== undefined
    ? `Executions ${x.distinct} (${traces(x.executions)})`
    : `Executions ${x.executions} (traces)`;
}

/** What was counted and what cut the search, if anything: one line. */
export function searchLine(x: Exploration<unknown>, bound: number | undefined): string {
  const n = countText(x);
  if (x.truncated) return `${n}; TRUNCATED by --max-executions: the states above may be incomplete`;
  if (x.boundCut) return `${n}; the preemption bound ${bound} cut the search`;
  // the bound pruned nothing: every execution was run, and none needs more than the most seen (possibly the bound)
  return bound === undefined
    ? `${n}; complete (every trace enumerated)`
    : `${n}; complete (every trace enumerated: no execution needs more than ${x.maxPreemptions} preemption(s), the preemption bound ${bound} cut nothing)`;
}

/**
 * herd7's answer for one test under one model: Test, States, Ok/No,
 * Witnesses, Condition, Observation — then a Model line with what was
 * explored. Positive/Negative count executions as herd7 does — distinct
 * reads-from and coherence relations (executionKey), not the traces that
 * reach them —, so they compare with herd7's when the model allows the same
 * executions as herd7's (README: How explore counts executions). The
 * Observation is about the condition's
 * proposition; Ok/No applies the quantifier (exists: some positive;
 * ~exists: none; forall: all).
 */
export function herdBlock(t: HerdTest, model: ModelKind, opts: EnumerateOptions): HerdResult {
  const steps = herdSteps(t, model, opts);
  for (;;) {
    const r = steps.next();
    if (r.done) return herdResult(t, model, opts, r.value);
  }
}

/** herdBlock's enumeration, cut into steps (exhaustSteps): `explore` lets its signal handler run between them. */
export function herdSteps(
  t: HerdTest,
  model: ModelKind,
  opts: EnumerateOptions,
): Generator<void, Exploration<{ exec: Execution }>, undefined> {
  const spec = t.build();
  return exhaustSteps(
    (source) => ({ exec: execute(spec, model, source) }),
    ({ exec }: { exec: Execution }) =>
      t.filter !== undefined && !t.filter.kept(exec)
        ? [[FILTERED, FILTERED]]
        : [[t.state(exec), t.holds(exec) ? POSITIVE : 'negative']],
    { ...opts, executionKey: ({ exec }: { exec: Execution }) => executionKey(exec) },
  );
}

/**
 * herdBlock's answer from its enumeration `x`. A search a signal interrupted (`stopped`: the signal)
 * is marked as such, and its block has no Ok/No and no Observation: the states are a prefix of the
 * search, so neither is a claim about the test.
 */
export function herdResult(
  t: HerdTest,
  model: ModelKind,
  opts: EnumerateOptions,
  x: Exploration<unknown>,
  stopped?: string,
): HerdResult {
  const states = [...x.states.keys()].filter((s) => s !== FILTERED).sort();
  let positive = 0;
  for (const s of x.states.values()) positive += s.labels.get(POSITIVE)?.distinct ?? 0;
  // herd7 drops what its filter rejects: neither a state nor a counted execution
  const filtered = x.states.get(FILTERED)?.labels.get(FILTERED)?.distinct ?? 0;
  const negative = (x.distinct ?? 0) - positive - filtered;
  const observation: Observation = positive === 0 ? 'Never' : negative === 0 ? 'Always' : 'Sometimes';
  const ok = t.quantifier === 'exists' ? positive > 0 : t.quantifier === '~exists' ? positive === 0 : negative === 0;
  const interrupted = stopped !== undefined && x.interrupted;
  const text = [
    `Test ${t.name} ${t.quantifier === 'forall' ? 'Required' : 'Allowed'}`,
    ...(interrupted
      ? [
          `INTERRUPTED by ${stopped} after ${x.distinct ?? 0} executions (${traces(x.executions)}): the states below are partial — no Ok/No, no Observation (not a claim about the test)`,
        ]
      : []),
    `States ${states.length}`,
    ...states,
    ...(interrupted ? [] : [ok ? 'Ok' : 'No']),
    'Witnesses',
    `Positive: ${positive} Negative: ${negative}`,
    `Condition ${t.condition}`,
    ...(interrupted ? [] : [`Observation ${t.name} ${observation} ${positive} ${negative}`]),
    interrupted
      ? `Model ${model}; ${countText(x)}; INTERRUPTED by ${stopped}: the states above are partial`
      : `Model ${model}; ${searchLine(x, opts.preemptionBound)}`,
    ...(t.filter !== undefined
      ? [`Filter: ${t.filter.text} dropped ${filtered} of ${x.distinct ?? 0} executions${interrupted ? ' so far' : ''}`]
      : []),
    // more outcomes can only turn Never or Always into Sometimes
    ...(!interrupted && model === 'weak' && observation !== 'Sometimes' && t.weakGap !== undefined
      ? [`Warning: ${t.weakGap}; this ${observation} may be Sometimes under LKMM`]
      : []),
  ].join('\n');
  return { text, positive, negative, observation, exploration: x };
}
