/**
 * Fixed-width text columns for CPU diagrams. Every cell is one column of
 * `width` characters; its text keeps COLUMN_GAP spaces free on the right so
 * neighbouring columns never touch.
 */

export const DEFAULT_COLUMN_WIDTH = 34;
/** Narrower columns could not hold even an instruction name. */
export const MIN_COLUMN_WIDTH = 12;
export const COLUMN_GAP = 2;
/** Extra indentation of a wrapped line of one cell. */
/** Characters of indent per level of operation nesting (text diagram and HTML lanes). */
export const NEST_INDENT = 2;

export const CONTINUATION_INDENT = 4;

/** The column width actually used for a requested one. */
export function columnWidth(requested: number | undefined): number {
  const w = requested === undefined || !Number.isFinite(requested) ? DEFAULT_COLUMN_WIDTH : Math.trunc(requested);
  return Math.max(MIN_COLUMN_WIDTH, w);
}

/** Room for text in one column. */
export function textRoom(width: number): number {
  return width - COLUMN_GAP;
}

/** Cut `text` to at most `max` characters, marking a cut with '…'. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  return max <= 0 ? '' : text.slice(0, max - 1) + '…';
}

/**
 * Pack pieces (glued as given) into lines of at most `max` characters, the
 * first indented by `indent`. A line break before a piece drops its leading
 * spaces and indents it by CONTINUATION_INDENT more (less if the piece would
 * not fit otherwise); a piece longer than a whole line is truncated.
 */
export function wrap(pieces: readonly string[], indent: number, max: number): string[] {
  // deep nesting must still leave room for some text
  const first = Math.min(indent, Math.max(0, max - 8));
  const lines: string[] = [];
  let cur = ' '.repeat(first);
  let fresh = true;
  for (const piece of pieces) {
    if (piece === '') continue;
    if (fresh || cur.length + piece.length <= max) {
      cur += fresh ? piece.trimStart() : piece;
      fresh = false;
      continue;
    }
    lines.push(truncate(cur, max));
    const text = piece.trimStart();
    // shift a continuation left of its usual indent rather than cut a value
    const cont = Math.max(0, Math.min(first + CONTINUATION_INDENT, max - text.length));
    cur = ' '.repeat(cont) + text;
  }
  lines.push(truncate(cur, max));
  return lines;
}

/** A line holding `text` in column `col` (trailing spaces trimmed). */
export function inColumn(text: string, col: number, width: number): string {
  return (' '.repeat(col * width) + text).trimEnd();
}

/** A line with one text per column, each fitted to its column. */
export function columnsLine(texts: readonly string[], width: number): string {
  return texts
    .map((t) => truncate(t, textRoom(width)).padEnd(width))
    .join('')
    .trimEnd();
}
