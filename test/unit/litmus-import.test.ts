/**
 * The herd7 C-litmus importer on the constructs the kernel's own litmus tests
 * use (tools/memory-model/litmus-tests/, Documentation/litmus-tests/): what it
 * accepts and the one-line error for what it does not.
 */
import { describe, expect, test } from 'vitest';
import { parseLitmus } from '../../src/scenario';
import { litmusError as message } from '../support/litmus-error';
import { herdBlock, rawHerdTest } from '../../src/cli/herd';
import { condAtoms, printCond } from '../../src/scenario/cond';

const MP = (init: string): string =>
  `C T\n\n{\n${init}\n}\n\nP0(int *x, int *y)\n{\n\tWRITE_ONCE(*x, 1);\n\tWRITE_ONCE(*y, 1);\n}\n\nexists (x=1)\n`;

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
    const why = "(it orders an atomic RMW's accesses)";
    const rmw = 'an atomic RMW (xchg(), cmpxchg(), atomic_inc() …)';
    expect(message(P0('\tWRITE_ONCE(*x, 1);\n\tsmp_mb__after_atomic();'))).toBe(
      `t.litmus:7:2: expected smp_mb__after_atomic() right after ${rmw} of P0 ${why}, found it after a store`,
    );
    expect(message(P0('\tsmp_mb__before_atomic();\n\tWRITE_ONCE(*x, 1);'))).toBe(
      `t.litmus:6:2: expected smp_mb__before_atomic() right before ${rmw} of P0 ${why}, found it before WRITE_ONCE()`,
    );
    expect(message(P0('\tsmp_mb__before_atomic();'))).toBe(
      `t.litmus:6:2: expected smp_mb__before_atomic() right before ${rmw} of P0 ${why}, found it last`,
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

describe('atomic_t (Documentation/litmus-tests/atomic/, tools/memory-model/linux-kernel.def)', () => {
  const T = (init: string, body: string): string =>
    `C T\n{\n${init}\n}\nP0(atomic_t *v, int *x)\n{\n\tint r0;\n${body}\n}\nexists (x=1)\n`;
  test('`atomic_t v = ATOMIC_INIT(1);` and `atomic_t v;` declare 32-bit locations', () => {
    expect(parseLitmus(T('\tatomic_t v = ATOMIC_INIT(3);', '\tatomic_inc(v);'), 't.litmus').locations).toEqual([
      { name: 'v', width: 32, initial: 3n },
      { name: 'x', width: 32, initial: 0n },
    ]);
    expect(parseLitmus(T('\tatomic_t v;', '\tatomic_inc(v);'), 't.litmus').locations[0]).toEqual({
      name: 'v',
      width: 32,
      initial: 0n,
    });
  });
  test('atomic_read/atomic_set are READ_ONCE/WRITE_ONCE, their _acquire/_release forms acquire/release', () => {
    const t = parseLitmus(
      T(
        '',
        '\tr0 = atomic_read(v);\n\tatomic_set(v, 2);\n\tr0 = atomic_read_acquire(v);\n\tatomic_set_release(v, r0);',
      ),
      't.litmus',
    );
    expect(t.cpus[0]!.stmts).toEqual([
      { kind: 'load', loc: 'v', how: 'once', reg: 'r0' },
      { kind: 'store', loc: 'v', value: { kind: 'const', value: 2n }, how: 'once' },
      { kind: 'load', loc: 'v', how: 'acquire', reg: 'r0' },
      { kind: 'store', loc: 'v', value: { kind: 'reg', name: 'r0' }, how: 'release' },
    ]);
  });
  test('RMW ordering: void forms relaxed, value-returning forms full, _acquire/_release one-sided (atomic_t.txt)', () => {
    const t = parseLitmus(
      T(
        '',
        [
          '\tatomic_add(2, v);',
          '\tr0 = atomic_inc_return(v);',
          '\tr0 = atomic_fetch_sub_acquire(r0, v);',
          '\tr0 = atomic_dec_return_release(v);',
          '\tr0 = atomic_fetch_add_relaxed(1, v);',
          '\tr0 = atomic_dec_and_test(v);',
          '\t(void)atomic_add_unless(v, 1, 0);',
          '\tr0 = atomic_xchg_acquire(v, 5);',
          '\tr0 = atomic_cmpxchg(v, 5, 6);',
        ].join('\n'),
      ),
      't.litmus',
    );
    const one = { kind: 'const', value: 1n };
    expect(t.cpus[0]!.stmts).toEqual([
      {
        kind: 'atomic',
        name: 'atomic_add',
        loc: 'v',
        op: 'add',
        value: { kind: 'const', value: 2n },
        returns: 'none',
        order: 'relaxed',
      },
      {
        kind: 'atomic',
        name: 'atomic_inc_return',
        loc: 'v',
        op: 'add',
        value: one,
        returns: 'new',
        order: 'full',
        reg: 'r0',
      },
      {
        kind: 'atomic',
        name: 'atomic_fetch_sub_acquire',
        loc: 'v',
        op: 'sub',
        value: { kind: 'reg', name: 'r0' },
        returns: 'old',
        order: 'acquire',
        reg: 'r0',
      },
      {
        kind: 'atomic',
        name: 'atomic_dec_return_release',
        loc: 'v',
        op: 'sub',
        value: one,
        returns: 'new',
        order: 'release',
        reg: 'r0',
      },
      {
        kind: 'atomic',
        name: 'atomic_fetch_add_relaxed',
        loc: 'v',
        op: 'add',
        value: one,
        returns: 'old',
        order: 'relaxed',
        reg: 'r0',
      },
      {
        kind: 'atomic',
        name: 'atomic_dec_and_test',
        loc: 'v',
        op: 'sub',
        value: one,
        returns: 'zero',
        order: 'full',
        reg: 'r0',
      },
      {
        kind: 'atomic',
        name: 'atomic_add_unless',
        loc: 'v',
        op: 'add_unless',
        value: one,
        unless: { kind: 'const', value: 0n },
        returns: 'added',
        order: 'full',
      },
      { kind: 'xchg', loc: 'v', value: { kind: 'const', value: 5n }, order: 'acquire', reg: 'r0' },
      {
        kind: 'cmpxchg',
        loc: 'v',
        expected: { kind: 'const', value: 5n },
        value: { kind: 'const', value: 6n },
        order: 'full',
        reg: 'r0',
      },
    ]);
  });
  test('smp_mb__after_atomic() right after an atomic_t RMW is smp_mb(); after atomic_read it is refused', () => {
    const t = parseLitmus(T('', '\tatomic_inc(v);\n\tsmp_mb__after_atomic();'), 't.litmus');
    expect(t.cpus[0]!.stmts[1]).toEqual({ kind: 'fence', fence: 'mb' });
    expect(message(T('', '\tr0 = atomic_read(v);\n\tsmp_mb__after_atomic();'))).toBe(
      "t.litmus:9:2: expected smp_mb__after_atomic() right after an atomic RMW (xchg(), cmpxchg(), atomic_inc() …) of P0 (it orders an atomic RMW's accesses), found it after a load",
    );
  });
  test('errors: atomic_t and int locations do not mix; void forms return nothing; other atomics named', () => {
    expect(message(T('', '\tr0 = READ_ONCE(*v);'))).toBe(
      "t.litmus:8:18: expected an int parameter of P0 (x), found 'v' (an atomic_t: only atomic_* operations)",
    );
    expect(message(T('', '\tatomic_inc(x);'))).toBe(
      "t.litmus:8:13: expected an atomic_t parameter of P0 (v), found 'x'",
    );
    expect(message(T('', '\tr0 = atomic_inc(v);'))).toBe(
      't.litmus:8:7: expected atomic_inc() as a statement (it returns nothing), found an assignment to r0',
    );
    expect(message(T('', '\tatomic_and(1, v);'))).toBe(
      't.litmus:8:2: unsupported construct: \'atomic_and\' is outside the C-litmus subset ptefuzz reads (see README "Litmus import")',
    );
    expect(message(T('\tint v;', '\tatomic_inc(v);'))).toBe(
      "t.litmus:5:14: expected an atomic_t name (v is an int location since line 3), found 'v'",
    );
  });
});

describe('atomic_t RMWs run on the machine', () => {
  test('return values: _return the new value, fetch_ the old, _and_test/add_negative/add_unless a flag (32-bit wrap)', () => {
    const src =
      'C T\n{ atomic_t v = ATOMIC_INIT(5); }\nP0(atomic_t *v)\n{\n' +
      '\tint r0; int r1; int r2; int r3; int r4; int r5; int r6;\n' +
      '\tr0 = atomic_fetch_add_relaxed(2, v);\n' + // 5, v=7
      '\tr1 = atomic_sub_return(3, v);\n' + // 4
      '\tr2 = atomic_dec_and_test(v);\n' + // v=3: 0
      '\tr3 = atomic_sub_and_test(3, v);\n' + // v=0: 1
      '\tatomic_dec(v);\n' + // v=0xffffffff
      '\tr4 = atomic_add_negative(0, v);\n' + // 1
      '\tr5 = atomic_add_unless(v, 1, 4294967295);\n' + // fails: 0
      '\tr6 = atomic_add_unless(v, 2, 0);\n' + // 1, v=1
      '}\nexists (v=1)\n';
    const r = herdBlock(rawHerdTest(parseLitmus(src, 't.litmus')), 'sc', {});
    expect(r.text).toContain('States 1\nv=1;\n');
    const t = parseLitmus(
      src.replace('exists (v=1)', 'exists (0:r0=5 /\\ 0:r1=4 /\\ 0:r2=0 /\\ 0:r3=1 /\\ 0:r4=1 /\\ 0:r5=0 /\\ 0:r6=1)'),
      't.litmus',
    );
    expect(herdBlock(rawHerdTest(t), 'sc', {}).observation).toBe('Always');
  });
});

describe('if (LB+ctrlonceonce+mbonceonce, Documentation/litmus-tests/locking/DCL-*)', () => {
  const P0 = (body: string, init = ''): string =>
    `C T\n{ ${init} }\nP0(int *x, int *y)\n{\n\tint r0;\n\tint r1;\n${body}\n}\nexists (y=1)\n`;
  test('if (r), if (!r), ==, !=, a block, else, nesting', () => {
    const t = parseLitmus(
      P0(
        '\tr0 = READ_ONCE(*x);\n\tif (r0)\n\t\tWRITE_ONCE(*y, 1);\n\tif (!r0) { r1 = READ_ONCE(*y); if (r1 == 2) smp_mb(); } else WRITE_ONCE(*y, 3);\n\tif (r0 != 4) {}',
      ),
      't.litmus',
    );
    const one = { kind: 'const', value: 1n };
    expect(t.cpus[0]!.stmts.slice(1)).toEqual([
      {
        kind: 'if',
        reg: 'r0',
        test: '!=',
        value: 0n,
        then: [{ kind: 'store', loc: 'y', value: one, how: 'once' }],
        else: [],
      },
      {
        kind: 'if',
        reg: 'r0',
        test: '==',
        value: 0n,
        then: [
          { kind: 'load', loc: 'y', how: 'once', reg: 'r1' },
          { kind: 'if', reg: 'r1', test: '==', value: 2n, then: [{ kind: 'fence', fence: 'mb' }], else: [] },
        ],
        else: [{ kind: 'store', loc: 'y', value: { kind: 'const', value: 3n }, how: 'once' }],
      },
      { kind: 'if', reg: 'r0', test: '!=', value: 4n, then: [], else: [] },
    ]);
  });
  test('the branch taken follows the register (sc: x=1 stores 1, x=0 stores 2, both Always)', () => {
    const body = '\tr0 = READ_ONCE(*x);\n\tif (r0 == 1) WRITE_ONCE(*y, 1); else { WRITE_ONCE(*y, 2); }';
    const run = (init: string, v: string) =>
      herdBlock(
        rawHerdTest(parseLitmus(P0(body, init).replace('exists (y=1)', `exists (y=${v})`), 't.litmus')),
        'sc',
        {},
      ).observation;
    expect(run('x=1;', '1')).toBe('Always');
    expect(run('x=0;', '2')).toBe('Always');
    expect(run('x=0;', '1')).toBe('Never');
  });
  test('other conditions and misplaced barriers are one-line errors', () => {
    expect(message(P0('\tr0 = READ_ONCE(*x);\n\tif (r0 < 1) smp_mb();'))).toBe(
      "t.litmus:8:9: expected ')' (if (r0), if (!r0), if (r0 == 1), if (r0 != 1)), found '<'",
    );
    expect(message(P0('\tif (x) smp_mb();'))).toBe(
      "t.litmus:7:6: expected a register of P0 (r0, r1) compared with an integer (if (r0), if (!r0), if (r0 == 1), if (r0 != 1)), found 'x'",
    );
    expect(message(P0('\tif (r0) smp_mb();'))).toBe(
      "t.litmus:7:6: expected a register assigned before use, found 'r0'",
    );
    expect(message(P0('\tr0 = READ_ONCE(*x);\n\tif (r0 == r1) smp_mb();'))).toMatch(
      /^t\.litmus:8:12: expected .*found 'r1'$/,
    );
    expect(message(P0('\tr0 = READ_ONCE(*x);\n\tsmp_mb__before_atomic();\n\tif (r0) xchg(y, 1);'))).toBe(
      "t.litmus:8:2: expected smp_mb__before_atomic() right before an atomic RMW (xchg(), cmpxchg(), atomic_inc() …) of P0 (it orders an atomic RMW's accesses), found it before an if",
    );
    expect(message(P0('\telse smp_mb();'))).toBe(
      't.litmus:7:2: unsupported construct: control flow (else) is outside the C-litmus subset ptefuzz reads (see README "Litmus import")',
    );
  });
});

describe('spin_is_locked', () => {
  const src = (body: string): string =>
    `C T\n{\n spinlock_t l;\n int x;\n}\nP0(spinlock_t *l, int *x)\n{\n int r0;\n${body}\n}\nexists (0:r0=1)\n`;
  test('a plain read of the lock word; its register is 1 when the lock is held (its own spin_lock here)', () => {
    const t = parseLitmus(src(' spin_lock(l);\n r0 = spin_is_locked(l);\n spin_unlock(l);'), 't.litmus');
    expect(t.cpus[0]!.stmts[1]).toEqual({ kind: 'islocked', loc: 'l', reg: 'r0' });
    const r = herdBlock(rawHerdTest(t), 'weak', {});
    expect([r.observation, r.positive, r.negative]).toEqual(['Always', 1, 0]);
    const free = herdBlock(rawHerdTest(parseLitmus(src(' r0 = spin_is_locked(l);'), 't.litmus')), 'sc', {});
    expect([free.observation, free.positive, free.negative]).toEqual(['Never', 0, 1]);
  });
  test('only on a spinlock_t parameter: one line', () => {
    expect(message(src(' r0 = spin_is_locked(x);'))).toBe(
      "t.litmus:9:22: expected a spinlock_t parameter of P0 (l), found 'x'",
    );
  });
});

describe('a constant wider than its location or register is refused, never cut to its width', () => {
  /** MP+wmb+rmb with `x`'s type, the value P0 stores in x, and the condition. */
  const mp = (type: string, v: string, exists = '1:r0=1 /\\ 1:r1=0', init = ''): string =>
    `C MP\n{ ${init} }\nP0(${type} *x, int *y)\n{\n\tWRITE_ONCE(*x, ${v});\n\tsmp_wmb();\n\tWRITE_ONCE(*y, 1);\n}\n` +
    `P1(${type} *x, int *y)\n{\n\tint r0;\n\tint r1;\n\tr0 = READ_ONCE(*y);\n\tsmp_rmb();\n\tr1 = READ_ONCE(*x);\n}\n` +
    `exists (${exists})\n`;
  const observation = (src: string): string =>
    herdBlock(rawHerdTest(parseLitmus(src, 't.litmus')), 'weak', {}).observation;
  /** The error for `src`: at the last occurrence of `v` in it (`t.litmus:LINE:COL`), `v` too wide for `why`. */
  const wide = (src: string, v: string, bits: number, why: string): string => {
    const before = src.slice(0, src.lastIndexOf(v)).split('\n');
    const at = `${before.length}:${before[before.length - 1]!.length + 1}`;
    return `t.litmus:${at}: expected a number of at most ${bits} bits (${why}), found '${v}'`;
  };
  /** `src`'s error is the one for `v` (its last occurrence). */
  const refused = (src: string, v: string, bits: number, why: string): void =>
    expect(message(src)).toBe(wide(src, v, bits, why));

  test('a store: MP+wmb+rmb storing 2^32 to an int was Sometimes (the store became 0); it is an error', () => {
    refused(mp('int', '4294967296'), '4294967296', 32, 'x is 32-bit');
    refused(mp('int', '99999999999999999999999'), '99999999999999999999999', 32, 'x is 32-bit');
    refused(mp('int', '0x100000000'), '0x100000000', 32, 'x is 32-bit');
    refused(mp('u64', '18446744073709551616'), '18446744073709551616', 64, 'x is 64-bit');
    // the widest values that fit are the test as written: Never, as MP+wmb+rmb with 1
    expect(observation(mp('int', '4294967295'))).toBe('Never');
    expect(observation(mp('int', '0xffffffff'))).toBe('Never');
    expect(observation(mp('u64', '4294967296'))).toBe('Never');
    expect(observation(mp('u64', '18446744073709551615'))).toBe('Never');
  });

  test('an initial value, against the width its location ends with (x=…; takes a later u64 parameter)', () => {
    refused(mp('int', '1', '1:r0=1', 'x=18446744073709551617;'), '18446744073709551617', 32, 'x is 32-bit');
    refused(mp('int', '1', '1:r0=1', 'int x = 4294967296;'), '4294967296', 32, 'x is 32-bit');
    refused(mp('u64', '1', '1:r0=1', 'x=18446744073709551616;'), '18446744073709551616', 64, 'x is 64-bit');
    expect(parseLitmus(mp('u64', '1', '1:r0=1', 'x=4294967296;'), 't.litmus').locations[0]).toEqual({
      name: 'x',
      width: 64,
      initial: 4294967296n,
    });
    const atomic = (init: string): string =>
      `C T\n{ atomic_t v = ${init}; }\nP0(atomic_t *v)\n{\n\tatomic_inc(v);\n}\nexists (v=2)\n`;
    refused(atomic('ATOMIC_INIT(4294967296)'), '4294967296', 32, 'v is 32-bit');
    refused(atomic('4294967296'), '4294967296', 32, 'v is 32-bit');
  });

  test('RMW operands: xchg, cmpxchg (expected and new), atomic_t operations', () => {
    const rmw = (body: string): string => `C T\n{}\nP0(int *x, atomic_t *v)\n{\n\tint r0;\n${body}\n}\nexists (x=1)\n`;
    const v = '4294967297';
    refused(rmw(`\tr0 = xchg(x, ${v});`), v, 32, 'x is 32-bit');
    refused(rmw(`\tr0 = cmpxchg_relaxed(x, ${v}, 1);`), v, 32, 'x is 32-bit');
    refused(rmw(`\tr0 = cmpxchg(x, 0, ${v});`), v, 32, 'x is 32-bit');
    refused(rmw(`\tatomic_add(${v}, v);`), v, 32, 'an atomic_t is 32-bit');
    refused(rmw(`\tatomic_set(v, ${v});`), v, 32, 'an atomic_t is 32-bit');
    refused(rmw(`\tr0 = atomic_cmpxchg(v, ${v}, 1);`), v, 32, 'an atomic_t is 32-bit');
    refused(rmw(`\tr0 = atomic_cmpxchg(v, 1, ${v});`), v, 32, 'an atomic_t is 32-bit');
    refused(rmw(`\tr0 = atomic_add_unless(v, 1, ${v});`), v, 32, 'an atomic_t is 32-bit');
    expect(parseLitmus(rmw('\tr0 = cmpxchg(x, 4294967295, 0xffffffff);'), 't.litmus').cpus[0]!.stmts[0]).toEqual({
      kind: 'cmpxchg',
      loc: 'x',
      expected: { kind: 'const', value: 4294967295n },
      value: { kind: 'const', value: 4294967295n },
      order: 'full',
      reg: 'r0',
    });
  });

  test("if comparisons and conditions, against the register's C type or the location's width", () => {
    refused(mp('int', '1', '1:r0=4294967296'), '4294967296', 32, '1:r0 is 32-bit');
    refused(mp('int', '1', '1:r0=1 /\\ x=4294967296'), '4294967296', 32, 'x is 32-bit');
    refused(mp('u64', '1', '~x=18446744073709551616'), '18446744073709551616', 64, 'x is 64-bit');
    const filtered = mp('int', '1', '1:r0=1').replace('exists', 'filter (1:r1=4294967296)\nexists');
    refused(filtered, '4294967296', 32, '1:r1 is 32-bit');
    // a 64-bit register holds a 64-bit location's values
    expect(observation(mp('u64', '4294967296', '1:r1=4294967296').replace('int r1;', 'u64 r1;'))).toBe('Sometimes');
    const branch = (r: string, v: string): string =>
      `C T\n{}\nP0(u64 *x, int *y)\n{\n\t${r} r0;\n\tr0 = READ_ONCE(*x);\n\tif (r0 == ${v}) WRITE_ONCE(*y, 1);\n}\nexists (y=1)\n`;
    refused(branch('int', '4294967296'), '4294967296', 32, 'r0 is 32-bit');
    refused(branch('long', '18446744073709551616'), '18446744073709551616', 64, 'r0 is 64-bit');
    expect(parseLitmus(branch('long', '4294967296'), 't.litmus').cpus[0]!.stmts[1]).toMatchObject({
      kind: 'if',
      value: 4294967296n,
    });
  });

  test('a store through a pointer register: against the narrowest location a pointer may hold', () => {
    const via = (v: string): string =>
      `C T\n{ y=z; }\nP0(int **y, int *z)\n{\n\tint *r0;\n\tr0 = READ_ONCE(*y);\n\tWRITE_ONCE(*r0, ${v});\n}\nexists (z=1)\n`;
    refused(via('4294967296'), '4294967296', 32, 'a pointer here may hold z, 32-bit');
    expect(parseLitmus(via('4294967295'), 't.litmus').cpus[0]!.stmts[1]).toMatchObject({
      value: { kind: 'const', value: 4294967295n },
    });
  });
});

describe('nesting is limited to 200 levels (a one-line error, never a RangeError)', () => {
  const mp = (exists: string): string =>
    'C MP\n{}\nP0(int *x, int *y)\n{\n\tWRITE_ONCE(*x, 1);\n\tsmp_wmb();\n\tWRITE_ONCE(*y, 1);\n}\n' +
    'P1(int *x, int *y)\n{\n\tint r0;\n\tint r1;\n\tr0 = READ_ONCE(*y);\n\tsmp_rmb();\n\tr1 = READ_ONCE(*x);\n}\n' +
    `exists ${exists}\n`;
  /** `src`'s error at its `n`-th `what` (1-based), on the last line but one (the condition's). */
  const at = (src: string, what: string, n: number): string => {
    const line = src.split('\n').length - 1;
    let col = -1;
    for (let k = 0; k < n; k++) col = src.split('\n')[line - 1]!.indexOf(what, col + 1);
    return `t.litmus:${line}:${col + 1}`;
  };
  const cond = "conditions ('(' and '~') nested at most 200 deep";

  test('parentheses and ~ in a condition: 200 deep is read, 201 refused at the 201st', () => {
    expect(parseLitmus(mp('('.repeat(200) + '1:r0=1' + ')'.repeat(200)), 't.litmus').cond).toBeDefined();
    for (const n of [201, 3000, 20000]) {
      const src = mp('('.repeat(n) + '1:r0=1' + ')'.repeat(n));
      expect(message(src)).toBe(`${at(src, '(', 201)}: expected ${cond}, found '('`);
    }
    // `exists (` opens the first level
    expect(parseLitmus(mp('(' + '~'.repeat(199) + '1:r0=1)'), 't.litmus').cond).toBeDefined();
    const nots = mp('(' + '~'.repeat(20000) + '1:r0=1)');
    expect(message(nots)).toBe(`${at(nots, '~', 200)}: expected ${cond}, found '~'`);
  });

  test('a chain of 30000 terms is read and judged (a balanced tree: the passes over it stay shallow)', () => {
    const t = parseLitmus(mp('(' + Array(30000).fill('1:r0=1').join(' /\\ ') + ' \\/ 1:r1=5)'), 't.litmus');
    expect(printCond(t.cond)).toBe(Array(30000).fill('1:r0=1').join(' /\\ ') + ' \\/ 1:r1=5');
    expect(condAtoms(t.cond)).toHaveLength(30001);
    expect(herdBlock(rawHerdTest(t), 'sc', {}).observation).toBe('Sometimes');
  });

  test('if statements: 200 nested are read and run, 201 refused at the 201st', () => {
    const ifs = (n: number): string =>
      'C T\n{}\nP0(int *x, int *y)\n{\n\tint r0;\n\tr0 = READ_ONCE(*x);\n' +
      '\tif (r0 == 0) {\n'.repeat(n) +
      '\tWRITE_ONCE(*y, 1);\n' +
      '\t}\n'.repeat(n) +
      '}\nexists (y=1)\n';
    expect(herdBlock(rawHerdTest(parseLitmus(ifs(200), 't.litmus')), 'weak', {}).observation).toBe('Always');
    for (const n of [201, 2000])
      expect(message(ifs(n))).toBe("t.litmus:207:2: expected if statements ('if') nested at most 200 deep, found 'if'");
  });
});

describe('names that are Object.prototype members (valid C identifiers) are names like any other', () => {
  const PROTO = ['toString', 'constructor', '__proto__', 'valueOf', 'hasOwnProperty'];
  const mp = (r0: string, x = 'x'): string =>
    `C MP\n{}\nP0(int *${x}, int *y)\n{\n\tWRITE_ONCE(*${x}, 1);\n\tsmp_wmb();\n\tWRITE_ONCE(*y, 1);\n}\n` +
    `P1(int *${x}, int *y)\n{\n\tint ${r0};\n\tint r1;\n\t${r0} = READ_ONCE(*y);\n\tsmp_rmb();\n\tr1 = READ_ONCE(*${x});\n}\n` +
    `exists (1:${r0}=1 /\\ 1:r1=0)\n`;
  const run = (src: string): [string, number, number] => {
    const b = herdBlock(rawHerdTest(parseLitmus(src, 't.litmus')), 'weak', {});
    return [b.observation, b.positive, b.negative];
  };

  test('a register: read as r0 is (was: "unsupported construct: function toString() { [native code] }")', () => {
    for (const name of PROTO) {
      expect(run(mp(name)), name).toEqual(run(mp('r0')));
      expect(parseLitmus(mp(name), 't.litmus').cpus[1]!.regs, name).toEqual([name, 'r1']);
    }
  });

  test('a call of one: unsupported, by its name; an assignment to an undeclared one: a register to declare', () => {
    for (const name of PROTO) {
      expect(message(mp('r0').replace('smp_wmb()', `${name}()`)), name).toBe(
        `t.litmus:6:2: unsupported construct: '${name}' is outside the C-litmus subset ptefuzz reads`,
      );
      expect(message(mp('r0').replace('r0 = READ_ONCE(*y)', `r0 = ${name}(*y)`)), name).toBe(
        `t.litmus:13:7: unsupported construct: '${name}' is outside the C-litmus subset ptefuzz reads`,
      );
      expect(message(mp('r0').replace('r0 = READ_ONCE(*y)', `${name} = READ_ONCE(*y)`)), name).toBe(
        `t.litmus:13:2: expected a declared register (int ${name};), found '${name}'`,
      );
    }
  });
});
