import type { Location } from './location';
import { combine, split, widthMask } from './location';
import type { MemoryModel, ReadResult, RmwResult } from './model';
import { INIT_TAG } from './model';

/** Sequential consistency: one memory; every load reads the latest store. */
export class ScModel implements MemoryModel {
  readonly kind = 'sc' as const;
  private readonly value: bigint[];
  private readonly tag: number[];

  constructor(initial: readonly bigint[]) {
    this.value = [...initial];
    this.tag = initial.map(() => INIT_TAG);
  }

  load(_cpu: number, loc: Location): ReadResult {
    return { value: this.value[loc.id]!, rank: 0, tag: this.tag[loc.id]! };
  }

  store(_cpu: number, loc: Location, value: bigint, _how: unknown, tag: number): number {
    this.value[loc.id] = value & widthMask(loc.width);
    this.tag[loc.id] = tag;
    return 0;
  }

  rmw(
    _cpu: number,
    locs: readonly Location[],
    _order: unknown,
    update: (old: bigint) => bigint | null,
    tag: number,
  ): RmwResult {
    const old = combine(
      locs,
      locs.map((l) => this.value[l.id]!),
    );
    const next = update(old);
    if (next === null) return { old, wrote: false };
    const parts = split(locs, next);
    locs.forEach((l, i) => {
      this.value[l.id] = parts[i]!;
      this.tag[l.id] = tag;
    });
    return { old, wrote: true };
  }

  fence(): void {}
  beforeSchedule(): void {}
  flushAll(): boolean {
    return false;
  }
  rmwValue(_cpu: number, loc: Location): bigint {
    return this.value[loc.id]!;
  }
  latest(loc: Location): bigint {
    return this.value[loc.id]!;
  }
  floorTag(_cpu: number, loc: Location): number {
    return this.tag[loc.id]!;
  }
}
