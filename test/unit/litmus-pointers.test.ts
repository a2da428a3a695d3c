/**
 * Pointers in imported C litmus tests (tools/memory-model/litmus-tests/MP+onceassign+derefonce.litmus): pointer
 * locations and registers, accesses through a pointer register, rcu_dereference/rcu_assign_pointer, the type checks
 * that keep an address out of an int and an int out of a pointer, and the one-line error for each refused form.
 */
import { describe, expect, test } from 'vitest';
import { parseLitmus } from '../../src/scenario';
import { litmusError as message } from '../support/litmus-error';
import { ADDRESS_BASE } from '../../src/scenario/raw';

/** A one-process test: `init` in the init block, `params` and `body` for P0, `exists` as the condition. */
const src = (init: string, params: string, body: string, exists: string): string =>
  `C T\n\n{\n${init}\n}\n\nP0(${params})\n{\n${body}\n}\n\nexists (${exists})\n`;

describe('what is read', () => {
  test('pointer locations hold the address of their target, 64-bit; pointer registers are listed', () => {
    const t = parseLitmus(
      src(
        'int *y = &z;\nw=&x;\nv=x;',
        'int *x, int **y, int **w, int **v, int *z',
        '\tint *r0;\n\tint r1;\n\tr0 = READ_ONCE(*y);\n\tr1 = READ_ONCE(*r0);',
        '0:r0=z',
      ),
      't.litmus',
    );
    const at = (n: string): bigint => ADDRESS_BASE + BigInt(t.locations.findIndex((l) => l.name === n));
    // declaration order: the init block's, then the parameters'; a pointer's target need not come first
    expect(t.locations).toEqual([
      { name: 'y', width: 64, initial: at('z'), pointer: true },
      { name: 'w', width: 64, initial: at('x'), pointer: true },
      { name: 'v', width: 64, initial: at('x'), pointer: true },
      { name: 'x', width: 32, initial: 0n },
      { name: 'z', width: 32, initial: 0n },
    ]);
    expect(t.cpus[0]!.pointers).toEqual(['r0']);
    expect(t.cpus[0]!.stmts).toEqual([
      { kind: 'load', loc: 'y', how: 'once', reg: 'r0' },
      { kind: 'load', loc: 'r0', how: 'once', reg: 'r1', via: true },
    ]);
  });

  test('rcu_dereference is READ_ONCE, rcu_assign_pointer smp_store_release (linux-kernel.def); rcu_read_lock/unlock are dropped', () => {
    const t = parseLitmus(
      src(
        'y=z;\nz=0;',
        'int *x, int **y',
        '\tint *r0;\n\trcu_read_lock();\n\tr0 = rcu_dereference(*y);\n\trcu_assign_pointer(*y, x);\n\trcu_read_unlock();\n\tsmp_store_release(r0, 2);\n\tWRITE_ONCE(*r0, 3);',
        'x=3',
      ),
      't.litmus',
    );
    expect(t.cpus[0]!.stmts).toEqual([
      { kind: 'load', loc: 'y', how: 'once', reg: 'r0' },
      { kind: 'store', loc: 'y', value: { kind: 'addr', name: 'x' }, how: 'release' },
      { kind: 'store', loc: 'r0', value: { kind: 'const', value: 2n }, how: 'release', via: true },
      { kind: 'store', loc: 'r0', value: { kind: 'const', value: 3n }, how: 'once', via: true },
    ]);
  });

  test('a target named only in the init block (y=q;) is an int location starting at 0, as in herd7', () => {
    const t = parseLitmus(src('y=q;', 'int **y', '', 'y=q'), 't.litmus');
    expect(t.locations).toEqual([
      { name: 'y', width: 64, initial: ADDRESS_BASE + 1n, pointer: true },
      { name: 'q', width: 32, initial: 0n },
    ]);
  });

  test('a condition compares a pointer with a location name, and keeps the name for printing', () => {
    const t = parseLitmus(src('y=z;\nz=0;', 'int *x, int **y', '\tWRITE_ONCE(*y, x);', 'y=x'), 't.litmus');
    expect(t.cond).toMatchObject({ kind: 'atom', name: 'y', value: { raw: 'x', value: ADDRESS_BASE + 2n } });
  });
});

describe('one line for each form outside the subset or ill-typed', () => {
  test.each([
    [
      'a pointer without an initial address',
      src('x=0;', 'int **y, int *x', '\tint *r0;\n\tr0 = READ_ONCE(*y);', '0:r0=x'),
      't.litmus:7:10: expected an initial address for the pointer y (y=x; in the init block), found none',
    ],
    [
      'a pointer to a pointer',
      src('y=z;', 'int ***y', '', 'y=z'),
      't.litmus:7:10: unsupported construct: pointers to pointers is outside the C-litmus subset ptefuzz reads (see README "Litmus import")',
    ],
    [
      'a pointer register of pointers',
      src('y=z;\nz=0;', 'int **y', '\tint **r0;', 'z=0'),
      't.litmus:10:7: unsupported construct: pointers to pointers is outside the C-litmus subset ptefuzz reads (see README "Litmus import")',
    ],
    [
      'a pointer loaded into an int register',
      src('y=z;\nz=0;', 'int **y', '\tint r0;\n\tr0 = READ_ONCE(*y);', 'z=0'),
      "t.litmus:11:7: expected a pointer register for the pointer y (declare int *r0), found the int register 'r0'",
    ],
    [
      'an int loaded into a pointer register',
      src('y=z;\nz=0;', 'int *x, int **y', '\tint *r0;\n\tr0 = READ_ONCE(*x);', 'z=0'),
      "t.litmus:11:7: expected an int register for the int location x, found the pointer register 'r0'",
    ],
    [
      'an int register dereferenced',
      src('x=0;', 'int *x', '\tint r0;\n\tint r1;\n\tr0 = READ_ONCE(*x);\n\tr1 = READ_ONCE(*r0);', 'x=0'),
      "t.litmus:12:18: expected a location or a pointer register of P0 (declare it int *r0), found the int register 'r0'",
    ],
    [
      'a pointer register dereferenced where it may be unassigned',
      src(
        'y=z;\nz=0;',
        'int *x, int **y',
        '\tint *r0;\n\tint r1;\n\tr1 = READ_ONCE(*x);\n\tif (r1) r0 = READ_ONCE(*y);\n\tWRITE_ONCE(*r0, 1);',
        'x=1',
      ),
      "t.litmus:14:14: expected a pointer register assigned on every path before it is dereferenced, found 'r0'",
    ],
    [
      'an address stored into an int location',
      src('y=z;\nz=0;', 'int *x, int **y', '\tWRITE_ONCE(*x, x);', 'x=0'),
      "t.litmus:10:17: expected an integer or an int register (only a pointer location holds an address), found the address 'x'",
    ],
    [
      'an integer stored into a pointer',
      src('y=z;\nz=0;', 'int *x, int **y', '\tWRITE_ONCE(*y, 1);', 'y=z'),
      "t.litmus:10:17: expected an address (an int location's name, or a pointer register: the location holds a pointer), found '1'",
    ],
    [
      'the address of a pointer',
      src('y=z;\nz=0;', 'int *x, int **y', '\tWRITE_ONCE(*y, y);', 'y=z'),
      't.litmus:10:17: unsupported construct: pointers to pointers is outside the C-litmus subset ptefuzz reads (see README "Litmus import")',
    ],
    [
      '&x in a body',
      src('y=z;\nz=0;', 'int *x, int **y', '\tWRITE_ONCE(*y, &x);', 'y=x'),
      "t.litmus:10:17: expected an operand of P0 (a location's address is written x, without &), found '&'",
    ],
    [
      'an RMW of a pointer',
      src('y=z;\nz=0;', 'int *x, int **y', '\txchg(y, x);', 'y=x'),
      't.litmus:10:7: unsupported construct: an RMW of a pointer location (y) is outside the C-litmus subset ptefuzz reads (see README "Litmus import")',
    ],
    [
      'a test of a pointer register',
      src('y=z;\nz=0;', 'int *x, int **y', '\tint *r0;\n\tr0 = READ_ONCE(*y);\n\tif (r0) WRITE_ONCE(*x, 1);', 'x=1'),
      't.litmus:12:6: unsupported construct: a test of a pointer register (if (r0)) is outside the C-litmus subset ptefuzz reads (see README "Litmus import")',
    ],
    [
      'a grace period',
      src('x=0;', 'int *x', '\tsynchronize_rcu();', 'x=1'),
      't.litmus:9:2: unsupported construct: RCU grace periods (synchronize_rcu) is outside the C-litmus subset ptefuzz reads (see README "Litmus import")',
    ],
    [
      'a pointer compared with a number',
      src('y=z;\nz=0;', 'int *x, int **y', '\tWRITE_ONCE(*y, x);', 'y=1'),
      "t.litmus:13:11: expected a location's name (y holds an address), found '1'",
    ],
    [
      'an int compared with a name',
      src('y=z;\nz=0;', 'int *x, int **y', '\tWRITE_ONCE(*x, 1);', 'x=z'),
      "t.litmus:13:11: expected a number (x holds an integer), found 'z'",
    ],
    [
      'a condition naming no location',
      src('y=z;\nz=0;', 'int *x, int **y', '\tWRITE_ONCE(*y, x);', 'y=q'),
      "t.litmus:13:11: expected a pointer compared with an address: a location (y, z, x), found 'q'",
    ],
    [
      'a lock as a target',
      src('spinlock_t l;\ny=l;', 'spinlock_t *l, int **y', '', 'y=l'),
      "t.litmus:5:3: expected the address y starts with: an int location, found 'l' (a spinlock_t)",
    ],
    [
      'a typed int initialised to an address',
      src('int y = &z;\nz=0;', 'int *z', '', 'z=0'),
      "t.litmus:4:10: expected an integer (a pointer is declared int *y = &x;), found 'z'",
    ],
    [
      'a pointer used as an int parameter',
      src('y=z;\nz=0;', 'int *y', '', 'z=0'),
      "t.litmus:8:9: expected int **y (y holds an address since line 4), found an int 'y'",
    ],
  ])('%s', (_what, text, msg) => {
    expect(message(text)).toBe(msg);
  });
});
