import { describe, expect, test } from 'vitest';
import { litmus, outcomeSet } from '../../src/litmus-shapes';
import { READ_ONCE, WRITE_ONCE, smp_load_acquire, smp_rmb, spin_lock, spin_unlock } from '../../src/machine';

/**
 * WRC through a lock: P0 writes x in a critical section; P1, in the next
 * critical section of the same lock, reads x=1 and writes y; P2 reads y then
 * (smp_rmb) x. LKMM forbids 1:r0=1 /\ 2:r0=1 /\ 2:r1=0: po-unlock-lock-po is
 * in cumul-fence, so x=1 propagates to P2 before y=1 (by hand, from
 * tools/memory-model/linux-kernel.cat). The weak model once allowed it
 * (spin_lock joined what it acquired into the CPU's read view only, not into
 * the view its later plain stores carry), which gave a false torn read of
 * harness/readers/pae-hlhl.ts on S1 under weak, where the PTL orders C's zap
 * before D's refault. spin_lock is now cumulative.
 */
const WRC_LOCK = litmus({
  name: 'WRC+lock+rmb',
  doc: 'write-to-read causality through a lock handover, smp_rmb() on the observer',
  locations: ['x', 'y', 'l'],
  cpus: [
    function* (m) {
      yield spin_lock(m.l);
      yield WRITE_ONCE(m.x, 1n);
      yield spin_unlock(m.l);
      return [];
    },
    function* (m) {
      yield spin_lock(m.l);
      const r0 = yield READ_ONCE(m.x);
      yield WRITE_ONCE(m.y, 1n);
      yield spin_unlock(m.l);
      return [r0];
    },
    function* (m) {
      const r0 = yield READ_ONCE(m.y);
      yield smp_rmb();
      const r1 = yield READ_ONCE(m.x);
      return [r0, r1];
    },
  ],
  interesting: '1:r0=1; 2:r0=1; 2:r1=0',
});

/**
 * The same shape with P1's lock replaced by smp_load_acquire(x): acquire is
 * not A-cumulative in LKMM (only release fences and lock handovers are), and
 * the LKMM is not multicopy-atomic, so the outcome stays allowed.
 */
const WRC_ACQ = litmus({
  name: 'WRC+acquire+rmb',
  doc: 'write-to-read causality with an acquire load in the middle CPU, smp_rmb() on the observer',
  locations: ['x', 'y'],
  cpus: [
    function* (m) {
      yield WRITE_ONCE(m.x, 1n);
      return [];
    },
    function* (m) {
      const r0 = yield smp_load_acquire(m.x);
      yield WRITE_ONCE(m.y, 1n);
      return [r0];
    },
    function* (m) {
      const r0 = yield READ_ONCE(m.y);
      yield smp_rmb();
      const r1 = yield READ_ONCE(m.x);
      return [r0, r1];
    },
  ],
  interesting: '1:r0=1; 2:r0=1; 2:r1=0',
});

describe('lock handover is cumulative (po-unlock-lock-po)', () => {
  test('sc and tso forbid the outcome', () => {
    expect(outcomeSet(WRC_LOCK, 'sc').outcomes).not.toContain(WRC_LOCK.interesting);
    expect(outcomeSet(WRC_LOCK, 'tso').outcomes).not.toContain(WRC_LOCK.interesting);
  });
  test('WRC+lock+rmb: weak forbids 1:r0=1 ∧ 2:r0=1 ∧ 2:r1=0, as LKMM does', () => {
    expect(outcomeSet(WRC_LOCK, 'weak').outcomes).not.toContain(WRC_LOCK.interesting);
  });
  test('a plain acquire is not cumulative: WRC with smp_load_acquire in P1 stays allowed under weak', () => {
    expect(outcomeSet(WRC_ACQ, 'weak').outcomes).toContain(WRC_ACQ.interesting);
  });
});
