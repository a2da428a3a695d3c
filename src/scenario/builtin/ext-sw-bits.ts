/**
 * Ryan Roberts' "extended SW bits" (mailing-list/002): Re: "[PATCH v1 0/5]
 * arm64/mm: uffd write-protect and soft-dirty tracking", 2024-04-19,
 * <24999e38-e4f7-4616-8eae-dfdeba327558@arm.com>. Claim: with SW bits in a
 * region linked from struct ptdesc, "it is not possible to read the HW pte
 * and the extended SW bits atomically so it is impossible to implement
 * ptep_get_lockless() in its current form" — the experiment was abandoned.
 *
 * The pte: HW descriptor (pfn 0x40, present) and its extended SW word
 * (soft-dirty set). CPU B zaps it (xchg HW, clear SW) and a fault installs
 * pfn 0x41 with a clean SW word (SW, smp_wmb, HW — the order most favourable
 * to the reader). The reader (HW, smp_rmb, SW) can pair the old HW pte with
 * the new SW word: a present pte the reference never held — torn, under sc.
 */
import { LocationTable } from '../../machine';
import type { Pte, ReaderDef } from '../../kernel';
import { arm64Mk, extValue, ptep_get_and_clear_ext_sw, set_pte_ext_sw } from '../../kernel';
import type { BuiltScenario, Scenario } from '../types';
import { unqualified } from '../types';

export const EXT_OLD = extValue(arm64Mk(0x40n, { write: true, young: true }), 1n);
export const EXT_NEW = extValue(arm64Mk(0x41n, { write: true, young: true }), 0n);

export const extSwBitsZapRefault: Scenario = {
  name: 'ext-sw-bits-zap-refault',
  title: 'arm64 pte + extended SW bits in a separate location: zap → refault vs a lockless read',
  arch: 'arm64-ext-sw',
  model: 'weak',
  readers: ['ptep_get_ext_sw'],
  source:
    'Ryan Roberts, Re: "[PATCH v1 0/5] arm64/mm: uffd write-protect and soft-dirty tracking", 2024-04-19, <24999e38-e4f7-4616-8eae-dfdeba327558@arm.com>',
  claim: 'the HW pte and the extended SW bits cannot be read atomically: ptep_get_lockless() is impossible (torn)',
  expect: unqualified({ ptep_get_ext_sw: 'bug' }),
  build(reader: ReaderDef): BuiltScenario {
    const locations = new LocationTable();
    const hw = locations.add('pte', 64, EXT_OLD & ((1n << 64n) - 1n));
    const sw = locations.add('pte_sw', 64, EXT_OLD >> 64n);
    const p: Pte = { name: 'pte', locs: [hw, sw] };
    const ids = [hw.id, sw.id];
    return {
      locations,
      subject: {
        name: 'pte',
        initial: EXT_OLD,
        locIds: ids,
        entries: {
          locIds: ids,
          initial: [EXT_OLD & ((1n << 64n) - 1n), EXT_OLD >> 64n],
          view: (e) => extValue(e[0]!, e[1]!),
        },
      },
      cpus: [
        { name: `A: ${reader.name}`, program: () => reader.read(p) },
        {
          name: 'B: zap, refault',
          program: function* () {
            yield* ptep_get_and_clear_ext_sw(p);
            yield* set_pte_ext_sw(p, EXT_NEW);
          },
        },
      ],
    };
  },
};
