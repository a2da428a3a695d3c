import type { Event, Execution, ModelKind, OpRecord } from '../../src/machine';

/**
 * An Execution written by hand for the reference's checks (serial.ts, comparator's raced, …): `events` in order
 * (their index is their position), `ops`, and what the check does not read left empty — no choices, trace or
 * results, two words of final memory, IPI flushes, no pages.
 */
export function handExecution(
  model: ModelKind,
  events: readonly Omit<Event, 'index'>[],
  ops: readonly OpRecord[],
  o: { readonly steps?: number; readonly outcome?: Execution['outcome'] } = {},
): Execution {
  return {
    outcome: o.outcome ?? { kind: 'complete' },
    events: events.map((e, index) => ({ ...e, index })),
    ops: [...ops],
    choices: [],
    trace: [],
    results: [],
    final: [0n, 0n],
    steps: o.steps ?? events.reduce((n, e) => Math.max(n, e.step + 1), 0),
    model,
    flush: 'ipi',
    pages: new Map(),
  };
}
