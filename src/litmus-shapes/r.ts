import { READ_ONCE, WRITE_ONCE, smp_mb } from '../machine';
import { litmus } from './shape';

/**
 * R: P0 writes x then y=1; P1 writes y=2 then reads x.
 * exists (1:r0=0 /\ y=2): P1's write of y wins coherence over P0's, yet P1
 * misses P0's earlier write of x.
 */
const R_EXISTS = '1:r0=0; y=2';

export const R = litmus({
  name: 'R',
  doc: 'write-write on P0 against write-read on P1, no ordering',
  locations: ['x', 'y'],
  cpus: [
    function* (l) {
      yield WRITE_ONCE(l.x, 1n);
      yield WRITE_ONCE(l.y, 1n);
      return [];
    },
    function* (l) {
      yield WRITE_ONCE(l.y, 2n);
      const r0 = yield READ_ONCE(l.x);
      return [r0];
    },
  ],
  finals: ['y'],
  interesting: R_EXISTS,
});

export const R_mb_mb = litmus({
  name: 'R+mb+mb',
  doc: 'write-write on P0 against write-read on P1, smp_mb() on both CPUs',
  locations: ['x', 'y'],
  cpus: [
    function* (l) {
      yield WRITE_ONCE(l.x, 1n);
      yield smp_mb();
      yield WRITE_ONCE(l.y, 1n);
      return [];
    },
    function* (l) {
      yield WRITE_ONCE(l.y, 2n);
      yield smp_mb();
      const r0 = yield READ_ONCE(l.x);
      return [r0];
    },
  ],
  finals: ['y'],
  interesting: R_EXISTS,
});
