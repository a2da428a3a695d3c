/**
 * The TLB scenarios of DOMAIN §C: S10 (MADV_DONTNEED vs a refault, stale TLB),
 * S11 (stale writable TLB vs dirty tracking), S12 (khugepaged vs GUP-fast on a
 * freed page table). Each bug reproduced by a hand-written witness and found
 * by a fixed-seed fuzz run; each benign/fixed one explored by a bounded run
 * that reports executions and races.
 */
import { describe, expect, test } from 'vitest';
import { runTarget } from '../../src/campaign';
import { ScriptSource } from '../support/script';
import { fuzz, scripted, target } from '../support/targets';

describe('S10: MADV_DONTNEED vs anonymous fault — stale TLB, two pages at one VA', () => {
  const [Z, F, S] = [0, 1, 2];
  // S: walk the old pte into its TLB | Z: lock, clear, unlock (flush deferred) | F: fault finds none, installs a
  // new page, walks it, accesses it | S: accesses the VA through its stale entry | Z: flush, free.
  const script = (zapHead: number, zapTail: number): ScriptSource =>
    new ScriptSource([
      [S, 4],
      [Z, zapHead],
      [F, 18],
      [S, 1],
      [Z, zapTail],
    ]);
  const accesses = (run: ReturnType<typeof scripted>) =>
    run.exec.events.filter((e) => e.name === 'tlb_access').map((e) => [e.cpu, e.tlb?.pfn, e.tlb?.gen]);

  test('hand-written witness: two pages at one VA, the old one freed only after the flush — agree', () => {
    const run = scripted(target('s10-pae-dontneed-refault', 'ptep_get_lockless'), script(7, 2));
    // CPU1 reaches the new page, CPU2 the old one through its stale entry, both live
    expect(accesses(run)).toEqual([
      [F, 0x10002_00020n, 0],
      [S, 0x10001_00010n, 0],
    ]);
    const order = run.exec.events.filter((e) => e.cpu === Z).map((e) => e.name);
    expect(order.slice(-2)).toEqual(['tlb_finish_mmu', 'put_page']);
    expect(run.judgement.verdict).toEqual({ kind: 'agree' });
  });

  // Z: lock, clear, unlock, free (the broken zap) — the rest as above
  test('control: a zap that frees before flushing is a use-after-free', () => {
    const run = scripted(target('s10-pae-dontneed-refault-free-before-flush', 'ptep_get_lockless'), script(8, 1));
    const v = run.judgement.verdict;
    expect(v.kind === 'divergence' && v.class).toBe('use-after-free');
    if (v.kind === 'divergence')
      expect(v.detail).toMatch(/pfn 0x1000100010 freed by CPU 0 .* TLB of CPU 2 still maps it/);
    // the freed page is handed straight to the refault (hottest first): CPU2 then reaches a reused page
    expect(accesses(run)).toEqual([
      [F, 0x10001_00010n, 1],
      [S, 0x10001_00010n, 0],
    ]);
  });

  test('bounded run (seed 1, 1500 runs, tso): no divergence under non-torn; the fault path raced the zap', () => {
    const ts = [
      target('s10-pae-dontneed-refault', 'ptep_get_lockless', 'tso'),
      target('s10-pae-dontneed-refault', 'ptep_get_atomic64', 'tso'),
    ];
    const r = fuzz(ts, '1', 1500);
    expect(r.findings).toEqual([]);
    for (const t of ts) {
      const st = r.perTarget.get(t.key)!;
      expect(st.verdicts.agree).toBe(1500);
      expect(st.races).toBeGreaterThan(500);
    }
  });

  test('bounded run under exact: ptep_get_lockless agrees; the walk can read set_pte’s non-present transient', () => {
    const t = target('s10-pae-dontneed-refault', 'ptep_get_lockless', 'tso', 'exact');
    const r = fuzz([t], '1', 1500);
    expect(r.findings).toEqual([]);
    expect(r.perTarget.get(t.key)!.races).toBeGreaterThan(500);
  });

  test('control: a fuzz run (seed 1, 300 runs) finds the use-after-free', () => {
    const r = fuzz([target('s10-pae-dontneed-refault-free-before-flush', 'ptep_get_lockless')], '1', 300);
    expect(r.findings.map((f) => f.class)).toContain('use-after-free');
  });
});

describe('S11: stale writable TLB entry vs dirty tracking of a shared file page', () => {
  const [Z, U, W] = [0, 1, 2];
  // U: walk the dirty writable pte into its TLB | Z: lock, clear, folio_mark_dirty, page_remove_rmap |
  // W: page_mapped() = 0 → no rmap walk; test-and-clear PG_dirty; capture 0x1 | U: store 0x2 through the TLB |
  // Z: flush, unlock, free
  const script = (): ScriptSource =>
    new ScriptSource([
      [U, 4],
      [Z, 8],
      [W, 4],
      [U, 4],
      [Z, 3],
    ]);
  test('hand-written witness: before v6.1 the write through the stale TLB entry is lost', () => {
    const run = scripted(target('s11-pae-file-zap-early-rmap', 'ptep_get_atomic64', 'tso'), script());
    const v = run.judgement.verdict;
    expect(v.kind === 'divergence' && v.class).toBe('lost-dirty');
    if (v.kind === 'divergence') {
      expect(v.observed).toBe(2n);
      expect(v.allowed).toEqual([1n]);
      expect(v.detail).toMatch(/CPU 1 wrote 0x2 .* writeback captured 0x1 .* the write never reaches the file/);
    }
  });
  test('since v6.1 the same schedule is impossible: the rmap still maps the page, writeback waits for the PTL', () => {
    const t = target('s11-pae-file-zap-delayed-rmap', 'ptep_get_atomic64', 'tso');
    expect(() => runTarget(t, script())).toThrow(/CPU 2 is not runnable/);
  });
  test('fuzz runs (seed 1, 2000 runs, tso): lost-dirty before v6.1; none since, with the zap raced', () => {
    const bad = fuzz([target('s11-pae-file-zap-early-rmap', 'ptep_get_atomic64', 'tso')], '1', 2000);
    expect(new Set(bad.findings.map((f) => f.class))).toEqual(new Set(['lost-dirty']));
    const t = target('s11-pae-file-zap-delayed-rmap', 'ptep_get_atomic64', 'tso');
    const good = fuzz([t], '1', 2000);
    expect(good.findings).toEqual([]);
    const st = good.perTarget.get(t.key)!;
    expect(st.verdicts.agree).toBe(2000);
    expect(st.races).toBeGreaterThan(500);
  });
});

describe('S12: khugepaged retracting a pte table vs GUP-fast', () => {
  const [G, K, N] = [0, 1, 2];
  // G: IRQs off, pmdp_get_lockless → table 0x7000 | K: unmap the page, clear the pmd, flush (broadcast: waits
  // for nobody), [sync IPI,] free the table | N: allocates the table page, stores a descriptor of pfn 0x666 |
  // G: reads the pte from the reused table, grabs pfn 0x666; its pmd recheck fails, it puts the page back.
  const script = (): ScriptSource =>
    new ScriptSource([
      [G, 2],
      [K, 11],
      [N, 2],
      [G, 5],
    ]);
  test('hand-written witness: before 2ba99c5e0881 GUP-fast reads a pte from a freed and reused table', () => {
    const run = scripted(target('s12-arm64-khugepaged-gup-fast', '__ptep_get', 'weak'), script());
    const v = run.judgement.verdict;
    expect(v.kind === 'divergence' && v.class).toBe('use-after-free');
    if (v.kind === 'divergence') expect(v.detail).toMatch(/page-table page pfn 0x7000 .* taken at gen 0 .* now reused/);
    expect(run.exec.events.some((e) => e.name === 'try_grab_folio' && e.page?.pfn === 0x666n)).toBe(true);
    expect(run.exec.ops.find((o) => o.mark.name === 'gup_fast')!.result).toBeUndefined();
  });
  test('weak: GUP-fast reads the pmd only after the table was freed and reused, but an older message of it', () => {
    // G: IRQs off | K: unmap, clear the pmd, flush, free the table | N: reuses it | G: pmdp_get_lockless reads the
    // pmd khugepaged cleared — weak lets it read the older message (rf 1; the first load with two to choose from)
    // — and walks the reused table. It took the table as it was while that pmd was current: generation 0, before
    // the free. (This read used to take the table at its generation when read, 1, and the pte from the reused
    // page was judged a `phantom` of the reader.)
    const run = scripted(
      target('s12-arm64-khugepaged-gup-fast', '__ptep_get', 'weak'),
      new ScriptSource(
        [
          [G, 1],
          [K, 11],
          [N, 2],
          [G, 5],
        ],
        { rf: [1] },
      ),
    );
    const pmd = run.exec.events.find((e) => e.cpu === G && e.maps !== undefined)!;
    expect([pmd.step, pmd.rank, pmd.read]).toEqual([14, 1, 0x7000003n]);
    expect(
      run.exec.events.find(
        (e) => e.cpu === K && e.maps === undefined && e.locs.includes(pmd.locs[0]!) && e.wrote === 0n,
      )!.step,
    ).toBeLessThan(14);
    expect(pmd.maps).toEqual({ pfn: 0x7000n, gen: 0, ref: 1 });
    const v = run.judgement.verdict;
    expect(v.kind === 'divergence' && v.class).toBe('use-after-free');
    if (v.kind === 'divergence')
      expect(v.detail).toMatch(
        /pfn 0x7000 \(step 15\), taken at gen 0 by pmdp_get_lockless \(step 14\), now reused \(gen 1/,
      );
  });
  test('with tlb_remove_table_sync_one() the same script cannot free the table before GUP-fast ends', () => {
    const run = runTarget(target('s12-arm64-khugepaged-gup-fast-ipi', '__ptep_get', 'weak'), script());
    const step = (cpu: number, name: string) => run.exec.events.find((e) => e.cpu === cpu && e.name === name)!.step;
    // the IPI waits for G's local_irq_restore; only then is the table freed and reused
    expect(step(K, 'tlb_remove_table_sync_one')).toBeLessThan(step(G, 'local_irq_restore'));
    expect(step(G, 'local_irq_restore')).toBeLessThan(step(N, 'alloc_page'));
    expect(run.judgement.verdict).toEqual({ kind: 'agree' });
  });
  test('fuzz runs (seed 1, 1500 runs): use-after-free before the fix; none with the IPI, under sc and weak', () => {
    const bad = fuzz([target('s12-arm64-khugepaged-gup-fast', '__ptep_get')], '1', 1500);
    expect(bad.findings.map((f) => f.class)).toContain('use-after-free');
    const ts = [
      target('s12-arm64-khugepaged-gup-fast-ipi', '__ptep_get', 'sc'),
      target('s12-arm64-khugepaged-gup-fast-ipi', '__ptep_get', 'weak'),
    ];
    const good = fuzz(ts, '1', 1500);
    expect(good.findings).toEqual([]);
    for (const t of ts) {
      const st = good.perTarget.get(t.key)!;
      expect(st.verdicts.agree).toBe(1500);
      expect(st.races).toBeGreaterThan(400);
    }
  });
});
