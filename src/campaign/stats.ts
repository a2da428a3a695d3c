import type { Judgement } from '../compare';

/** Counts for one reader (or one target) over a campaign. */
export interface ReaderStats {
  executions: number;
  /** completed reader invocations that raced a writer */
  races: number;
  verdicts: { agree: number; divergence: number; boundHit: number };
}

export const emptyStats = (): ReaderStats => ({
  executions: 0,
  races: 0,
  verdicts: { agree: 0, divergence: 0, boundHit: 0 },
});

/** Count one judged execution: its races and its verdict. */
export function countRun(st: ReaderStats, j: Pick<Judgement, 'raced' | 'verdict'>): void {
  st.executions++;
  st.races += j.raced;
  const kind = j.verdict.kind;
  if (kind === 'agree') st.verdicts.agree++;
  else if (kind === 'bound-hit') st.verdicts.boundHit++;
  else st.verdicts.divergence++;
}

/** Add the counts of `from` into `into`. */
export function addStats(into: ReaderStats, from: ReaderStats): void {
  into.executions += from.executions;
  into.races += from.races;
  into.verdicts.agree += from.verdicts.agree;
  into.verdicts.divergence += from.verdicts.divergence;
  into.verdicts.boundHit += from.verdicts.boundHit;
}

/**
 * A reader's campaign-level verdict: `vacuous` when it never raced (an
 * "agree" that proves nothing), else `divergence` if any, else `agree`;
 * `bound-hit` only when every execution hit a bound.
 */
export function overallVerdict(s: ReaderStats): 'agree' | 'divergence' | 'vacuous' | 'bound-hit' {
  if (s.verdicts.divergence > 0) return 'divergence';
  if (s.executions > 0 && s.verdicts.boundHit === s.executions) return 'bound-hit';
  if (s.races === 0) return 'vacuous';
  return 'agree';
}
