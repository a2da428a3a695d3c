/**
 * The herd7 C-litmus importer on the constructs the kernel's own litmus tests
 * use (tools/memory-model/litmus-tests/, Documentation/litmus-tests/): what it
 * accepts and the one-line error for what it does not.
 */
import { describe, expect, test } from 'vitest';
import { ScenarioError, parseLitmus } from '../../src/scenario';

const MP = (init: string): string =>
  `C T\n\n{\n${init}\n}\n\nP0(int *x, int *y)\n{\n\tWRITE_ONCE(*x, 1);\n\tWRITE_ONCE(*y, 1);\n}\n\nexists (x=1)\n`;

const message = (src: string): string => {
  try {
    parseLitmus(src, 't.litmus');
  } catch (e) {
    if (e instanceof ScenarioError) return e.message;
    throw e;
  }
  throw new Error('parsed');
};

describe('init block', () => {
  test('`int x;` declares x initially 0, as in C (CoWW+poonceonce, MP+fencewmbonceonce+fencermbonceonce)', () => {
    const t = parseLitmus(MP('\tint x;\n\tint y = 2;'), 't.litmus');
    expect(t.locations).toEqual([
      { name: 'x', width: 32, initial: 0n },
      { name: 'y', width: 32, initial: 2n },
    ]);
  });
  test('`u64 x;` keeps the type width: a 32-bit parameter for it is an error', () => {
    expect(message(MP('\tu64 x;'))).toBe(
      "t.litmus:7:9: expected the 64-bit type 'x' has at line 4, found a 32-bit type",
    );
  });
  test('`spinlock_t mylock;` declares a lock, initially unlocked (MP+polocks)', () => {
    const src =
      'C T\n\n{\n\tspinlock_t mylock;\n\tint x;\n}\n\nP0(int *x, spinlock_t *mylock)\n{\n\tspin_lock(mylock);\n\tWRITE_ONCE(*x, 1);\n\tspin_unlock(mylock);\n}\n\nexists (x=1)\n';
    const t = parseLitmus(src, 't.litmus');
    expect(t.locations).toEqual([
      { name: 'mylock', width: 32, initial: 0n },
      { name: 'x', width: 32, initial: 0n },
    ]);
    expect(t.cpus[0]!.stmts[0]).toEqual({ kind: 'lock', loc: 'mylock' });
  });
  test('a lock declared in the init block cannot be used as an int', () => {
    const src = 'C T\n\n{\n\tspinlock_t l;\n}\n\nP0(int *l)\n{\n\tWRITE_ONCE(*l, 1);\n}\n\nexists (l=1)\n';
    expect(message(src)).toBe("t.litmus:7:9: expected an int location (l is a spinlock_t elsewhere), found 'l'");
  });
  test('errors name what was expected', () => {
    expect(message(MP('\tx;'))).toBe("t.litmus:4:3: expected '=' (x=0;), found ';'");
    expect(message(MP('\tint x 1;'))).toBe("t.litmus:4:8: expected '=' or ';' (int x; or int x=0;), found '1'");
    expect(message(MP('\tspinlock_t l = 1;'))).toBe(
      "t.litmus:4:15: expected ';' (a spinlock_t starts unlocked; it takes no initial value), found '='",
    );
  });
});

describe('statements', () => {
  const P0 = (body: string): string => `C T\n{}\nP0(int *x, int *y)\n{\n\tint r0;\n${body}\n}\nexists (x=1)\n`;
  test('smp_mb__after_atomic() right after a cmpxchg is smp_mb() (Documentation/litmus-tests/atomic/cmpxchg-fail-ordered-1)', () => {
    const t = parseLitmus(P0('\tr0 = cmpxchg(x, 1, 0);\n\tsmp_mb__after_atomic();\n\tr0 = READ_ONCE(*y);'), 't.litmus');
    expect(t.cpus[0]!.stmts[1]).toEqual({ kind: 'fence', fence: 'mb' });
  });
  test('smp_mb__before_atomic() right before an xchg is smp_mb()', () => {
    const t = parseLitmus(P0('\tsmp_mb__before_atomic();\n\txchg_relaxed(x, 1);'), 't.litmus');
    expect(t.cpus[0]!.stmts[0]).toEqual({ kind: 'fence', fence: 'mb' });
  });
  test('anywhere else they are refused in one line (they order only an atomic RMW next to them)', () => {
    const why = "(it orders an atomic RMW's accesses; atomic_t operations are outside the subset)";
    expect(message(P0('\tWRITE_ONCE(*x, 1);\n\tsmp_mb__after_atomic();'))).toBe(
      `t.litmus:7:2: expected smp_mb__after_atomic() right after an xchg() or cmpxchg() of P0 ${why}, found it after a store`,
    );
    expect(message(P0('\tsmp_mb__before_atomic();\n\tWRITE_ONCE(*x, 1);'))).toBe(
      `t.litmus:6:2: expected smp_mb__before_atomic() right before an xchg() or cmpxchg() of P0 ${why}, found it before WRITE_ONCE()`,
    );
    expect(message(P0('\tsmp_mb__before_atomic();'))).toBe(
      `t.litmus:6:2: expected smp_mb__before_atomic() right before an xchg() or cmpxchg() of P0 ${why}, found it last`,
    );
  });
  test('smp_mb__after_spinlock() right after spin_lock() is smp_mb(); elsewhere an error', () => {
    const src = (body: string): string =>
      `C T\n{}\nP0(int *x, spinlock_t *l)\n{\n${body}\n\tWRITE_ONCE(*x, 1);\n\tspin_unlock(l);\n}\nexists (x=1)\n`;
    const t = parseLitmus(src('\tspin_lock(l);\n\tsmp_mb__after_spinlock();'), 't.litmus');
    expect(t.cpus[0]!.stmts[1]).toEqual({ kind: 'fence', fence: 'mb' });
    expect(message(src('\tsmp_mb__after_spinlock();\n\tspin_lock(l);'))).toBe(
      "t.litmus:5:2: expected smp_mb__after_spinlock() right after a spin_lock() of P0 (it orders a lock acquisition's accesses), found it first",
    );
  });
  test('plain C accesses are refused by name (tools/memory-model/litmus-tests/dep+plain)', () => {
    expect(message(P0('\t*x = 1;'))).toBe(
      't.litmus:6:2: unsupported construct: plain C accesses (*x = e; LKMM plain accesses) is outside the C-litmus subset ptefuzz reads (see README "Litmus import")',
    );
    expect(message(P0('\tr0 = *x;'))).toBe(
      't.litmus:6:7: unsupported construct: plain C accesses (r = *x; LKMM plain accesses) is outside the C-litmus subset ptefuzz reads (see README "Litmus import")',
    );
  });
});
