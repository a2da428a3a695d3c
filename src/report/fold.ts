/**
 * Folding of repeated blocks in a text diagram. A livelock witness (S8: an
 * SMMU without HTTU faulting on the same pte forever) runs one loop body until
 * the retry bound — 65 identical iterations, ~2800 diagram lines. A reader of
 * the report needs the first iteration and the fact that the rest are the
 * same, as a mailing-list reply would write "… and again, forever".
 *
 * A block of rows is folded when the same rows (same CPU column, same text —
 * operations, arguments and values read —, step numbers aside) follow it at
 * least MIN_FOLD_COPIES - 1 more times and at least MIN_FOLD_ROWS rows go.
 * The thresholds keep short natural repeats (three loads of one pte in a row)
 * in full. Deterministic: the smallest block that folds, scanned from the top.
 */

/** One diagram row: its text lines (step gutter aside) and the steps it covers (none for an operation row). */
export interface FoldRow {
  readonly key: string;
  readonly steps: readonly number[];
  /** printed lines (a row too long for its column wraps); default 1 */
  readonly lines?: number;
}

/** A run of identical blocks: rows [start, start+length) shown, the `copies - 1` blocks after it folded. */
export interface Fold {
  readonly start: number;
  readonly length: number;
  readonly copies: number;
}

/** A block must appear at least this many times in a row to fold. */
export const MIN_FOLD_COPIES = 3;
/** …and folding it must hide at least this many rows. */
export const MIN_FOLD_ROWS = 16;
/** Longest block tried (rows): an iteration of a retry loop is far shorter. */
export const MAX_FOLD_BLOCK = 400;

/** The folds of `rows`, in order, not overlapping. */
export function findFolds(rows: readonly FoldRow[]): Fold[] {
  const ids = rowIds(rows);
  const n = ids.length;
  const folds: Fold[] = [];
  let i = 0;
  while (i < n) {
    const f = foldAt(ids, i, n);
    if (f === undefined) {
      i++;
      continue;
    }
    folds.push(f);
    i = f.start + f.length * f.copies;
  }
  return folds;
}

function foldAt(ids: readonly number[], i: number, n: number): Fold | undefined {
  const maxLen = Math.min(MAX_FOLD_BLOCK, Math.floor((n - i) / MIN_FOLD_COPIES));
  for (let len = 1; len <= maxLen; len++) {
    if (ids[i + len] !== ids[i]) continue;
    let copies = 1;
    while (i + (copies + 1) * len <= n && sameBlock(ids, i, i + copies * len, len)) copies++;
    if (copies >= MIN_FOLD_COPIES && (copies - 1) * len >= MIN_FOLD_ROWS) return { start: i, length: len, copies };
  }
  return undefined;
}

function sameBlock(ids: readonly number[], a: number, b: number, len: number): boolean {
  for (let k = 0; k < len; k++) if (ids[a + k] !== ids[b + k]) return false;
  return true;
}

function rowIds(rows: readonly FoldRow[]): number[] {
  const ids = new Map<string, number>();
  return rows.map((r) => {
    let id = ids.get(r.key);
    if (id === undefined) ids.set(r.key, (id = ids.size));
    return id;
  });
}

/** The first and last step of rows [from, to), or undefined when they hold no step. */
export function stepRange(rows: readonly FoldRow[], from: number, to: number): [number, number] | undefined {
  let lo = Infinity;
  let hi = -Infinity;
  for (let k = from; k < to; k++) {
    for (const s of rows[k]!.steps) {
      lo = Math.min(lo, s);
      hi = Math.max(hi, s);
    }
  }
  return lo === Infinity ? undefined : [lo, hi];
}

/**
 * The line that stands for the folded copies of a block. `stepNumbers`: whether the diagram shows
 * its step gutter; without it the line names no step number (they would refer to nothing on the
 * page) but the printed lines of the block and how many steps the hidden copies hold. A block
 * without steps (operation rows, drains) is also named by its lines.
 */
export function foldLine(rows: readonly FoldRow[], f: Fold, stepNumbers = true): string {
  const end = f.start + f.length * f.copies;
  const shown = stepRange(rows, f.start, f.start + f.length);
  const hidden = stepRange(rows, f.start + f.length, end);
  const more = f.copies - 1;
  let lines = 0;
  for (let k = f.start; k < f.start + f.length; k++) lines += rows[k]!.lines ?? 1;
  const block =
    shown === undefined || !stepNumbers
      ? `the ${lines} line${lines === 1 ? '' : 's'} above`
      : `steps ${shown[0]}..${shown[1]}`;
  let where = '';
  if (hidden !== undefined && stepNumbers) where = ` (steps ${hidden[0]}..${hidden[1]} not shown)`;
  else if (hidden !== undefined) {
    let n = 0;
    for (let k = f.start + f.length; k < end; k++) n += rows[k]!.steps.length;
    where = ` (${n} step${n === 1 ? '' : 's'} not shown)`;
  }
  return `⋮ ${block} repeat ${more} more time${more === 1 ? '' : 's'}, identically: same operations, same values read${where}`;
}
