import { READ_ONCE, WRITE_ONCE, xchg_relaxed } from '../machine';
import { litmus } from './shape';

/**
 * Per-location coherence (SC per location): forbidden under every model.
 * The interesting outcome of each shape is the coherence violation.
 */

/** Read-read coherence: two reads of x in program order must not go back in time. */
export const CoRR = litmus({
  name: 'CoRR',
  doc: 'two po-ordered reads of one location observe its writes in coherence order',
  locations: ['x'],
  cpus: [
    function* (l) {
      yield WRITE_ONCE(l.x, 1n);
      return [];
    },
    function* (l) {
      const r0 = yield READ_ONCE(l.x);
      const r1 = yield READ_ONCE(l.x);
      return [r0, r1];
    },
  ],
  interesting: '1:r0=1; 1:r1=0',
});

/** Write-read coherence: a read after a write of x cannot see a write coherence-before it. */
export const CoWR = litmus({
  name: 'CoWR',
  doc: 'a read po-after a write of the same location reads that write or a coherence-later one',
  locations: ['x'],
  cpus: [
    function* (l) {
      yield WRITE_ONCE(l.x, 1n);
      const r0 = yield READ_ONCE(l.x);
      return [r0];
    },
    function* (l) {
      yield WRITE_ONCE(l.x, 2n);
      return [];
    },
  ],
  finals: ['x'],
  interesting: '0:r0=2; x=1',
});

/** Read-write coherence: a write po-after a read of x is coherence-after the write read. */
export const CoRW = litmus({
  name: 'CoRW',
  doc: 'a write po-after a read of the same location is coherence-after the write that was read',
  locations: ['x'],
  cpus: [
    function* (l) {
      const r0 = yield READ_ONCE(l.x);
      yield WRITE_ONCE(l.x, 1n);
      return [r0];
    },
    function* (l) {
      yield WRITE_ONCE(l.x, 2n);
      return [];
    },
  ],
  finals: ['x'],
  interesting: '0:r0=2; x=2',
});

/** Write-write coherence: two po-ordered writes of x reach coherence order in program order. */
export const CoWW = litmus({
  name: 'CoWW',
  doc: 'two po-ordered writes of one location are coherence-ordered the same way',
  locations: ['x'],
  cpus: [
    function* (l) {
      yield WRITE_ONCE(l.x, 1n);
      yield WRITE_ONCE(l.x, 2n);
      return [];
    },
  ],
  finals: ['x'],
  interesting: 'x=1',
});

/**
 * RMW atomicity: a plain write of x never lands between an xchg_relaxed() of x and the write it read (LKMM:
 * `empty rmw & (fre ; coe)`). exists (1:r0=0 /\ x=2): the xchg read the initial 0 and wrote 2, and P0's 1 is
 * neither last nor read by the xchg, so it would sit between the two — also under weak, where a write may be
 * placed coherence-before writes its CPU has not seen (WeakModel.place), but never just before an RMW's.
 */
export const CoWW_xchg_relaxed = litmus({
  name: 'CoWW+xchg_relaxed',
  doc: 'a plain write of x against an xchg_relaxed() of x: never between the RMW read and its write',
  locations: ['x'],
  cpus: [
    function* (l) {
      yield WRITE_ONCE(l.x, 1n);
      return [];
    },
    function* (l) {
      const r0 = yield xchg_relaxed(l.x, 2n);
      return [r0];
    },
  ],
  finals: ['x'],
  interesting: '1:r0=0; x=2',
});
