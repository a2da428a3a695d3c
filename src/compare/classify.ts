import type { Arch } from '../kernel';
import type { DivergenceClass } from './verdict';

/**
 * Why an unacceptable value is wrong:
 * - stale: a value the pte held, but only before the reader's window;
 * - torn: every separately-written part (PAE half) matches some logical
 *   value, but no single value matches them all;
 * - phantom: anything else (never held, not composable; or a value from
 *   after the reader finished).
 */
export function classify(
  observed: bigint,
  values: readonly bigint[],
  window: { readonly lo: number; readonly hi: number },
  arch: Arch,
): DivergenceClass {
  const k = values.indexOf(observed);
  if (k >= 0) return k < window.lo ? 'stale' : 'phantom';
  const torn = arch.tearUnits.every((u) => values.some((v) => (v & u) === (observed & u)));
  return torn && arch.tearUnits.length > 1 ? 'torn' : 'phantom';
}
