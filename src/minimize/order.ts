import type { ChoiceRecord, Execution } from '../machine';
import { countPreemptions } from '../machine';

/**
 * A weak choice away from its default: a read-from other than the newest store, a store placed other than
 * coherence-last (weak), a TSO drain other than "drain everything".
 */
export const isWeakChoice = (r: ChoiceRecord): boolean =>
  (r.kind === 'rf' || r.kind === 'co' || r.kind === 'drain') && r.value !== 0;

/** Trailing defaults carry no information: a trace that runs out continues with 0. */
export function trimTrace(trace: readonly number[]): number[] {
  let n = trace.length;
  while (n > 0 && trace[n - 1] === 0) n--;
  return trace.slice(0, n);
}

/**
 * How heavy a witness is, compared lexicographically (DESIGN §8: a
 * minimal-preemption, then minimal-weakness witness, then the shortest):
 * preemptions, weak choices (isWeakChoice), trimmed trace length, non-default
 * choices, sum of the choices. Every accepted minimization step makes it
 * strictly lighter, so minimization terminates.
 */
export type Rank = readonly [preemptions: number, weak: number, length: number, nonZero: number, sum: number];

export function rankOf(exec: Execution): Rank {
  const t = trimTrace(exec.trace);
  let nonZero = 0;
  let sum = 0;
  for (const v of t) {
    if (v !== 0) nonZero++;
    sum += v;
  }
  let weak = 0;
  for (const r of exec.choices) if (isWeakChoice(r)) weak++;
  return [countPreemptions(exec.choices), weak, t.length, nonZero, sum];
}

/** a is strictly lighter than b */
export function lighter(a: Rank, b: Rank): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! < b[i]!;
  return false;
}

/**
 * Of two witnesses of one fingerprint, is a the one to keep: lighter, ties
 * broken by the bytes of the crash file each would be — so the file written
 * does not depend on which witness came first (worker interleaving, state
 * order, the file already on disk).
 */
export function preferredWitness(a: Rank, aBytes: Uint8Array, b: Rank, bBytes: Uint8Array): boolean {
  return lighter(a, b) || (!lighter(b, a) && Buffer.compare(aBytes, bBytes) < 0);
}
