import { WRITE_ONCE, smp_mb, smp_wmb } from '../machine';
import { litmus } from './shape';

/**
 * 2+2W: each CPU writes both locations, in opposite orders.
 * exists (x=1 /\ y=1): each CPU's first write wins coherence over the
 * other CPU's second write — a cycle po;co;po;co.
 */
const TWO_PLUS_TWO_W_EXISTS = 'x=1; y=1';

export const TwoPlusTwoW = litmus({
  name: '2+2W',
  doc: 'two writers, two locations, opposite orders, no ordering',
  locations: ['x', 'y'],
  cpus: [
    function* (l) {
      yield WRITE_ONCE(l.x, 1n);
      yield WRITE_ONCE(l.y, 2n);
      return [];
    },
    function* (l) {
      yield WRITE_ONCE(l.y, 1n);
      yield WRITE_ONCE(l.x, 2n);
      return [];
    },
  ],
  finals: ['x', 'y'],
  interesting: TWO_PLUS_TWO_W_EXISTS,
});

export const TwoPlusTwoW_wmb_wmb = litmus({
  name: '2+2W+wmb+wmb',
  doc: 'two writers, two locations, opposite orders, smp_wmb() between the writes',
  locations: ['x', 'y'],
  cpus: [
    function* (l) {
      yield WRITE_ONCE(l.x, 1n);
      yield smp_wmb();
      yield WRITE_ONCE(l.y, 2n);
      return [];
    },
    function* (l) {
      yield WRITE_ONCE(l.y, 1n);
      yield smp_wmb();
      yield WRITE_ONCE(l.x, 2n);
      return [];
    },
  ],
  finals: ['x', 'y'],
  interesting: TWO_PLUS_TWO_W_EXISTS,
});

export const TwoPlusTwoW_mb_mb = litmus({
  name: '2+2W+mb+mb',
  doc: 'two writers, two locations, opposite orders, smp_mb() between the writes',
  locations: ['x', 'y'],
  cpus: [
    function* (l) {
      yield WRITE_ONCE(l.x, 1n);
      yield smp_mb();
      yield WRITE_ONCE(l.y, 2n);
      return [];
    },
    function* (l) {
      yield WRITE_ONCE(l.y, 1n);
      yield smp_mb();
      yield WRITE_ONCE(l.x, 2n);
      return [];
    },
  ],
  finals: ['x', 'y'],
  interesting: TWO_PLUS_TWO_W_EXISTS,
});
