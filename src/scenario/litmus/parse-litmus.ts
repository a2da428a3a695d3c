/**
 * herd7 C litmus tests (the Linux-kernel memory model's format, as in
 * tools/memory-model/litmus-tests/), imported into raw tests. The subset:
 *
 *   C NAME
 *   (* comment *)            also // and C block comments
 *   { x=0; int y=1; u64 z=0; }
 *   P0(int *x, long *y) { int r0; r0 = READ_ONCE(*x); WRITE_ONCE(*y, 1); smp_mb(); … }
 *   locations [x; 0:r0;]     (optional)
 *   exists (0:r0=1 /\ 1:r0=0)   (or ~exists, forall; /\ \/ ~ and parentheses)
 *
 * Statements: READ_ONCE(*x), WRITE_ONCE(*x, e), smp_load_acquire(x),
 * smp_store_release(x, e), smp_rmb(), smp_wmb(), smp_mb(), xchg(x, e),
 * cmpxchg(x, e, e) and their _relaxed/_acquire/_release forms, each alone or
 * assigned to a register; spin_lock(l), spin_unlock(l), r = spin_trylock(l) and r = spin_is_locked(l)
 * on `spinlock_t *l` parameters (locks start unlocked; LKMM semantics as far
 * as the weak model goes: machine/weak.ts); the atomic_t operations of
 * tools/memory-model/linux-kernel.def on `atomic_t *v` parameters (ATOMIC_OPS
 * below); `int r0;` / `int r0 = …;`
 * declarations; e is an integer or a register. `int`/`u32`/`unsigned int`
 * locations are 32-bit, `long`/`u64`/`unsigned long`/`long long` 64-bit. An
 * integer wider than what it goes into or is compared with (a location, a
 * register's C type) is an error: cut to the width it would be another test.
 *
 * Pointers (tools/memory-model/litmus-tests/MP+onceassign+derefonce.litmus):
 * a location declared `int **y` (or initialised to an address: `y=x;`,
 * `int *y = &x;`) holds the address of an int location (64-bit, its initial
 * address required); a register declared `int *r0` holds one. A pointer
 * register is dereferenced as a location is (`READ_ONCE(*r0)`,
 * `WRITE_ONCE(*r0, 1)`, `smp_load_acquire(r0)`, `smp_store_release(r0, 1)`):
 * the access is address-dependent on the load that wrote r0 (raw.ts RawVia).
 * A location's name where a value is expected is its address
 * (`WRITE_ONCE(*y, x)`); a condition compares a pointer with a location name
 * (`1:r0=x`). rcu_dereference(*y) is READ_ONCE(*y) and
 * rcu_assign_pointer(*y, v) smp_store_release(y, v), as
 * tools/memory-model/linux-kernel.def defines them; rcu_read_lock() and
 * rcu_read_unlock() order nothing without a grace period, which is refused
 * (synchronize_rcu), so they are dropped. Types are checked: only pointers hold
 * addresses, only int locations are dereferenced, no RMW acts on a pointer.
 * `filter (…)` before the condition drops the executions it rejects (raw.ts
 * rawKept). Anything else (other ifs, loops, spin_unlock_wait, atomic64_t,
 * grace periods, pointers to pointers, …) is an error naming the construct — never
 * silently dropped.
 */
import type { Cond, Num, Quantifier } from '../ast';
import { parseCond, parseQuantifier } from '../cond';
import { Cursor, fit } from '../cursor';
import { ScenarioError, closeNames, expected } from '../errors';
import type { Token } from '../lexer';
import { describeToken, lex } from '../lexer';
import type { RmwOrder } from '../../machine';
import type { AtomicOp, AtomicReturn, Observed, RawCpu, RawExpr, RawLocation, RawStmt, RawTest } from '../raw';
import { RAW_INSTRUCTIONS, observedOf, rawAddress } from '../raw';
import { condAtoms } from '../cond';
import { own } from '../own';

const TYPES_32 = ['int', 'u32', 'unsigned', 's32', 'u8', 'u16'];
const TYPES_64 = ['long', 'u64', 's64'];
/** Kernel constructs outside the subset, named in the error. */
const KNOWN_UNSUPPORTED: Readonly<Record<string, string>> = {
  else: 'control flow (else)',
  while: 'loops (while)',
  for: 'loops (for)',
  do: 'loops (do)',
  goto: 'goto',
  return: 'return',
  spin_unlock_wait: 'spin_unlock_wait',
  raw_spin_lock: 'raw spinlocks (raw_spin_lock)',
  raw_spin_unlock: 'raw spinlocks (raw_spin_unlock)',
  synchronize_rcu: 'RCU grace periods (synchronize_rcu)',
  synchronize_rcu_expedited: 'RCU grace periods (synchronize_rcu_expedited)',
  smp_mb__after_unlock_lock: 'smp_mb__after_unlock_lock',
  smp_store_mb: 'smp_store_mb',
};

/**
 * The atomic_t operations, as tools/memory-model/linux-kernel.def defines them
 * for herd7 (atomic_add_unless is herd7's built-in), with their LKMM ordering
 * (Documentation/atomic_t.txt, ORDERING: "RMW operations that have a return
 * value are fully ordered", "RMW operations that have no return value are
 * unordered", _relaxed forms unordered, _acquire/_release forms ACQUIRE/RELEASE
 * on their read/write part, "conditional operations" such as
 * atomic_add_unless "are fully ordered only on success"). Non-RMW ops are
 * READ_ONCE/WRITE_ONCE (smp_load_acquire/smp_store_release for the _acquire/
 * _release forms); the RMWs run as the machine's atomic RMW (machine/weak.ts:
 * a `full` one is an smp_mb on both sides when it stores, nothing when it fails).
 * `args`: V the operand, X the atomic_t, U add_unless's exception, W cmpxchg's new value.
 */
interface AtomicSpec {
  readonly stmt: 'load' | 'store' | 'xchg' | 'cmpxchg' | 'rmw';
  readonly args: 'X' | 'XV' | 'VX' | 'XVW' | 'XVU';
  readonly order: RmwOrder;
  readonly op?: AtomicOp;
  readonly returns?: AtomicReturn;
}
const ATOMIC_OPS: Readonly<Record<string, AtomicSpec>> = (() => {
  const ops: Record<string, AtomicSpec> = {
    atomic_read: { stmt: 'load', args: 'X', order: 'relaxed' },
    atomic_read_acquire: { stmt: 'load', args: 'X', order: 'acquire' },
    atomic_set: { stmt: 'store', args: 'XV', order: 'relaxed' },
    atomic_set_release: { stmt: 'store', args: 'XV', order: 'release' },
    atomic_add: { stmt: 'rmw', args: 'VX', order: 'relaxed', op: 'add', returns: 'none' },
    atomic_sub: { stmt: 'rmw', args: 'VX', order: 'relaxed', op: 'sub', returns: 'none' },
    atomic_inc: { stmt: 'rmw', args: 'X', order: 'relaxed', op: 'add', returns: 'none' },
    atomic_dec: { stmt: 'rmw', args: 'X', order: 'relaxed', op: 'sub', returns: 'none' },
    atomic_sub_and_test: { stmt: 'rmw', args: 'VX', order: 'full', op: 'sub', returns: 'zero' },
    atomic_dec_and_test: { stmt: 'rmw', args: 'X', order: 'full', op: 'sub', returns: 'zero' },
    atomic_inc_and_test: { stmt: 'rmw', args: 'X', order: 'full', op: 'add', returns: 'zero' },
    atomic_add_negative: { stmt: 'rmw', args: 'VX', order: 'full', op: 'add', returns: 'negative' },
    atomic_add_unless: { stmt: 'rmw', args: 'XVU', order: 'full', op: 'add_unless', returns: 'added' },
  };
  const suffixes: readonly [string, RmwOrder][] = [
    ['', 'full'],
    ['_relaxed', 'relaxed'],
    ['_acquire', 'acquire'],
    ['_release', 'release'],
  ];
  for (const [sfx, order] of suffixes) {
    for (const [op, args] of [
      ['add', 'VX'],
      ['sub', 'VX'],
      ['inc', 'X'],
      ['dec', 'X'],
    ] as const) {
      const o: AtomicOp = op === 'inc' || op === 'add' ? 'add' : 'sub';
      ops[`atomic_${op}_return${sfx}`] = { stmt: 'rmw', args, order, op: o, returns: 'new' };
      ops[`atomic_fetch_${op}${sfx}`] = { stmt: 'rmw', args, order, op: o, returns: 'old' };
    }
    ops[`atomic_xchg${sfx}`] = { stmt: 'xchg', args: 'XV', order };
    ops[`atomic_cmpxchg${sfx}`] = { stmt: 'cmpxchg', args: 'XVW', order };
  }
  return ops;
})();
/**
 * RCU's pointer accesses, as tools/memory-model/linux-kernel.def defines them: rcu_dereference(X) is
 * `__load{once}(X)` (READ_ONCE), rcu_assign_pointer(X,V) `__store{release}(X,V)` (smp_store_release); both take *y.
 */
const RCU_INSTRUCTIONS: Readonly<Record<string, { readonly stmt: 'load' | 'store'; readonly variant: string }>> = {
  rcu_dereference: { stmt: 'load', variant: 'once' },
  rcu_assign_pointer: { stmt: 'store', variant: 'release' },
};

/** Whether a statement is an atomic RMW (what smp_mb__before/after_atomic() order). */
const isRmw = (s: RawStmt | undefined): boolean => s?.kind === 'xchg' || s?.kind === 'cmpxchg' || s?.kind === 'atomic';
const isRmwName = (n: string): boolean =>
  /^(xchg|cmpxchg)(_relaxed|_acquire|_release)?$/.test(n) ||
  ['rmw', 'xchg', 'cmpxchg'].includes(own(ATOMIC_OPS, n)?.stmt ?? '');

/** What the processes leave to check once every location (and its width) is known. */
interface Later {
  /** the integers stored through a pointer register (`WRITE_ONCE(*r0, 1)`) */
  readonly throughPointer: Num[];
  /** the int locations whose address a process stores (`rcu_assign_pointer(*y, x)`) */
  readonly addressed: Set<string>;
}

export function parseLitmus(src: string, file: string): RawTest {
  // The test name may contain any non-blank character (MP+wmb+rmb, SB+rfionceonce-poonceonces).
  const head = /^(\s*)C[ \t]+(\S+)/.exec(src);
  if (!head) {
    const first = src.search(/\S/);
    const line = first < 0 ? 1 : src.slice(0, first).split('\n').length;
    throw new ScenarioError(
      file,
      line,
      1,
      "expected a C litmus test ('C NAME' on the first line), found " +
        (first < 0 ? 'an empty file' : `'${src.slice(first).split(/\s/)[0]}'`),
    );
  }
  const name = head[2]!;
  const blanked = src.slice(0, head[0].length).replace(/[^\n]/g, ' ') + src.slice(head[0].length);
  const toks = lex(blanked, file, { lines: false });
  const c = new Cursor(toks, file);
  if (c.is('string')) c.next(); // herd's optional doc string
  interface Loc extends RawLocation {
    readonly at: Token;
    /** the width came from a C type (not defaulted) */
    readonly typed: boolean;
    /** a pointer location: holds an address (`int **y`, `y=x;`) */
    readonly pointer: boolean;
    /** a pointer's initial target (`y=x;`, `int *y = &x;`), resolved to its rawAddress once every location is known */
    readonly to?: Token;
  }
  const locs = new Map<string, Loc>();
  /**
   * the initial values as written, checked against their location's width once every declaration is read: `x=1;`
   * takes the width of a later `u64 *x` parameter
   */
  const initNums = new Map<string, Num>();
  /**
   * init block (`initial` or `to` given) or parameter list (both undefined); `pointer`: a pointer location (`int **y`
   * as a parameter, or initialised to an address)
   */
  const declare = (
    n: Token,
    width: 32 | 64 | undefined,
    initial: bigint | undefined,
    pointer = false,
    to?: Token,
  ): void => {
    const prev = locs.get(n.text);
    if (!prev) {
      locs.set(n.text, {
        name: n.text,
        width: pointer ? 64 : (width ?? 32),
        initial: initial ?? 0n,
        at: n,
        typed: pointer || width !== undefined,
        pointer,
        ...(to !== undefined ? { to } : {}),
      });
      return;
    }
    if (initial !== undefined || to !== undefined) {
      throw expected(file, n, 'a location initialised once', `'${n.text}' again (first at line ${prev.at.line})`);
    }
    if (prev.pointer !== pointer) {
      throw expected(
        file,
        n,
        prev.pointer
          ? `int **${n.text} (${n.text} holds an address since line ${prev.at.line})`
          : `int *${n.text} (${n.text} is an int location since line ${prev.at.line}; a pointer needs an initial address: ${n.text}=x;)`,
        `${pointer ? 'a pointer' : 'an int'} '${n.text}'`,
      );
    }
    if (pointer) return;
    if (!prev.typed) locs.set(n.text, { ...prev, width: width!, typed: true });
    else if (prev.width !== width) {
      throw expected(
        file,
        n,
        `the ${prev.width}-bit type '${n.text}' has at line ${prev.at.line}`,
        `a ${width}-bit type`,
      );
    }
  };

  /** locations declared `spinlock_t *l` (32-bit, initially 0 = unlocked) */
  const lockLocs = new Set<string>();
  const declareLock = (n: Token): void => {
    const prev = locs.get(n.text);
    if (prev && !lockLocs.has(n.text)) {
      throw expected(file, n, `a lock name (${n.text} is an int location since line ${prev.at.line})`, `'${n.text}'`);
    }
    if (prev && prev.initial !== 0n) throw expected(file, n, 'a lock initially unlocked (0)', `'${n.text}'`);
    if (!prev) locs.set(n.text, { name: n.text, width: 32, initial: 0n, at: n, typed: true, pointer: false });
    lockLocs.add(n.text);
  };

  /** locations declared `atomic_t` (32-bit, as the kernel's `int counter`); only atomic_* operations use them */
  const atomicLocs = new Set<string>();
  const declareAtomic = (n: Token, initial: bigint | undefined): void => {
    const prev = locs.get(n.text);
    if (prev && lockLocs.has(n.text))
      throw expected(file, n, `an atomic_t name (${n.text} is a spinlock_t since line ${prev.at.line})`, `'${n.text}'`);
    if (prev && (prev.typed || prev.pointer) && !atomicLocs.has(n.text))
      throw expected(
        file,
        n,
        `an atomic_t name (${n.text} is an int location since line ${prev.at.line})`,
        `'${n.text}'`,
      );
    if (prev && initial !== undefined)
      throw expected(file, n, 'a location initialised once', `'${n.text}' again (first at line ${prev.at.line})`);
    if (!prev)
      locs.set(n.text, { name: n.text, width: 32, initial: initial ?? 0n, at: n, typed: true, pointer: false });
    else if (!prev.typed) locs.set(n.text, { ...prev, width: 32, typed: true });
    atomicLocs.add(n.text);
  };

  // --- init block ------------------------------------------------------------
  c.expect('punct', '{', "'{' opening the init block");
  while (!c.accept('punct', '}')) {
    if (c.accept('ident', 'spinlock_t')) {
      // `spinlock_t mylock;` (tools/memory-model/litmus-tests/MP+polocks.litmus): a lock, initially unlocked
      if (c.is('punct', '*')) throw unsupported(file, c.peek(), 'pointer locations (*p in the init block)');
      declareLock(c.ident('a lock name (spinlock_t l;)'));
      if (c.is('punct', '=')) throw c.error("';' (a spinlock_t starts unlocked; it takes no initial value)");
      if (!c.accept('punct', ';') && !c.is('punct', '}')) throw c.error("';' or '}'");
      continue;
    }
    if (c.accept('ident', 'atomic_t')) {
      // `atomic_t y;` or `atomic_t v = ATOMIC_INIT(1);` (Documentation/litmus-tests/atomic/, locking/RM-*)
      if (c.is('punct', '*')) throw unsupported(file, c.peek(), 'pointer locations (*p in the init block)');
      const n = c.ident('an atomic_t name (atomic_t v; or atomic_t v = ATOMIC_INIT(1);)');
      let initial: bigint | undefined;
      if (c.accept('punct', '=')) {
        const init = c.accept('ident', 'ATOMIC_INIT');
        if (init) c.punct('(');
        const v = c.number();
        initNums.set(n.text, v);
        initial = v.value;
        if (init) c.punct(')');
      }
      declareAtomic(n, initial ?? 0n);
      if (!c.accept('punct', ';') && !c.is('punct', '}')) throw c.error("';' or '}'");
      continue;
    }
    const width = typeName(c);
    unsupportedAt(c);
    if (c.is('number') && c.peek(1).text === ':')
      throw unsupported(file, c.peek(), 'initial register values (P:reg=v in the init block)');
    // `int *y = &x;`: a pointer location (MP+onceassign+derefonce writes `y=z;`)
    const star = width !== undefined && c.accept('punct', '*');
    if (c.is('punct', '*')) {
      if (star) throw unsupported(file, c.peek(), 'pointers to pointers');
      throw c.error('a location name (x=0; int x; int y=1; y=x; int *y = &x;) or }');
    }
    const n = c.ident('a location name (x=0; int x; int y=1; y=x; int *y = &x;) or }');
    if (width !== undefined && (c.is('punct', ';') || c.is('punct', '}'))) {
      // `int x;`: a typed declaration without an initialiser starts at 0, as in C and herd7
      if (star) throw c.error(`an initial address for the pointer ${n.text} (int *${n.text} = &x;)`);
      declare(n, width, 0n);
    } else {
      if (!c.is('punct', '=')) throw c.error(width === undefined ? "'=' (x=0;)" : "'=' or ';' (int x; or int x=0;)");
      c.punct('=');
      const amp = c.accept('punct', '&');
      if (amp || c.is('ident')) {
        if (width !== undefined && !star) throw c.error(`an integer (a pointer is declared int *${n.text} = &x;)`);
        declare(n, undefined, undefined, true, c.ident('a location name (y=x; or int *y = &x;)'));
      } else {
        if (star) throw c.error(`an address for the pointer ${n.text} (&x or x)`);
        const v = c.number();
        declare(n, width, v.value);
        initNums.set(n.text, v);
      }
    }
    if (!c.accept('punct', ';') && !c.is('punct', '}')) throw c.error("';' or '}'");
  }

  // --- processes -------------------------------------------------------------
  const cpus: RawCpu[] = [];
  /** each process's registers' widths */
  const regWidths: ReadonlyMap<string, 32 | 64>[] = [];
  const later: Later = { throughPointer: [], addressed: new Set() };
  while (c.is('ident') && /^P[0-9]+$/.test(c.peek().text)) {
    const p = c.next();
    const index = Number(p.text.slice(1));
    if (index !== cpus.length) throw expected(file, p, `P${cpus.length}`, `'${p.text}'`);
    const params = new Map<string, 32 | 64>();
    const lockParams = new Set<string>();
    const atomicParams = new Set<string>();
    c.punct('(');
    if (!c.accept('punct', ')')) {
      for (;;) {
        unsupportedAt(c);
        if (c.accept('ident', 'spinlock_t')) {
          c.expect('punct', '*', "'*' (a spinlock_t parameter is a pointer to a lock)");
          const n = c.ident('a lock name');
          if (params.has(n.text) && !lockParams.has(n.text))
            throw expected(file, n, 'a lock name not also used as an int parameter', `'${n.text}'`);
          declareLock(n);
          params.set(n.text, 32);
          lockParams.add(n.text);
          if (c.accept('punct', ')')) break;
          c.punct(',');
          continue;
        }
        if (c.accept('ident', 'atomic_t')) {
          c.expect('punct', '*', "'*' (an atomic_t parameter is a pointer to an atomic_t)");
          const n = c.ident('an atomic_t name');
          if (params.has(n.text) && !atomicParams.has(n.text))
            throw expected(file, n, 'an atomic_t name not also used as another parameter', `'${n.text}'`);
          declareAtomic(n, undefined);
          params.set(n.text, 32);
          atomicParams.add(n.text);
          if (c.accept('punct', ')')) break;
          c.punct(',');
          continue;
        }
        const width = typeName(c);
        if (width === undefined) throw c.error('a parameter type (int, long, u32, u64, unsigned long …)');
        c.expect('punct', '*', "'*' (a parameter is a pointer to a shared location)");
        // `int **y`: y holds the address of an int location
        const pointer = c.accept('punct', '*') !== undefined;
        if (c.is('punct', '*')) throw unsupported(file, c.peek(), 'pointers to pointers');
        const n = c.ident('a location name');
        if (lockLocs.has(n.text) || atomicLocs.has(n.text))
          throw expected(
            file,
            n,
            `an int location (${n.text} is ${lockLocs.has(n.text) ? 'a spinlock_t' : 'an atomic_t'} elsewhere)`,
            `'${n.text}'`,
          );
        declare(n, width, undefined, pointer);
        params.set(n.text, pointer ? 64 : width);
        if (c.accept('punct', ')')) break;
        c.punct(',');
      }
    }
    c.expect('punct', '{', `'{' opening the body of ${p.text}`);
    const body = procBody(
      c,
      p.text,
      params,
      lockParams,
      atomicParams,
      (n) => locs.get(n)?.pointer === true,
      file,
      later,
    );
    cpus.push(body.cpu);
    regWidths.push(body.widths);
  }

  // --- pointers: every location is known, so is its address (rawAddress of its index) ----------------------------
  // a target named only as a pointer's initial value (`y=z;` and no other z) is an int location starting at 0, as in
  // herd7, where every name of the init block is a location
  for (const l of [...locs.values()]) if (l.to !== undefined && !locs.has(l.to.text)) declare(l.to, undefined, 0n);
  const order = [...locs.keys()];
  /** the address of the int location `t` names (a pointer's target), or an error naming what `t` is instead */
  const addressOf = (t: Token, what: string): bigint => {
    const target = locs.get(t.text);
    if (target === undefined) throw expected(file, t, `${what}: a location (${order.join(', ')})`, `'${t.text}'`);
    if (target.pointer) throw unsupported(file, t, 'pointers to pointers');
    if (lockLocs.has(t.text) || atomicLocs.has(t.text))
      throw expected(
        file,
        t,
        `${what}: an int location`,
        `'${t.text}' (${lockLocs.has(t.text) ? 'a spinlock_t' : 'an atomic_t'})`,
      );
    return rawAddress(order.indexOf(t.text));
  };
  for (const [n, l] of locs) {
    if (!l.pointer) continue;
    if (l.to === undefined)
      throw expected(file, l.at, `an initial address for the pointer ${n} (${n}=x; in the init block)`, 'none');
    locs.set(n, { ...l, initial: addressOf(l.to, `the address ${n} starts with`) });
  }
  for (const [n, v] of initNums) {
    const w = locs.get(n)!.width;
    fit(v, w, file, `${n} is ${w}-bit`);
  }
  // an integer stored through a pointer register lands in whichever location the pointer holds: it must fit each
  // location a pointer may hold (an initial address, or one a process stores), else the narrowest would cut it
  const held = new Set([...later.addressed, ...[...locs.values()].flatMap((l) => (l.to ? [l.to.text] : []))]);
  const narrowest = [...locs.values()].filter((l) => held.has(l.name)).sort((a, b) => a.width - b.width)[0];
  if (narrowest !== undefined)
    for (const v of later.throughPointer)
      fit(v, narrowest.width, file, `a pointer here may hold ${narrowest.name}, ${narrowest.width}-bit`);

  // --- locations, condition ------------------------------------------------------
  const extra: Observed[] = [];
  if (c.accept('ident', 'locations')) {
    c.punct('[');
    while (!c.accept('punct', ']')) {
      const t = c.next();
      if (t.kind === 'number' && c.accept('punct', ':'))
        extra.push({ cpu: Number(t.text), name: c.ident('a register').text });
      else if (t.kind === 'ident') extra.push({ name: t.text });
      else throw expected(file, t, 'a location or P:reg', describeToken(t));
      c.accept('punct', ';');
    }
  }
  // `1:r0=x`: a pointer compared with a location's address (checked against the variable's type below)
  const condValue = (cc: Cursor): Num => {
    if (!cc.is('ident')) return cc.number();
    const t = cc.next();
    return { value: addressOf(t, 'a pointer compared with an address'), raw: t.text, line: t.line, col: t.col };
  };
  // `filter (…)` (Documentation/litmus-tests/locking/RM-*): only the executions whose final state satisfies it count
  let filter: Cond | undefined;
  if (c.accept('ident', 'filter')) {
    filter = parseCond(c, condValue);
    if (filter.kind === 'paren') filter = filter.arg;
  }
  unsupportedAt(c);
  if (c.is('eof'))
    throw c.error(
      cpus.length === 0
        ? "a process 'P0(int *x) { … }'"
        : "a process, 'locations [...]', 'filter (…)' or an 'exists (…)' clause",
    );
  if (!c.is('punct', '~') && !(c.is('ident', 'exists') || c.is('ident', 'forall'))) {
    throw c.error(
      cpus.length === 0
        ? "a process 'P0(int *x) { … }'"
        : filter !== undefined
          ? "'exists (…)' after the filter"
          : `P${cpus.length}, 'locations [...]', 'filter (…)' or 'exists (…)'`,
    );
  }
  const quantifier: Quantifier = parseQuantifier(c);
  let cond: Cond = parseCond(c, condValue);
  if (cond.kind === 'paren') cond = cond.arg;
  if (!c.is('eof')) {
    unsupportedAt(c);
    throw c.error('the end of the test after the condition');
  }
  if (cpus.length === 0) throw new ScenarioError(file, 1, 1, "expected at least one process 'P0(…) { … }', found none");

  const cpuIndex = new Map<string, number>(cpus.map((_, i) => [String(i), i]));
  const locations = [...locs.values()].map((l) => ({
    name: l.name,
    width: l.width,
    initial: l.initial,
    ...(l.pointer ? { pointer: true } : {}),
  }));
  for (const a of [...condAtoms(cond), ...(filter !== undefined ? condAtoms(filter) : [])]) {
    let pointer: boolean;
    if (a.cpu === undefined) {
      if (!locs.has(a.name))
        throw expected(file, a, `a location (${[...locs.keys()].join(', ')}) or P:reg`, `'${a.name}'`);
      pointer = locs.get(a.name)!.pointer;
    } else {
      const i = cpuIndex.get(a.cpu);
      if (i === undefined) throw expected(file, a, `a process number 0..${cpus.length - 1}`, `'${a.cpu}'`);
      if (!cpus[i]!.regs.includes(a.name)) {
        throw expected(file, a, `a register of P${i} (${cpus[i]!.regs.join(', ') || 'none'})`, `'${a.name}'`);
      }
      pointer = (cpus[i]!.pointers ?? []).includes(a.name);
    }
    const v = `${a.cpu !== undefined ? `${a.cpu}:` : ''}${a.name}`;
    // a pointer is compared with a location's name, anything else with a number (herd7 prints them so)
    if (pointer !== /^[A-Za-z_]/.test(a.value.raw)) {
      throw expected(
        file,
        a.value,
        pointer ? `a location's name (${v} holds an address)` : `a number (${v} holds an integer)`,
        `'${a.value.raw}'`,
      );
    }
    if (!pointer) {
      // a value the variable cannot hold would make the condition silently false
      const w = a.cpu === undefined ? locs.get(a.name)!.width : regWidths[cpuIndex.get(a.cpu)!]!.get(a.name)!;
      fit(a.value, w, file, `${v} is ${w}-bit`);
    }
  }
  for (const o of extra) {
    if (o.cpu === undefined ? !locs.has(o.name) : !cpus[o.cpu]?.regs.includes(o.name)) {
      throw new ScenarioError(
        file,
        1,
        1,
        `expected the locations clause to name known locations and registers, found '${o.cpu !== undefined ? `${o.cpu}:` : ''}${o.name}'`,
      );
    }
  }
  return {
    name,
    locations,
    cpus,
    quantifier,
    cond,
    observed: observedOf(cond, cpuIndex, extra),
    cpuIndex,
    expect: new Map(),
    ...(filter !== undefined ? { filter } : {}),
  };
}

function unsupported(file: string, t: Token, what: string): ScenarioError {
  return new ScenarioError(
    file,
    t.line,
    t.col,
    `unsupported construct: ${what} is outside the C-litmus subset ptefuzz reads (see README "Litmus import")`,
  );
}

/** Error out on a known construct outside the subset, naming it. */
function unsupportedAt(c: Cursor): void {
  const t = c.peek();
  const what = t.kind === 'ident' ? own(KNOWN_UNSUPPORTED, t.text) : undefined;
  if (what !== undefined) throw unsupported(c.file, t, what);
  if (t.kind === 'ident' && (t.text === 'atomic_t' || own(ATOMIC_OPS, t.text) !== undefined)) return;
  if (t.kind === 'ident' && /^(atomic|atomic64|atomic_long|srcu|local)_/.test(t.text))
    throw unsupported(c.file, t, `'${t.text}'`);
}

/** An optional C type; its width, or undefined when there is none. */
function typeName(c: Cursor): 32 | 64 | undefined {
  let width: 32 | 64 | undefined;
  let unsigned = false;
  for (;;) {
    const t = c.peek();
    if (t.kind !== 'ident') return width ?? (unsigned ? 32 : undefined);
    if (t.text === 'unsigned' || t.text === 'signed' || t.text === 'volatile' || t.text === 'const') {
      unsigned = true;
      c.next();
    } else if (TYPES_32.includes(t.text)) {
      width ??= 32;
      c.next();
    } else if (TYPES_64.includes(t.text)) {
      width = 64;
      c.next();
    } else return width ?? (unsigned ? 32 : undefined);
  }
}

function procBody(
  c: Cursor,
  proc: string,
  params: ReadonlyMap<string, 32 | 64>,
  locks: ReadonlySet<string>,
  atomics: ReadonlySet<string>,
  /** whether a location holds an address (`int **y`) */
  isPointer: (name: string) => boolean,
  file: string,
  /** what the test checks once every location is known (parseLitmus) */
  later: Later,
): { readonly cpu: RawCpu; readonly widths: ReadonlyMap<string, 32 | 64> } {
  /** the statements of the block being read (the body, or a branch of an if) */
  let stmts: RawStmt[] = [];
  const regs: string[] = [];
  const assigned = new Set<string>();
  /** the registers declared `int *r` */
  const pointers: string[] = [];
  /** each register's width, from its C type (`int r0` 32-bit, `long r0` 64-bit): what an if or a condition compares it with fits */
  const widths = new Map<string, 32 | 64>();
  /**
   * the pointer registers assigned on every path to here (a branch's assignments end with it): only those are
   * dereferenced or stored, so a pointer register always holds an address when it is used
   */
  let holding = new Set<string>();
  const ints = (): string[] => [...params.keys()].filter((k) => !locks.has(k) && !atomics.has(k));
  /** a constant for the int location `x` (a parameter of this process), of its width */
  const widthOf =
    (x: string) =>
    (n: Num): bigint => {
      const w = params.get(x)!;
      return fit(n, w, file, `${x} is ${w}-bit`);
    };
  const atomicWidth = (n: Num): bigint => fit(n, 32, file, 'an atomic_t is 32-bit');
  /** a constant stored through a pointer register: checked against the locations it may address (parseLitmus) */
  const throughPointer = (n: Num): bigint => {
    later.throughPointer.push(n);
    return n.value;
  };
  /**
   * An operand: an integer, a register, or an int parameter's name (its address: `rcu_assign_pointer(*y, x)`).
   * `pointer`: the value goes into a pointer location (an address, or a pointer register); else into an int one,
   * and an integer must fit it (`width`).
   */
  const expr = (width: (n: Num) => bigint, pointer = false): RawExpr => {
    const t = c.peek();
    let e: RawExpr;
    if (t.kind === 'number') {
      const n = c.number();
      // an integer for a pointer is refused below, as an integer
      e = { kind: 'const', value: pointer ? n.value : width(n) };
    } else if (t.kind === 'ident' && regs.includes(t.text)) {
      c.next();
      if (!assigned.has(t.text)) throw expected(file, t, `a register assigned before use`, `'${t.text}'`);
      e = { kind: 'reg', name: t.text };
    } else if (t.kind === 'ident' && params.has(t.text) && !locks.has(t.text) && !atomics.has(t.text)) {
      c.next();
      if (isPointer(t.text)) throw unsupported(file, t, 'pointers to pointers');
      e = { kind: 'addr', name: t.text };
      later.addressed.add(t.text);
    } else if (t.kind === 'punct' && t.text === '&') {
      throw c.error(`an operand of ${proc} (a location's address is written x, without &)`);
    } else {
      unsupportedAt(c);
      throw c.error(`an integer or a register of ${proc} (${regs.join(', ') || 'none declared'})`);
    }
    const isPtr = e.kind === 'addr' || (e.kind === 'reg' && pointers.includes(e.name));
    if (pointer && !isPtr)
      throw expected(
        file,
        t,
        `an address (an int location's name, or a pointer register: the location holds a pointer)`,
        `'${t.text}'`,
      );
    if (!pointer && isPtr)
      throw expected(
        file,
        t,
        `an integer or an int register (only a pointer location holds an address)`,
        e.kind === 'addr' ? `the address '${t.text}'` : `the pointer register '${t.text}'`,
      );
    if (e.kind === 'reg' && isPtr && !holding.has(e.name))
      throw expected(file, t, `a pointer register assigned on every path before it is stored`, `'${t.text}'`);
    return e;
  };
  /**
   * What a load or store accesses: a location parameter, or a pointer register's target (RawVia) — `*x` / `*r0`
   * (READ_ONCE, WRITE_ONCE, rcu_*), `x` / `r0` (smp_load_acquire, smp_store_release).
   */
  const target = (
    deref: boolean,
    fn: string,
  ): { readonly loc: string; readonly via?: true; readonly pointer: boolean } => {
    if (deref) c.expect('punct', '*', `'*' (${proc}'s ${fn} takes *x)`);
    else if (c.is('punct', '*') || c.is('punct', '&')) throw c.error('a location pointer x (no * or &)');
    const t = c.peek();
    if (t.kind === 'ident' && regs.includes(t.text)) {
      c.next();
      if (!pointers.includes(t.text))
        throw expected(
          file,
          t,
          `a location or a pointer register of ${proc} (declare it int *${t.text})`,
          `the int register '${t.text}'`,
        );
      if (!holding.has(t.text))
        throw expected(file, t, `a pointer register assigned on every path before it is dereferenced`, `'${t.text}'`);
      return { loc: t.text, via: true, pointer: false };
    }
    const n = loc(false, true);
    return { loc: n, pointer: isPointer(n) };
  };
  /** `*x` (READ_ONCE/WRITE_ONCE) or `x` (the others); `pointers`: a pointer location may be named (loads and stores) */
  const loc = (deref: boolean, pointerOk = false): string => {
    if (deref) c.expect('punct', '*', `'*' (${proc}'s READ_ONCE/WRITE_ONCE take *x)`);
    else if (c.is('punct', '*') || c.is('punct', '&')) throw c.error('a location pointer x (no * or &)');
    const n = c.ident('a location');
    if (!pointerOk && isPointer(n.text)) throw unsupported(file, n, `an RMW of a pointer location (${n.text})`);
    if (!params.has(n.text) || locks.has(n.text) || atomics.has(n.text)) {
      throw expected(
        file,
        n,
        `an int parameter of ${proc} (${ints().join(', ') || 'it has none'})`,
        `'${n.text}'${locks.has(n.text) ? ' (a spinlock_t: only spin_lock, spin_unlock, spin_trylock)' : atomics.has(n.text) ? ' (an atomic_t: only atomic_* operations)' : ''}`,
      );
    }
    return n.text;
  };
  /**
   * The parameter a spin_lock(l) or atomic_read(v)-style call names: one of this process's parameters
   * of that type (`what`: 'a lock' / 'an atomic_t'; `decl`: how to declare one), named without * or &.
   */
  const typedParam = (fn: string, names: ReadonlySet<string>, what: string, type: string, decl: string): string => {
    const v = decl.split(' ').pop()!.replace('*', '');
    if (c.is('punct', '*') || c.is('punct', '&')) throw c.error(`${what} pointer ${v} (${fn}(${v}), no * or &)`);
    const n = c.ident(what);
    if (!names.has(n.text)) {
      throw expected(
        file,
        n,
        `${type} parameter of ${proc} (${[...names].join(', ') || `it has none: declare '${decl}'`})`,
        `'${n.text}'`,
      );
    }
    return n.text;
  };
  /** the atomic_t parameter of atomic_read(v) and friends */
  const atomicLoc = (fn: string): string => typedParam(fn, atomics, 'an atomic_t', 'an atomic_t', 'atomic_t *v');
  const atomicCall = (fn: Token, spec: AtomicSpec, reg: string | undefined): RawStmt => {
    const r = reg !== undefined ? { reg } : {};
    if (reg !== undefined && (spec.stmt === 'store' || spec.returns === 'none'))
      throw expected(file, fn, `${fn.text}() as a statement (it returns nothing)`, `an assignment to ${reg}`);
    c.punct('(');
    let x: string;
    let v: RawExpr = { kind: 'const', value: 1n };
    let w: RawExpr | undefined;
    if (spec.args === 'VX') {
      v = expr(atomicWidth);
      c.punct(',');
      x = atomicLoc(fn.text);
    } else {
      x = atomicLoc(fn.text);
      if (spec.args !== 'X') {
        c.punct(',');
        v = expr(atomicWidth);
      }
      if (spec.args === 'XVW' || spec.args === 'XVU') {
        c.punct(',');
        w = expr(atomicWidth);
      }
    }
    c.punct(')');
    switch (spec.stmt) {
      case 'load':
        return { kind: 'load', loc: x, how: spec.order === 'acquire' ? 'acquire' : 'once', ...r };
      case 'store':
        return { kind: 'store', loc: x, value: v, how: spec.order === 'release' ? 'release' : 'once' };
      case 'xchg':
        return { kind: 'xchg', loc: x, value: v, order: spec.order, ...r };
      case 'cmpxchg':
        return { kind: 'cmpxchg', loc: x, expected: v, value: w!, order: spec.order, ...r };
      case 'rmw':
        return {
          kind: 'atomic',
          name: fn.text,
          loc: x,
          op: spec.op!,
          value: v,
          ...(w !== undefined ? { unless: w } : {}),
          returns: spec.returns!,
          order: spec.order,
          ...r,
        };
    }
  };
  /** the spinlock_t parameter of spin_lock(l) and friends */
  const lock = (fn: string): string => typedParam(fn, locks, 'a lock', 'a spinlock_t', 'spinlock_t *l');
  /** an smp_mb__before_atomic() waiting for the xchg/cmpxchg that must follow it */
  let before: Token | undefined;
  const rmwOnly = (fn: Token, where: string, found: string): ScenarioError =>
    expected(file, fn, `${fn.text}() ${where} (it orders an atomic RMW's accesses)`, found);
  const call = (reg: string | undefined): RawStmt => {
    unsupportedAt(c);
    const fn = c.ident('an instruction (READ_ONCE, WRITE_ONCE, smp_*, xchg, cmpxchg, spin_lock …)');
    if (fn.text === 'smp_mb__after_atomic' || fn.text === 'smp_mb__before_atomic') {
      // linux-kernel.cat: [M] ; po? ; [RMW] ; fencerel(After-atomic) ; [M] is in mb (and the mirror
      // for Before-atomic): with the RMW right next to the fence that is exactly an smp_mb() at the
      // fence, failed cmpxchg() included (Documentation/litmus-tests/atomic/cmpxchg-fail-ordered-1,-2).
      if (reg !== undefined) throw expected(file, fn, `${fn.text}() as a statement`, `an assignment to ${reg}`);
      c.punct('(');
      c.punct(')');
      if (fn.text === 'smp_mb__after_atomic') {
        const prev = stmts[stmts.length - 1];
        if (!isRmw(prev))
          throw rmwOnly(
            fn,
            `right after an atomic RMW (xchg(), cmpxchg(), atomic_inc() …) of ${proc}`,
            prev ? `it after a ${prev.kind}` : 'it first',
          );
      } else before = fn;
      return { kind: 'fence', fence: 'mb' };
    }
    if (fn.text === 'smp_mb__after_spinlock') {
      // linux-kernel.cat: [M] ; po? ; [LKW] ; fencerel(After-spinlock) ; [M] is in mb: right after
      // spin_lock() that is exactly an smp_mb() (Z6.0+pooncelock+poonceLock+pombonce: Never).
      if (reg !== undefined) throw expected(file, fn, `${fn.text}() as a statement`, `an assignment to ${reg}`);
      c.punct('(');
      c.punct(')');
      const prev = stmts[stmts.length - 1];
      if (prev?.kind !== 'lock')
        throw expected(
          file,
          fn,
          `smp_mb__after_spinlock() right after a spin_lock() of ${proc} (it orders a lock acquisition's accesses)`,
          prev ? `it after a ${prev.kind}` : 'it first',
        );
      return { kind: 'fence', fence: 'mb' };
    }
    if (before !== undefined && !isRmwName(fn.text))
      throw rmwOnly(
        before,
        `right before an atomic RMW (xchg(), cmpxchg(), atomic_inc() …) of ${proc}`,
        `it before ${fn.text}()`,
      );
    before = undefined;
    if (
      fn.text === 'spin_lock' ||
      fn.text === 'spin_unlock' ||
      fn.text === 'spin_trylock' ||
      fn.text === 'spin_is_locked'
    ) {
      if (reg !== undefined && fn.text !== 'spin_trylock' && fn.text !== 'spin_is_locked')
        throw expected(file, fn, `${fn.text}() as a statement`, `an assignment to ${reg}`);
      c.punct('(');
      const l = lock(fn.text);
      c.punct(')');
      if (fn.text === 'spin_trylock') return { kind: 'trylock', loc: l, ...(reg !== undefined ? { reg } : {}) };
      if (fn.text === 'spin_is_locked') return { kind: 'islocked', loc: l, ...(reg !== undefined ? { reg } : {}) };
      return { kind: fn.text === 'spin_lock' ? 'lock' : 'unlock', loc: l };
    }
    const atomic = own(ATOMIC_OPS, fn.text);
    if (atomic) return atomicCall(fn, atomic, reg);
    const raw = own(RAW_INSTRUCTIONS, fn.text) ?? own(RCU_INSTRUCTIONS, fn.text);
    if (!raw) {
      const close = closeNames(fn.text, [...Object.keys(RAW_INSTRUCTIONS), ...Object.keys(RCU_INSTRUCTIONS)]);
      throw new ScenarioError(
        file,
        fn.line,
        fn.col,
        `unsupported construct: '${fn.text}' is outside the C-litmus subset ptefuzz reads${close.length > 0 ? ` (did you mean ${close.join(', ')}?)` : ''}`,
      );
    }
    c.punct('(');
    let s: RawStmt;
    const r = reg !== undefined ? { reg } : {};
    // READ_ONCE(*x), WRITE_ONCE(*x, v) and the rcu_ forms take *x; smp_load_acquire(x), smp_store_release(x, v) x
    const deref = raw.variant === 'once' || Object.hasOwn(RCU_INSTRUCTIONS, fn.text);
    switch (raw.stmt) {
      case 'load': {
        const t = target(deref, fn.text);
        // a pointer location is loaded into a pointer register, an int location into an int register
        if (reg !== undefined && t.pointer !== pointers.includes(reg))
          throw expected(
            file,
            fn,
            t.pointer
              ? `a pointer register for the pointer ${t.loc} (declare int *${reg})`
              : `an int register for the int location ${t.via ? `*${t.loc}` : t.loc}`,
            `${pointers.includes(reg) ? 'the pointer register' : 'the int register'} '${reg}'`,
          );
        s = { kind: 'load', loc: t.loc, how: raw.variant as 'once' | 'acquire', ...r, ...(t.via ? { via: true } : {}) };
        break;
      }
      case 'store': {
        if (reg !== undefined) throw expected(file, fn, `${fn.text}() as a statement`, `an assignment to ${reg}`);
        const t = target(deref, fn.text);
        c.punct(',');
        s = {
          kind: 'store',
          loc: t.loc,
          value: expr(t.via ? throughPointer : widthOf(t.loc), t.pointer),
          how: raw.variant as 'once' | 'release',
          ...(t.via ? { via: true } : {}),
        };
        break;
      }
      case 'fence':
        if (reg !== undefined) throw expected(file, fn, `${fn.text}() as a statement`, `an assignment to ${reg}`);
        s = { kind: 'fence', fence: raw.variant as 'rmb' | 'wmb' | 'mb' };
        break;
      case 'xchg': {
        const l = loc(false);
        c.punct(',');
        s = { kind: 'xchg', loc: l, value: expr(widthOf(l)), order: raw.variant as 'full', ...r };
        break;
      }
      case 'cmpxchg': {
        const l = loc(false);
        c.punct(',');
        const e = expr(widthOf(l));
        c.punct(',');
        s = { kind: 'cmpxchg', loc: l, expected: e, value: expr(widthOf(l)), order: raw.variant as 'full', ...r };
        break;
      }
    }
    c.punct(')');
    return s;
  };
  const assign = (reg: Token): void => {
    c.punct('=');
    if (c.is('number') || (c.is('ident') && regs.includes(c.peek().text))) {
      throw unsupported(file, c.peek(), 'register-to-register or constant assignments (r = 1;)');
    }
    if (c.is('punct', '*')) throw unsupported(file, c.peek(), 'plain C accesses (r = *x; LKMM plain accesses)');
    const s = call(reg.text);
    if (pointers.includes(reg.text) && s.kind !== 'load')
      throw expected(
        file,
        reg,
        `an int register for ${s.kind} (a pointer register holds only a loaded pointer)`,
        `the pointer register '${reg.text}'`,
      );
    stmts.push(s);
    assigned.add(reg.text);
    if (pointers.includes(reg.text)) holding.add(reg.text);
  };
  const rmwPending = (found: string): void => {
    if (before !== undefined)
      throw rmwOnly(before, `right before an atomic RMW (xchg(), cmpxchg(), atomic_inc() …) of ${proc}`, found);
  };
  /** `{ … }` or one statement: the then or else branch of an if */
  const branch = (): RawStmt[] => {
    const outer = stmts;
    const held = holding;
    holding = new Set(held);
    stmts = [];
    if (c.accept('punct', '{')) {
      while (!c.accept('punct', '}')) {
        if (c.is('eof')) throw c.error(`'}' closing a branch of an if of ${proc}`);
        statement();
      }
    } else statement();
    rmwPending('it last in a branch of an if');
    const inner = stmts;
    stmts = outer;
    holding = held;
    return inner;
  };
  /**
   * `if (r0)`, `if (!r0)`, `if (r0 == 1)`, `if (r0 != 1)`, then a statement or
   * a block, optionally `else` (LB+ctrlonceonce+mbonceonce, locking/DCL-*).
   * A branch only: the control dependency orders nothing here (raw.ts).
   */
  const ifStmt = (): void => {
    const form = '(if (r0), if (!r0), if (r0 == 1), if (r0 != 1))';
    c.expect('punct', '(', `'(' ${form}`);
    const neg = c.accept('punct', '!');
    const r = c.peek();
    if (r.kind !== 'ident' || !regs.includes(r.text))
      throw c.error(`a register of ${proc} (${regs.join(', ') || 'none declared'}) compared with an integer ${form}`);
    c.next();
    if (!assigned.has(r.text)) throw expected(file, r, `a register assigned before use`, `'${r.text}'`);
    if (pointers.includes(r.text)) throw unsupported(file, r, `a test of a pointer register (if (${r.text}))`);
    let test: '==' | '!=' = neg ? '==' : '!=';
    let value = 0n;
    if (!neg && (c.is('punct', '==') || c.is('punct', '!='))) {
      test = c.next().text as '==' | '!=';
      const w = widths.get(r.text)!;
      value = fit(c.number(), w, file, `${r.text} is ${w}-bit`);
    }
    c.expect('punct', ')', `')' ${form}`);
    rmwPending('it before an if');
    const then = branch();
    const otherwise = c.accept('ident', 'else') ? branch() : [];
    stmts.push({ kind: 'if', reg: r.text, test, value, then, else: otherwise });
  };
  /** One statement of a body or branch, into `stmts`. */
  function statement(): void {
    if (c.is('ident', 'if'))
      return c.nested("if statements ('if')", () => {
        c.next();
        ifStmt();
      });
    if ((c.is('ident', 'rcu_read_lock') || c.is('ident', 'rcu_read_unlock')) && c.peek(1).text === '(') {
      // LKMM orders nothing by a read-side critical section without a grace period (rcu-order needs one; the
      // grace periods, synchronize_rcu, are refused): dropped
      rmwPending(`it before ${c.peek().text}()`);
      c.next();
      c.punct('(');
      c.punct(')');
      c.punct(';');
      return;
    }
    if (c.is('punct', '(') && c.peek(1).text === 'void' && c.peek(2).text === ')') {
      // `(void)atomic_add_unless(v, 1, 0);`: the value is dropped
      c.next();
      c.next();
      c.next();
      stmts.push(call(undefined));
      c.punct(';');
      return;
    }
    unsupportedAt(c);
    if (c.is('punct', '*')) throw unsupported(file, c.peek(), 'plain C accesses (*x = e; LKMM plain accesses)');
    const w = typeName(c);
    if (w !== undefined) {
      // a register declaration: int r0; int r0 = READ_ONCE(*x); int r0, r1;
      for (;;) {
        // `int *r0;`: a pointer register (it holds an address loaded from a pointer location)
        const pointer = c.accept('punct', '*');
        if (c.is('punct', '*')) throw unsupported(file, c.peek(), 'pointers to pointers');
        const r = c.ident('a register name');
        if (regs.includes(r.text)) throw expected(file, r, 'a new register name', `'${r.text}' again`);
        if (params.has(r.text)) throw expected(file, r, 'a register name that is not a parameter', `'${r.text}'`);
        regs.push(r.text);
        widths.set(r.text, pointer ? 64 : w);
        if (pointer) pointers.push(r.text);
        if (c.is('punct', '=')) assign(r);
        if (c.accept('punct', ';')) break;
        c.punct(',');
      }
      return;
    }
    const t = c.peek();
    if (t.kind === 'ident' && regs.includes(t.text) && c.peek(1).text === '=') {
      c.next();
      assign(t);
    } else if (t.kind === 'ident' && c.peek(1).text === '=' && own(RAW_INSTRUCTIONS, t.text) === undefined) {
      throw expected(file, t, `a declared register (int ${t.text};)`, `'${t.text}'`);
    } else {
      stmts.push(call(undefined));
    }
    c.punct(';');
  }
  for (;;) {
    if (c.accept('punct', '}')) {
      rmwPending('it last');
      break;
    }
    if (c.is('eof')) throw c.error(`'}' closing the body of ${proc}`);
    statement();
  }
  return { cpu: { name: proc, stmts, regs, ...(pointers.length > 0 ? { pointers } : {}) }, widths };
}
