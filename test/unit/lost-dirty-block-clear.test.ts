/**
 * compare/invariants.ts lostDirty on a contpte block: the subject entry's logical value ORs the block's access/dirty,
 * so clearing a dirty sibling in place (clear_full_ptes over the whole folio, a zap) turns the entry's view clean.
 * That dirt went with the cleared entry to the zap, not lost by a writer: it used to be judged `lost-dirty`. A writer
 * that makes a dirty entry clean without clearing anything still is (S7's norecency fault, test/unit/consumers.test.ts).
 */
import { describe, expect, test } from 'vitest';
import { runTarget } from '../../src/campaign';
import { arm64 } from '../../src/kernel';
import { ScriptSource } from '../support/script';
import { scnTarget } from '../support/targets';

// pte0 hardware-dirty (DBM set, RDONLY clear), pte1..pte3 clean; GUP-fast on pte1 so that the consumer invariants run
const SCN = `scenario block-clear
arch arm64
model sc
pte pte = [0x0078000000040b43, 0x0078000000041bc3, 0x0078000000042bc3, 0x0078000000043bc3]
reader __ptep_get
cpu A "GUP-fast on pte1" {
  gup_fast(pte[1])
}
cpu B "zap the folio" {
  spin_lock(ptl)
  clear_full_ptes(pte[0], nr=4)
  spin_unlock(ptl)
}
`;

describe('lost-dirty on a contpte block', () => {
  test('clearing the dirty sibling in place loses no dirt of the entry: no lost-dirty', () => {
    const t = scnTarget(SCN, 'block-clear.scn', '__ptep_get', 'sc');
    // B runs first, to its end, then A
    const run = runTarget(
      t,
      new ScriptSource([
        [1, 1000],
        [0, 1000],
      ]),
    );
    const h = run.judgement.history!;
    // the view of pte1 was dirty (pte0's dirt OR-ed in), then clean while pte0 was none and pte1 still CONT
    expect(arm64.dirty(h.values[0]!)).toBe(true);
    expect(h.values.some((v, k) => k > 0 && arm64.present(v) && !arm64.dirty(v))).toBe(true);
    expect(run.judgement.verdict.kind).toBe('agree');
  });
});
