/**
 * compare/invariants.ts useAfterFree: a page-table page taken by a walker's pmdp_get_lockless is the walker's only
 * while the walk (its outermost operation, gup_fast) runs. Here the GUP-fast CPU finishes its walk, khugepaged then
 * collapses the pmd, syncs (IPI) and frees the table, and the same CPU, as the page's next owner, allocates it and
 * writes a descriptor into it: no walker uses a freed table. This used to be judged `use-after-free` (the CPU's
 * mapping of the table was never dropped). The same write by a CPU still inside its walk is still one (S12's
 * witness, test/unit/consumers-tlb.test.ts).
 */
import { describe, expect, test } from 'vitest';
import type { Target } from '../../src/campaign';
import { runTarget } from '../../src/campaign';
import { ScriptSource } from '../support/script';
import { scnTarget } from '../support/targets';

const SCN = `scenario walker-then-owner
arch arm64
model sc
flush broadcast
pte pte = 0x00e8000001234f43
pmd pmd = 0x0000000007000003
page 0x1234 ref 2
page 0x7000 ref 1 table pte
reader __ptep_get
cpu CPU0 "walk, then own the freed table" {
  gup_fast(pte, pmd=pmd)
  reuse_page(0x7000, pte, 0x00e8000000666f43)
}
cpu CPU1 "khugepaged" {
  khugepaged_collapse_file(pte, pmd, sync=ipi)
}
`;

const target = (): Target => scnTarget(SCN, 'walker-then-owner.scn', '__ptep_get', 'sc');

describe('a walker holds its page-table page until its walk ends', () => {
  test('the walk ends, the table is freed, the same CPU reuses the page: no use-after-free', () => {
    const t = target();
    // CPU0 runs gup_fast to its end, CPU1 runs khugepaged to its end, then CPU0 runs reuse_page
    const first = runTarget(t, new ScriptSource([[0, 1000]]));
    const gup = first.exec.ops.find((o) => o.mark.name === 'gup_fast')!;
    const walk = gup.end + 1;
    const run = runTarget(
      t,
      new ScriptSource([
        [0, walk],
        [1, 1000],
      ]),
    );
    const g = run.exec.ops.find((o) => o.mark.name === 'gup_fast')!;
    const freed = run.exec.events.find((e) => e.page?.pfn === 0x7000n && e.page.freed === true);
    // reuse_page runs bare (no operation record): its store into the reallocated table
    const reuse = run.exec.events.find((e) => e.cpu === 0 && e.wrote !== undefined && e.mem?.pfn === 0x7000n);
    // the schedule is the one described: the walk succeeded and ended before the table was freed, then the reuse
    expect(g.done && g.result).toBe(0x1234n);
    expect(freed, 'khugepaged freed the table').toBeDefined();
    expect(g.end).toBeLessThan(freed!.step);
    expect(reuse, "CPU0's store into the reused table").toBeDefined();
    expect(reuse!.step).toBeGreaterThan(freed!.step);
    expect(reuse!.mem!.gen).toBe(1);
    expect(run.judgement.verdict.kind).toBe('agree');
  });
});
