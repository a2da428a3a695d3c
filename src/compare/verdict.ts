import type { BoundKind } from '../machine';

export type DivergenceClass = 'torn' | 'phantom' | 'stale';
export const DIVERGENCE_CLASSES: readonly DivergenceClass[] = ['torn', 'phantom', 'stale'];

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
      /** the reader operation that diverged */
      readonly op: number;
    }
  | { readonly kind: 'bound-hit'; readonly bound: BoundKind };

export type VerdictKind = Verdict['kind'];
