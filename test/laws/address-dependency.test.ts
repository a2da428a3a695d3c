/**
 * Address dependencies under `weak`: an access through a pointer register (`READ_ONCE(*r0)`, imported litmus tests)
 * is ordered after the load that wrote the register (LKMM's `addr`, in `ppo` for a read and in `rwdep` for a write,
 * tools/memory-model/linux-kernel.cat). The LKMM verdicts below are derived by hand from linux-kernel.cat, not by
 * running ptefuzz (and MP+onceassign+derefonce's is its kernel file's `Result:`):
 *
 * - MP+wmb+addr: Wx ->cumul-fence Wy ->rfe Ry ->addr Rx ->fre Wx; fre ; cumul-fence ; rfe is `prop`, so Rx -> Ry is
 *   in hb (`(prop \ id) & int`) against Ry ->ppo Rx: a cycle, Never. Without the smp_wmb there is no cumul-fence and
 *   no prop from Rx to Ry: Sometimes (MP+po+addr). A later load that does not depend on Ry is in no ppo: Sometimes.
 * - an acquire read through the pointer: Rw ->fre Ww ->wmb Wy ->rfe Ry is prop to Ry on Rw's CPU, against Ry ->addr
 *   Racq ->po Rw (ppo: addr, then [acquire] ; po): Never.
 * - Z6.2+mb+acqpo+addr: Rx ->fre Wx ->mb Wy ->rfe Racq ->acquire Wp ->rfe Rp ->addr Rx is prop ; strong-fence ; hb*,
 *   a pb cycle: Never; without the smp_mb(): Sometimes (P1's plain store carries nothing of x, the acquire notwithstanding).
 * - LB through a pointer: Ry ->addr Wz ->rfe Rz ->mb Wy ->rfe Ry is an hb cycle: Never; without the smp_mb the
 *   other side is unordered: Sometimes. A store through a pointer loaded before an unrelated read is not ordered
 *   after that read (the address depends on the first load only): Sometimes.
 * - hb is transitive: Ry ->addr Rz ->data Ww ->rfe Rw ->mb Wy ->rfe Ry: Never.
 * - S+wmb+addr-data: Ww=2 ->cumul-fence Wy ->rfe Ry ->addr Rx ->data Ww=1; with Ww=1 ->co Ww=2, coe ; cumul-fence ;
 *   rfe is prop from Ww=1 to Ry on its own CPU, against Ry ->ppo Rx ->ppo Ww=1: Never.
 * - S+wmb+addr: Wx=2 ->cumul-fence Wy ->rfe Ry ->addr Wx=1, and Wx=1 ->co Wx=2 would make coe ; cumul-fence ; rfe a
 *   prop edge from Wx=1 back to Ry on its own CPU: Never. Without the smp_wmb: Sometimes.
 * - coherence holds through an alias: a load through a pointer to x never reads an older x than an earlier load of
 *   x on the same CPU read (CoRR): Never.
 */
import { describe, expect, test } from 'vitest';
import { herdBlock, rawHerdTest } from '../../src/cli/herd';
import type { ModelKind } from '../../src/machine';
import { parseLitmus } from '../../src/scenario';

const MODELS: readonly ModelKind[] = ['sc', 'tso', 'weak'];

function run(text: string, model: ModelKind) {
  return herdBlock(rawHerdTest(parseLitmus(text, 't.litmus')), model, {});
}

/** MP: P0 writes x then publishes its address in y; P1 loads y then (by `p1`) reads through it. */
const mp = (p0: string, p1: string, exists = '1:r0=x /\\ 1:r1=0', init = 'y=z;\nz=0;'): string =>
  `C MP\n{\n${init}\n}\nP0(int *x, int **y, int *w)\n{\n${p0}\n}\n` +
  `P1(int *x, int **y, int *w)\n{\n int *r0;\n int r1;\n${p1}\n}\nexists (${exists})\n`;

const PUBLISH = ' WRITE_ONCE(*x, 1);\n smp_wmb();\n WRITE_ONCE(*y, x);';
const DEREF = ' r0 = READ_ONCE(*y);\n r1 = READ_ONCE(*r0);';

describe('a load through a pointer is ordered after the load of the pointer (weak)', () => {
  test.each([
    [
      'MP+onceassign+derefonce (rcu_assign_pointer, rcu_dereference)',
      mp(
        ' WRITE_ONCE(*x, 1);\n rcu_assign_pointer(*y, x);',
        ' rcu_read_lock();\n r0 = rcu_dereference(*y);\n r1 = READ_ONCE(*r0);\n rcu_read_unlock();',
      ),
      'Never',
    ],
    ['MP+wmb+addr', mp(PUBLISH, DEREF), 'Never'],
    ['MP+release+addr', mp(' WRITE_ONCE(*x, 1);\n smp_store_release(y, x);', DEREF), 'Never'],
    [
      'MP+po+addr (no smp_wmb: nothing carries x with the pointer)',
      mp(' WRITE_ONCE(*x, 1);\n WRITE_ONCE(*y, x);', DEREF),
      'Sometimes',
    ],
    [
      'MP+wmb+po (the second load reads x directly: no dependency)',
      mp(PUBLISH, ' r0 = READ_ONCE(*y);\n r1 = READ_ONCE(*x);'),
      'Sometimes',
    ],
    [
      'a later independent load is not ordered by the dependency',
      mp(
        ' WRITE_ONCE(*w, 1);\n smp_wmb();\n WRITE_ONCE(*y, x);',
        ' int r2;\n r0 = READ_ONCE(*y);\n r1 = READ_ONCE(*r0);\n r2 = READ_ONCE(*w);',
        '1:r0=x /\\ 1:r2=0',
      ),
      'Sometimes',
    ],
    [
      'the dependent load itself sees what the smp_wmb ordered (w through the pointer)',
      mp(
        ' WRITE_ONCE(*w, 1);\n smp_wmb();\n WRITE_ONCE(*y, w);',
        ' r0 = READ_ONCE(*y);\n r1 = READ_ONCE(*r0);',
        '1:r0=w /\\ 1:r1=0',
      ),
      'Never',
    ],
    [
      'an acquire through the pointer orders later loads after the pointer’s load too (hb is transitive)',
      mp(
        ' WRITE_ONCE(*w, 1);\n smp_wmb();\n WRITE_ONCE(*y, x);',
        ' int r2;\n r0 = READ_ONCE(*y);\n r1 = smp_load_acquire(r0);\n r2 = READ_ONCE(*w);',
        '1:r0=x /\\ 1:r2=0',
      ),
      'Never',
    ],
    [
      'CoRR through an alias (y points to x from the start)',
      mp(
        ' WRITE_ONCE(*x, 1);',
        ' int r2;\n r0 = READ_ONCE(*y);\n r2 = READ_ONCE(*x);\n r1 = READ_ONCE(*r0);',
        '1:r2=1 /\\ 1:r1=0',
        'y=x;\nx=0;',
      ),
      'Never',
    ],
  ] as const)('%s: %s under weak', (_what, text, weak) => {
    const r = run(text, 'weak');
    expect(r.exploration.truncated).toBe(false);
    expect(r.observation).toBe(weak);
    expect(r.text.includes('\nWarning: ')).toBe(false);
    // SC ⊆ TSO ⊆ weak: the stronger models never reach what weak does not
    for (const m of ['sc', 'tso'] as const) if (weak === 'Never') expect(run(text, m).observation).toBe('Never');
  });

  test('Z6.2+mb+acqpo+addr: what an smp_mb() propagated travels with the pointer through an acquire (pb: Never)', () => {
    // Rx ->fre Wx ->mb Wy ->rfe Racq ->po Wp ->rfe Rp ->addr Rx: prop ; strong-fence ; hb*, a pb cycle
    const z = (p0fence: string): string =>
      `C Z6.2\n{\np=z;\nz=0;\n}\nP0(int *x, int *y)\n{\n WRITE_ONCE(*x, 1);\n${p0fence} WRITE_ONCE(*y, 1);\n}\n` +
      `P1(int *x, int *y, int **p)\n{\n int r0;\n r0 = smp_load_acquire(y);\n WRITE_ONCE(*p, x);\n}\n` +
      `P2(int *x, int **p)\n{\n int *r1;\n int r2;\n r1 = READ_ONCE(*p);\n r2 = READ_ONCE(*r1);\n}\n` +
      `exists (1:r0=1 /\\ 2:r1=x /\\ 2:r2=0)\n`;
    expect(run(z(' smp_mb();\n'), 'weak').observation).toBe('Never');
    // without the smp_mb nothing orders P0's stores for P2: Sometimes
    expect(run(z(''), 'weak').observation).toBe('Sometimes');
  });

  test('MP+wmb+addr is Never only because of the dependency: the same shape without it is Sometimes (mutation guard)', () => {
    const withDep = run(mp(PUBLISH, DEREF), 'weak');
    const without = run(mp(PUBLISH, ' r0 = READ_ONCE(*y);\n r1 = READ_ONCE(*x);'), 'weak');
    expect([withDep.observation, without.observation]).toEqual(['Never', 'Sometimes']);
  });
});

/** LB: P0 loads a pointer and stores through it; P1 reads what P0 stored, then (by `p1`) publishes the pointer. */
const lb = (p0: string, p1: string, exists: string, init = 'y=z;\nz=0;\nx=0;'): string =>
  `C LB\n{\n${init}\n}\nP0(int **y, int *x, int *z, int *w)\n{\n int *r0;\n int r1;\n${p0}\n}\n` +
  `P1(int **y, int *x, int *z, int *w)\n{\n int r2;\n${p1}\n}\nexists (${exists})\n`;

describe('a store through a pointer is ordered after the load of the pointer (weak)', () => {
  test.each([
    [
      'LB+addr+mb',
      lb(
        ' r0 = READ_ONCE(*y);\n WRITE_ONCE(*r0, 1);',
        ' r2 = READ_ONCE(*x);\n smp_mb();\n WRITE_ONCE(*y, x);',
        '0:r0=x /\\ 1:r2=1',
      ),
      'Never',
      false,
    ],
    [
      'LB+addr+po',
      lb(
        ' r0 = READ_ONCE(*y);\n WRITE_ONCE(*r0, 1);',
        ' r2 = READ_ONCE(*x);\n WRITE_ONCE(*y, x);',
        '0:r0=x /\\ 1:r2=1',
      ),
      'Sometimes',
      false,
    ],
    [
      'LB+addr-data+mb (hb is transitive: addr then data)',
      lb(
        ' r0 = READ_ONCE(*y);\n r1 = READ_ONCE(*r0);\n WRITE_ONCE(*w, r1);',
        ' r2 = READ_ONCE(*w);\n smp_mb();\n WRITE_ONCE(*y, x);',
        '0:r0=x /\\ 1:r2=1',
        'y=z;\nz=0;\nx=1;',
      ),
      'Never',
      false,
    ],
    [
      'a store through a pointer loaded before an unrelated read runs ahead of that read (LB)',
      lb(
        ' r0 = READ_ONCE(*y);\n r1 = READ_ONCE(*x);\n WRITE_ONCE(*r0, 1);',
        ' r2 = READ_ONCE(*z);\n smp_mb();\n WRITE_ONCE(*x, 1);',
        '0:r1=1 /\\ 1:r2=1',
      ),
      'Sometimes',
      false,
    ],
  ] as const)('%s: %s under weak', (_what, text, weak, warns) => {
    const r = run(text, 'weak');
    expect(r.observation).toBe(weak);
    expect(r.text.includes('\nWarning: ')).toBe(warns);
    for (const m of MODELS.slice(0, 2)) expect(run(text, m).observation).toBe('Never');
  });

  test('a gap, warned: a store does not run ahead past a load through a pointer loaded after the read (LKMM: Sometimes)', () => {
    // nothing orders P0's store to z after its read of x in LKMM; weak does not know which location the load
    // through r0 accesses before r0 is loaded, so it keeps the store behind it — and says so
    const r = run(
      lb(
        ' int r3;\n r1 = READ_ONCE(*x);\n r0 = READ_ONCE(*y);\n r3 = READ_ONCE(*r0);\n WRITE_ONCE(*z, 1);',
        ' r2 = READ_ONCE(*z);\n smp_mb();\n WRITE_ONCE(*x, 1);',
        '0:r1=1 /\\ 1:r2=1',
        'y=w;\nw=0;',
      ),
      'weak',
    );
    expect(r.observation).toBe('Never');
    expect(r.text).toContain(
      "\nWarning: P0's READ_ONCE(*x) and its later WRITE_ONCE(*z, …) are unordered under LKMM, but weak runs a store ahead",
    );
  });

  test('S+wmb+addr: the store through the pointer is placed after what the pointer’s message carries (Never)', () => {
    const s = (fence: string): string =>
      `C S\n{\ny=z;\nz=0;\n}\nP0(int *x, int **y)\n{\n WRITE_ONCE(*x, 2);\n${fence} WRITE_ONCE(*y, x);\n}\n` +
      `P1(int *x, int **y)\n{\n int *r0;\n r0 = READ_ONCE(*y);\n WRITE_ONCE(*r0, 1);\n}\nexists (1:r0=x /\\ x=2)\n`;
    expect(run(s(' smp_wmb();\n'), 'weak').observation).toBe('Never');
    expect(run(s(''), 'weak').observation).toBe('Sometimes');
    expect(run(s(''), 'sc').observation).toBe('Never');
  });

  test('S+wmb+addr-data: a store data-dependent on a load through the pointer is placed after the pointer’s message carries (hb is transitive: Never)', () => {
    const s = (fence: string): string =>
      `C S\n{\ny=z;\nz=0;\nx=1;\n}\nP0(int *w, int *x, int **y)\n{\n WRITE_ONCE(*w, 2);\n${fence} WRITE_ONCE(*y, x);\n}\n` +
      `P1(int *w, int *x, int **y)\n{\n int *r0;\n int r1;\n r0 = READ_ONCE(*y);\n r1 = READ_ONCE(*r0);\n WRITE_ONCE(*w, r1);\n}\n` +
      `exists (1:r0=x /\\ w=2)\n`;
    expect(run(s(' smp_wmb();\n'), 'weak').observation).toBe('Never');
    expect(run(s(''), 'weak').observation).toBe('Sometimes');
  });
});

describe('states print pointers by name, as herd7 does', () => {
  test('MP+onceassign+derefonce: the two states herd7 lists, 2 executions', () => {
    const r = run(mp(' WRITE_ONCE(*x, 1);\n rcu_assign_pointer(*y, x);', DEREF), 'weak');
    expect(r.text).toContain('States 2\n1:r0=x; 1:r1=1;\n1:r0=z; 1:r1=0;\nNo\n');
    expect(r.text).toContain('Positive: 0 Negative: 2');
  });
});
