import { READ_ONCE, WRITE_ONCE, smp_mb, xchg, xchg_relaxed } from '../machine';
import { litmus } from './shape';

/**
 * Store buffering: each CPU writes its own location, then reads the other's.
 * exists (0:r0=0 /\ 1:r0=0): both reads miss the other CPU's write.
 */
const SB_EXISTS = '0:r0=0; 1:r0=0';

export const SB = litmus({
  name: 'SB',
  doc: 'store buffering, no ordering',
  locations: ['x', 'y'],
  cpus: [
    function* (l) {
      yield WRITE_ONCE(l.x, 1n);
      const r0 = yield READ_ONCE(l.y);
      return [r0];
    },
    function* (l) {
      yield WRITE_ONCE(l.y, 1n);
      const r0 = yield READ_ONCE(l.x);
      return [r0];
    },
  ],
  interesting: SB_EXISTS,
});

export const SB_mb_mb = litmus({
  name: 'SB+mb+mb',
  doc: 'store buffering, smp_mb() between write and read on both CPUs',
  locations: ['x', 'y'],
  cpus: [
    function* (l) {
      yield WRITE_ONCE(l.x, 1n);
      yield smp_mb();
      const r0 = yield READ_ONCE(l.y);
      return [r0];
    },
    function* (l) {
      yield WRITE_ONCE(l.y, 1n);
      yield smp_mb();
      const r0 = yield READ_ONCE(l.x);
      return [r0];
    },
  ],
  interesting: SB_EXISTS,
});

/** The write is a fully ordered xchg() (its old value is discarded, as `(void)xchg(...)`). */
export const SB_xchg_xchg = litmus({
  name: 'SB+xchg+xchg',
  doc: 'store buffering, the writes are fully ordered xchg()',
  locations: ['x', 'y'],
  cpus: [
    function* (l) {
      yield xchg(l.x, 1n);
      const r0 = yield READ_ONCE(l.y);
      return [r0];
    },
    function* (l) {
      yield xchg(l.y, 1n);
      const r0 = yield READ_ONCE(l.x);
      return [r0];
    },
  ],
  interesting: SB_EXISTS,
});

/** xchg_relaxed() is only atomic in LKMM; on x86 every xchg is a locked, fully ordered instruction. */
export const SB_xchgrelaxed_xchgrelaxed = litmus({
  name: 'SB+xchg_relaxed+xchg_relaxed',
  doc: 'store buffering, the writes are xchg_relaxed()',
  locations: ['x', 'y'],
  cpus: [
    function* (l) {
      yield xchg_relaxed(l.x, 1n);
      const r0 = yield READ_ONCE(l.y);
      return [r0];
    },
    function* (l) {
      yield xchg_relaxed(l.y, 1n);
      const r0 = yield READ_ONCE(l.x);
      return [r0];
    },
  ],
  interesting: SB_EXISTS,
});
