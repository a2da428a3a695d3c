/**
 * The watchdog's campaign-wide decisions, in one SharedArrayBuffer that every worker of a `fuzz` campaign
 * reads: which targets are dropped (they hung MAX_TIMEOUTS_PER_TARGET times) and which target + class pairs
 * are no longer minimized (a candidate of their minimization hung). The main thread decides when a worker
 * hangs; every worker — the restarted one and those still running — sees the decision at its next execution
 * (a dropped target) or next minimization (an unminimized class), so one bad target or minimization costs
 * one restart per worker at most: the ones already hung on it when it was decided.
 *
 * Plain flags, one Int32 per decision, read by the workers per execution without a message: a worker of a
 * campaign that never hangs reads zeros. With one worker the decision is only ever taken while that worker
 * is stopped, so a `--jobs 1` campaign sees it exactly when its fresh worker starts (deterministic).
 *
 * Layout: per target (in the campaign's order), its dropped flag, then one flag per DIVERGENCE_CLASSES entry.
 */
import type { CampaignConfig } from '../campaign';
import type { DivergenceClass } from '../compare';
import { DIVERGENCE_CLASSES } from '../compare';

const STRIDE = 1 + DIVERGENCE_CLASSES.length;

/** The membership test the campaign loop asks (CampaignConfig.skip, CampaignConfig.unminimized). */
type KeySet = NonNullable<CampaignConfig['skip']>;

export class CampaignDecisions {
  private readonly flags: Int32Array;
  private readonly index: Map<string, number>;

  /** `keys`: the campaign's target keys, in its order (the same on both sides) */
  constructor(
    readonly buffer: SharedArrayBuffer,
    keys: readonly string[],
  ) {
    if (buffer.byteLength !== keys.length * STRIDE * 4)
      throw new Error(
        `[ptefuzz internal bug] a decisions buffer of ${buffer.byteLength} bytes for ${keys.length} targets`,
      );
    this.flags = new Int32Array(buffer);
    this.index = new Map(keys.map((k, i) => [k, i]));
  }

  static create(keys: readonly string[]): CampaignDecisions {
    return new CampaignDecisions(new SharedArrayBuffer(keys.length * STRIDE * 4), keys);
  }

  /** Main side: target `i` is dropped for the rest of the campaign. */
  drop(i: number): void {
    Atomics.store(this.flags, i * STRIDE, 1);
  }

  /**
   * Main side: class `cls` of target `i` is handed over unminimized from now on. False when it already was (another
   * job's minimization of it hung first: with `--jobs`, two workers can be minimizing one class when it is decided).
   */
  unminimize(i: number, cls: string): boolean {
    return Atomics.exchange(this.flags, i * STRIDE + 1 + classIndex(cls), 1) === 0;
  }

  /** Worker side: keys of the dropped targets (CampaignConfig.skip). */
  readonly dropped: KeySet = {
    has: (key) => {
      const i = this.index.get(key);
      return i !== undefined && Atomics.load(this.flags, i * STRIDE) !== 0;
    },
  };

  /** Worker side: `minimizeKey(target, class)` of the classes not to minimize (CampaignConfig.unminimized). */
  readonly unminimized: KeySet = {
    has: (classKey) => {
      // minimizeKey: the target's key, a space, the class (classes hold no space)
      const at = classKey.lastIndexOf(' ');
      const i = this.index.get(classKey.slice(0, at));
      const c = DIVERGENCE_CLASSES.indexOf(classKey.slice(at + 1) as DivergenceClass);
      return i !== undefined && c >= 0 && Atomics.load(this.flags, i * STRIDE + 1 + c) !== 0;
    },
  };
}

function classIndex(cls: string): number {
  const c = DIVERGENCE_CLASSES.indexOf(cls as DivergenceClass);
  if (c < 0) throw new Error(`[ptefuzz internal bug] a minimization of an unknown divergence class ${cls} hung`);
  return c;
}
