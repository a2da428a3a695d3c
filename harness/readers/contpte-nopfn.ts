/**
 * Worked example of the arm64 journey (README "Worked example: an arm64 contpte proposal"): a
 * contpte_ptep_get_lockless() that drops the pfn check of its consistency test — "a block is only ever
 * folded over one folio, so valid+CONT and the same prot (ignoring access/dirty) are enough".
 *
 * Not a kernel function. Base: arch/arm64/mm/contpte.c contpte_ptep_get_lockless(), v6.9–v6.16 full scan
 * (torvalds/linux @35e02583; DOMAIN §A3.4): re-read the target (orig_pte), then for every entry of the
 * block check valid+CONT, pfn == pfn(orig) - index + i and the prot ignoring access/dirty, retry on a
 * mismatch, OR access/dirty into orig_pte. This variant keeps all of it but the pfn comparison. Thread:
 * Ryan Roberts, "[RFC PATCH v1 0/4] Reduce cost of ptep_get_lockless on arm64", 2024-02-15
 * <20240215121756.2734131-1-ryan.roberts@arm.com>, and David Hildenbrand's KVM point (a false-positive
 * dirty is a bug, hence the declared contract no-false-dirty).
 *
 * What ptefuzz says (corpus/mailing-list/contpte-refold-other-folio.scn): a block of FolioA remapped
 * entry by entry to FolioB with the same prot and refolded (contpte_try_fold) while hardware dirties
 * FolioB; a reader that read orig_pte = FolioA's pte1 before the remap and scans after the refold sees
 * four consistent-looking CONT entries (right prot, wrong pfns) and returns FolioA's pte1 with FolioB's
 * dirty bit: false-dirty. The kernel's check (pfn + i) retries instead.
 * Omitted: the 2025 early termination (see contpte_ptep_get_lockless@2025), POE, LPA2 addresses.
 */
import { kernel, machine } from 'ptefuzz';
const { READ_ONCE, begin, end, retry } = machine;
const { arm64, protIgnoringAD, validCont } = kernel;

function* contpte_ptep_get_lockless_nopfn(ptep: kernel.Arm64Ptep): machine.Program<bigint> {
  yield begin({
    name: 'contpte_ptep_get_lockless_nopfn',
    role: 'reader',
    subject: ptep.name,
    locs: ptep.block,
    args: ptep.loc.name,
  });
  let pte: bigint = yield READ_ONCE(ptep.loc, 'pte'); // ptep_get_lockless(): pte = __ptep_get(ptep)
  if (validCont(pte)) {
    retry: for (;;) {
      const orig: bigint = yield READ_ONCE(ptep.loc, 'orig_pte'); // orig_pte = __ptep_get(orig_ptep)
      pte = orig;
      if (!validCont(orig)) break;
      const prot = protIgnoringAD(orig);
      for (const loc of ptep.block) {
        const e: bigint = yield READ_ONCE(loc, 'pte'); // pte = __ptep_get(ptep)
        // the proposal: no `pte_pfn(pte) != pfn` test here
        if (!validCont(e) || protIgnoringAD(e) !== prot) {
          yield retry();
          continue retry;
        }
        if (arm64.dirty(e)) pte = arm64.mkdirty(pte);
        if (arm64.young(e)) pte = arm64.mkyoung(pte);
      }
      break;
    }
  }
  yield end(pte);
  return pte;
}

export const reader: kernel.ReaderDef<kernel.Arm64Ptep> = {
  name: 'contpte_ptep_get_lockless_nopfn',
  arch: 'arm64',
  contract: 'no-false-dirty',
  source: 'a proposed change to arch/arm64/mm/contpte.c contpte_ptep_get_lockless() (v6.9–v6.16), not kernel code',
  summary: 'contpte_ptep_get_lockless without the pfn + i check: valid+CONT and the same prot ignoring A/D only',
  read: contpte_ptep_get_lockless_nopfn,
};
