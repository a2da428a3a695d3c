/**
 * Where the `weak` model can answer "Never" while LKMM answers "Sometimes".
 *
 * `weak` (machine/weak.ts) lets a load read only stores that have executed.
 * LKMM lets a store overtake an earlier read of its CPU whenever nothing
 * orders the two, which is what load buffering (LB+poonceonces) needs; `weak`
 * lets it only where runAhead (raw.ts) does: a plain store, past the plain
 * loads, relaxed RMWs, stores, `smp_rmb()`s, `smp_wmb()`s and `if`s (of reads,
 * `smp_rmb()`s and plain stores) of its own block, none of those accessing its
 * location (but plain loads of it, which run ahead with it) or writing the
 * register it stores. So a raw test whose CPU has any other read (a
 * release RMW's read, a load followed by the store inside an `if`, or with a
 * release RMW, a lock operation, an `smp_mb()`, an `if` holding one, between) followed
 * by a store to another location with nothing
 * ordering them may have LKMM outcomes that `weak` never produces (README
 * Limitations). A store followed by a store, or a read followed by a store
 * whose outcome needs only coherence order (2+2W), is no gap: a store may be
 * placed coherence-before writes its CPU has not seen (WeakModel.place).
 *
 * What orders an earlier read A before a later store W here (LKMM's ppo and
 * fences, tools/memory-model/linux-kernel.cat): A an acquire (smp_load_acquire,
 * an _acquire or fully ordered RMW, spin_lock, spin_trylock); W a release
 * (smp_store_release, a _release or fully ordered RMW, spin_unlock); between
 * them smp_mb(), a fully ordered RMW, smp_wmb() when A is a store, or an
 * unlock followed by a lock (po-unlock-lock-po); W's value read by A (a data
 * dependency); the same location (coherence); `smp_rmb()` then a read that W
 * overwrites or depends on, or W's own read when W is an RMW (hb is transitive:
 * `R x; smp_rmb(); R y; W y` is Never). Lock operations are not paired
 * themselves (reordering a lock word's accesses is left out of the check).
 * A pair is reported only when another CPU writes A's location and another
 * CPU accesses W's: otherwise A's place in coherence order is fixed by program
 * order and `weak` already lets every other CPU read A's location stale, so
 * the reordering could not be observed (a heuristic, not a proof: the warning
 * says "may"). A failed cmpxchg() (or atomic_add_unless()) orders
 * nothing in LKMM; it is counted as ordering here, so the check can miss a gap
 * that only a failing fully ordered cmpxchg() leaves open. atomic_t RMWs
 * (`atomic` statements) are accesses like xchg(): stores, ordered by their
 * `order` (Documentation/atomic_t.txt: value-returning forms fully ordered).
 *
 * `if`: a store inside an if whose condition tests the register a load
 * wrote after that load is control-dependent on it, which LKMM orders
 * (`rwdep = (dep | ctrl) ; [W]` in linux-kernel.cat) — counted as ordering only
 * for stores inside the branch, not after it. Statements of the two branches
 * of one if are never paired, and a fence orders a pair only when it runs
 * whenever the store does (not inside a branch the store is outside of).
 *
 * Pointers (raw.ts RawVia): an access through a pointer register may access
 * any int location whose address the test takes (`y=x;`, a stored `x`), so it
 * counts as an access of each of them; a store whose address or value comes
 * from A's register through loads through pointers (`r0 = READ_ONCE(*y); r1 =
 * READ_ONCE(*r0); WRITE_ONCE(*z, r1)`) is ordered after A (addr ; data).
 */
import type { RawAccess, RawStmt, RawTest } from '../raw';
import { describeAccess, rawPointee, runAhead, throughPointer } from '../raw';

/** The accesses the check pairs: lock operations only order (a lock word is no data), spin_is_locked() included. */
type Access = Exclude<RawAccess, { kind: 'islocked' }>;
type Rmw = Extract<RawStmt, { kind: 'xchg' | 'cmpxchg' | 'atomic' }>;

const isRmw = (s: RawStmt): s is Rmw => s.kind === 'xchg' || s.kind === 'cmpxchg' || s.kind === 'atomic';
const isAccess = (s: RawStmt): s is Access => s.kind === 'load' || s.kind === 'store' || isRmw(s);
const isStore = (s: Access): boolean => s.kind !== 'load';

const acquires = (s: Access): boolean =>
  s.kind === 'load' ? s.how === 'acquire' : isRmw(s) && (s.order === 'acquire' || s.order === 'full');

const releases = (s: Access): boolean =>
  s.kind === 'store' ? s.how === 'release' : s.kind !== 'load' && (s.order === 'release' || s.order === 'full');

const fullRmw = (s: RawStmt): boolean => isRmw(s) && s.order === 'full';

/** The register a store writes, when its value is one. */
const valueReg = (s: Access): string | undefined =>
  s.kind !== 'load' && s.value.kind === 'reg' ? s.value.name : undefined;

/** A statement of a CPU, its if branches flattened into program order. */
interface Flat {
  readonly s: RawStmt;
  /** the branches it is in, outermost first: `3t` (then of the fourth if) or `3e` */
  readonly path: readonly string[];
  /** the enclosing ifs: the register each tests and its own index in the flattened list */
  readonly ctrl: readonly { readonly reg: string; readonly at: number }[];
}

function flatten(
  stmts: readonly RawStmt[],
  path: readonly string[],
  ctrl: Flat['ctrl'],
  out: Flat[],
  ifs: { n: number },
): Flat[] {
  for (const s of stmts) {
    const at = out.length;
    out.push({ s, path, ctrl });
    if (s.kind !== 'if') continue;
    const id = ifs.n++;
    const inner = [...ctrl, { reg: s.reg, at }];
    flatten(s.then, [...path, `${id}t`], inner, out, ifs);
    flatten(s.else, [...path, `${id}e`], inner, out, ifs);
  }
  return out;
}

/** Whether both can run in one execution (not in the two branches of one if). */
const together = (a: Flat, b: Flat): boolean =>
  !a.path.some((p) => b.path.includes(`${p.slice(0, -1)}${p.endsWith('t') ? 'e' : 't'}`));

/** Whether `s` runs whenever `w` does (its branches are among w's). */
const dominates = (s: Flat, w: Flat): boolean => s.path.every((p, i) => w.path[i] === p);

/**
 * Whether something in `between` (the statements strictly between A and W) orders A before W: `smp_mb()`, a fully
 * ordered RMW, an unlock then a lock, or `smp_wmb()` after A when A is a store — or after a store that is itself
 * ordered after A (a release: po-rel; one of A's location: `overwrite & int`; one of A's register: data), since
 * LKMM's hb is transitive.
 */
function fenced(a: Access, between: readonly RawStmt[]): boolean {
  let unlocked = false;
  let storeAfter = isStore(a);
  const reg = a.kind !== 'store' ? a.reg : undefined;
  /** A's register still holds what A read */
  let live = !isStore(a) && reg !== undefined;
  for (const s of between) {
    if (s.kind === 'fence' && (s.fence === 'mb' || (s.fence === 'wmb' && storeAfter))) return true;
    if (fullRmw(s)) return true;
    if (s.kind === 'unlock') unlocked = true;
    else if (unlocked && (s.kind === 'lock' || s.kind === 'trylock')) return true;
    if (isAccess(s) && isStore(s) && !throughPointer(s) && !throughPointer(a))
      if (releases(s) || s.loc === a.loc || (live && valueReg(s) === reg)) storeAfter = true;
    if ('reg' in s && s.reg !== undefined && s.reg === reg) live = false;
  }
  return false;
}

/** Whether W (f[j]) is inside an if after the read f[i] whose condition tests that read's register (LKMM's ctrl). */
const controlDependent = (f: readonly Flat[], i: number, j: number): boolean => {
  const a = f[i]!.s;
  return 'reg' in a && a.reg !== undefined && f[j]!.ctrl.some((k) => k.reg === a.reg && k.at > i);
};

/**
 * Whether W (f[j]) depends on the read A (f[i]) — its value is A's register, or its address or value register was
 * loaded through a pointer that A's register holds, or that such a load's did (LKMM: data, addr ; data, addr ; addr):
 * only loads that run whenever W does pass the dependency on; any other write of a register ends it.
 */
function dependent(f: readonly Flat[], i: number, j: number): boolean {
  const a = f[i]!.s as Access;
  if (a.kind === 'store' || a.reg === undefined) return false;
  const held = new Set([a.reg]);
  for (let m = i + 1; m < j; m++) {
    const s = f[m]!.s;
    if (!('reg' in s) || s.reg === undefined) continue;
    if (s.kind === 'load' && throughPointer(s) && held.has(s.loc) && dominates(f[m]!, f[j]!)) held.add(s.reg);
    else held.delete(s.reg);
  }
  const w = f[j]!.s as Access;
  const value = valueReg(w);
  return (throughPointer(w) && held.has(w.loc)) || (value !== undefined && held.has(value));
}

/** A read that `smp_rmb()` orders (LKMM: `R \ Noreturn`): a load, or an RMW that returns what it read. */
const rmbRead = (s: RawStmt): s is Exclude<Access, { kind: 'store' }> =>
  s.kind === 'load' || s.kind === 'xchg' || s.kind === 'cmpxchg' || (s.kind === 'atomic' && s.returns !== 'none');

/**
 * Whether a read B after A (f[i]) carries the order on to W (f[j]): B after an `smp_rmb()` that follows A (LKMM:
 * `fence` orders two reads), then W after B — B reads W's location (`overwrite & int`: B reads what W overwrites;
 * B may be W's own read when W is an RMW), or W depends on B (data, addr, or W in an if on B's register: `rwdep`).
 * ppo edges chain in hb, which is transitive. B and the `smp_rmb()` must run whenever W does; an RMW with no return
 * value is no read `smp_rmb()` orders, on either side.
 */
function orderedThroughRead(f: readonly Flat[], i: number, j: number): boolean {
  const w = f[j]!.s as Access;
  if (!rmbRead(f[i]!.s)) return false;
  for (let m = i + 1; m <= j; m++) {
    const b = f[m]!.s;
    if (!rmbRead(b) || !dominates(f[m]!, f[j]!)) continue;
    const rmb = f.slice(i + 1, m).some((x) => x.s.kind === 'fence' && x.s.fence === 'rmb' && dominates(x, f[m]!));
    if (!rmb) continue;
    // B of W's location, W itself (an RMW) included
    if (!throughPointer(b) && !throughPointer(w) && b.loc === w.loc) return true;
    if (dependent(f, m, j) || controlDependent(f, m, j)) return true;
  }
  return false;
}

/**
 * Whether weak lets W (f[j]) run ahead of A (f[i]): A in W's block, or inside an if of it (at any depth) before W,
 * and runAhead (raw.ts) — what runRaw offers when A, or the if holding it, is about to run — reaching W over the
 * block's statements between (an if among them with its branches), the block's stores before W run ahead first.
 */
function runsAhead(f: readonly Flat[], i: number, j: number): boolean {
  if (!dominates(f[j]!, f[i]!)) return false;
  const block = f[j]!.path.join(' ');
  const inBlock = (x: Flat): boolean => x.path.join(' ') === block;
  // A itself, or the if of W's block that holds it (flatten lists an if before its branches)
  let start = i;
  while (!inBlock(f[start]!)) start--;
  const stmts = f
    .slice(start, j + 1)
    .filter(inBlock)
    .map((x) => x.s);
  const hoisted = new Set<number>();
  for (let h = runAhead(stmts, 0, hoisted); h !== undefined; h = runAhead(stmts, 0, hoisted)) {
    if (h.at === stmts.length - 1) return true;
    for (const x of [h.at, ...h.loads, ...h.wmbs]) hoisted.add(x);
  }
  return false;
}

/**
 * The first pair of one CPU's statements — a read (a load or an RMW), then a
 * store to another location — that nothing orders and weak does not run the store ahead of, described in one
 * line; undefined when there is none (then `weak` misses no LB outcome).
 */
export function weakStoreReorderGap(t: RawTest): string | undefined {
  const writers = new Map<string, Set<number>>();
  const users = new Map<string, Set<number>>();
  const add = (m: Map<string, Set<number>>, loc: string, cpu: number): void => {
    m.set(loc, (m.get(loc) ?? new Set()).add(cpu));
  };
  const flat = t.cpus.map((cpu) => flatten(cpu.stmts, [], [], [], { n: 0 }));
  // what an access through a pointer may access: every location whose address the test takes
  const pointees = new Set<string>();
  for (const l of t.locations) if (l.pointer === true) pointees.add(rawPointee(t, l.initial)!.name);
  for (const f of flat)
    for (const { s } of f) if (s.kind === 'store' && s.value.kind === 'addr') pointees.add(s.value.name);
  const locsOf = (s: Access): readonly string[] => (throughPointer(s) ? [...pointees] : [s.loc]);
  t.cpus.forEach((_, n) =>
    flat[n]!.forEach(({ s }) => {
      if (!isAccess(s)) return;
      for (const l of locsOf(s)) {
        add(users, l, n);
        if (isStore(s)) add(writers, l, n);
      }
    }),
  );
  const other = (m: Map<string, Set<number>>, s: Access, cpu: number): boolean =>
    locsOf(s).some((loc) => [...(m.get(loc) ?? [])].some((c) => c !== cpu));
  for (const [n, cpu] of t.cpus.entries()) {
    const f = flat[n]!;
    for (let j = 0; j < f.length; j++) {
      const w = f[j]!.s;
      if (!isAccess(w) || !isStore(w) || releases(w)) continue;
      for (let i = 0; i < j; i++) {
        const a = f[i]!.s;
        // a plain store first: weak already lets W be placed coherence-before writes its CPU has not seen
        if (!isAccess(a) || a.kind === 'store' || acquires(a)) continue;
        if (!throughPointer(a) && !throughPointer(w) && a.loc === w.loc) continue;
        if (!together(f[i]!, f[j]!)) continue;
        // Reordering them shows only if another CPU writes A's location (A could then read a store that
        // follows W) and another CPU reads or writes W's.
        if (!other(writers, a, n) || !other(users, w, n)) continue;
        // a data dependency, or one through loads through pointers
        if (dependent(f, i, j)) continue;
        // a control dependency: W in an if after A whose condition tests A's register
        if (controlDependent(f, i, j)) continue;
        const between = f.slice(i + 1, j).filter((b) => dominates(b, f[j]!));
        if (
          fenced(
            a,
            between.map((b) => b.s),
          )
        )
          continue;
        // A before a read (smp_rmb()) that W overwrites or depends on, or W's own read
        if (orderedThroughRead(f, i, j)) continue;
        // weak runs W ahead of A itself (load buffering)
        if (runsAhead(f, i, j)) continue;
        return `${cpu.name}'s ${describeAccess(a)} and its later ${describeAccess(w)} are unordered`;
      }
    }
  }
  return undefined;
}

/**
 * The warning printed under a `weak` answer that more outcomes could change
 * (Never, Always, or no fuzz witness), when the test has such a pair.
 */
export function weakGapWarning(t: RawTest): string | undefined {
  const gap = weakStoreReorderGap(t);
  if (gap === undefined) return undefined;
  return (
    `${gap} under LKMM, but weak runs a store ahead of an earlier read only past plain loads, relaxed RMWs, stores, ` +
    'smp_rmb(), smp_wmb() and ifs of its block: LKMM outcomes that need this store ahead (LB-shaped) are missing here (README Limitations)'
  );
}
