import { describe, expect, test } from 'vitest';
import type { Program } from '../../src/machine';
import { TraceSource, WRITE_ONCE, begin, end, execute, xchg_relaxed } from '../../src/machine';
import type { EntriesSpec } from '../../src/kernel';
import { arm64, arm64Mk, builtinReaders } from '../../src/kernel';
import { contractByName, judge } from '../../src/compare';
import { arm64BlockMemory } from '../../src/scenario/builtin/arm64-common';
import { traceOf } from '../support/schedule';

/**
 * contpte_ptep_get_lockless() (arch/arm64/mm/contpte.c, DOMAIN §A3.4) retries
 * unless every entry of the block is valid+CONT, has the same prot ignoring
 * A/D, *and maps pfn0 + i*. Only the pfn check tells a block remapped to
 * another folio (same prot, also CONT) from the one the target belonged to.
 * Hand-written schedule: the reader reads the target twice (folio A, clean);
 * a writer breaks the block and refolds it onto folio B (pfn 0x80.., dirty
 * and young); the reader's scan then sees folio B's entries. The reader must
 * retry once and return folio B's entry 3 — not folio A's pfn with folio B's
 * dirt (the false positive of David Hildenbrand's KVM case).
 */
const A = [0, 1, 2, 3].map((i) => arm64Mk(0x40n + BigInt(i), { write: true, cont: true }));
const B = [0, 1, 2, 3].map((i) => arm64Mk(0x80n + BigInt(i), { write: true, cont: true, dirty: true, young: true }));

function* remapToB(m: ReturnType<typeof arm64BlockMemory>): Program {
  const spec: EntriesSpec = {
    describe: 'refold onto folio B',
    transient: { describe: 'break', entries: () => new Map(m.block.map((l) => [l.id, 0n])) },
    entries: () => new Map(m.block.map((l, i) => [l.id, B[i]!])),
  };
  yield begin({ name: 'remap', role: 'writer', subject: 'ptes', spec });
  for (const l of m.block) yield xchg_relaxed(l, 0n);
  for (let i = 0; i < 4; i++) yield WRITE_ONCE(m.block[i]!, B[i]!);
  yield end();
}

describe('contpte_ptep_get_lockless: a block refolded onto another folio fails the pfn check', () => {
  for (const name of ['contpte_ptep_get_lockless', 'contpte_ptep_get_lockless@2025']) {
    test(`${name}: retries once and returns folio B's entry 3`, () => {
      const m = arm64BlockMemory(A, 3);
      const spec = {
        locations: m.locations,
        cpus: [
          { name: 'reader', program: () => builtinReaders().get(name)!.read(m.ptep(3)) },
          { name: 'writer', program: () => remapToB(m) },
        ],
      };
      // reader: __ptep_get, orig_pte (both folio A); writer: 4 clears, 4 stores of folio B; reader scans
      const exec = execute(spec, 'sc', new TraceSource(traceOf(spec, 'sc', [0, 0, 1, 1, 1, 1, 1, 1, 1, 1])));
      const op = exec.ops.find((o) => o.mark.role === 'reader')!;
      expect(op.retries).toBe(1);
      expect(op.result).toBe(B[3]);
      expect(arm64.pfn(op.result!)).toBe(0x83n);
      expect(judge(exec, name, m.subject, contractByName('no-false-dirty')!, arm64).verdict).toEqual({ kind: 'agree' });
    });
  }
});
