import type { Execution, Instr, Location, LocationTable, MachineSpec, Program, RmwOrder, Width } from '../machine';
import {
  LocationTable as Table,
  READ_ONCE,
  atomic_update,
  WRITE_ONCE,
  cmpxchg,
  smp_load_acquire,
  smp_mb,
  smp_rmb,
  smp_store_release,
  smp_wmb,
  spin_lock,
  spin_trylock,
  spin_unlock,
  widthMask,
  xchg,
  byCodeUnit,
  pick,
} from '../machine';
import type { Cond, Quantifier } from './ast';
import { condAtoms, evalCond, printCond } from './cond';

/**
 * Raw programs: the litmus-style part of the scenario language and the form
 * C litmus tests are imported into. One statement is one instruction of the
 * kernel vocabulary on a named location; registers are per-CPU locals.
 */
export type RawExpr =
  | { readonly kind: 'const'; readonly value: bigint }
  | { readonly kind: 'reg'; readonly name: string }
  /** the address of a location (an imported litmus test's `rcu_assign_pointer(*y, x)`: rawAddress) */
  | { readonly kind: 'addr'; readonly name: string };

/**
 * A load or store whose address is a pointer register (`READ_ONCE(*r0)`, imported litmus tests): `loc` names the
 * register, whose value — a location's rawAddress — says which location it accesses when it runs. The access is
 * address-dependent on the load that wrote the register (LKMM's `addr`): under weak a load reads no older message
 * than that load's carries, a store is placed in coherence order after what it read.
 */
export interface RawVia {
  readonly via?: true;
}

/** Whether `s` accesses memory through a pointer register (RawVia: its `loc` names the register). */
export const throughPointer = (
  s: RawStmt,
): s is Extract<RawStmt, { kind: 'load' | 'store' }> & { readonly via: true } =>
  (s.kind === 'load' || s.kind === 'store') && s.via === true;

export type RawStmt =
  | ({ readonly kind: 'load'; readonly reg?: string; readonly loc: string; readonly how: 'once' | 'acquire' } & RawVia)
  | ({
      readonly kind: 'store';
      readonly loc: string;
      readonly value: RawExpr;
      readonly how: 'once' | 'release';
    } & RawVia)
  | { readonly kind: 'fence'; readonly fence: 'rmb' | 'wmb' | 'mb' }
  /** spin_lock / spin_unlock of a lock location (imported litmus tests: `spinlock_t *l`, initially unlocked) */
  | { readonly kind: 'lock' | 'unlock'; readonly loc: string }
  /** `r = spin_trylock(l)`: 1 when it took the lock, 0 when it was held */
  | { readonly kind: 'trylock'; readonly reg?: string; readonly loc: string }
  /**
   * `r = spin_is_locked(l)`: a plain read of the lock word, 1 when it reads a held lock (LKMM lock.cat: an RL or RU
   * event, a read that orders nothing)
   */
  | { readonly kind: 'islocked'; readonly reg?: string; readonly loc: string }
  | {
      readonly kind: 'xchg' | 'cmpxchg';
      readonly reg?: string;
      readonly loc: string;
      /** cmpxchg only */
      readonly expected?: RawExpr;
      readonly value: RawExpr;
      readonly order: RmwOrder;
    }
  /**
   * An LKMM atomic_t read-modify-write (imported litmus tests): `op` applied to
   * the location with `value` (`add_unless`: add `value` unless the old value is
   * `unless`, else store nothing); the register gets what `returns` says.
   */
  | {
      readonly kind: 'atomic';
      /** the kernel function, as written (atomic_fetch_add_acquire) */
      readonly name: string;
      readonly reg?: string;
      readonly loc: string;
      readonly op: AtomicOp;
      readonly value: RawExpr;
      /** add_unless only */
      readonly unless?: RawExpr;
      readonly returns: AtomicReturn;
      readonly order: RmwOrder;
    }
  /**
   * `if (r == c) { … } else { … }` (imported litmus tests; `if (r)` is `r != 0`):
   * a branch on a register: under weak a store in the branch is placed in
   * coherence order after what the load into that register read (its
   * Instr `after`, LKMM's rwdep; S+wmb+ctrl is Never); no load is ordered by
   * it (README Limitations); sc and tso keep program order.
   */
  | {
      readonly kind: 'if';
      readonly reg: string;
      readonly test: '==' | '!=';
      readonly value: bigint;
      readonly then: readonly RawStmt[];
      readonly else: readonly RawStmt[];
    };

/** A raw statement that is one instruction (every kind but `if`). */
export type RawInstrStmt = Exclude<RawStmt, { kind: 'if' }>;

export type AtomicOp = 'add' | 'sub' | 'and' | 'or' | 'xor' | 'andnot' | 'add_unless';
/**
 * What an atomic_t RMW returns: `new` (_return), `old` (fetch_), `zero`
 * (_and_test: new == 0), `negative` (add_negative: new < 0 as a signed
 * value), `added` (add_unless: 1 when it stored), `none` (the void forms).
 */
export type AtomicReturn = 'new' | 'old' | 'zero' | 'negative' | 'added' | 'none';

/** The new value of an atomic_t RMW, or null when it stores nothing (a failed add_unless). */
export function atomicNext(op: AtomicOp, old: bigint, value: bigint, unless: bigint, width: Width): bigint | null {
  const m = widthMask(width);
  switch (op) {
    case 'add':
      return (old + value) & m;
    case 'sub':
      return (old - value) & m;
    case 'and':
      return old & value;
    case 'or':
      return (old | value) & m;
    case 'xor':
      return (old ^ value) & m;
    case 'andnot':
      return old & ~value & m;
    case 'add_unless':
      return old === unless ? null : (old + value) & m;
  }
}

/** The register value of an atomic_t RMW that read `old`. */
export function atomicResult(
  s: Extract<RawStmt, { kind: 'atomic' }>,
  old: bigint,
  value: bigint,
  unless: bigint,
  width: Width,
): bigint {
  const next = atomicNext(s.op, old, value, unless, width);
  switch (s.returns) {
    case 'old':
    case 'none':
      return old;
    case 'new':
      return next ?? old;
    case 'zero':
      return next === 0n ? 1n : 0n;
    case 'negative':
      return next !== null && (next >> BigInt(width - 1)) & 1n ? 1n : 0n;
    case 'added':
      return next === null ? 0n : 1n;
  }
}

export interface RawLocation {
  readonly name: string;
  readonly width: Width;
  /** a pointer location's initial value is a rawAddress */
  readonly initial: bigint;
  /** holds a location's address (`int **y` in an imported litmus test): its values print as location names */
  readonly pointer?: boolean;
}

/**
 * The value of a pointer to the location with machine id `id` (imported litmus tests: `y=x;`, `rcu_assign_pointer(*y,
 * x)`): above any 32-bit value. A state prints a pointer variable's value back as the location's name, as herd7 does
 * (`1:r0=x;`); the importer's type checks keep addresses in pointer variables and everything else out of them.
 */
export const ADDRESS_BASE = 0x7ad0_0000_0000_0000n;
export const rawAddress = (id: number): bigint => ADDRESS_BASE + BigInt(id);

/** The location of a raw test whose rawAddress `v` is (the test's locations are the machine's, in order), if any. */
export const rawPointee = (t: RawTest, v: bigint): RawLocation | undefined =>
  v >= ADDRESS_BASE ? t.locations[Number(v - ADDRESS_BASE)] : undefined;

/** The raw vocabulary: instruction name → how a call of it reads (for parsers and "did you mean"). */
export const RAW_INSTRUCTIONS: Readonly<
  Record<string, { readonly stmt: 'load' | 'store' | 'fence' | 'xchg' | 'cmpxchg'; readonly variant: string }>
> = {
  READ_ONCE: { stmt: 'load', variant: 'once' },
  smp_load_acquire: { stmt: 'load', variant: 'acquire' },
  WRITE_ONCE: { stmt: 'store', variant: 'once' },
  smp_store_release: { stmt: 'store', variant: 'release' },
  smp_rmb: { stmt: 'fence', variant: 'rmb' },
  smp_wmb: { stmt: 'fence', variant: 'wmb' },
  smp_mb: { stmt: 'fence', variant: 'mb' },
  xchg: { stmt: 'xchg', variant: 'full' },
  xchg_relaxed: { stmt: 'xchg', variant: 'relaxed' },
  xchg_acquire: { stmt: 'xchg', variant: 'acquire' },
  xchg_release: { stmt: 'xchg', variant: 'release' },
  cmpxchg: { stmt: 'cmpxchg', variant: 'full' },
  cmpxchg_relaxed: { stmt: 'cmpxchg', variant: 'relaxed' },
  cmpxchg_acquire: { stmt: 'cmpxchg', variant: 'acquire' },
  cmpxchg_release: { stmt: 'cmpxchg', variant: 'release' },
};

/**
 * A statement's operand: a constant, this CPU's register so far (0 before it is written), or a location's address,
 * cut to the location's width (an address is stored only into a 64-bit pointer location: the importer checks it).
 */
function rawValue(
  e: RawExpr,
  loc: Location,
  regs: ReadonlyMap<string, bigint>,
  locs?: ReadonlyMap<string, Location>,
): bigint {
  const v =
    e.kind === 'const' ? e.value : e.kind === 'reg' ? (regs.get(e.name) ?? 0n) : rawAddress(located(locs, e.name).id);
  return v & widthMask(loc.width);
}

function located(locs: ReadonlyMap<string, Location> | undefined, name: string): Location {
  const l = locs?.get(name);
  if (l === undefined) throw new Error(`[ptefuzz internal bug] raw program names no location ${name}`);
  return l;
}

/**
 * The location a raw access runs on: its own, or — an access through a pointer register (RawVia) — the one whose
 * rawAddress the register holds (the importer lets a pointer register hold only addresses, assigned before use).
 */
function accessed(
  s: RawInstrStmt,
  locs: ReadonlyMap<string, Location>,
  regs: ReadonlyMap<string, bigint>,
): Location | undefined {
  if (!('loc' in s)) return undefined;
  if (!throughPointer(s)) return located(locs, s.loc);
  const l = pointee(locs, regs.get(s.loc));
  if (l === undefined) throw new Error(`[ptefuzz internal bug] pointer register ${s.loc} holds no location's address`);
  return l;
}

/** The location whose rawAddress `v` is, if any. */
function pointee(locs: ReadonlyMap<string, Location>, v: bigint | undefined): Location | undefined {
  for (const l of locs.values()) if (rawAddress(l.id) === v) return l;
  return undefined;
}

/**
 * What a CPU's stores may depend on (LKMM's rwdep: a store control- or data-dependent on a load): each register
 * that holds a loaded value → the `dep` name of that load (a register written otherwise holds no dependency here).
 */
export interface RawDeps {
  readonly of: Map<string, string>;
  loads: number;
}

/**
 * One instruction of a raw statement, given the registers so far, `ctrl` (the `dep` names of the loads whose
 * registers the enclosing ifs test) and `deps` (RawDeps). A load into a register gets a fresh `dep` name; a store is
 * `after` the loads it depends on — `ctrl` and the load of the register it writes, if any: under weak it is placed in
 * coherence order after what they read.
 */
export function rawInstr(
  s: RawInstrStmt,
  loc: Location,
  regs: ReadonlyMap<string, bigint>,
  ctrl: readonly string[] = [],
  deps: RawDeps = { of: new Map(), loads: 0 },
  locs?: ReadonlyMap<string, Location>,
): Instr {
  const val = (e: RawExpr): bigint => rawValue(e, loc, regs, locs);
  // an access through a pointer register depends on the load that wrote the register (LKMM's addr)
  const addr = throughPointer(s) ? deps.of.get(s.loc) : undefined;
  /** a read into `reg`: a fresh `dep` name, which the accesses that use the register depend on */
  const named = (read: Instr, reg: string | undefined): Instr => {
    if (reg === undefined) return read;
    const dep = `${reg}#${deps.loads++}`;
    deps.of.set(reg, dep);
    return { ...read, dep } as Instr;
  };
  switch (s.kind) {
    case 'load': {
      const load = s.how === 'acquire' ? smp_load_acquire(loc) : READ_ONCE(loc);
      // a load is ordered by its address dependency only (LKMM: no ctrl or data dependency orders a read)
      return named(addr === undefined ? load : ({ ...load, after: [addr] } as Instr), s.reg);
    }
    case 'store': {
      const store = s.how === 'release' ? smp_store_release(loc, val(s.value)) : WRITE_ONCE(loc, val(s.value));
      const data = s.value.kind === 'reg' ? deps.of.get(s.value.name) : undefined;
      const after = [...ctrl, ...(data === undefined ? [] : [data]), ...(addr === undefined ? [] : [addr])];
      return after.length === 0 ? store : ({ ...store, after } as Instr);
    }
    case 'fence':
      return s.fence === 'rmb' ? smp_rmb() : s.fence === 'wmb' ? smp_wmb() : smp_mb();
    case 'xchg':
      return xchg(loc, val(s.value), s.order);
    case 'cmpxchg':
      return cmpxchg(loc, val(s.expected!), val(s.value), s.order);
    case 'lock':
      return spin_lock(loc);
    case 'unlock':
      return spin_unlock(loc);
    case 'trylock':
      return spin_trylock(loc);
    case 'islocked':
      // its register holds a value computed from the read: a later store of it depends on it
      return named({ ...READ_ONCE(loc), name: 'spin_is_locked' } as Instr, s.reg);
    case 'atomic': {
      const v = val(s.value);
      const u = s.unless ? val(s.unless) : 0n;
      return atomic_update(s.name, loc, (old) => atomicNext(s.op, old, v, u, loc.width), s.order);
    }
  }
}

/**
 * Each statement of a raw program, its ifs' branches included, → its rank in a preorder walk (then before else): the
 * `po` of its events. A statement after an if ranks after every statement of both branches.
 */
export function programPositions(stmts: readonly RawStmt[], into = new Map<RawStmt, number>()): Map<RawStmt, number> {
  for (const s of stmts) {
    into.set(s, into.size);
    if (s.kind === 'if') {
      programPositions(s.then, into);
      programPositions(s.else, into);
    }
  }
  return into;
}

/** Run raw statements on a CPU; `regs` is updated in place. */
export function* runRaw(
  stmts: readonly RawStmt[],
  locs: ReadonlyMap<string, Location>,
  regs: Map<string, bigint>,
  /** the `dep` names of the loads whose registers the enclosing ifs test (the statements' control dependencies) */
  ctrl: readonly string[] = [],
  /** this CPU's RawDeps, updated in place */
  deps: RawDeps = { of: new Map(), loads: 0 },
  /** the CPU's whole program's programPositions (the top call computes them) */
  at: ReadonlyMap<RawStmt, number> = programPositions(stmts),
): Program<void> {
  const hoisted = new Set<number>();
  // a pointer register's target now, for the accesses through it that runAhead passes or runs ahead
  const target = (reg: string): string | undefined => pointee(locs, regs.get(reg))?.name;
  /** the instruction of `s`, with its place in the program (Instr `po`) */
  const placed = (s: RawStmt, ins: Instr, ahead?: true): Instr =>
    ({ ...ins, po: at.get(s)!, ...(ahead ? { ahead } : {}) }) as Instr;
  for (let k = 0; k < stmts.length; k++) {
    if (hoisted.has(k)) continue;
    const s = stmts[k]!;
    // load buffering: under weak, the next store nothing orders after this read may run first (runAhead)
    // the stores offered here and kept in place: a later store may still run ahead past them
    const declined = new Set<number>();
    for (
      let h = runAhead(stmts, k, hoisted, target, declined);
      h !== undefined;
      h = runAhead(stmts, k, hoisted, target, declined)
    ) {
      const w = stmts[h.at] as Extract<RawStmt, { kind: 'store' }>;
      const what = [
        ...h.loads.map((l) => `${describeAccess(stmts[l] as RawAccess)}; `),
        ...h.wmbs.map(() => 'smp_wmb(); '),
        describeAccess(w),
      ].join('');
      const of = s.kind === 'if' ? `if (${s.reg} …)` : describeAccess(s as RawAccess);
      if ((yield pick(`${what} ahead of ${of}`, 2, true)) === 0n) {
        // kept in place, a store with no loads to run ahead leaves no later store anything to gain (their stores
        // run ahead in program order); one with loads keeps its loads in place too, late enough to read a store
        // another CPU makes after it reads the later store — which then runs ahead past them (runAhead `declined`)
        if (h.loads.length === 0) break;
        declined.add(h.at);
        continue;
      }
      // the loads of its location it passes run ahead first, in program order (it stays after them: coherence), then
      // the smp_wmb()s it passes (they still order the CPU's earlier stores before it), then the store
      for (const x of [...h.loads, ...h.wmbs, h.at]) {
        hoisted.add(x);
        yield* step(stmts[x] as Exclude<RawStmt, { kind: 'if' }>, true);
      }
    }
    if (s.kind === 'if') {
      const v = regs.get(s.reg) ?? 0n;
      const on = deps.of.get(s.reg);
      const inner = on === undefined ? ctrl : [...ctrl, on];
      yield* runRaw((s.test === '==') === (v === s.value) ? s.then : s.else, locs, regs, inner, deps, at);
      continue;
    }
    yield* step(s);
  }

  /** Run one statement (no `if`), `ahead` of program order or not, and write its register. */
  function* step(s: Exclude<RawStmt, { kind: 'if' }>, ahead?: true): Program<void> {
    const loc = accessed(s, locs, regs);
    // an atomic_t RMW's operands are read before it runs (registers of this CPU)
    const operands =
      s.kind === 'atomic' ? [rawValue(s.value, loc!, regs), s.unless ? rawValue(s.unless, loc!, regs) : 0n] : [];
    const v = yield placed(s, rawInstr(s, loc ?? FENCE_LOC, regs, ctrl, deps, locs), ahead);
    if (!('reg' in s) || s.reg === undefined) return;
    // a register written by anything but a load holds no load's value any more
    if (s.kind !== 'load' && s.kind !== 'islocked') deps.of.delete(s.reg);
    // spin_trylock returns whether it took the lock; its RMW resumes with the old lock value
    if (s.kind === 'trylock') regs.set(s.reg, v === 0n ? 1n : 0n);
    else if (s.kind === 'islocked') regs.set(s.reg, v !== 0n ? 1n : 0n);
    else if (s.kind === 'atomic') regs.set(s.reg, atomicResult(s, v, operands[0]!, operands[1]!, loc!.width));
    else regs.set(s.reg, v);
  }
}

const FENCE_LOC: Location = { id: -1, name: '', width: 64 };

/** The accesses of a raw program (lock operations aside): what the `Warning:` check pairs and pick names name. */
export type RawAccess = Extract<RawStmt, { kind: 'load' | 'store' | 'xchg' | 'cmpxchg' | 'atomic' | 'islocked' }>;

/** A read a store may run ahead of (LKMM orders nothing after it): a plain load, spin_is_locked(), a relaxed RMW. */
const unorderedRead = (
  s: RawStmt,
): s is Extract<RawAccess, { kind: 'load' | 'xchg' | 'cmpxchg' | 'atomic' | 'islocked' }> =>
  (s.kind === 'load' && s.how === 'once') ||
  s.kind === 'islocked' ||
  ((s.kind === 'xchg' || s.kind === 'cmpxchg' || s.kind === 'atomic') && s.order === 'relaxed');

/**
 * The store that may run ahead of the read `stmts[k]` (load buffering, LKMM's unordered R→W: nothing in ppo orders
 * them) — a plain load or a relaxed RMW (`xchg_relaxed`, `cmpxchg_relaxed`, a void `atomic_inc`…, `spin_is_locked`),
 * or an `if` whose branches hold such a read —, else none: the first statement after k not yet run that is no such
 * read, `smp_rmb()` (it orders reads only), `smp_wmb()`, passable `if` or store that stays, when it is a plain store
 * (`WRITE_ONCE`: a release is ordered after everything before it) whose value is no register a passed read wrote (a
 * data dependency; its value is not known yet), to a location the statements from k up to it do not access, or
 * access only by plain loads after k and before any `smp_rmb()` (`loads`: LKMM orders the store after those — CoRW —
 * but not after the read at k, so they run ahead first, in program order, when no other statement passed reads or
 * writes their registers; the store's value may be one of theirs). A store that cannot run ahead — a release, one
 * those rules keep, one offered with loads and `declined` — stays, and the search passes it: LKMM orders it after
 * the reads, not a later store to another location after it (its location counts as accessed otherwise, and an
 * `smp_wmb()` after it stops the search, as after a store of a passed if). `wmbs`: the `smp_wmb()`s between —
 * they order stores only, so they run ahead with the store, just before it, and still order the CPU's earlier
 * stores before it —, unless a relaxed RMW (whose write an `smp_wmb()` after it orders) or a store that stays lies
 * before one. An `if` is passed when everything in its branches is such a read, `smp_rmb()`, a plain store, or an
 * `if` passed in turn: the store after it is not control-dependent on it (LKMM orders only the stores inside), it
 * goes before the branches' stores (LKMM orders no two stores to different locations without a barrier), and its
 * event records its place in the program (Instr `po`), so the branch taken later does not matter. `smp_mb()`, an
 * acquire, a fully ordered or release RMW, a lock operation, or an `if` holding another statement stops the search
 * (each orders the store, or may; what this leaves out, README Limitations); a store already run ahead is passed
 * over (two stores to one location keep their order). An access through a pointer register (RawVia), in between or as the store,
 * counts as an access of the location `target` says the register points to now — when the statements passed do not
 * write the register (a store through it is then address-dependent on one of them, which orders it, and a load's
 * location is not known yet) and `target` is given (runRaw: the register's value; the static Warning check has none,
 * so there it stops the search); inside a passed if it stops it.
 */
export function runAhead(
  stmts: readonly RawStmt[],
  k: number,
  hoisted: ReadonlySet<number>,
  target?: (reg: string) => string | undefined,
  /** stores offered with loads and kept in place (runRaw): each stays, and the search passes it */
  declined: ReadonlySet<number> = new Set(),
): { readonly at: number; readonly wmbs: readonly number[]; readonly loads: readonly number[] } | undefined {
  const first = stmts[k]!;
  if (!unorderedRead(first) && !(first.kind === 'if' && holdsRead(first))) return undefined;
  const read = new Set<string>();
  /** the passed reads' registers, each with the statements that write it */
  const wrote = new Map<string, number[]>();
  const wmbs: number[] = [];
  /** per location, the plain loads of it passed that may run ahead with a store of it (the result's `loads`) */
  const loadsOf = new Map<string, number[]>();
  /** the locations some other passed access reads or writes: the read at k, an RMW, an if's, a store that stays */
  const fixed = new Set<string>();
  let rmw = false;
  let stored = false;
  let rmb = false;
  /** a store that does not run ahead: a later store passes it, and an `smp_wmb()` after it stops the search */
  const stay = (loc: string): void => {
    read.add(loc);
    fixed.add(loc);
    stored = true;
  };
  /** a read the store passes (the `m`th statement; -1 in an if): its location and register */
  const passRead = (
    s: Extract<RawAccess, { kind: 'load' | 'xchg' | 'cmpxchg' | 'atomic' | 'islocked' }>,
    loc: string,
    m = -1,
  ): void => {
    read.add(loc);
    if (s.reg !== undefined) wrote.set(s.reg, [...(wrote.get(s.reg) ?? []), m]);
    if (s.kind !== 'load' && s.kind !== 'islocked') rmw = true;
    // a plain load after k, not after an smp_rmb() (which orders it after the read at k), may run ahead
    if (m > k && s.kind === 'load' && !throughPointer(s) && !rmb) loadsOf.set(loc, [...(loadsOf.get(loc) ?? []), m]);
    else fixed.add(loc);
  };
  /** the loads a store to `loc` of register `value` runs ahead with, or undefined when it cannot run ahead */
  const ahead = (m: number, loc: string, value: string | undefined): readonly number[] | undefined => {
    if (fixed.has(loc)) return undefined;
    const loads = read.has(loc) ? loadsOf.get(loc)! : [];
    // a load run ahead writes its register early: nothing else passed may read or write it
    for (const l of loads) {
      const reg = (stmts[l] as Extract<RawStmt, { kind: 'load' }>).reg;
      if (reg !== undefined && stmts.slice(k, m).some((x, i) => k + i !== l && mentions(x, reg))) return undefined;
    }
    // its value: no register a read it does not run ahead with wrote (a data dependency)
    if (value !== undefined && (wrote.get(value) ?? []).some((w) => !loads.includes(w))) return undefined;
    return loads;
  };
  /** whether the store may pass everything in an if's branches (what they access and write then counts as passed) */
  const passIf = (s: Extract<RawStmt, { kind: 'if' }>): boolean =>
    [...s.then, ...s.else].every((b) => {
      if (b.kind === 'if') return passIf(b);
      if (throughPointer(b)) return false;
      if (unorderedRead(b)) return (passRead(b, b.loc), true);
      if (b.kind === 'fence' && b.fence === 'rmb') return true;
      if (b.kind !== 'store' || b.how !== 'once') return false;
      stay(b.loc);
      return true;
    });
  for (let m = k; m < stmts.length; m++) {
    if (hoisted.has(m)) continue;
    const s = stmts[m]!;
    if (s.kind === 'if') {
      if (!passIf(s)) return undefined;
      continue;
    }
    // the location an access through a pointer register accesses, when it is known now
    const loc = !throughPointer(s) ? ('loc' in s ? s.loc : '') : wrote.has(s.loc) ? undefined : target?.(s.loc);
    if (loc === undefined) return undefined;
    if (unorderedRead(s)) {
      passRead(s, loc, m);
      continue;
    }
    // smp_wmb() orders stores only: it runs ahead with the store, before it — unless an RMW or a store before it,
    // whose write it orders before the store, has not run
    if (s.kind === 'fence' && s.fence === 'wmb') {
      if (rmw || stored) return undefined;
      wmbs.push(m);
      continue;
    }
    // smp_rmb() orders reads only; the store's place follows the CPU's write floor, which it leaves (weak.ts) — but
    // it orders the loads after it after the read at k
    if (s.kind === 'fence' && s.fence === 'rmb') {
      rmb = true;
      continue;
    }
    if (s.kind !== 'store') return undefined;
    const loads =
      s.how === 'once' && !declined.has(m)
        ? ahead(m, loc, s.value.kind === 'reg' ? s.value.name : undefined)
        : undefined;
    if (loads !== undefined) return { at: m, wmbs, loads };
    // a store that cannot go — a release, one of a location passed, one of a register a passed read wrote — stays,
    // and a later store passes it: LKMM orders no two stores to different locations, nor a store after a release
    stay(loc);
  }
  return undefined;
}

/** Whether `s` (or a statement in its branches) reads or writes register `reg`. */
function mentions(s: RawStmt, reg: string): boolean {
  const expr = (e: RawExpr | undefined): boolean => e?.kind === 'reg' && e.name === reg;
  switch (s.kind) {
    case 'if':
      return s.reg === reg || [...s.then, ...s.else].some((b) => mentions(b, reg));
    case 'fence':
    case 'lock':
    case 'unlock':
      return false;
    case 'store':
      return (throughPointer(s) && s.loc === reg) || expr(s.value);
    case 'load':
      return s.reg === reg || (throughPointer(s) && s.loc === reg);
    case 'trylock':
    case 'islocked':
      return s.reg === reg;
    case 'xchg':
    case 'cmpxchg':
      return s.reg === reg || expr(s.value) || expr(s.expected);
    case 'atomic':
      return s.reg === reg || expr(s.value) || expr(s.unless);
  }
}

/** Whether an if's branches hold a read a store could run ahead of (runAhead may start at it). */
const holdsRead = (s: Extract<RawStmt, { kind: 'if' }>): boolean =>
  [...s.then, ...s.else].some((b) => unorderedRead(b) || (b.kind === 'if' && holdsRead(b)));

/** `READ_ONCE(*x)`, `WRITE_ONCE(*y, …)`, `xchg_relaxed(z, …)`, … as a litmus test writes them. */
export function describeAccess(s: RawAccess): string {
  switch (s.kind) {
    case 'load':
      return s.how === 'acquire' ? `smp_load_acquire(${s.loc})` : `READ_ONCE(*${s.loc})`;
    case 'store':
      return s.how === 'release' ? `smp_store_release(${s.loc}, …)` : `WRITE_ONCE(*${s.loc}, …)`;
    case 'xchg':
    case 'cmpxchg':
      return `${s.kind}${s.order === 'full' ? '' : `_${s.order}`}(${s.loc}, …)`;
    case 'islocked':
      return `spin_is_locked(${s.loc})`;
    case 'atomic':
      // atomic_inc(v), atomic_add(i, v), atomic_add_unless(v, a, u) (linux-kernel.def's argument orders)
      return /inc|dec/.test(s.name)
        ? `${s.name}(${s.loc})`
        : s.op === 'add_unless'
          ? `${s.name}(${s.loc}, …)`
          : `${s.name}(…, ${s.loc})`;
  }
}

export interface RawCpu {
  readonly name: string;
  readonly stmts: readonly RawStmt[];
  /** registers in order of first assignment (declared first, in a C litmus test) */
  readonly regs: readonly string[];
  /** the registers that hold addresses (`int *r0;`): their values print as location names */
  readonly pointers?: readonly string[];
}

/** A state variable of the `States` block: a register of a CPU, or a location's final value. */
export interface Observed {
  readonly cpu?: number;
  readonly name: string;
}

/**
 * A raw test: locations, one raw program per CPU, a herd7 condition. What
 * `ptefuzz litmus` and `explore --scenario x.litmus` enumerate.
 */
export interface RawTest {
  readonly name: string;
  readonly locations: readonly RawLocation[];
  readonly cpus: readonly RawCpu[];
  readonly quantifier: Quantifier;
  readonly cond: Cond;
  /** what each state line shows: the condition's variables (and `locations [...]`), herd7's order */
  readonly observed: readonly Observed[];
  /** CPU name (as written in the condition) → index */
  readonly cpuIndex: ReadonlyMap<string, number>;
  /** `expect MODEL never|sometimes|always` lines */
  readonly expect: ReadonlyMap<string, string>;
  /**
   * herd7's `filter (…)` (imported litmus tests): only the executions whose final state satisfies it are states,
   * witnesses and counted executions; the others are dropped, as herd7 drops them (rawKept)
   */
  readonly filter?: Cond;
}

export function rawMachine(t: RawTest): MachineSpec & { readonly table: LocationTable } {
  const table = new Table();
  const locs = new Map<string, Location>();
  for (const l of t.locations) {
    const loc = table.add(l.name, l.width, l.initial);
    // a pointer's value is rawAddress(id): the importer computed the initial ones from the locations' order
    if (loc.id !== locs.size) throw new Error(`[ptefuzz internal bug] location ${l.name} got id ${loc.id}`);
    locs.set(l.name, loc);
  }
  return {
    table,
    locations: table,
    cpus: t.cpus.map((c) => ({
      name: c.name,
      program: function* (): Program<bigint[]> {
        const regs = new Map<string, bigint>();
        yield* runRaw(c.stmts, locs, regs);
        return c.regs.map((r) => regs.get(r) ?? 0n);
      },
    })),
  };
}

/** The value of a state variable at the end of an execution (undefined: the CPU did not finish). */
function lookup(t: RawTest, exec: Execution, o: Observed): bigint | undefined {
  if (o.cpu === undefined) {
    const i = t.locations.findIndex((l) => l.name === o.name);
    return i < 0 ? undefined : exec.final[i];
  }
  const regs = exec.results[o.cpu];
  if (!Array.isArray(regs)) return undefined;
  const k = t.cpus[o.cpu]!.regs.indexOf(o.name);
  return k < 0 ? 0n : (regs[k] as bigint);
}

/** A `States` line: `0:r0=1; 1:r0=0; x=2;` (an execution stopped by a bound says so; a pointer's value is a name). */
export function rawState(t: RawTest, exec: Execution): string {
  if (exec.outcome.kind !== 'complete') return `bound-hit(${exec.outcome.bound})`;
  return t.observed
    .map((o) => `${o.cpu !== undefined ? `${o.cpu}:` : ''}${o.name}=${valueText(t, o, lookup(t, exec, o))};`)
    .join(' ');
}

/** A state variable's value as herd7 prints it: a pointer's as the name of the location it points to. */
function valueText(t: RawTest, o: Observed, v: bigint | undefined): string {
  if (v === undefined) return '?';
  const pointer =
    o.cpu === undefined
      ? t.locations.some((l) => l.name === o.name && l.pointer === true)
      : (t.cpus[o.cpu]!.pointers ?? []).includes(o.name);
  const to = pointer ? rawPointee(t, v) : undefined;
  return to !== undefined ? to.name : String(v);
}

/**
 * Whether an execution counts under the test's filter: it has none, or the final state satisfies it. An execution a
 * bound stopped has no final state and is kept, to show as `bound-hit` (herd7 has no such executions).
 */
export function rawKept(t: RawTest, exec: Execution): boolean {
  if (t.filter === undefined || exec.outcome.kind !== 'complete') return true;
  return evalCond(t.filter, finalValue(t, exec));
}

/** A condition atom's variable at the end of the execution (`cpu` as the condition writes it). */
const finalValue =
  (t: RawTest, exec: Execution) =>
  (cpu: string | undefined, name: string): bigint | undefined =>
    lookup(t, exec, cpu === undefined ? { name } : { cpu: t.cpuIndex.get(cpu)!, name });

/** Whether the condition's proposition holds at the end of the execution. */
export function rawHolds(t: RawTest, exec: Execution): boolean {
  if (exec.outcome.kind !== 'complete') return false;
  return evalCond(t.cond, finalValue(t, exec));
}

/** `exists (0:r0=1 /\ 1:r0=0)` */
export function rawConditionText(t: RawTest): string {
  return `${t.quantifier} (${printCond(t.cond)})`;
}

/**
 * herd7's order of the observed variables: the condition's registers by CPU
 * then name, then its locations by name, each once; plus `extra` (`locations`).
 */
export function observedOf(
  cond: Cond,
  cpuIndex: ReadonlyMap<string, number>,
  extra: readonly Observed[] = [],
): Observed[] {
  const seen = new Map<string, Observed>();
  for (const a of condAtoms(cond)) {
    const o: Observed = a.cpu === undefined ? { name: a.name } : { cpu: cpuIndex.get(a.cpu)!, name: a.name };
    seen.set(`${o.cpu ?? ''}:${o.name}`, o);
  }
  for (const o of extra) seen.set(`${o.cpu ?? ''}:${o.name}`, o);
  return [...seen.values()].sort((a, b) => {
    if ((a.cpu === undefined) !== (b.cpu === undefined)) return a.cpu === undefined ? 1 : -1;
    return (a.cpu ?? 0) - (b.cpu ?? 0) || byCodeUnit(a.name, b.name);
  });
}
