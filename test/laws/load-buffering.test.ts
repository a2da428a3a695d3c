/**
 * Load buffering under `weak`: a plain store that nothing orders after its CPU's earlier plain loads may run
 * ahead of them (runAhead, src/scenario/raw.ts), so a load of another CPU may read it before those loads run —
 * the LB outcomes LKMM allows. The LKMM verdicts below are derived by hand from tools/memory-model/linux-kernel.cat
 * (not by running ptefuzz): an LB cycle rfe ; po ; rfe ; po is forbidden exactly when each po edge is in ppo (a
 * data or control dependency, an acquire read, a release store, smp_mb()); smp_rmb() orders reads only
 * (`[R] ; fencerel(Rmb) ; [R]`), smp_wmb() stores only; coherence forbids a read seeing its own later store (CoRW).
 */
import { describe, expect, test } from 'vitest';
import { herdBlock, rawHerdTest } from '../../src/cli/herd';
import type { ModelKind } from '../../src/machine';
import { parseLitmus } from '../../src/scenario';

/**
 * P0 runs `p0` (registers r0, r1); P1 (by default) reads y into r0, then, after smp_mb(), writes x — so the LB
 * outcome exists (0:r0=1 /\ 1:r0=1) needs P0's store to run ahead of P0's read of x.
 */
function lb(p0: string, p1 = ' r0 = READ_ONCE(*y);\n smp_mb();\n WRITE_ONCE(*x, 1);', exists = '0:r0=1 /\\ 1:r0=1') {
  const text =
    `C T\n{}\nP0(int *x, int *y, int *z) {\n int r0;\n int r1;\n${p0}\n}\n` +
    `P1(int *x, int *y, int *z) {\n int r0;\n${p1}\n}\nexists (${exists})\n`;
  return rawHerdTest(parseLitmus(text, 't.litmus'));
}
const observe = (t: ReturnType<typeof lb>, model: ModelKind = 'weak') => herdBlock(t, model, {});

describe('a store runs ahead of earlier loads under weak only', () => {
  test('LB: Sometimes under weak; Never under sc and tso (R→W order kept)', () => {
    const t = lb(' r0 = READ_ONCE(*x);\n WRITE_ONCE(*y, 1);', ' r0 = READ_ONCE(*y);\n WRITE_ONCE(*x, 1);');
    expect(observe(t).observation).toBe('Sometimes');
    expect(observe(t, 'sc').observation).toBe('Never');
    expect(observe(t, 'tso').observation).toBe('Never');
  });

  test('past an independent load, an smp_rmb(), and after an earlier store run ahead first: Sometimes', () => {
    for (const p0 of [
      ' r0 = READ_ONCE(*x);\n r1 = READ_ONCE(*z);\n WRITE_ONCE(*y, 1);',
      ' r0 = READ_ONCE(*x);\n smp_rmb();\n WRITE_ONCE(*y, 1);',
      // smp_wmb() orders stores only: it runs ahead with the store
      ' r0 = READ_ONCE(*x);\n smp_wmb();\n WRITE_ONCE(*y, 1);',
      ' r0 = READ_ONCE(*x);\n WRITE_ONCE(*z, 1);\n WRITE_ONCE(*y, 1);',
      // a relaxed RMW orders nothing: the store runs ahead of it, and of a read that is one
      ' r0 = READ_ONCE(*x);\n r1 = xchg_relaxed(z, 1);\n WRITE_ONCE(*y, 1);',
      ' r0 = xchg_relaxed(x, 2);\n WRITE_ONCE(*y, 1);',
      ' r0 = cmpxchg_relaxed(x, 1, 2);\n WRITE_ONCE(*y, 1);',
    ])
      expect(observe(lb(p0)).observation, p0).toBe('Sometimes');
  });
});

describe('past a store that cannot run ahead itself (LKMM orders no two stores to different locations)', () => {
  // LKMM orders that store after the read — a release (po-rel), one of the read's location (overwrite & int), one
  // of its register (data) — but not the later store, which takes it over. Counts: the brute-force LKMM checker
  // (linux-kernel.cat, herd7's way of counting) on these three tests, whose P1 is lb()'s.
  test.each([
    ['a release store', ' r0 = READ_ONCE(*x);\n smp_store_release(z, 1);\n WRITE_ONCE(*y, 1);', 3],
    ['a store of the read location', ' r0 = READ_ONCE(*x);\n WRITE_ONCE(*x, 2);\n WRITE_ONCE(*y, 1);', 5],
    ['a store of the read register', ' r0 = READ_ONCE(*x);\n WRITE_ONCE(*z, r0);\n WRITE_ONCE(*y, 1);', 3],
  ] as const)('%s between: Sometimes 1 %i, as LKMM, no Warning', (_what, p0, negative) => {
    const r = observe(lb(p0));
    expect([r.observation, r.positive, r.negative]).toEqual(['Sometimes', 1, negative]);
    expect(r.text).not.toContain('\nWarning: ');
    expect(observe(lb(p0), 'tso').observation).toBe('Never');
  });
});

describe('with the loads of its location it passes, which run ahead first (coherence orders it after them only)', () => {
  // LKMM orders P0's store after its reads of y (CoRW: fr & int) but not after its read of x. Counts: the brute-force
  // LKMM checker, as above. Was: Never, with a Warning — weak ran a store ahead of the whole run of loads or of none.
  test.each([
    ['a load of the store’s location', ' r0 = READ_ONCE(*x);\n r1 = READ_ONCE(*y);\n WRITE_ONCE(*y, 1);'],
    ['two of them', ' int r2;\n r0 = READ_ONCE(*x);\n r1 = READ_ONCE(*y);\n r2 = READ_ONCE(*y);\n WRITE_ONCE(*y, 1);'],
    ['one, then smp_rmb()', ' r0 = READ_ONCE(*x);\n r1 = READ_ONCE(*y);\n smp_rmb();\n WRITE_ONCE(*y, 1);'],
  ] as const)('%s between: Sometimes 1 3, as LKMM, no Warning', (_what, p0) => {
    const r = observe(lb(p0));
    expect([r.observation, r.positive, r.negative]).toEqual(['Sometimes', 1, 3]);
    expect(r.text).not.toContain('\nWarning: ');
  });

  test('a store offered and kept in place, its loads with it, is passed by a later store: Sometimes 1 11, as LKMM', () => {
    // P1 reads P0's z, then writes y = 2 and x = 1, which P0's reads of x and y see: z ran ahead of both P0's
    // reads, y's store and load did not. Was: Never (declining the y store ended the run-ahead picks at the x read)
    const r = observe(
      lb(
        ' r0 = READ_ONCE(*x);\n r1 = READ_ONCE(*y);\n WRITE_ONCE(*y, 1);\n WRITE_ONCE(*z, 1);',
        ' r0 = READ_ONCE(*z);\n smp_mb();\n WRITE_ONCE(*y, 2);\n WRITE_ONCE(*x, 1);',
        '1:r0=1 /\\ 0:r1=2 /\\ 0:r0=1',
      ),
    );
    expect([r.observation, r.positive, r.negative]).toEqual(['Sometimes', 1, 11]);
  });

  test('not a load an smp_rmb() orders after the read (then the store is ordered after it too): Never, as LKMM', () => {
    // the Warning is a false alarm here: the check does not follow smp_rmb() ; fr (README, weak-gap heuristic)
    const r = observe(lb(' r0 = READ_ONCE(*x);\n smp_rmb();\n r1 = READ_ONCE(*y);\n WRITE_ONCE(*y, 1);'));
    expect([r.observation, r.positive, r.negative]).toEqual(['Never', 0, 3]);
  });

  test('not a load whose register another statement passed writes or reads: fewer executions, never more', () => {
    // r0 holds x's value, then y's: running the y load first would leave x's in r0 — so it stays, and so does the
    // store (LKMM: Sometimes 2 2; weak has one of those two executions)
    const r = observe(
      lb(' r0 = READ_ONCE(*x);\n r0 = READ_ONCE(*y);\n WRITE_ONCE(*y, 1);', undefined, '1:r0=1 /\\ 0:r0=0'),
    );
    expect([r.observation, r.positive, r.negative]).toEqual(['Sometimes', 1, 2]);
  });
});

describe('what keeps it behind: Never, as LKMM', () => {
  // the Warning check is a heuristic (src/scenario/litmus/weak-gap.ts): it pairs each read with each later store,
  // so the dependency through the second load leaves the first load's pair named — a false alarm, said "may"
  test.each([
    ['a data dependency (no out-of-thin-air values)', ' r0 = READ_ONCE(*x);\n WRITE_ONCE(*y, r0);', false],
    [
      'a data dependency through a later load',
      ' r0 = READ_ONCE(*x);\n r1 = READ_ONCE(*x);\n WRITE_ONCE(*y, r1);',
      true,
    ],
    ['a control dependency', ' r0 = READ_ONCE(*x);\n if (r0 == 1) WRITE_ONCE(*y, 1);', false],
    ['smp_mb()', ' r0 = READ_ONCE(*x);\n smp_mb();\n WRITE_ONCE(*y, 1);', false],
    ['an acquire read', ' r0 = smp_load_acquire(x);\n WRITE_ONCE(*y, 1);', false],
    ['a release store', ' r0 = READ_ONCE(*x);\n smp_store_release(y, 1);', false],
    ['a fully ordered xchg()', ' r0 = READ_ONCE(*x);\n r1 = xchg(z, 1);\n WRITE_ONCE(*y, 1);', false],
    ['a fully ordered xchg() as the read', ' r0 = xchg(x, 2);\n WRITE_ONCE(*y, 1);', false],
    ['an xchg_acquire() as the read', ' r0 = xchg_acquire(x, 2);\n WRITE_ONCE(*y, 1);', false],
    ['a store of the register a relaxed RMW returned', ' r0 = xchg_relaxed(x, 2);\n WRITE_ONCE(*y, r0);', false],
    // the store between is ordered after the read, smp_wmb() the store after it (hb is transitive); was: a Warning
    [
      'a release store, then smp_wmb()',
      ' r0 = READ_ONCE(*x);\n smp_store_release(z, 1);\n smp_wmb();\n WRITE_ONCE(*y, 1);',
      false,
    ],
    [
      'a store of the read location, then smp_wmb()',
      ' r0 = READ_ONCE(*x);\n WRITE_ONCE(*x, 2);\n smp_wmb();\n WRITE_ONCE(*y, 1);',
      false,
    ],
    [
      'a store of the read register, then smp_wmb()',
      ' r0 = READ_ONCE(*x);\n WRITE_ONCE(*z, r0);\n smp_wmb();\n WRITE_ONCE(*y, 1);',
      false,
    ],
  ] as const)('%s', (_what, p0, warns) => {
    const r = observe(lb(p0));
    expect(r.observation).toBe('Never');
    expect(r.text.includes('\nWarning: ')).toBe(warns);
  });

  test('a store of a register runs ahead only with the value program order gives it (never a stale register)', () => {
    const r = observe(lb(' r0 = READ_ONCE(*x);\n WRITE_ONCE(*y, r0);', ' WRITE_ONCE(*x, 1);', '0:r0=1 /\\ y=0'));
    expect(r.observation).toBe('Never');
  });

  test('an smp_wmb() run ahead still orders the CPU’s earlier stores before the store (MP: Never)', () => {
    const text =
      'C T\n{}\nP0(int *x, int *y, int *z) {\n int r0;\n WRITE_ONCE(*z, 1);\n r0 = READ_ONCE(*x);\n smp_wmb();\n' +
      ' WRITE_ONCE(*y, 1);\n}\nP1(int *x, int *y, int *z) {\n int r0;\n int r1;\n r0 = READ_ONCE(*y);\n smp_rmb();\n' +
      ' r1 = READ_ONCE(*z);\n WRITE_ONCE(*x, 1);\n}\nexists (1:r0=1 /\\ 1:r1=0)\n';
    expect(herdBlock(rawHerdTest(parseLitmus(text, 't.litmus')), 'weak', {}).observation).toBe('Never');
    // and the store does run ahead: P0 reads P1's x, which P1 writes after reading P0's y
    const lb = text.replace('exists (1:r0=1 /\\ 1:r1=0)', 'exists (0:r0=1 /\\ 1:r0=1 /\\ 1:r1=1)');
    expect(herdBlock(rawHerdTest(parseLitmus(lb, 't.litmus')), 'weak', {}).observation).toBe('Sometimes');
  });

  test('coherence: a store never runs ahead of an RMW of its location (CoWW: x is 1 last)', () => {
    const r = observe(
      lb(' r0 = READ_ONCE(*z);\n r1 = xchg_relaxed(x, 2);\n WRITE_ONCE(*x, 1);', ' r0 = READ_ONCE(*y);', 'x=2'),
    );
    expect(r.observation).toBe('Never');
  });

  test('coherence: a read never sees its own CPU’s later store to the same location (CoRW)', () => {
    const r = observe(lb(' r0 = READ_ONCE(*x);\n WRITE_ONCE(*x, 1);', ' r0 = READ_ONCE(*y);', '0:r0=1'));
    expect(r.observation).toBe('Never');
  });
});

describe('a store after an if runs ahead of it (LKMM orders only the stores inside)', () => {
  // rwdep = (dep | ctrl) ; [W] orders a store inside the if after the load its condition reads; a store after the
  // if depends on nothing there: Rx ->po Wy is in no ppo, so the LB cycle Rx ; po ; Wy ->rfe ; mb ; ->rfe Rx is
  // allowed, whatever the branches read or store elsewhere
  test.each([
    ['a store inside the if', ' r0 = READ_ONCE(*x);\n if (r0 == 1)\n  WRITE_ONCE(*z, 1);\n WRITE_ONCE(*y, 1);'],
    ['a load inside the if', ' r0 = READ_ONCE(*x);\n if (r0 == 1)\n  r1 = READ_ONCE(*z);\n WRITE_ONCE(*y, 1);'],
    [
      'an if on an earlier acquire’s register, with the read inside it',
      ' r1 = smp_load_acquire(z);\n if (r1 == 0)\n  r0 = READ_ONCE(*x);\n WRITE_ONCE(*y, 1);',
    ],
    [
      'both branches, one nested if',
      ' r0 = READ_ONCE(*x);\n if (r0 == 1) {\n  r1 = READ_ONCE(*z);\n  if (r1)\n   WRITE_ONCE(*z, 2);\n } else\n  smp_rmb();\n WRITE_ONCE(*y, 1);',
    ],
  ])('%s: Sometimes under weak (LB), Never under sc and tso', (_what, p0) => {
    const t = lb(p0);
    expect(observe(t).observation).toBe('Sometimes');
    expect(observe(t, 'sc').observation).toBe('Never');
    expect(observe(t, 'tso').observation).toBe('Never');
  });

  test('LB past an if counts executions as herd7 does: 4 (which branch runs after the store is its program order)', () => {
    // rf of P0's x (init, P1's) × rf of P1's y (init, P0's): all four allowed by LKMM; z has one write
    const r = observe(lb(' r0 = READ_ONCE(*x);\n if (r0 == 1)\n  WRITE_ONCE(*z, 1);\n WRITE_ONCE(*y, 1);'));
    expect([r.observation, r.positive, r.negative]).toEqual(['Sometimes', 1, 3]);
  });

  test.each([
    // a store of the same location inside: Wy=2 ->coi Wy=1 (overwrite & int in to-w) after Rx ->rwdep Wy=2: ordered
    [
      'a store of its location inside the if',
      ' r0 = READ_ONCE(*x);\n if (r0 == 1)\n  WRITE_ONCE(*y, 2);\n WRITE_ONCE(*y, 1);',
    ],
    // the outcome needs r0=1, so the branch runs its smp_mb()
    [
      'an smp_mb() inside the if the outcome takes',
      ' r0 = READ_ONCE(*x);\n if (r0 == 1)\n  smp_mb();\n WRITE_ONCE(*y, 1);',
    ],
  ])('%s: Never under weak, as LKMM', (_what, p0) => {
    expect(observe(lb(p0)).observation).toBe('Never');
  });
});

describe('what weak leaves out, with the Warning line (README Limitations)', () => {
  test.each([
    // smp_wmb() orders the relaxed RMW's write before the store, not the load (LKMM: Sometimes); weak runs neither
    // the RMW nor the store ahead
    [
      'an RMW, then smp_wmb(), between',
      ' r0 = READ_ONCE(*x);\n r1 = xchg_relaxed(z, 1);\n smp_wmb();\n WRITE_ONCE(*y, 1);',
    ],
    // a release RMW orders what comes before it, not what comes after (LKMM: Sometimes); weak runs no store past it
    ['xchg_release() between', ' r0 = READ_ONCE(*x);\n r1 = xchg_release(z, 1);\n WRITE_ONCE(*y, 1);'],
  ])('%s: Never under weak, with a Warning', (_what, p0) => {
    const r = observe(lb(p0));
    expect(r.observation).toBe('Never');
    expect(r.text).toMatch(
      /\nWarning: P0's READ_ONCE\(\*x\) and its later WRITE_ONCE\(\*y, …\) are unordered under LKMM/,
    );
  });
});
