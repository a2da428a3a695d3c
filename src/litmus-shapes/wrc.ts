import { READ_ONCE, WRITE_ONCE, smp_load_acquire, smp_mb, smp_rmb, smp_store_release, smp_wmb } from '../machine';
import { litmus } from './shape';

/**
 * Write-to-read causality: P0 writes x; P1 sees it and writes y; P2 sees y
 * and reads x. exists (1:r0=1 /\ 2:r0=1 /\ 2:r1=0): causality is broken.
 */
const WRC_EXISTS = '1:r0=1; 2:r0=1; 2:r1=0';

export const WRC = litmus({
  name: 'WRC',
  doc: 'write-to-read causality, no ordering',
  locations: ['x', 'y'],
  cpus: [
    function* (l) {
      yield WRITE_ONCE(l.x, 1n);
      return [];
    },
    function* (l) {
      const r0 = yield READ_ONCE(l.x);
      yield WRITE_ONCE(l.y, 1n);
      return [r0];
    },
    function* (l) {
      const r0 = yield READ_ONCE(l.y);
      const r1 = yield READ_ONCE(l.x);
      return [r0, r1];
    },
  ],
  interesting: WRC_EXISTS,
});

export const WRC_release_acquire = litmus({
  name: 'WRC+release+acquire',
  doc: 'write-to-read causality, P1 writes y with smp_store_release(), P2 reads it with smp_load_acquire()',
  locations: ['x', 'y'],
  cpus: [
    function* (l) {
      yield WRITE_ONCE(l.x, 1n);
      return [];
    },
    function* (l) {
      const r0 = yield READ_ONCE(l.x);
      yield smp_store_release(l.y, 1n);
      return [r0];
    },
    function* (l) {
      const r0 = yield smp_load_acquire(l.y);
      const r1 = yield READ_ONCE(l.x);
      return [r0, r1];
    },
  ],
  interesting: WRC_EXISTS,
});

/** smp_wmb() orders only P1's own stores (it is not A-cumulative): P0's x=1 is not carried to P2. */
export const WRC_wmb_rmb = litmus({
  name: 'WRC+wmb+rmb',
  doc: 'write-to-read causality, smp_wmb() on P1 (not cumulative), smp_rmb() on P2',
  locations: ['x', 'y'],
  cpus: [
    function* (l) {
      yield WRITE_ONCE(l.x, 1n);
      return [];
    },
    function* (l) {
      const r0 = yield READ_ONCE(l.x);
      yield smp_wmb();
      yield WRITE_ONCE(l.y, 1n);
      return [r0];
    },
    function* (l) {
      const r0 = yield READ_ONCE(l.y);
      yield smp_rmb();
      const r1 = yield READ_ONCE(l.x);
      return [r0, r1];
    },
  ],
  interesting: WRC_EXISTS,
});

/** smp_mb() is A-cumulative: what P1 read before it is visible to whoever sees P1's later store. */
export const WRC_mb_rmb = litmus({
  name: 'WRC+mb+rmb',
  doc: 'write-to-read causality, smp_mb() on P1 (cumulative), smp_rmb() on P2',
  locations: ['x', 'y'],
  cpus: [
    function* (l) {
      yield WRITE_ONCE(l.x, 1n);
      return [];
    },
    function* (l) {
      const r0 = yield READ_ONCE(l.x);
      yield smp_mb();
      yield WRITE_ONCE(l.y, 1n);
      return [r0];
    },
    function* (l) {
      const r0 = yield READ_ONCE(l.y);
      yield smp_rmb();
      const r1 = yield READ_ONCE(l.x);
      return [r0, r1];
    },
  ],
  interesting: WRC_EXISTS,
});
