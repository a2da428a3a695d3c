/**
 * The specification of a writer operation: its logical effect on the pte,
 * applied atomically by the SC reference at the operation's commit point.
 * Written from the kernel's documented semantics, never by running the
 * operation's instruction sequence (the reference must not share a bug with
 * the model under test).
 */
export interface WriterSpec {
  /** e.g. "set {0x00010002:0x00020067}", "clear" */
  readonly describe: string;
  readonly apply: (old: bigint) => bigint;
  /**
   * An explicit clean operation (clear_refs, folio_mkclean, writeback's
   * pte_mkclean): the only kind of store allowed to turn a dirty pte of a
   * page into a clean pte of the same page (the lost-dirty invariant).
   */
  readonly cleans?: boolean;
}

export const setSpec = (value: bigint, text: string): WriterSpec => ({
  describe: `set ${text}`,
  apply: () => value,
});

export const clearSpec: WriterSpec = { describe: 'clear', apply: () => 0n };

export function isWriterSpec(x: unknown): x is WriterSpec {
  return typeof x === 'object' && x !== null && typeof (x as WriterSpec).apply === 'function';
}

/**
 * The specification of a writer on a subject made of several entries — an
 * arm64 contpte block (CONT_PTES descriptors), a pte and its extended SW bits
 * (two locations): its logical effect on the entries it writes, keyed by
 * location id, given the entries' logical values just before it commits.
 * Applied atomically by the reference, like WriterSpec.
 */
export interface EntriesSpec {
  /** e.g. "unfold: pte0..pte3 := …", "hw: set AF of pte2" */
  readonly describe: string;
  readonly entries: (old: (locId: number) => bigint) => ReadonlyMap<number, bigint>;
  /**
   * Break-before-make (contpte_convert): the documented intermediate state
   * the entries pass through — e.g. every entry of the block none — before
   * `entries` (which still receives the values from before the break). The
   * reference then holds two logical values for this one operation.
   */
  readonly transient?: {
    readonly describe: string;
    readonly entries: (old: (locId: number) => bigint) => ReadonlyMap<number, bigint>;
  };
  /**
   * A break-before-make writer that goes on after its repaint (ptep_set_access_flags' unfold, then its
   * `__ptep_set_access_flags` of the target): the entries' values once the break is repainted, before
   * `entries` (both receive the values from before the break). Each entry takes its value here at its first
   * store after its clear, and `entries`' at its last; the reference then holds three logical values for
   * this one operation — the transient, the repainted block, the final one. Without it a repaint is final.
   */
  readonly repainted?: {
    readonly describe: string;
    readonly entries: (old: (locId: number) => bigint) => ReadonlyMap<number, bigint>;
  };
}

export function isEntriesSpec(x: unknown): x is EntriesSpec {
  return typeof x === 'object' && x !== null && typeof (x as EntriesSpec).entries === 'function';
}

/** The one-line description of a writer specification of either kind, or undefined. */
export function specDescribe(x: unknown): string | undefined {
  return isWriterSpec(x) || isEntriesSpec(x) ? x.describe : undefined;
}

/**
 * How the reference sees a subject made of several entries: the entries'
 * locations and initial values, and the value a reader of the subject would
 * return if every operation were atomic (DESIGN §6: for a contpte block,
 * entry t with access/dirty OR-ed over the block when entry t is valid and
 * CONT, else entry t raw).
 */
export interface EntriesModel {
  readonly locIds: readonly number[];
  readonly initial: readonly bigint[];
  readonly view: (entries: readonly bigint[]) => bigint;
  /**
   * Whether the view of `entries` is the target entry's own value, whatever the other entries hold (arm64: the
   * target is not valid+CONT — a lone pte, or an entry of a block not folded yet). A break-before-make writer's
   * transient then hides only the entries it has cleared: an entry it has yet to clear is still a pte of its own (a
   * refold's target before its xchg). Absent, or false: the view reads the block, and from the writer's first clear
   * the whole block is its transient (a reader must not see a half-broken block as a valid one).
   */
  readonly standalone?: (entries: readonly bigint[]) => boolean;
  /**
   * Entries (location ids) the view treats alike: it depends only on the
   * *set* of their values, not on which of them holds which value nor on how
   * many hold it. A contpte block's entries other than the target: the view
   * ORs their access/dirty bits into the target (commutative, idempotent).
   * A witness signature therefore records the set of logical values these
   * entries were read at, not which entry read which (campaign/signature.ts):
   * a reader that mixes in a dirty sibling of another generation is one bug
   * whichever sibling hardware dirtied. Absent: every entry plays its own
   * role (the HW pte and its extended SW bits).
   */
  readonly interchangeable?: readonly number[];
  /**
   * How reports name the logical value when it is one entry's view of several
   * (a contpte block read at entry t): the entry, and what the view adds to its
   * raw value — so "reference history of pte" does not leave the reader to guess
   * which of the block's entries the values are. Absent: the subject's name says it.
   */
  readonly label?: { readonly entry: string; readonly view: string };
  /**
   * The entries (location ids) that are arm64 translation descriptors, each one 64-bit location whose changes
   * break-before-make governs (arm64UnbrokenChange, checked by reference/bbm.ts): every entry of a contpte block,
   * the HW descriptor of a pte with extended SW bits (not its SW word). Absent: no such rule (x86 PAE).
   */
  readonly descriptors?: readonly number[];
  /**
   * The entries (location ids) of a contpte block of two or more entries, lowest address first: a block the
   * Contiguous bit may not misprogram (reference/contiguous.ts). Absent: a lone pte, the extended-SW pair, x86 PAE.
   */
  readonly block?: readonly number[];
}

/**
 * The termination promise of a retry loop that is not a writer — a hardware
 * walker that re-walks and re-faults until the access goes through: once the
 * reference's logical value of entry `locId` satisfies `done`, and no writer
 * on the subject is still running, the loop must end. A retry-bound hit of
 * such a loop under those conditions is a `livelock`, not a bound-hit.
 */
export interface LoopSpec {
  readonly loop: true;
  /** e.g. "per-descriptor walker (SMMU without HTTU) writing pte0" */
  readonly describe: string;
  readonly locId: number;
  readonly done: (v: bigint) => boolean;
}

export function isLoopSpec(x: unknown): x is LoopSpec {
  return typeof x === 'object' && x !== null && (x as LoopSpec).loop === true;
}
