/**
 * Outcome sets of every litmus shape, derived by hand (not by running the
 * models):
 * - sc: enumerate the interleavings; every read sees the latest write.
 * - tso: x86-TSO — only a write followed by a read of another location may
 *   be reordered (store buffer); smp_mb and every locked RMW (any xchg) drain
 *   the buffer; the memory is multi-copy atomic.
 * - weak: LKMM as approximated by DESIGN §5, i.e. LKMM except the documented
 *   gaps (GAPS below) where the model produces fewer outcomes.
 * `lkmm` is the herd7 verdict of the Linux-kernel memory model for the
 * shape's exists clause.
 */
import type { ModelKind } from '../../src/machine';

export type Verdict = 'allowed' | 'forbidden';

export interface Expectation {
  readonly sc: readonly string[];
  readonly tso: readonly string[];
  readonly weak: readonly string[];
  readonly lkmm: Verdict;
}

/** Every combination of `values` for `keys`, as outcome strings. */
function all(keys: readonly string[], values: readonly bigint[] = [0n, 1n]): string[] {
  let out: string[][] = [[]];
  for (const k of keys) out = out.flatMap((prefix) => values.map((v) => [...prefix, `${k}=${v}`]));
  return out.map((parts) => parts.join('; '));
}

const without = (set: readonly string[], ...drop: string[]): string[] => set.filter((o) => !drop.includes(o));

// MP: (1:r0, 1:r1) = (y, x). SC/TSO: seeing the flag implies seeing the data.
const MP_ALL = all(['1:r0', '1:r1']);
const MP_ORDERED = without(MP_ALL, '1:r0=1; 1:r1=0');

// SB: SC forbids both reads missing; a store buffer allows it.
const SB_ALL = all(['0:r0', '1:r0']);
const SB_ORDERED = without(SB_ALL, '0:r0=0; 1:r0=0');

// LB: SC forbids each read seeing the other CPU's po-later write.
const LB_ORDERED = without(all(['0:r0', '1:r0']), '0:r0=1; 1:r0=1');

// CoRR: (1:r0, 1:r1): never 1 then 0.
const CORR = without(all(['1:r0', '1:r1']), '1:r0=1; 1:r1=0');
// CoWR: P0 reads its own 1 (x ends 1 or 2), or P1's 2 after its own 1 (x ends 2).
const COWR = ['0:r0=1; x=1', '0:r0=1; x=2', '0:r0=2; x=2'];
// CoRW: P0 reads 0 (either write last) or 2 (then its own write of 1 is last).
const CORW = ['0:r0=0; x=1', '0:r0=0; x=2', '0:r0=2; x=1'];
const COWW = ['x=2'];

// 2+2W: the last write of x and of y cannot both be a first write (SC; under LKMM they can when nothing orders
// each CPU's two writes: each second write may be coherence-before the other CPU's first).
const TWO_PLUS_TWO_W = ['x=1; y=2', 'x=2; y=1', 'x=2; y=2'];
const TWO_PLUS_TWO_W_ALL = all(['x', 'y'], [1n, 2n]);

// WRC: (1:r0 = x, 2:r0 = y, 2:r1 = x): causality forbids 1,1,0.
const WRC_ALL = all(['1:r0', '2:r0', '2:r1']);
const WRC_CAUSAL = without(WRC_ALL, '1:r0=1; 2:r0=1; 2:r1=0');

// IRIW: the two readers may not disagree on the order of the writes.
const IRIW_ALL = all(['2:r0', '2:r1', '3:r0', '3:r1']);
const IRIW_MCA = without(IRIW_ALL, '2:r0=1; 2:r1=0; 3:r0=1; 3:r1=0');

// R: (1:r0 = x, y final): y=2 after y=1 means P1's read of x comes after x=1.
const R_ALL = ['1:r0=0; y=1', '1:r0=0; y=2', '1:r0=1; y=1', '1:r0=1; y=2'];
const R_ORDERED = without(R_ALL, '1:r0=0; y=2');

// S: (1:r0 = y, x final): seeing y=1 puts P1's x=1 after P0's x=2 (SC; under LKMM only when something orders
// P1's read before its write: an acquire, a full barrier).
const S_ORDERED = ['1:r0=0; x=1', '1:r0=0; x=2', '1:r0=1; x=1'];
const S_ALL = [...S_ORDERED, '1:r0=1; x=2'];

const same = (set: readonly string[], lkmm: Verdict): Expectation => ({ sc: set, tso: set, weak: set, lkmm });

export const EXPECTED: Readonly<Record<string, Expectation>> = {
  MP: { sc: MP_ORDERED, tso: MP_ORDERED, weak: MP_ALL, lkmm: 'allowed' },
  'MP+wmb+rmb': same(MP_ORDERED, 'forbidden'),
  'MP+release+acquire': same(MP_ORDERED, 'forbidden'),
  'MP+wmb': { sc: MP_ORDERED, tso: MP_ORDERED, weak: MP_ALL, lkmm: 'allowed' },
  'MP+rmb': { sc: MP_ORDERED, tso: MP_ORDERED, weak: MP_ALL, lkmm: 'allowed' },
  SB: { sc: SB_ORDERED, tso: SB_ALL, weak: SB_ALL, lkmm: 'allowed' },
  'SB+mb+mb': same(SB_ORDERED, 'forbidden'),
  'SB+xchg+xchg': same(SB_ORDERED, 'forbidden'),
  // x86 xchg is always locked (a full barrier); LKMM's xchg_relaxed orders nothing.
  'SB+xchg_relaxed+xchg_relaxed': { sc: SB_ORDERED, tso: SB_ORDERED, weak: SB_ALL, lkmm: 'allowed' },
  // weak: a store nothing orders after its CPU's earlier read may run ahead of it (load buffering)
  LB: { sc: LB_ORDERED, tso: LB_ORDERED, weak: all(['0:r0', '1:r0']), lkmm: 'allowed' },
  'LB+mb+mb': same(LB_ORDERED, 'forbidden'),
  'LB+acquire+release': same(LB_ORDERED, 'forbidden'),
  CoRR: same(CORR, 'forbidden'),
  CoWR: same(COWR, 'forbidden'),
  CoRW: same(CORW, 'forbidden'),
  CoWW: same(COWW, 'forbidden'),
  // (1:r0, x): the xchg reads 0 and P0's 1 is last, or reads P0's 1 and its 2 is last
  'CoWW+xchg_relaxed': same(['1:r0=0; x=1', '1:r0=1; x=2'], 'forbidden'),
  '2+2W': { sc: TWO_PLUS_TWO_W, tso: TWO_PLUS_TWO_W, weak: TWO_PLUS_TWO_W_ALL, lkmm: 'allowed' },
  // LKMM allows it: smp_wmb() is no strong fence, and pb needs one after each coherence edge (this said forbidden
  // until stop 39; corpus/litmus/2+2W+wmb+wmb.litmus)
  '2+2W+wmb+wmb': { sc: TWO_PLUS_TWO_W, tso: TWO_PLUS_TWO_W, weak: TWO_PLUS_TWO_W_ALL, lkmm: 'allowed' },
  '2+2W+mb+mb': same(TWO_PLUS_TWO_W, 'forbidden'),
  WRC: { sc: WRC_CAUSAL, tso: WRC_CAUSAL, weak: WRC_ALL, lkmm: 'allowed' },
  'WRC+release+acquire': same(WRC_CAUSAL, 'forbidden'),
  // smp_wmb() is not A-cumulative (LKMM cumul-fence), smp_mb() is.
  'WRC+wmb+rmb': { sc: WRC_CAUSAL, tso: WRC_CAUSAL, weak: WRC_ALL, lkmm: 'allowed' },
  'WRC+mb+rmb': same(WRC_CAUSAL, 'forbidden'),
  IRIW: { sc: IRIW_MCA, tso: IRIW_MCA, weak: IRIW_ALL, lkmm: 'allowed' },
  'IRIW+mb+mb': same(IRIW_MCA, 'forbidden'),
  R: { sc: R_ORDERED, tso: R_ALL, weak: R_ALL, lkmm: 'allowed' },
  'R+mb+mb': same(R_ORDERED, 'forbidden'),
  S: { sc: S_ORDERED, tso: S_ORDERED, weak: S_ALL, lkmm: 'allowed' },
  // smp_wmb() orders P0's writes; nothing orders P1's read before its write
  'S+wmb': { sc: S_ORDERED, tso: S_ORDERED, weak: S_ALL, lkmm: 'allowed' },
  'S+wmb+acquire': same(S_ORDERED, 'forbidden'),
  'S+wmb+mb': same(S_ORDERED, 'forbidden'),
};

/**
 * Shapes whose exists clause LKMM allows but the weak model cannot produce (README "Limitations"): none.
 * S, S+wmb and 2+2W were gaps while a store took its coherence position where it executed (WeakModel.place now
 * lets it go before writes its CPU has not seen); LB while a load could read only stores that had executed (a
 * store nothing orders after a read now may run ahead of it: runAhead in src/scenario/raw.ts).
 */
export const GAPS: Readonly<Record<string, string>> = {};

export const MODELS: readonly ModelKind[] = ['sc', 'tso', 'weak'];
