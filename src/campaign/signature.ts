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
 *
 * Entries the subject's reference view treats alike (`EntriesModel.interchangeable`:
 * a contpte block's entries other than the reader's target) are one term,
 * `siblings←{v0,v1}`: the set of logical values they were last read at, not
 * which entry read which — the view ORs their access/dirty bits, so a reader
 * that mixes in pte2 dirtied by hardware and one that mixes in pte3 are the
 * same bug (S8: the gathered no-op check, whichever sibling was dirtied).
 */
export function witnessSignature(exec: Execution, judgement: Judgement, built: BuiltScenario): string {
  const v = judgement.verdict;
  const h = judgement.history;
  if (v.kind !== 'divergence' || h === undefined) return '';
  const last = new Map<string, string>();
  const alike = new Set(built.subject.entries?.interchangeable ?? []);
  const siblings = new Map<number, string>(); // location id → logical value of its last read
  // the diverging operation and everything nested in it (a consumer's reads are in its reader ops)
  const inside = new Set<number>([v.op]);
  if (v.op >= 0) for (const o of exec.ops) if (inside.has(o.parent)) inside.add(o.id);
  for (const ev of exec.events) {
    if (!inside.has(ev.op) || ev.read === undefined || ev.tag === undefined) continue;
    const k = indexOfTag(h, ev.tag);
    const value = k === undefined ? '?' : `v${k}`;
    if (ev.locs.length === 1 && alike.has(ev.locs[0]!)) {
      siblings.set(ev.locs[0]!, value);
      continue;
    }
    const locs = ev.locs.map((id) => built.locations.locs[id]!.name).join('+');
    last.set(locs, `${locs}←${value}`);
  }
  const terms = [...last.keys()].sort().map((l) => last.get(l)!);
  if (siblings.size > 0) terms.push(`siblings←{${[...new Set(siblings.values())].sort(byValue).join(',')}}`);
  return terms.join(' ');
}

/** v0 < v1 < … < v10 < ? */
const byValue = (a: string, b: string): number =>
  (a === '?' ? Infinity : Number(a.slice(1))) - (b === '?' ? Infinity : Number(b.slice(1)));
