/**
 * The consumer scenarios (DOMAIN §C S1 inside GUP-fast, S3, S4, S7): each bug
 * reproduced by a hand-written witness (a per-step CPU script) and found by
 * a fixed-seed fuzz run; each correct/benign one explored by a bounded run
 * that reports executions and races.
 */
import { describe, expect, test } from 'vitest';
import type { Target } from '../../src/campaign';
import { runTarget } from '../../src/campaign';
import { ScriptSource } from '../support/script';
import { fuzz, scripted, target } from '../support/targets';

/** Run a scripted witness (checked and replayed by `scripted`) and return its verdict. */
const witness = (t: Target, script: ScriptSource) => scripted(t, script).judgement.verdict;

const A = 0;
const B = 1;
const C = 2;

describe('S1 inside GUP-fast', () => {
  // A: irq off, low = P.low | B: zap P, drop the PTL | A: high = 0 | C: fault installs {0x00010003:0x00010067}
  // (same low half as P; the allocator's 2nd page) | A: low again matches → {0x00000000:0x00010067}, pfn 0x10,
  // a page in use elsewhere; try_grab_folio; recheck ptep_get(): low | C: zap | A: high = 0 → the same torn
  // value: the recheck "confirms" it and GUP-fast returns pfn 0x10.
  const script = (): ScriptSource =>
    new ScriptSource(
      [
        [A, 3],
        [B, 7],
        [A, 2],
        [C, 8],
        [A, 3],
        [C, 7],
        [A, 2],
      ],
      { op: [1] },
    );
  for (const s of ['s1-pae-gup-fast-broadcast', 's1-pae-gup-fast-ipi']) {
    test(`${s}: hand-written witness — GUP-fast via ptep_get_lockless pins a wrong page`, () => {
      const v = witness(target(s, 'ptep_get_lockless'), script());
      expect(v.kind === 'divergence' && v.class).toBe('wrong-page');
      if (v.kind === 'divergence') {
        expect(v.observed).toBe(0x00010067n);
        expect(v.detail).toMatch(/pinned pfn 0x10 gen 0/);
      }
    });
  }

  test('broadcast flush: a fuzz run (seed 1, 3000 runs) finds the torn read and the wrong page', () => {
    const r = fuzz([target('s1-pae-gup-fast-broadcast', 'ptep_get_lockless')], '1', 3000);
    const classes = new Set(r.findings.map((f) => f.class));
    expect(classes.has('torn')).toBe(true);
    expect(classes.has('wrong-page')).toBe(true);
  });

  test('IPI flush with the flush deferred past the PTL (today): still racy — the fuzz run finds the wrong page', () => {
    const r = fuzz([target('s1-pae-gup-fast-ipi', 'ptep_get_lockless')], '2', 3000);
    expect(r.findings.map((f) => f.class)).toContain('wrong-page');
  });

  test('IPI flush forced before the PTL is dropped, GUP-fast IRQs off: no divergence in a bounded run that raced', () => {
    const t = target('s1-pae-gup-fast-ipi-forceflush', 'ptep_get_lockless');
    const r = fuzz([t], '1', 3000);
    const st = r.perTarget.get(t.key)!;
    expect(r.findings).toEqual([]);
    expect(st.executions).toBe(3000);
    expect(st.verdicts.divergence).toBe(0);
    expect(st.verdicts.boundHit).toBe(0);
    expect(st.races).toBeGreaterThan(1000);
    // the hand-written witness cannot be scheduled: C's fault needs the PTL, which B holds until A's IRQs are on
    expect(() => runTarget(t, script())).toThrow(/CPU 2 is not runnable/);
  });
});

describe('S3: garbage into the fault path', () => {
  test('hand-written witness: the fault path reads {0x00010001:0x00000000}, do_swap_page rechecks and bails', () => {
    const t = target('s3-pae-fault-garbage', 'ptep_get_lockless');
    // B: lock, low = 0 | A: low = 0, rmb, high = h1, rmb, low = 0 → {h1:0} | B: wmb, high = 0, unlock | A: …
    const run = runTarget(
      t,
      new ScriptSource([
        [B, 2],
        [A, 5],
        [B, 3],
      ]),
    );
    const lockless = run.exec.ops.find((o) => o.mark.name === 'ptep_get_lockless')!;
    expect(lockless.result).toBe(0x00010001_00000000n);
    expect(run.exec.ops.some((o) => o.mark.name === 'do_swap_page')).toBe(true);
    expect(run.exec.ops.some((o) => o.mark.name === 'set_pte_at')).toBe(false);
    expect(run.judgement.verdict).toEqual({ kind: 'agree' });
    expect(run.judgement.raced).toBe(1);
  });

  test('bounded run (seed 1, 2000 runs): no divergence, and the reads raced the zap', () => {
    const t = target('s3-pae-fault-garbage', 'ptep_get_lockless', 'tso');
    const r = fuzz([t], '1', 2000);
    const st = r.perTarget.get(t.key)!;
    expect(r.findings).toEqual([]);
    expect(st.verdicts.agree).toBe(2000);
    expect(st.races).toBeGreaterThan(500);
  });
});

describe('S4: GUP-fast recheck false match', () => {
  const D = 3;
  // A: irq off, read1 = P (atomic) | B: zap P | A: try_grab_folio(P) — P is no longer mapped |
  // C: fault installs {0x00010002:0x00010067} (P's low half) | A: recheck low | C: zap |
  // D: fault installs {0x00010001:0x00020067} (P's high half) | A: recheck high → {0x00010001:0x00010067} == P
  const script = (): ScriptSource =>
    new ScriptSource([
      [A, 2],
      [B, 7],
      [A, 1],
      [C, 8],
      [A, 1],
      [C, 7],
      [D, 8],
      [A, 2],
    ]);
  test('hand-written witness: an atomic read1 and a ptep_get() recheck pin P after its unmap (wrong-page)', () => {
    const v = witness(target('s4-pae-gup-fast-recheck-ptep-get', 'ptep_get_atomic64'), script());
    expect(v.kind === 'divergence' && v.class).toBe('wrong-page');
    if (v.kind === 'divergence') expect(v.detail).toMatch(/pinned pfn 0x1000100010 gen 0/);
  });
  test('a fuzz run (seed 4, 6000 runs) finds the wrong page with the PAE ptep_get_lockless as read1', () => {
    const r = fuzz([target('s4-pae-gup-fast-recheck-ptep-get', 'ptep_get_lockless')], '4', 6000);
    expect(r.findings.map((f) => f.class)).toContain('wrong-page');
  });
  test('the same schedule with the lockless recheck (2026 RFC): the recheck fails, the reference is dropped', () => {
    const run = runTarget(target('s4-pae-gup-fast-recheck-lockless', 'ptep_get_atomic64'), script());
    expect(run.judgement.verdict).toEqual({ kind: 'agree' });
    expect(run.exec.events.some((e) => e.name === 'put_page' && e.cpu === A)).toBe(true);
  });
});

describe('S7: pte_same_norecency loses a dirty bit', () => {
  // A (read fault): orig = clean | B (write fault): read, lock, recheck, set_access_flags writes dirty, unlock |
  // A: lock, recheck ignoring A/D passes, writes pte_mkyoung(orig) — clean
  const script = (aTail: number): ScriptSource =>
    new ScriptSource([
      [A, 1],
      [B, 6],
      [A, aTail],
    ]);
  test('hand-written witness: norecency → lost-dirty; pte_same → A backs out', () => {
    const bad = witness(target('s7-arm64-fault-norecency', 'ptep_get_lockless_norecency', 'weak'), script(5));
    expect(bad.kind === 'divergence' && bad.class).toBe('lost-dirty');
    if (bad.kind === 'divergence') expect(bad.detail).toMatch(/its dirty bit is lost/);
    const good = witness(target('s7-arm64-fault-pte-same', 'ptep_get_lockless_norecency', 'weak'), script(3));
    expect(good).toEqual({ kind: 'agree' });
  });
  test('fuzz runs (seed 1, 500 runs): lost-dirty with norecency; none with pte_same, which raced', () => {
    const bad = fuzz([target('s7-arm64-fault-norecency', 'ptep_get_lockless_norecency', 'weak')], '1', 500);
    expect(new Set(bad.findings.map((f) => f.class))).toEqual(new Set(['lost-dirty']));
    const t = target('s7-arm64-fault-pte-same', 'ptep_get_lockless_norecency', 'weak');
    const good = fuzz([t], '1', 500);
    expect(good.findings).toEqual([]);
    expect(good.perTarget.get(t.key)!.races).toBeGreaterThan(100);
  });
});
