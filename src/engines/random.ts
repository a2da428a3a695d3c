import type { ChoiceKind, ChoiceSource } from '../machine';
import type { Rng } from './rng';
import { createRng } from './rng';

/** Engine `random`: every choice uniform from a seeded PRNG. */
export class RandomSource implements ChoiceSource {
  private readonly rng: Rng;
  constructor(seed: string) {
    this.rng = createRng(seed);
  }
  choose(_kind: ChoiceKind, n: number): number {
    return this.rng.int(n);
  }
}
