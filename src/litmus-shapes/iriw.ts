import { READ_ONCE, WRITE_ONCE, smp_mb } from '../machine';
import { litmus } from './shape';

/**
 * Independent reads of independent writes: two readers disagree on the
 * order of two unrelated writes. exists (2:r0=1 /\ 2:r1=0 /\ 3:r0=1 /\ 3:r1=0).
 */
const IRIW_EXISTS = '2:r0=1; 2:r1=0; 3:r0=1; 3:r1=0';

export const IRIW = litmus({
  name: 'IRIW',
  doc: 'independent reads of independent writes, no ordering',
  locations: ['x', 'y'],
  cpus: [
    function* (l) {
      yield WRITE_ONCE(l.x, 1n);
      return [];
    },
    function* (l) {
      yield WRITE_ONCE(l.y, 1n);
      return [];
    },
    function* (l) {
      const r0 = yield READ_ONCE(l.x);
      const r1 = yield READ_ONCE(l.y);
      return [r0, r1];
    },
    function* (l) {
      const r0 = yield READ_ONCE(l.y);
      const r1 = yield READ_ONCE(l.x);
      return [r0, r1];
    },
  ],
  interesting: IRIW_EXISTS,
});

export const IRIW_mb_mb = litmus({
  name: 'IRIW+mb+mb',
  doc: 'independent reads of independent writes, smp_mb() between the reads of each reader',
  locations: ['x', 'y'],
  cpus: [
    function* (l) {
      yield WRITE_ONCE(l.x, 1n);
      return [];
    },
    function* (l) {
      yield WRITE_ONCE(l.y, 1n);
      return [];
    },
    function* (l) {
      const r0 = yield READ_ONCE(l.x);
      yield smp_mb();
      const r1 = yield READ_ONCE(l.y);
      return [r0, r1];
    },
    function* (l) {
      const r0 = yield READ_ONCE(l.y);
      yield smp_mb();
      const r1 = yield READ_ONCE(l.x);
      return [r0, r1];
    },
  ],
  interesting: IRIW_EXISTS,
});
