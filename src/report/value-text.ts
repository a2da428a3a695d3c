import type { Arch } from '../kernel';
import { describeFields } from '../kernel';

/** `{0x00010002:0x00010067}  present pfn=0x1000200010 rw user accessed dirty` */
export function valueWithFields(v: bigint, arch: Arch): string {
  return `${arch.format(v)}  ${fieldsText(v, arch)}`;
}

/** The decoded fields of a pte value; `none` for pte_none, flagged when not present. */
export function fieldsText(v: bigint, arch: Arch): string {
  if (arch.none(v)) return 'none';
  const fields = describeFields(arch.decode(v));
  return arch.present(v) ? fields : `not present: ${fields}`;
}

/** Names of the separately written parts of a pte (PAE: "low half", "high half"). */
export function tearUnitNames(arch: Arch): string[] {
  const units = arch.tearUnits;
  if (arch.tearUnitNames !== undefined) return [...arch.tearUnitNames];
  if (units.length === 2) {
    const lowFirst = units[0]! < units[1]!;
    return lowFirst ? ['low half', 'high half'] : ['high half', 'low half'];
  }
  return units.map((u) => `bits ${'0x' + u.toString(16)}`);
}

/** `v0`, or `v0..v3` */
export function rangeText(lo: number, hi: number): string {
  return lo === hi ? `v${lo}` : `v${lo}..v${hi}`;
}
