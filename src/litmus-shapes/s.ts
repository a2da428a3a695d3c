import { READ_ONCE, WRITE_ONCE, smp_load_acquire, smp_mb, smp_wmb } from '../machine';
import type { LitmusProgram } from './shape';
import { litmus } from './shape';

/**
 * S: P0 writes x=2 then y=1; P1 reads y then writes x=1.
 * exists (1:r0=1 /\ x=2): P1 saw P0's second write, yet its own write of x
 * is coherence-before P0's first write.
 */
const S_EXISTS = '1:r0=1; x=2';

/** P0 of the S+wmb shapes: x = 2; smp_wmb(); y = 1. */
const writesWithWmb: LitmusProgram<'x' | 'y'> = function* (l) {
  yield WRITE_ONCE(l.x, 2n);
  yield smp_wmb();
  yield WRITE_ONCE(l.y, 1n);
  return [];
};

export const S = litmus({
  name: 'S',
  doc: 'write-write on P0 against read-write on P1, no ordering',
  locations: ['x', 'y'],
  cpus: [
    function* (l) {
      yield WRITE_ONCE(l.x, 2n);
      yield WRITE_ONCE(l.y, 1n);
      return [];
    },
    function* (l) {
      const r0 = yield READ_ONCE(l.y);
      yield WRITE_ONCE(l.x, 1n);
      return [r0];
    },
  ],
  finals: ['x'],
  interesting: S_EXISTS,
});

export const S_wmb = litmus({
  name: 'S+wmb',
  doc: 'S with smp_wmb() on P0 only (P1 read-to-write is unordered)',
  locations: ['x', 'y'],
  cpus: [
    writesWithWmb,
    function* (l) {
      const r0 = yield READ_ONCE(l.y);
      yield WRITE_ONCE(l.x, 1n);
      return [r0];
    },
  ],
  finals: ['x'],
  interesting: S_EXISTS,
});

export const S_wmb_acquire = litmus({
  name: 'S+wmb+acquire',
  doc: 'S with smp_wmb() on P0 and smp_load_acquire() of y on P1',
  locations: ['x', 'y'],
  cpus: [
    writesWithWmb,
    function* (l) {
      const r0 = yield smp_load_acquire(l.y);
      yield WRITE_ONCE(l.x, 1n);
      return [r0];
    },
  ],
  finals: ['x'],
  interesting: S_EXISTS,
});

export const S_wmb_mb = litmus({
  name: 'S+wmb+mb',
  doc: 'S with smp_wmb() on P0 and smp_mb() between the read and the write on P1',
  locations: ['x', 'y'],
  cpus: [
    writesWithWmb,
    function* (l) {
      const r0 = yield READ_ONCE(l.y);
      yield smp_mb();
      yield WRITE_ONCE(l.x, 1n);
      return [r0];
    },
  ],
  finals: ['x'],
  interesting: S_EXISTS,
});
