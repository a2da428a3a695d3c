import type { Location } from '../machine';
import type { RawStmt } from '../scenario/raw';
import { runRaw } from '../scenario/raw';
import type { LitmusProgram } from './shape';
import { litmus } from './shape';

/**
 * Load buffering: each CPU reads one location, then writes the other.
 * exists (0:r0=1 /\ 1:r0=1): each read sees the other CPU's po-later write.
 *
 * The CPUs run as an imported litmus test's do (runRaw), so the LB shapes exercise the weak model's load
 * buffering as it is applied to `.litmus` files: a plain store nothing orders after the read may run ahead of it
 * (runAhead); `smp_mb()`, an acquire read or a release store keeps it behind.
 */
const LB_EXISTS = '0:r0=1; 1:r0=1';

type Loc = 'x' | 'y';

/** r0 = READ (r); [fence;] WRITE (w, 1), as raw statements */
function readThenWrite(r: Loc, w: Loc, how: 'once' | 'ordered', fence?: 'mb'): LitmusProgram<Loc> {
  const stmts: RawStmt[] = [
    { kind: 'load', reg: 'r0', loc: r, how: how === 'ordered' ? 'acquire' : 'once' },
    ...(fence === undefined ? [] : [{ kind: 'fence', fence } as const]),
    { kind: 'store', loc: w, value: { kind: 'const', value: 1n }, how: how === 'ordered' ? 'release' : 'once' },
  ];
  return function* (l: Readonly<Record<Loc, Location>>) {
    const regs = new Map<string, bigint>();
    yield* runRaw(stmts, new Map(Object.entries(l)), regs);
    return [regs.get('r0') ?? 0n];
  };
}

export const LB = litmus({
  name: 'LB',
  doc: 'load buffering, no ordering',
  locations: ['x', 'y'],
  cpus: [readThenWrite('x', 'y', 'once'), readThenWrite('y', 'x', 'once')],
  interesting: LB_EXISTS,
});

export const LB_mb_mb = litmus({
  name: 'LB+mb+mb',
  doc: 'load buffering, smp_mb() between read and write on both CPUs',
  locations: ['x', 'y'],
  cpus: [readThenWrite('x', 'y', 'once', 'mb'), readThenWrite('y', 'x', 'once', 'mb')],
  interesting: LB_EXISTS,
});

export const LB_acquire_release = litmus({
  name: 'LB+acquire+release',
  doc: 'load buffering, smp_load_acquire() reads and smp_store_release() writes',
  locations: ['x', 'y'],
  cpus: [readThenWrite('x', 'y', 'ordered'), readThenWrite('y', 'x', 'ordered')],
  interesting: LB_EXISTS,
});
