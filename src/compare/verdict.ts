import type { BoundKind } from '../machine';

/**
 * Why a value or an action is wrong (DESIGN §6). Reader contracts give
 * torn, phantom, stale, false-dirty, false-clean and ad-mixed; consumer
 * invariants give lost-dirty, wrong-page, use-after-free and livelock.
 */
export type DivergenceClass =
  | 'torn'
  | 'phantom'
  | 'stale'
  | 'false-dirty'
  | 'false-clean'
  | 'ad-mixed'
  | 'lost-dirty'
  | 'wrong-page'
  | 'use-after-free'
  | 'livelock';
export const DIVERGENCE_CLASSES: readonly DivergenceClass[] = [
  'torn',
  'phantom',
  'stale',
  'false-dirty',
  'false-clean',
  'ad-mixed',
  'lost-dirty',
  'wrong-page',
  'use-after-free',
  'livelock',
];

/**
 * The judgement of one reader on one execution. Data, never an exception.
 * `vacuous` is a campaign-level judgement (a reader that never raced).
 */
export type Verdict =
  | { readonly kind: 'agree' }
  | {
      readonly kind: 'divergence';
      readonly class: DivergenceClass;
      readonly contract: string;
      readonly observed: bigint;
      readonly allowed: readonly bigint[];
      /** the reader (or consumer) operation that diverged */
      readonly op: number;
      /** consumer invariants: what went wrong, in one line (e.g. "pinned pfn 0x20 gen 1, never mapped during the walk") */
      readonly detail?: string;
    }
  | { readonly kind: 'bound-hit'; readonly bound: BoundKind };

export type VerdictKind = Verdict['kind'];
