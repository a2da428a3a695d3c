/** Width in bits of one memory cell. */
export type Width = 32 | 64;

/** One memory cell. invariant: `id` is the index in its LocationTable. */
export interface Location {
  readonly id: number;
  readonly name: string;
  readonly width: Width;
}

/** Mask of a location's width. */
export function widthMask(width: Width): bigint {
  return width === 64 ? 0xffff_ffff_ffff_ffffn : 0xffff_ffffn;
}

/**
 * The locations of one scenario, with their initial values.
 * Names are unique; ids are dense and assigned in declaration order, so two
 * tables built by the same code are identical (determinism).
 */
export class LocationTable {
  private readonly byName = new Map<string, Location>();
  /** invariant: locs[i].id === i */
  readonly locs: Location[] = [];
  readonly initial: bigint[] = [];

  add(name: string, width: Width, initial = 0n): Location {
    if (this.byName.has(name)) {
      throw new Error(`[ptefuzz internal bug] duplicate location ${name}`);
    }
    const loc: Location = { id: this.locs.length, name, width };
    this.locs.push(loc);
    this.initial.push(initial & widthMask(width));
    this.byName.set(name, loc);
    return loc;
  }

  get(name: string): Location | undefined {
    return this.byName.get(name);
  }

  get size(): number {
    return this.locs.length;
  }
}

/**
 * Combine the values of a group of locations (lowest first) into one value,
 * e.g. a PAE pte from pte_low and pte_high.
 */
export function combine(locs: readonly Location[], values: readonly bigint[]): bigint {
  let out = 0n;
  let shift = 0n;
  for (let i = 0; i < locs.length; i++) {
    out |= (values[i] ?? 0n) << shift;
    shift += BigInt(locs[i]!.width);
  }
  return out;
}

/** Inverse of combine. */
export function split(locs: readonly Location[], value: bigint): bigint[] {
  const out: bigint[] = [];
  let shift = 0n;
  for (const loc of locs) {
    out.push((value >> shift) & widthMask(loc.width));
    shift += BigInt(loc.width);
  }
  return out;
}
