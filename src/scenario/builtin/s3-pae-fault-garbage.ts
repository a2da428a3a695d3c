/**
 * DOMAIN §C S3 — a zap racing the fault path's lockless read: benign garbage.
 * Source: David Hildenbrand, Re: "[RFC PATCH v1 0/4] Reduce cost of
 * ptep_get_lockless on arm64", 2024-04-10/15 <3e50030d-2289-4470-a727-a293baa21618@redhat.com>:
 * "(2) Lockless page table walkers that later verify under the PTL can handle
 * serious 'garbage PTEs'. This is our page fault handler."; mm/memory.c
 * pte_unmap_same(): on PAE orig_pte "was read non-atomically".
 *
 * CPUs: A = handle_pte_fault (read fault) whose lockless read is the reader
 * under test; B = pte_clear (low = 0, wmb, high = 0) of the present pte under
 * the PTL (the teardown path; DOMAIN §C S3's writer). A may read {h1:0} —
 * neither none nor present — and take it for a swap entry: do_swap_page() →
 * pte_unmap_same() takes the PTL, finds the pte changed, bails.
 * Claim: benign — nothing is committed from the garbage value (the commit
 * invariant), whatever the reader returned. `ptep_get` (no retry) can also
 * return the present torn {0:l1}: a reader-contract divergence, but the fault
 * path's PTL recheck still rejects it.
 */
import type { PaePte, ReaderDef } from '../../kernel';
import { handle_pte_fault, paeMk, paeOps, pte_clear } from '../../kernel';
import { spin_lock, spin_unlock } from '../../machine';
import type { BuiltScenario, Scenario } from '../types';
import { unqualified } from '../types';
import { paeMemory } from './pae-common';

export const S3_PFN = 0x10001_00010n;

export const s3PaeFaultGarbage: Scenario = {
  name: 's3-pae-fault-garbage',
  title: 'PAE: pte_clear racing the fault path — garbage read, PTL recheck bails (S3)',
  arch: 'x86-pae',
  model: 'tso',
  readers: ['ptep_get_lockless', 'ptep_get', 'ptep_get_atomic64'],
  source:
    'David Hildenbrand, Re: "[RFC PATCH v1 0/4] Reduce cost of ptep_get_lockless on arm64", 2024-04-15 <3e50030d-2289-4470-a727-a293baa21618@redhat.com>; mm/memory.c pte_unmap_same()',
  claim:
    'benign: the fault path may read a non-present garbage value, but its PTL recheck fails and nothing is committed',
  expect: unqualified({ ptep_get_lockless: 'benign', ptep_get: 'bug', ptep_get_atomic64: 'correct' }),
  consumer: 'handle_pte_fault',
  settings: { fault: 'read', same: 'pte_same' },
  build(reader: ReaderDef): BuiltScenario {
    const m = paeMemory(paeMk(S3_PFN));
    const read = reader.read as (p: PaePte) => ReturnType<ReaderDef['read']>;
    return {
      locations: m.locations,
      subject: m.subject,
      pages: [
        { pfn: S3_PFN, ref: 1 },
        { pfn: 0x10004_00040n, ref: 0 },
      ],
      cpus: [
        { name: `A: fault(${reader.name})`, program: () => handle_pte_fault(paeOps, m.pte, m.ptl, read) },
        {
          name: 'B: pte_clear under the PTL',
          program: function* () {
            yield spin_lock(m.ptl);
            yield* pte_clear(m.pte);
            yield spin_unlock(m.ptl);
          },
        },
      ],
    };
  },
};
