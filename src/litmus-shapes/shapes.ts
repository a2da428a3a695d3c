import { CoRR, CoRW, CoWR, CoWW, CoWW_xchg_relaxed } from './coherence';
import { IRIW, IRIW_mb_mb } from './iriw';
import { LB, LB_acquire_release, LB_mb_mb } from './lb';
import { MP, MP_release_acquire, MP_rmb, MP_wmb, MP_wmb_rmb } from './mp';
import { R, R_mb_mb } from './r';
import { S, S_wmb, S_wmb_acquire, S_wmb_mb } from './s';
import { SB, SB_mb_mb, SB_xchg_xchg, SB_xchgrelaxed_xchgrelaxed } from './sb';
import type { LitmusShape } from './shape';
import { TwoPlusTwoW, TwoPlusTwoW_mb_mb, TwoPlusTwoW_wmb_wmb } from './two-plus-two-w';
import { WRC, WRC_mb_rmb, WRC_release_acquire, WRC_wmb_rmb } from './wrc';

export { CoRR, CoRW, CoWR, CoWW, CoWW_xchg_relaxed } from './coherence';
export { IRIW, IRIW_mb_mb } from './iriw';
export { LB, LB_acquire_release, LB_mb_mb } from './lb';
export { MP, MP_release_acquire, MP_rmb, MP_wmb, MP_wmb_rmb } from './mp';
export { R, R_mb_mb } from './r';
export { S, S_wmb, S_wmb_acquire, S_wmb_mb } from './s';
export { SB, SB_mb_mb, SB_xchg_xchg, SB_xchgrelaxed_xchgrelaxed } from './sb';
export { TwoPlusTwoW, TwoPlusTwoW_mb_mb, TwoPlusTwoW_wmb_wmb } from './two-plus-two-w';
export { WRC, WRC_mb_rmb, WRC_release_acquire, WRC_wmb_rmb } from './wrc';

/** Every litmus shape that pins the memory models (DESIGN §5), in a fixed order. */
export const SHAPES: readonly LitmusShape[] = [
  MP,
  MP_wmb_rmb,
  MP_release_acquire,
  MP_wmb,
  MP_rmb,
  SB,
  SB_mb_mb,
  SB_xchg_xchg,
  SB_xchgrelaxed_xchgrelaxed,
  LB,
  LB_mb_mb,
  LB_acquire_release,
  CoRR,
  CoWR,
  CoRW,
  CoWW,
  CoWW_xchg_relaxed,
  TwoPlusTwoW,
  TwoPlusTwoW_wmb_wmb,
  TwoPlusTwoW_mb_mb,
  WRC,
  WRC_release_acquire,
  WRC_wmb_rmb,
  WRC_mb_rmb,
  IRIW,
  IRIW_mb_mb,
  R,
  R_mb_mb,
  S,
  S_wmb,
  S_wmb_acquire,
  S_wmb_mb,
];

/** The shape with this herd7 name, or undefined. */
export function shapeByName(name: string): LitmusShape | undefined {
  return SHAPES.find((s) => s.name === name);
}
