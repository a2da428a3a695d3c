import type { OpRecord } from '../machine';
import type { LogicalHistory } from './history';
import { indexOfTag } from './history';

/** The logical values a reader invocation may return: values[lo..hi]. */
export interface Window {
  readonly lo: number;
  readonly hi: number;
  readonly allowed: readonly bigint[];
}

/**
 * DESIGN §6: for a reader that ran from step s to step e, v_k is allowed if it
 * could be current at some instant of [s, e] — op k started before e, and
 * op k+1 had not finished before s. Under tso/weak the window also reaches
 * back to every value the reader's CPU could still observe when it started:
 * the oldest message it may read of each pte location (its floor) names the
 * logical value that message belongs to (the transient of a break-before-make
 * writer, whose clears and repaints carry one tag: under tso the clear can
 * still be in memory after the writer finished, its repaint buffered).
 */
export function allowedWindow(h: LogicalHistory, reader: OpRecord): Window {
  const s = reader.start;
  const e = reader.end;
  const n = h.values.length - 1;
  let hi = 0;
  for (let k = 1; k <= n; k++) if (h.ops[k - 1]!.start <= e) hi = k;
  let lo = hi;
  for (let k = 0; k <= hi; k++) {
    const next = h.ops[k];
    if (next === undefined || !next.done || next.end >= s) {
      lo = k;
      break;
    }
  }
  for (const tag of reader.floorTags ?? []) {
    // a break-before-make writer's message may be one of its clears: its transient value
    const k = h.firstIndexOfOp?.get(tag) ?? indexOfTag(h, tag);
    if (k !== undefined && k < lo) lo = k;
  }
  return { lo, hi, allowed: dedupe(h.values.slice(lo, hi + 1)) };
}

function dedupe(vs: readonly bigint[]): bigint[] {
  return [...new Set(vs)];
}
