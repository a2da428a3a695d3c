import type { ChoiceKind, ChoiceSource } from '../machine';
import type { Rng } from './rng';
import { createRng } from './rng';

/**
 * Engine `random`: every choice uniform from a seeded PRNG. The PRNG is
 * seeded on the first choice (seeding ARC4 costs about as much as a short
 * execution), so a source that is never asked — the coverage engine's random
 * tail of a mutant whose plan covers the whole execution — costs nothing;
 * the choices are the same either way.
 */
export class RandomSource implements ChoiceSource {
  private rng: Rng | undefined;
  constructor(private readonly seed: string) {}
  choose(_kind: ChoiceKind, n: number): number {
    this.rng ??= createRng(this.seed);
    return this.rng.int(n);
  }
}
