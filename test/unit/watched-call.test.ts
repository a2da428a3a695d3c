/**
 * Watched calls (src/cli/watched-call.ts): main-thread code that never returns is stopped after its limit, one
 * that returns gives its value, and an exception of the code goes through unchanged.
 */
import { describe, expect, test } from 'vitest';
import { TraceSource } from '../../src/machine';
import { HungExecution, WatchedExecutions, limitMs, watchedCall } from '../../src/cli/watched-call';
import { target } from '../support/targets';

/** Never returns (the hang of a reader module that spins without yielding). */
function spin(): never {
  // eslint-disable-next-line no-empty
  while (true) {}
}

describe('watchedCall', () => {
  test('a function that spins is stopped after its limit: hung, not thrown', () => {
    const t0 = performance.now();
    const r = watchedCall(spin, 100);
    const took = performance.now() - t0;
    expect(r).toEqual({ hung: true });
    expect(took).toBeGreaterThanOrEqual(90);
    // generous: the machine is shared; a spin that was not stopped would never get here
    expect(took).toBeLessThan(10_000);
  });

  test('a function that returns gives its value', () => {
    expect(watchedCall(() => 6 * 7, 1000)).toEqual({ hung: false, value: 42 });
    const obj = { a: [1n] };
    const r = watchedCall(() => obj, 1000);
    expect(r.hung === false && r.value).toBe(obj);
  });

  test('an exception of the function propagates unchanged (the same object)', () => {
    const err = new RangeError('boom');
    let caught: unknown;
    try {
      watchedCall(() => {
        throw err;
      }, 1000);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBe(err);
    // an exception with the vm's own code, thrown by the function, is the function's: not a hang
    const own = Object.assign(new Error('own'), { code: 'ERR_SCRIPT_EXECUTION_TIMEOUT' });
    expect(() =>
      watchedCall(() => {
        throw own;
      }, 1000),
    ).toThrow(own);
  });

  test('calls nest: an inner hang is the inner call’s, and the outer call goes on and returns', () => {
    const r = watchedCall(() => {
      const inner = watchedCall(spin, 50);
      return { inner, after: watchedCall(() => 'next', 1000) };
    }, 5000);
    expect(r).toEqual({ hung: false, value: { inner: { hung: true }, after: { hung: false, value: 'next' } } });
  });

  test('the outer limit stops code that makes many short watched calls', () => {
    expect(
      watchedCall(() => {
        for (;;) watchedCall(() => 1, 10_000);
      }, 100),
    ).toEqual({ hung: true });
  });
});

describe('limitMs', () => {
  test('seconds as whole milliseconds, at least 1, at most what node:vm takes', () => {
    expect(limitMs(10)).toBe(10_000);
    expect(limitMs(0.5)).toBe(500);
    expect(limitMs(0.0001)).toBe(1);
    expect(limitMs(1e12)).toBe(2 ** 32 - 1);
  });
});

describe('WatchedExecutions', () => {
  test('an execution that returns is the run itself; a spinning one throws HungExecution naming its target', () => {
    const t = target('s2-pae-zap-reestablish', 'ptep_get_lockless');
    const w = new WatchedExecutions(0.1);
    const src = new TraceSource([]);
    expect(w.begin(t, src)).toBe(src);
    expect(w.call(() => 'ran')).toBe('ran');
    let caught: unknown;
    try {
      w.call(spin);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(HungExecution);
    expect((caught as HungExecution).target).toBe(t);
    expect((caught as HungExecution).seconds).toBe(0.1);
  });
});
