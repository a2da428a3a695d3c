/**
 * An arm64 pte with "extended SW bits" in a separate location — Ryan Roberts'
 * abandoned experiment (Re: "[PATCH v1 0/5] arm64/mm: uffd write-protect and
 * soft-dirty tracking", 2024-04-19, <24999e38-e4f7-4616-8eae-dfdeba327558@arm.com>):
 * a region linked from `struct ptdesc` holding more software bits per pte,
 * which "is not possible to read ... atomically" together with the HW pte.
 * The value of such a pte is 128 bits: the HW descriptor in bits 0..63 (the
 * arm64 encoding) and the extended SW word in bits 64..127, written and read
 * as two separate 64-bit locations — two tear units, so a value mixing the
 * two words of different logical values is classified `torn`.
 * Extended SW word layout (an assumption, the series was never posted):
 * bit 0 soft-dirty; other bits shown raw.
 */
import type { Arch, Field } from './arch';
import { hex } from './arch';
import { arm64 } from './arm64';

const W = (1n << 64n) - 1n;
export const EXT_SW = { SOFT_DIRTY: 1n << 0n, HW: W, SW: W << 64n } as const;

export const extHw = (v: bigint): bigint => v & W;
export const extSw = (v: bigint): bigint => (v >> 64n) & W;
export const extValue = (hw: bigint, sw: bigint): bigint => (hw & W) | ((sw & W) << 64n);
const onHw =
  (f: (hw: bigint) => bigint) =>
  (v: bigint): bigint =>
    extValue(f(extHw(v)), extSw(v));

export const arm64ExtSw: Arch = {
  name: 'arm64-ext-sw',
  present: (v) => arm64.present(extHw(v)),
  none: (v) => v === 0n,
  decode(v): Field[] {
    const sw = extSw(v);
    return [
      ...arm64.decode(extHw(v)),
      { name: 'ext_soft_dirty', value: (sw & EXT_SW.SOFT_DIRTY) !== 0n },
      { name: 'ext_sw', value: sw & ~EXT_SW.SOFT_DIRTY },
    ];
  },
  format: (v) => `{sw:${hex(extSw(v), 16)} hw:${hex(extHw(v), 16)}}`,
  tearUnits: [EXT_SW.HW, EXT_SW.SW],
  // the two words are a descriptor and a software word, not halves of one value (as format's `{sw:… hw:…}`)
  tearUnitNames: ['hw descriptor', 'sw word'],
  pfn: (v) => arm64.pfn(extHw(v)),
  young: (v) => arm64.young(extHw(v)),
  dirty: (v) => arm64.dirty(extHw(v)),
  write: (v) => arm64.write(extHw(v)),
  accessPermitted: (v, write) => arm64.accessPermitted(extHw(v), write),
  mkyoung: onHw(arm64.mkyoung),
  mkold: onHw(arm64.mkold),
  mkdirty: onHw(arm64.mkdirty),
  mkclean: onHw(arm64.mkclean),
  withoutAD: onHw(arm64.withoutAD),
};
