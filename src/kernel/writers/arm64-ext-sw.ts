/**
 * Writers of an arm64 pte with extended SW bits in a separate location (Ryan
 * Roberts' abandoned ptdesc experiment, 2024-04-19,
 * <24999e38-e4f7-4616-8eae-dfdeba327558@arm.com>; see arm64-ext-sw.ts).
 * The HW descriptor and the SW word are two 64-bit locations, so every update
 * of both is two stores. The order is an assumption (the series was never
 * posted), chosen to give the reader its best chance: publishing a pte writes
 * the SW word, smp_wmb(), then the HW descriptor (pairing with the reader's
 * HW, smp_rmb(), SW); clearing exchanges the HW descriptor with 0 first
 * (xchg_relaxed, as __ptep_get_and_clear), then clears the SW word.
 * Spec: the pte (both words) becomes the new value / none at once.
 * Omitted: every other writer of the pair (access/dirty updates, the hardware
 * updater, contpte blocks: a pte with extended SW bits is a lone pte here),
 * and the ptdesc allocation that held the SW words.
 */
import type { Location, Program } from '../../machine';
import { WRITE_ONCE, begin, end, smp_wmb, xchg_relaxed } from '../../machine';
import type { Pte } from '../arch';
import { arm64ExtSw, extHw, extSw, extValue } from '../arm64-ext-sw';
import type { EntriesSpec } from '../spec';

const both = (hw: Location, sw: Location, v: bigint, describe: string): EntriesSpec => ({
  describe,
  entries: () =>
    new Map([
      [hw.id, extHw(v)],
      [sw.id, extSw(v)],
    ]),
});

/** set_pte of HW | SW << 64: SW word, smp_wmb, HW descriptor. */
export function* set_pte_ext_sw(p: Pte, v: bigint): Program {
  const [hw, sw] = p.locs as [Location, Location];
  const text = arm64ExtSw.format(v);
  yield begin({
    name: 'set_pte_ext_sw',
    role: 'writer',
    subject: p.name,
    locs: p.locs,
    spec: both(hw, sw, v, `set ${text}`),
    args: text,
  });
  yield WRITE_ONCE(sw, extSw(v));
  yield smp_wmb();
  yield WRITE_ONCE(hw, extHw(v));
  yield end();
}

/** ptep_get_and_clear: xchg_relaxed(HW, 0), then SW word = 0. Returns the old value (HW | SW << 64). */
export function* ptep_get_and_clear_ext_sw(p: Pte): Program<bigint> {
  const [hw, sw] = p.locs as [Location, Location];
  yield begin({
    name: 'ptep_get_and_clear_ext_sw',
    role: 'writer',
    subject: p.name,
    locs: p.locs,
    spec: both(hw, sw, 0n, 'clear'),
  });
  const h = yield xchg_relaxed(hw, 0n);
  const s = yield xchg_relaxed(sw, 0n);
  yield end();
  return extValue(h, s);
}
