import { describe, expect, test } from 'vitest';
import { TraceSource, execute } from '../../src/machine';
import { paeMk, ptep_get_and_clear, set_pte_atomic } from '../../src/kernel';
import { paeMemory } from '../../src/scenario/builtin/pae-common';

/**
 * kernel/writers/x86-pae.ts ptep_get_and_clear, era "now" = pxx_xchg64()
 * (arch/x86/include/asm/pgtable-3level.h): `old` is seeded by a plain 64-bit
 * read and is only a guess; try_cmpxchg64() writes the value it found back
 * into `old` on failure, so the loop succeeds on its next try and the
 * function returns what the pte held when it was cleared. The schedule: CPU 0
 * reads low and high (A), CPU 1's set_pte_atomic stores B, CPU 0's cmpxchg
 * (A → 0) fails and sees B, its retry (B → 0) succeeds. The expected result
 * (B returned, pte none, execution complete) is the atomic-exchange meaning
 * of pxx_xchg64, not a run of the code under test.
 */
const A = paeMk(0x1_0000_0001n);
const B = paeMk(0x2_0000_0002n);

describe('PAE ptep_get_and_clear (pxx_xchg64): a stale guess is refreshed by the failed cmpxchg', () => {
  test('a concurrent store between the seed read and the cmpxchg: returns the new value, leaves none', () => {
    const m = paeMemory(A);
    const exec = execute(
      {
        locations: m.locations,
        cpus: [
          { name: 'zap', program: () => ptep_get_and_clear(m.pte) },
          { name: 'set', program: () => set_pte_atomic(m.pte, B) },
        ],
      },
      'sc',
      new TraceSource([0, 0, 1, 0, 0, 0, 0]),
    );
    expect(exec.events.map((e) => `${e.cpu}:${e.name}`).slice(0, 4)).toEqual([
      '0:load',
      '0:load',
      '1:xchg64',
      '0:cmpxchg64',
    ]);
    expect(exec.outcome.kind).toBe('complete');
    expect(exec.results[0]).toBe(B);
    expect(exec.final[m.pte.low.id]).toBe(0n);
    expect(exec.final[m.pte.high.id]).toBe(0n);
  });
});
