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

/** 2+2W with `fence` between each CPU's two writes. */
const fenced = (fence: 'wmb' | 'mb') =>
  litmus({
    name: `2+2W+${fence}+${fence}`,
    doc: `two writers, two locations, opposite orders, smp_${fence}() between the writes`,
    locations: ['x', 'y'],
    cpus: [
      function* (l) {
        yield WRITE_ONCE(l.x, 1n);
        yield fence === 'wmb' ? smp_wmb() : smp_mb();
        yield WRITE_ONCE(l.y, 2n);
        return [];
      },
      function* (l) {
        yield WRITE_ONCE(l.y, 1n);
        yield fence === 'wmb' ? smp_wmb() : smp_mb();
        yield WRITE_ONCE(l.x, 2n);
        return [];
      },
    ],
    finals: ['x', 'y'],
    interesting: TWO_PLUS_TWO_W_EXISTS,
  });

export const TwoPlusTwoW_wmb_wmb = fenced('wmb');
export const TwoPlusTwoW_mb_mb = fenced('mb');
