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
