import type { Execution } from '../machine';
import type { Judgement } from '../compare';
import { indexOfTag } from '../reference';
import type { BuiltScenario } from '../scenario';

/**
 * What a witness does, independent of the exact choice sequence that got
 * there: for the diverging reader invocation, the logical value (v0, v1, …
 * of the SC reference) that the *last* read of each location read — the
 * reads the returned value is made of; earlier iterations of a retry loop
 * do not matter. E.g. "pte_low←v4 pte_high←v2" for Jann Horn's S1 race.
 * Many traces minimize to witnesses with the same signature; they are one bug.
 */
export function witnessSignature(exec: Execution, judgement: Judgement, built: BuiltScenario): string {
  const v = judgement.verdict;
  const h = judgement.history;
  if (v.kind !== 'divergence' || h === undefined) return '';
  const last = new Map<string, string>();
  // the diverging operation and everything nested in it (a consumer's reads are in its reader ops)
  const inside = new Set<number>([v.op]);
  if (v.op >= 0) for (const o of exec.ops) if (inside.has(o.parent)) inside.add(o.id);
  for (const ev of exec.events) {
    if (!inside.has(ev.op) || ev.read === undefined || ev.tag === undefined) continue;
    const k = indexOfTag(h, ev.tag);
    const locs = ev.locs.map((id) => built.locations.locs[id]!.name).join('+');
    last.set(locs, `${locs}←${k === undefined ? '?' : `v${k}`}`);
  }
  return [...last.keys()]
    .sort()
    .map((l) => last.get(l)!)
    .join(' ');
}
