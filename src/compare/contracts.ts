import type { Arch } from '../kernel';

/** What a reader promises, as a predicate over (returned value, allowed values). */
export interface Contract {
  readonly name: string;
  readonly summary: string;
  readonly source: string;
  accepts(observed: bigint, allowed: readonly bigint[], arch: Arch): boolean;
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
];

export function contractByName(name: string): Contract | undefined {
  return CONTRACTS.find((c) => c.name === name);
}
