/**
 * The text report of an arm64 contpte witness, read as an arm64 developer reads it: which entry of the
 * block the reference history is about, and why a dirty return is a false dirty when the only dirty
 * value in the window maps another page (harness/readers/contpte-nopfn.ts on a refold onto FolioB).
 */
import { describe, expect, test } from 'vitest';
import { TraceSource, execute } from '../../src/machine';
import { arm64, builtinOperations, builtinReaders } from '../../src/kernel';
import { contractByName, judge } from '../../src/compare';
import { loadScn } from '../../src/scenario';
import { renderVerdictReport } from '../../src/report';
import { join } from 'node:path';
import { loadReaderModule } from '../../src/cli/reader-modules';
import { ROOT } from '../support/cli';

// the minimized witness program of corpus/mailing-list/contpte-refold-other-folio.scn: B without its PTL (each clear
// kept before its __set_pte: break-before-make; the unfold kept: without it the block is misprogrammed)
const SCN = `arch arm64
model sc
pte pte = [0x0078000000040bc3, 0x0078000000041bc3, 0x0078000000042bc3, 0x0078000000043bc3]
reader contpte_ptep_get_lockless_nopfn
cpu A {
  reader(pte[1])
}
cpu B {
  contpte_unfold(pte[1])
  __ptep_get_and_clear(pte[0])
  __set_pte(pte[0], 0x0068000000080bc3)
  __ptep_get_and_clear(pte[1])
  __set_pte(pte[1], 0x0068000000081bc3)
  __ptep_get_and_clear(pte[2])
  __set_pte(pte[2], 0x0068000000082bc3)
  __ptep_get_and_clear(pte[3])
  __set_pte(pte[3], 0x0068000000083bc3)
  contpte_try_fold(pte[3])
}
cpu C {
  hw_access(pte[2])
}
`;

describe('report of an arm64 contpte witness', () => {
  const readers = builtinReaders();
  for (const r of loadReaderModule(join(ROOT, 'harness', 'readers', 'contpte-nopfn.ts'), ROOT)) readers.register(r);
  const l = loadScn(SCN, 'refold.scn', { readers, operations: builtinOperations() }, 'refold');
  if (l.kind !== 'kernel') throw new Error('expected a kernel scenario');
  const built = l.scenario.build(readers.get('contpte_ptep_get_lockless_nopfn')!, arm64);
  // A reads pte1 twice (FolioA), B unfolds, clears and remaps each entry and refolds onto FolioB, C dirties it, A scans
  const exec = execute({ locations: built.locations, cpus: built.cpus }, 'sc', new TraceSource([0, 0, 0, 1]));
  const contract = contractByName('no-false-dirty')!;
  const j = judge(exec, 'contpte_ptep_get_lockless_nopfn', built.subject, contract, arm64);
  const report = renderVerdictReport({ exec, built, arch: arm64, judgement: j, contract: 'no-false-dirty' });

  test('the witness is a false dirty: FolioA pte1 returned with FolioB dirt', () => {
    expect(j.verdict.kind === 'divergence' && j.verdict.class).toBe('false-dirty');
    expect(j.verdict.kind === 'divergence' && arm64.pfn(j.verdict.observed)).toBe(0x41n);
  });

  test('the reference history names the entry read, not just the block', () => {
    expect(report).toContain(
      'reference history of pte1, the entry read in block pte (while valid+CONT, access/dirty OR-ed over pte0..pte3, as ptep_get() returns it; each writer atomic when it finishes):',
    );
  });

  test("the verdict says the only dirt in the window is another page's", () => {
    expect(report).toMatch(
      /all fields but access\/dirty match v0 \(window v0\.\.v\d+\), but it is dirty and no value of its page \(pfn=0x41\) in the window was; v\d+ was dirty but maps another page \(pfn=0x81\): that dirt is not this page's/,
    );
  });
});
