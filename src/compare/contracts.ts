import type { Arch } from '../kernel';

/** What a reader promises, as a predicate over (returned value, allowed values). */
export interface Contract {
  readonly name: string;
  readonly summary: string;
  readonly source: string;
  accepts(observed: bigint, allowed: readonly bigint[], arch: Arch): boolean;
  /**
   * `gup-fast-kept`: a read inside a GUP-fast that returned no page (its grab or its recheck failed: the caller falls
   * back to the slow path and the value is thrown away; or a bound cut it off) is not judged; of one that kept its
   * value, read1 is judged against the values the pte held from its start to the recheck's last load (the recheck
   * confirmed it), and the recheck is not judged on its own. Absent: every completed invocation is judged against its
   * own window.
   */
  readonly gate?: 'gup-fast-kept';
}

/** The no-false-dirty predicate, shared by `no-false-dirty` and its GUP-fast-gated form. */
function noFalseDirty(observed: bigint, allowed: readonly bigint[], arch: Arch): boolean {
  // the dirty test is of a present pte: a non-present value's dirty bit is no dirty page (x86 pte_none ignores A/D,
  // a swap entry's bits are its offset), so such a value is judged as by ad-relaxed
  return (
    matchesIgnoringAD(observed, allowed, arch) &&
    (!arch.present(observed) || !arch.dirty(observed) || dirtyOnSamePage(observed, allowed, arch))
  );
}

export const CONTRACTS: readonly Contract[] = [
  {
    name: 'exact',
    summary: 'every bit equals a value the pte held during the read (linearizable)',
    source: "David Hildenbrand's requirement (1), 2024-04-10: no races ⇒ same value as ptep_get()",
    accepts: (observed, allowed) => allowed.includes(observed),
  },
  {
    name: 'non-torn',
    summary: 'a present value is one the pte held during the read; any non-present value is acceptable',
    source: 'Jason Gunthorpe, 2022-10-06 <Yz7316NubHtw2xCa@nvidia.com>',
    accepts: (observed, allowed, arch) => !arch.present(observed) || allowed.includes(observed),
  },
  {
    name: 'ad-relaxed',
    summary:
      'every field but access/dirty equals a value the pte held during the read; access and dirty may be wrong either way',
    source:
      'Ryan Roberts, "[RFC PATCH v1 0/4] Reduce cost of ptep_get_lockless on arm64", 2024-02-15 <20240215121756.2734131-1-ryan.roberts@arm.com>: ptep_get_lockless_norecency() "A/D in the result may be wrong"; 2024-04-11 <81aa23ca-18b1-4430-9ad1-00a2c5af8fc2@arm.com>',
    accepts: (observed, allowed, arch) => matchesIgnoringAD(observed, allowed, arch),
  },
  {
    name: 'no-false-dirty',
    summary:
      "every field but access/dirty equals a value the pte held during the read (as ad-relaxed), and dirty may be reported only if some value the pte held during the read was dirty and mapped the same page (pfn) — another folio's dirt does not count; a missed dirty is tolerated",
    source:
      'David Hildenbrand, 2024-04-15/23 <03cf371d-6473-463b-8586-f3ee794d8ed3@redhat.com>: KVM may map only dirty ptes writable, so a false-positive dirty is a bug; false negatives are reported by MMU notifiers',
    accepts: noFalseDirty,
  },
  {
    name: 'gup-no-false-dirty',
    summary:
      'no-false-dirty on the values GUP-fast keeps, judged up to its recheck: a read inside a GUP-fast that returned no page (its grab or its recheck failed) is not judged; a read outside GUP-fast is judged as by no-false-dirty',
    source:
      'DOMAIN §C S6, Ryan Roberts 2024-04-15 (example 2, answering David Hildenbrand 2024-04-12): a false-positive dirty "caught by the recheck" — if GUP-fast succeeds, a dirty it read must have been the page\'s',
    accepts: noFalseDirty,
    gate: 'gup-fast-kept',
  },
];

/**
 * Some allowed value was dirty and mapped the page `observed` names: the dirt
 * a no-false-dirty reader may report. Another page's dirty value in the window
 * (a folio remapped under the reader: FolioB's dirt returned with FolioA's pfn)
 * does not count — that is the false positive David Hildenbrand's KVM use
 * cannot tolerate. The CONT bit and the rest of the prot may differ (the same
 * page dirtied right after an unfold is still dirty).
 */
export function dirtyOnSamePage(observed: bigint, allowed: readonly bigint[], arch: Arch): boolean {
  const pfn = arch.pfn(observed);
  return allowed.some((a) => arch.dirty(a) && arch.present(a) && arch.pfn(a) === pfn);
}

/** Some allowed value has the same fields as `observed` once access/dirty are normalised away. */
export function matchesIgnoringAD(observed: bigint, allowed: readonly bigint[], arch: Arch): boolean {
  const o = arch.withoutAD(observed);
  return allowed.some((a) => arch.withoutAD(a) === o);
}

export function contractByName(name: string): Contract | undefined {
  return CONTRACTS.find((c) => c.name === name);
}
