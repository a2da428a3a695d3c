import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import type { ModelKind } from '../../src/machine';
import { TraceSource, execute } from '../../src/machine';
import type { Target } from '../../src/campaign';
import { SetPteOverPresentPte, judgeTarget, specOf } from '../../src/campaign';
import { ROOT } from '../support/cli';
import { traceOf } from '../support/schedule';
import { thrown } from '../support/thrown';
import { enumeratedVerdicts } from '../support/enumerated-verdicts';
import { scnTarget } from '../support/targets';

/**
 * reference/pae-set.ts: a PAE set_pte (high, smp_wmb, low) must land on a pte that is not present
 * (pgtable-3level.h native_set_pte). test/fixtures/set-pte-over-present.scn re-establishes the present
 * {0x00010001:0x00010067} as {0x00010002:0x00020067} with no zap; between set_pte's stores memory holds
 * {0x00010002:0x00010067}, which `explore --bound 2` reported as a `torn` read of ptep_get_lockless (42 executions
 * under tso). The same writer after a pte_clear (the kernel's zap) is within the contract, and so is a set_pte over
 * the present pte that changes one half only (x86 ptep_set_access_flags: new flags, same page): memory never holds a
 * pte that is neither the old one nor the new one.
 */
const FILE = join(ROOT, 'test', 'fixtures', 'set-pte-over-present.scn');
const OVER = readFileSync(FILE, 'utf8');
// the same CPU B with the zap first: pte_clear, then set_pte, under the PTL
const ZAPPED = OVER.replace('  set_pte(pte,', '  pte_clear(pte)\n  set_pte(pte,').replace(
  'scenario set-pte-over-present',
  'scenario set-pte-after-zap',
);
// the same present pte given new flags for the same page (high half unchanged): x86 ptep_set_access_flags' set_pte
const SAME_HIGH = OVER.replace('{0x00010002:0x00020067}', '{0x00010001:0x00010027}').replace(
  'scenario set-pte-over-present',
  'scenario set-pte-same-high',
);
// new high half, same low half: memory holds the new pte from the first store on
const SAME_LOW = OVER.replace('{0x00010002:0x00020067}', '{0x00010002:0x00010067}').replace(
  'scenario set-pte-over-present',
  'scenario set-pte-same-low',
);
const target = (text: string, reader: string, model: ModelKind): Target => scnTarget(text, FILE, reader, model);

// the kernel path that does set a present PAE pte: a write fault's x86 ptep_set_access_flags (same page, new flags)
const WRITE_FAULT_FILE = join(ROOT, 'test', 'fixtures', 'pae-write-fault.scn');
const WRITE_FAULT = readFileSync(WRITE_FAULT_FILE, 'utf8');

/** Every schedule of at most 2 preemptions is within the contract and agrees (or hits a bound), and some agree. */
function expectAllAgree(text: string, reader: string, model: ModelKind): void {
  const verdicts = enumeratedVerdicts(target(text, reader, model), model, 2);
  expect(
    [...verdicts.keys()].filter((k) => k !== 'agree' && k !== 'bound-hit'),
    reader,
  ).toEqual([]);
  expect(verdicts.get('agree') ?? 0, reader).toBeGreaterThan(0);
}

describe('PAE set_pte over a present pte', () => {
  test('sc: the execution is a one-line error naming the CPU, the step and the value written over, not a torn read', () => {
    const t = target(OVER, 'ptep_get_lockless', 'sc');
    const spec = specOf(t.built);
    // B takes the PTL and runs set_pte to its end (steps 0..4), then A reads
    const exec = execute(spec, 'sc', new TraceSource(traceOf(spec, 'sc', [1])));
    const err = thrown(() => judgeTarget(t, exec));
    expect(err).toBeInstanceOf(SetPteOverPresentPte);
    expect((err as Error).message).toMatch(
      new RegExp(
        `^${FILE.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: cpu B \\(set_pte, steps \\d+\\.\\.\\d+\\) wrote over pte, a ` +
          'present pte, at step \\d+ \\(\\{0x00010001:0x00010067\\}, present .*\\): between its two stores memory holds ' +
          '\\{0x00010002:0x00010067\\}, its high half under the old low half, neither the old pte nor the new one ' +
          '\\(ptep_get_lockless under sc\\): PAE set_pte needs a pte that is not present ' +
          '\\(arch/x86/include/asm/pgtable-3level.h native_set_pte; over a present one it may change one half only, ' +
          'as x86 ptep_set_access_flags does\\) — clear it first',
      ),
    );
  });

  test("a write fault on a present, writable, clean pte: x86 ptep_set_access_flags' set_pte over it is within the contract", () => {
    const t = target(WRITE_FAULT, 'ptep_get_lockless', 'sc');
    const spec = specOf(t.built);
    // B's fault runs to its end first, then A reads
    const exec = execute(spec, 'sc', new TraceSource(traceOf(spec, 'sc', [1])));
    const set = exec.ops.find((o) => o.mark.name === 'set_pte');
    expect(set, 'the fault stored the young, dirty pte with set_pte').toBeDefined();
    const stores = exec.events.filter((e) => e.op === set!.id && e.wrote !== undefined).map((e) => e.wrote);
    expect(stores).toEqual([0x00010001n, 0x00010067n]); // the same high half, then the low half with A and D
    expect(judgeTarget(t, exec).verdict.kind).toBe('agree');
  });

  for (const model of ['sc', 'tso', 'weak'] as const) {
    test(`${model}: every schedule of at most 2 preemptions is refused; after a zap none is, and none diverges`, () => {
      for (const reader of ['ptep_get_lockless', 'ptep_get_atomic64']) {
        // set_pte's first store always lands on the present pte: every execution is outside the contract
        expect([...enumeratedVerdicts(target(OVER, reader, model), model, 2).keys()], reader).toEqual([
          'SetPteOverPresentPte',
        ]);
        expectAllAgree(ZAPPED, reader, model);
      }
    });

    test(`${model}: a set_pte over a present pte that changes one half only is never refused, and never diverges`, () => {
      for (const text of [SAME_HIGH, SAME_LOW, WRITE_FAULT]) {
        for (const reader of ['ptep_get_lockless', 'ptep_get_atomic64']) expectAllAgree(text, reader, model);
      }
    });
  }
});
