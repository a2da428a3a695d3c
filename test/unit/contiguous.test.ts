/**
 * The reference's misprogrammed-contpte-block check (src/reference/contiguous.ts, kernel/arm64-block.ts
 * `contiguousFault`): a store that leaves a block whose valid entries disagree on CONT, or whose CONT entries are not
 * one aligned range, and an execution that ends with a block half cleared, are outside what the reference judges;
 * the kernel's own block writers never are. The expected faults below are read off the descriptors by hand (bit 0
 * VALID, bit 52 CONT, pfn = bits 12..49), not computed by the check.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { arm64, builtinOperations, builtinReaders, contiguousFault } from '../../src/kernel';
import type { ModelKind } from '../../src/machine';
import { contractByName } from '../../src/compare';
import { loadScn } from '../../src/scenario';
import { MisprogrammedContiguousRange, makeTarget, runTarget } from '../../src/campaign';
import { RandomSource, deriveSeed } from '../../src/engines';
import { ROOT } from '../support/cli';

// FolioA folded (CONT, pfn 0x40..0x43), the same unfolded, FolioB's pte0 unfolded (pfn 0x80)
const A = [0x0078000000040bc3n, 0x0078000000041bc3n, 0x0078000000042bc3n, 0x0078000000043bc3n];
const A_PLAIN = [0x0068000000040bc3n, 0x0068000000041bc3n, 0x0068000000042bc3n, 0x0068000000043bc3n];
const B0 = 0x0068000000080bc3n;

describe('contiguousFault: a block read off by hand', () => {
  const cases: [
    string,
    bigint[],
    'mixed' | 'range' | 'partial' | undefined,
    'mixed' | 'range' | 'partial' | undefined,
  ][] = [
    ['folded', A, undefined, undefined],
    ['unfolded', A_PLAIN, undefined, undefined],
    ['every entry none', [0n, 0n, 0n, 0n], undefined, undefined],
    ['a break half way (pte0, pte1 cleared; pte2, pte3 CONT)', [0n, 0n, A[2]!, A[3]!], undefined, 'partial'],
    ['a fold half repainted (pte0, pte1 CONT; pte2, pte3 none)', [A[0]!, A[1]!, 0n, 0n], undefined, 'partial'],
    ['an unfold half repainted (pte0 plain, the rest none)', [A_PLAIN[0]!, 0n, 0n, 0n], undefined, undefined],
    ['FolioB plain pte0 beside FolioA CONT pte1..pte3', [B0, A[1]!, A[2]!, A[3]!], 'mixed', 'mixed'],
    ['CONT pte0 of pfn 0x80 beside FolioA CONT pte1..pte3', [B0 | (1n << 52n), A[1]!, A[2]!, A[3]!], 'range', 'range'],
    ['CONT entries at pfn 0x41..0x44 (not aligned to 4)', A.map((v) => v + 0x1000n), 'range', 'range'],
    [
      'a PROT_NONE entry (invalid, not CONT) beside CONT ones',
      [0x0068000000040800n, A[1]!, A[2]!, A[3]!],
      undefined,
      'partial',
    ],
  ];
  for (const [what, entries, during, atEnd] of cases) {
    test(what, () => {
      expect(contiguousFault(entries, false)).toBe(during);
      expect(contiguousFault(entries, true)).toBe(atEnd);
    });
  }
});

const readers = builtinReaders();
const load = (text: string, name: string) => {
  const l = loadScn(text, name, { readers, operations: builtinOperations() });
  if (l.kind !== 'kernel') throw new Error('not a kernel scenario');
  return l.scenario;
};
const target = (text: string, name: string, model: ModelKind) =>
  makeTarget(
    load(text, name),
    readers.get('contpte_ptep_get_lockless')!,
    contractByName('no-false-dirty')!,
    model,
    arm64,
  );

/** Of `runs` seeded random executions: the breach messages, and how many were judged. */
function outcomes(text: string, name: string, model: ModelKind, runs: number): { errors: string[]; judged: number } {
  const t = target(text, name, model);
  const errors: string[] = [];
  let judged = 0;
  for (let i = 0; i < runs; i++) {
    try {
      const r = runTarget(t, new RandomSource(deriveSeed(`contiguous/${name}/${model}`, i)));
      if (r.judgement.verdict.kind !== 'bound-hit') judged++;
    } catch (e) {
      if (!(e instanceof MisprogrammedContiguousRange)) throw e;
      errors.push(e.message);
    }
  }
  return { errors, judged };
}

const MODELS = ['sc', 'tso', 'weak'] as const;
const FIX =
  "\\(contpte_ptep_get_lockless under (sc|tso|weak)\\): arm64 forbids that \\(a misprogrammed Contiguous bit: the TLB may use any entry's translation for the whole range\\) — change an entry of a folded block only after unfolding it \\(contpte_try_unfold / contpte_unfold\\), as the kernel does: misprogrammed contiguous range$";

describe('executions: no verdict on a misprogrammed block, every kernel writer judged', () => {
  test('test/fixtures/contpte-remap-no-unfold.scn: every execution that runs B is refused at its __set_pte', () => {
    const file = join(ROOT, 'test', 'fixtures', 'contpte-remap-no-unfold.scn');
    const text = readFileSync(file, 'utf8');
    for (const model of MODELS) {
      const { errors, judged } = outcomes(text, 'remap.scn', model, 100);
      expect(judged, model).toBe(0);
      expect(errors, model).toHaveLength(100);
      for (const m of errors)
        expect(m).toMatch(
          new RegExp(
            '^scenario contpte-remap-no-unfold: cpu B \\(__set_pte, steps (?<s>\\d+)\\.\\.\\k<s>\\) left the contpte block pte misprogrammed ' +
              '(at step \\d+|when its store drained to memory at step \\d+): its valid entries disagree on the CONT bit — ' +
              'pte0 0x0068000000080bc3 \\(valid pfn=0x80\\), pte1 0x0078000000041[bf][4c]3 \\(valid pfn=0x41 cont\\), ' +
              'pte2 0x0078000000042[bf][4c]3 \\(valid pfn=0x42 cont\\), pte3 0x0078000000043[bf][4c]3 \\(valid pfn=0x43 cont\\) ' +
              FIX,
          ),
        );
    }
  });

  const LONE_CLEAR = `scenario lone-clear
arch arm64
pte pte = [0x0078000000040bc3, 0x0078000000041bc3, 0x0078000000042bc3, 0x0078000000043bc3]
reader contpte_ptep_get_lockless contract no-false-dirty
cpu A {
  reader(pte[1])
}
cpu B {
  spin_lock(ptl)
  __ptep_get_and_clear(pte[0])
  spin_unlock(ptl)
}
`;

  test('a lone __ptep_get_and_clear of one entry of a folded block: refused as a break nothing repainted', () => {
    for (const model of MODELS) {
      const { errors, judged } = outcomes(LONE_CLEAR, 'lone.scn', model, 50);
      expect(judged, model).toBe(0);
      expect(errors.length, model).toBeGreaterThan(0);
      for (const m of errors)
        expect(m).toMatch(
          new RegExp(
            '^scenario lone-clear: the execution ended with the contpte block pte half cleared — some entries valid and CONT, ' +
              'others invalid: a break nothing repainted \\(its last store: cpu B \\(__ptep_get_and_clear, steps \\d+\\.\\.\\d+\\) at step \\d+\\) — ' +
              'pte0 0x0000000000000000 \\(pfn=0x0\\), pte1 0x0078000000041bc3 \\(valid pfn=0x41 cont\\)',
          ),
        );
    }
    // the kernel's zap of one entry, get_and_clear_full_ptes(nr = 1), unfolds the block first
    // (contpte_try_unfold_partial): every execution is judged
    const wrapped = LONE_CLEAR.replace('__ptep_get_and_clear(pte[0])', 'get_and_clear_full_ptes(pte[0], 1)');
    expect(wrapped).not.toBe(LONE_CLEAR);
    for (const model of MODELS) expect(outcomes(wrapped, 'wrapped.scn', model, 50).errors, model).toEqual([]);
  });

  test('the kernel’s own block writers are never refused: a remap with the unfold, a batch clear in place', () => {
    for (const f of ['contpte-refold-other-folio.scn', 'contpte-zap-folio-batch.scn']) {
      const text = readFileSync(join(ROOT, 'corpus', 'mailing-list', f), 'utf8');
      for (const model of MODELS) {
        const { errors, judged } = outcomes(text, f, model, 150);
        expect(errors, `${f} ${model}`).toEqual([]);
        expect(judged, `${f} ${model}`).toBeGreaterThan(0);
      }
    }
  });
});
