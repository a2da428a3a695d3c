import type { Arch } from '../kernel';
import type { DivergenceClass } from './verdict';
import { dirtyOnSamePage } from './contracts';

/**
 * Why an unacceptable value is wrong:
 * - stale: a value the pte held, but only before the reader's window;
 * - torn: every separately-written part (PAE half) matches some logical
 *   value, but no single value matches them all;
 * - phantom: anything else (never held, not composable; or a value from
 *   after the reader finished).
 * A value that differs from an allowed one only in access/dirty (the
 * contpte gather of arm64, DOMAIN §A3.3) is classified by its dirty bit:
 * - false-dirty: dirty, but no allowed value mapping the same page was dirty;
 * - false-clean: clean, but every allowed value with the same other fields was dirty;
 * - ad-mixed: access/dirty combined from different allowed values.
 */
export function classify(
  observed: bigint,
  values: readonly bigint[],
  window: { readonly lo: number; readonly hi: number },
  arch: Arch,
): DivergenceClass {
  const k = values.indexOf(observed);
  if (k >= 0 && k < window.lo) return 'stale';
  const inWindow = values.slice(window.lo, window.hi + 1);
  const o = arch.withoutAD(observed);
  // a value held only after the window whose other fields match the window is an access/dirty divergence
  if (inWindow.some((v) => arch.withoutAD(v) === o)) {
    const dirty = arch.dirty(observed);
    if (dirty && !dirtyOnSamePage(observed, inWindow, arch)) return 'false-dirty';
    // judged against the allowed values it could be (same fields but A/D): a transient none does not count
    if (!dirty && inWindow.filter((v) => arch.withoutAD(v) === o).every((v) => arch.dirty(v))) return 'false-clean';
    return 'ad-mixed';
  }
  if (k >= 0) return 'phantom';
  const torn = arch.tearUnits.every((u) => values.some((v) => (v & u) === (observed & u)));
  return torn && arch.tearUnits.length > 1 ? 'torn' : 'phantom';
}
