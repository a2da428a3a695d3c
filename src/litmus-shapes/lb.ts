import { READ_ONCE, WRITE_ONCE, smp_load_acquire, smp_mb, smp_store_release } from '../machine';
import { litmus } from './shape';

/**
 * Load buffering: each CPU reads one location, then writes the other.
 * exists (0:r0=1 /\ 1:r0=1): each read sees the other CPU's po-later write.
 */
const LB_EXISTS = '0:r0=1; 1:r0=1';

export const LB = litmus({
  name: 'LB',
  doc: 'load buffering, no ordering',
  locations: ['x', 'y'],
  cpus: [
    function* (l) {
      const r0 = yield READ_ONCE(l.x);
      yield WRITE_ONCE(l.y, 1n);
      return [r0];
    },
    function* (l) {
      const r0 = yield READ_ONCE(l.y);
      yield WRITE_ONCE(l.x, 1n);
      return [r0];
    },
  ],
  interesting: LB_EXISTS,
});

export const LB_mb_mb = litmus({
  name: 'LB+mb+mb',
  doc: 'load buffering, smp_mb() between read and write on both CPUs',
  locations: ['x', 'y'],
  cpus: [
    function* (l) {
      const r0 = yield READ_ONCE(l.x);
      yield smp_mb();
      yield WRITE_ONCE(l.y, 1n);
      return [r0];
    },
    function* (l) {
      const r0 = yield READ_ONCE(l.y);
      yield smp_mb();
      yield WRITE_ONCE(l.x, 1n);
      return [r0];
    },
  ],
  interesting: LB_EXISTS,
});

export const LB_acquire_release = litmus({
  name: 'LB+acquire+release',
  doc: 'load buffering, smp_load_acquire() reads and smp_store_release() writes',
  locations: ['x', 'y'],
  cpus: [
    function* (l) {
      const r0 = yield smp_load_acquire(l.x);
      yield smp_store_release(l.y, 1n);
      return [r0];
    },
    function* (l) {
      const r0 = yield smp_load_acquire(l.y);
      yield smp_store_release(l.x, 1n);
      return [r0];
    },
  ],
  interesting: LB_EXISTS,
});
