import { READ_ONCE, WRITE_ONCE, smp_load_acquire, smp_rmb, smp_store_release, smp_wmb } from '../machine';
import { litmus } from './shape';

/**
 * Message passing: P0 writes data x then flag y; P1 reads flag y then data x.
 * exists (1:r0=1 /\ 1:r1=0): the flag is seen but the data is stale.
 */
const MP_EXISTS = '1:r0=1; 1:r1=0';

export const MP = litmus({
  name: 'MP',
  doc: 'message passing, no ordering on either side',
  locations: ['x', 'y'],
  cpus: [
    function* (l) {
      yield WRITE_ONCE(l.x, 1n);
      yield WRITE_ONCE(l.y, 1n);
      return [];
    },
    function* (l) {
      const r0 = yield READ_ONCE(l.y);
      const r1 = yield READ_ONCE(l.x);
      return [r0, r1];
    },
  ],
  interesting: MP_EXISTS,
});

export const MP_wmb_rmb = litmus({
  name: 'MP+wmb+rmb',
  doc: 'message passing, smp_wmb() between the writes, smp_rmb() between the reads',
  locations: ['x', 'y'],
  cpus: [
    function* (l) {
      yield WRITE_ONCE(l.x, 1n);
      yield smp_wmb();
      yield WRITE_ONCE(l.y, 1n);
      return [];
    },
    function* (l) {
      const r0 = yield READ_ONCE(l.y);
      yield smp_rmb();
      const r1 = yield READ_ONCE(l.x);
      return [r0, r1];
    },
  ],
  interesting: MP_EXISTS,
});

export const MP_release_acquire = litmus({
  name: 'MP+release+acquire',
  doc: 'message passing, smp_store_release() of the flag, smp_load_acquire() of the flag',
  locations: ['x', 'y'],
  cpus: [
    function* (l) {
      yield WRITE_ONCE(l.x, 1n);
      yield smp_store_release(l.y, 1n);
      return [];
    },
    function* (l) {
      const r0 = yield smp_load_acquire(l.y);
      const r1 = yield READ_ONCE(l.x);
      return [r0, r1];
    },
  ],
  interesting: MP_EXISTS,
});

export const MP_wmb = litmus({
  name: 'MP+wmb',
  doc: 'message passing, smp_wmb() on the writer only (the reads may be reordered)',
  locations: ['x', 'y'],
  cpus: [
    function* (l) {
      yield WRITE_ONCE(l.x, 1n);
      yield smp_wmb();
      yield WRITE_ONCE(l.y, 1n);
      return [];
    },
    function* (l) {
      const r0 = yield READ_ONCE(l.y);
      const r1 = yield READ_ONCE(l.x);
      return [r0, r1];
    },
  ],
  interesting: MP_EXISTS,
});

export const MP_rmb = litmus({
  name: 'MP+rmb',
  doc: 'message passing, smp_rmb() on the reader only (the writes may be reordered)',
  locations: ['x', 'y'],
  cpus: [
    function* (l) {
      yield WRITE_ONCE(l.x, 1n);
      yield WRITE_ONCE(l.y, 1n);
      return [];
    },
    function* (l) {
      const r0 = yield READ_ONCE(l.y);
      yield smp_rmb();
      const r1 = yield READ_ONCE(l.x);
      return [r0, r1];
    },
  ],
  interesting: MP_EXISTS,
});
