import type { ChoiceKind } from './choice';
import type { FenceKind, LoadHow, RmwOrder, StoreHow } from './instructions';
import type { Location } from './location';

export type ModelKind = 'sc' | 'tso' | 'weak';
export const MODEL_KINDS: readonly ModelKind[] = ['sc', 'tso', 'weak'];

/** `m` and the weaker models (outcomes nest, SC ⊆ TSO ⊆ weak: an outcome under `m` is one under each), strongest first. */
export const modelsAtMostAsStrong = (m: ModelKind): readonly ModelKind[] => MODEL_KINDS.slice(MODEL_KINDS.indexOf(m));

/** `m` and the stronger models (an outcome none of `m`'s executions shows, none of theirs shows), strongest first. */
export const modelsAtLeastAsStrong = (m: ModelKind): readonly ModelKind[] =>
  MODEL_KINDS.slice(0, MODEL_KINDS.indexOf(m) + 1);

/** Tag of the initial message of every location. */
export const INIT_TAG = -1;
/** Tag of a store made outside any writer operation. */
export const NO_TAG = -2;

export type Chooser = (kind: ChoiceKind, n: number) => number;

/** Called for every store buffer drain (TSO): it becomes an event of the execution. */
export type DrainSink = (cpu: number, loc: Location, value: bigint, tag: number) => void;

export interface ReadResult {
  readonly value: bigint;
  /** staleness of the message read: 0 = the newest this CPU may read */
  readonly rank: number;
  /** tag of the message read */
  readonly tag: number;
}

export interface RmwResult {
  /** the combined old value of the location group */
  readonly old: bigint;
  readonly wrote: boolean;
}

/**
 * A memory model: only the visibility of stores differs between models; all
 * of them run the same programs. Outcomes nest: SC ⊆ TSO ⊆ weak.
 */
export interface MemoryModel {
  readonly kind: ModelKind;
  /**
   * `dep`: the load's Instr `dep` (weak remembers what it read, for the accesses that depend on it); `after`: its
   * Instr `after` (the earlier loads its address depends on: weak reads no message older than what they read carries)
   */
  load(cpu: number, loc: Location, how: LoadHow, choose: Chooser, dep?: string, after?: readonly string[]): ReadResult;
  /**
   * `unlock` is spin_unlock's release store of 0: a release that the CPU's
   * next lock acquisition, of any lock, also orders after (LKMM's
   * po-unlock-lock-po: po ; [UL] ; (po | rf) ; [LKR] ; po).
   * Returns how many messages already in memory the store was placed coherence-before: 0 under sc and tso (a
   * store is coherence-last when it reaches memory); under weak a `co` choice (WeakModel.place).
   */
  store(
    cpu: number,
    loc: Location,
    value: bigint,
    how: StoreHow | 'unlock',
    tag: number,
    choose: Chooser,
    /** the store's Instr `after`: the `dep` names of the loads it depends on */
    after?: readonly string[],
  ): number;
  /**
   * `lock` is spin_lock's acquiring RMW: an acquire that is also cumulative
   * (LKMM's po-unlock-lock-po is in cumul-fence); a `lock` RMW that does not
   * store (a failed spin_trylock) is a read with no ordering (LKMM's LF).
   */
  rmw(
    cpu: number,
    locs: readonly Location[],
    order: RmwOrder | 'lock',
    update: (old: bigint) => bigint | null,
    tag: number,
    sink: DrainSink,
  ): RmwResult;
  fence(cpu: number, kind: FenceKind, sink: DrainSink): void;
  /** Offer the nondeterminism that happens between steps (TSO drains). */
  beforeSchedule(choose: Chooser, sink: DrainSink): void;
  /** Make every pending store visible; returns whether anything was pending. */
  flushAll(sink: DrainSink): boolean;
  /** The value an atomic RMW by `cpu` would read now (lock acquisition). */
  rmwValue(cpu: number, loc: Location): bigint;
  /** The coherence-latest value. */
  latest(loc: Location): bigint;
  /** Tag of the oldest message `cpu` may still read at `loc`. */
  floorTag(cpu: number, loc: Location): number;
}
