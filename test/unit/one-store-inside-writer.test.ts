import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import type { ModelKind } from '../../src/machine';
import { TraceSource, execute } from '../../src/machine';
import { builtinOperations, builtinReaders, x86Pae } from '../../src/kernel';
import { contractByName } from '../../src/compare';
import { loadScn } from '../../src/scenario';
import type { Target } from '../../src/campaign';
import { WritersNotSerialised, judgeTarget, makeTarget, runTarget, specOf } from '../../src/campaign';
import { ROOT } from '../support/cli';
import { traceOf } from '../support/schedule';
import { thrown } from '../support/thrown';
import { enumeratedVerdicts } from '../support/enumerated-verdicts';

/**
 * reference/serial.ts: a software writer of one store must not land between two stores of another CPU's writer of
 * several. test/fixtures/unlocked-get-and-clear.scn: on a none PAE pte, CPU B's set_pte (high, smp_wmb, low) and
 * CPU C's ptep_get_and_clear (a plain read, then one cmpxchg8b), neither under the PTL. Before the check, C's store
 * between B's two left memory at {0 : B's low}, present; the reference committed C at its store and B where it
 * finished, so it listed none → none → B and judged ptep_get_atomic64 — one cmpxchg8b, which reads what memory
 * holds — `torn` for reading that value (`explore --bound 2`: 6 executions under sc, 25 under tso, 10 under weak;
 * ptep_get_lockless 30, 256 and 186, and 14 `stale` under tso). Values written by hand: {high:low}.
 */
const FILE = join(ROOT, 'test', 'fixtures', 'unlocked-get-and-clear.scn');
const B_HIGH = 0x00010002n;
const B_LOW = 0x00010067n;
const pae = (high: bigint, low: bigint): bigint => (high << 32n) | low;

function target(reader: string, model: ModelKind): Target {
  const l = loadScn(readFileSync(FILE, 'utf8'), FILE, {
    readers: builtinReaders(),
    operations: builtinOperations(),
  });
  if (l.kind !== 'kernel') throw new Error('not a kernel scenario');
  const r = builtinReaders().get(reader)!;
  return makeTarget({ ...l.scenario, file: FILE }, r, contractByName(r.contract)!, model, x86Pae);
}

describe('a ptep_get_and_clear between the two stores of another CPU’s set_pte, no lock', () => {
  // B stores its high half (step 0), C reads the two halves and clears the pte with its cmpxchg8b (1..3), B's
  // smp_wmb and low half (4, 5), then A reads: memory holds {0 : B's low}
  const SCHEDULE = [1, 2, 2, 2, 1, 1];
  for (const model of ['sc', 'weak'] as const) {
    test(`${model}: memory ends at a mix of the two, and the execution is a one-line error naming both writers`, () => {
      const t = target('ptep_get_atomic64', model);
      const spec = specOf(t.built);
      const exec = execute(spec, model, new TraceSource(traceOf(spec, model, SCHEDULE)));
      // the mix the reference never listed
      expect(exec.final[0]! | (exec.final[1]! << 32n)).toBe(pae(0n, B_LOW));
      const err = thrown(() => judgeTarget(t, exec));
      expect(err).toBeInstanceOf(WritersNotSerialised);
      expect((err as Error).message).toBe(
        `${FILE}: the writers of pte on cpu B (set_pte, steps 0..5) and cpu C (ptep_get_and_clear, steps 1..3) ` +
          `interleaved their stores (ptep_get_atomic64 under ${model}): the reference needs the writers of one pte ` +
          "serialised, as the kernel does with the PTL — put each CPU's writers between spin_lock(ptl) and " +
          'spin_unlock(ptl)',
      );
    });
  }

  test('C before or after the whole of B: no error, and ptep_get_atomic64 agrees on the value memory ends at', () => {
    for (const [schedule, final] of [
      [[2, 2, 2, 1, 1, 1], pae(B_HIGH, B_LOW)],
      [[1, 1, 1, 2, 2, 2], 0n],
    ] as const) {
      const t = target('ptep_get_atomic64', 'sc');
      const r = runTarget(t, new TraceSource(traceOf(specOf(t.built), 'sc', [...schedule])));
      expect(r.exec.final[0]! | (r.exec.final[1]! << 32n)).toBe(final);
      expect(r.judgement.verdict).toEqual({ kind: 'agree' });
    }
  });

  for (const model of ['sc', 'tso', 'weak'] as const) {
    test(`${model}: no schedule of at most 2 preemptions is a divergence of ptep_get_atomic64 or ptep_get_lockless`, () => {
      for (const reader of ['ptep_get_atomic64', 'ptep_get_lockless']) {
        const verdicts = enumeratedVerdicts(target(reader, model), model, 2);
        // the interleaving schedules are refused, the others agree
        expect(verdicts.get('WritersNotSerialised') ?? 0, `${reader}`).toBeGreaterThan(0);
        expect(verdicts.get('agree') ?? 0, `${reader}`).toBeGreaterThan(0);
        expect(
          [...verdicts.keys()].filter((k) => k !== 'agree' && k !== 'WritersNotSerialised' && k !== 'bound-hit'),
          `${reader}`,
        ).toEqual([]);
      }
    });
  }
});
