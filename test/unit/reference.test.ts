import { describe, expect, test } from 'vitest';
import { MODEL_KINDS, TraceSource, execute } from '../../src/machine';
import { builtinReaders, paeMk, x86Pae } from '../../src/kernel';
import { contractByName, judge } from '../../src/compare';
import { buildHistory } from '../../src/reference';
import { builtinScenario } from '../../src/scenario';
import { paeMemory } from '../../src/scenario/builtin/pae-common';
import { S1_C, S1_D, S1_INITIAL } from '../../src/scenario/builtin/s1-pae-double-refault';

const readers = builtinReaders()
  .all()
  .filter((r) => r.arch === 'x86-pae');
const nonTorn = contractByName('non-torn')!;
const exact = contractByName('exact')!;

describe('law: every reader agrees with the reference when no writer races it', () => {
  for (const r of readers) {
    for (const model of MODEL_KINDS) {
      test(`${r.name} under ${model}, alone`, () => {
        const m = paeMemory(paeMk(0x12345_67890n));
        const exec = execute(
          { locations: m.locations, cpus: [{ name: 'reader', program: () => r.read(m.pte) }] },
          model,
          new TraceSource([]),
        );
        const j = judge(exec, r.name, m.subject, exact, x86Pae);
        expect(j.verdict).toEqual({ kind: 'agree' });
        expect(j.invocations).toBe(1);
        expect(j.raced).toBe(0);
        expect(exec.ops[0]!.result).toBe(paeMk(0x12345_67890n));
      });
    }
  }
});

describe('reference history (from writer specifications only)', () => {
  test('S1 with the default trace: every fault backs out of a present pte, the zaps clear it', () => {
    // All-zero trace: CPUs run to completion in order A, B, C, D.
    const s = builtinScenario('s1-pae-double-refault')!;
    const reader = builtinReaders().get('ptep_get_lockless')!;
    const b = s.build(reader, x86Pae);
    const exec = execute({ locations: b.locations, cpus: b.cpus }, 'sc', new TraceSource([]));
    const h = buildHistory(exec, 'pte', S1_INITIAL);
    // B zaps (v1 = 0); C faults in S1_C (v2), C zaps (v3 = 0); D faults in S1_D (v4).
    expect(h.values).toEqual([S1_INITIAL, 0n, S1_C, 0n, S1_D]);
    expect(h.ops.map((o) => o.mark.name)).toEqual(['ptep_get_and_clear', 'set_pte', 'ptep_get_and_clear', 'set_pte']);
    const j = judge(exec, reader.name, b.subject, nonTorn, x86Pae);
    expect(j.verdict).toEqual({ kind: 'agree' });
    expect(j.judged[0]!.window.allowed).toEqual([S1_INITIAL]); // the reader ran before every writer
  });
});
