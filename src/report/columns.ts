/**
 * Fixed-width text columns for CPU diagrams. Every cell is one column of
 * `width` characters; its text keeps COLUMN_GAP spaces free on the right so
 * neighbouring columns never touch.
 */

export const DEFAULT_COLUMN_WIDTH = 34;
/** Narrower columns could not hold even an instruction name. */
export const MIN_COLUMN_WIDTH = 12;
export const COLUMN_GAP = 2;
/** Characters of indent per level of operation nesting (text diagram and HTML lanes). */
export const NEST_INDENT = 2;
/** Extra indentation of a wrapped line of one cell. */
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
 * first indented by `indent`. Nothing is cut: every character of every piece
 * is printed, so an address, a pte value or an argument is always whole.
 * A line break before a piece drops its leading spaces and puts it on a
 * continuation line under the first: CONTINUATION_INDENT deeper, or less
 * (never less than one) when that keeps more pieces whole; all continuation
 * lines of one call share that indent. A piece too long for a whole line
 * breaks where its text allows (`breakPoints`), a word only as a last resort.
 */
export function wrap(pieces: readonly string[], indent: number, max: number): string[] {
  const room = Math.max(1, max);
  // deep nesting must still leave room for some text
  const first = Math.min(indent, Math.max(0, room - 8));
  const parts = pieces.filter((p) => p !== '');
  let best = pack(parts, first, Math.min(first + CONTINUATION_INDENT, room - 1), room);
  for (let cont = Math.min(first + CONTINUATION_INDENT, room - 1) - 1; cont > first; cont--) {
    const p = pack(parts, first, cont, room);
    if (p.cost < best.cost) best = p;
  }
  return best.lines;
}

interface Packed {
  readonly lines: string[];
  /** SOFT_BREAK per piece that did not stay whole on one line, HARD_BREAK per word broken */
  readonly cost: number;
}

const SOFT_BREAK = 1;
const HARD_BREAK = 1000;
/** breakPoints levels tried before a word is broken */
const BREAK_LEVELS = 3;

function pack(parts: readonly string[], first: number, cont: number, max: number): Packed {
  const lines: string[] = [];
  let cur = ' '.repeat(first);
  let fresh = true; // nothing on the current line yet
  let cost = 0;
  const newLine = (): void => {
    lines.push(cur.trimEnd());
    cur = ' '.repeat(cont);
    fresh = true;
  };
  const put = (text: string): void => {
    cur += fresh ? text.trimStart() : text;
    fresh = false;
  };
  const place = (text: string, level: number): void => {
    if (cur.length + (fresh ? text.trimStart() : text).trimEnd().length <= max) return put(text);
    if (!fresh && cont + text.trim().length <= max) {
      newLine();
      return put(text);
    }
    // a piece of the caller's broken, however often, counts once
    if (level === 0) cost += SOFT_BREAK;
    if (level < BREAK_LEVELS) {
      for (const sub of breakPoints(text, level)) place(sub, level + 1);
      return;
    }
    // no break point left: the word goes on, whole, on the next line(s)
    cost += HARD_BREAK;
    if (!fresh) newLine();
    let rest = text.trim();
    while (cur.length + rest.length > max) {
      const n = Math.max(1, max - cur.length);
      cur += rest.slice(0, n);
      rest = rest.slice(n);
      newLine();
    }
    put(rest);
  };
  for (const part of parts) place(part, 0);
  lines.push(cur.trimEnd());
  return { lines, cost };
}

/**
 * `text` cut into fragments that glue back into it, at the places a line may
 * break, by preference. Level 0: after a list separator or an assignment
 * outside brackets (`pte0, ` | `0x00e8…, ` | `dirty=1)`; `pte.pte_high = ` |
 * `load(pte_high)`). Level 1: after any other space outside brackets. Level 2:
 * after any space (`{sw:0x… ` | `hw:0x…}`) and on either side of a `(` that
 * follows a name (`page_remove_rmap` | `(` | `folio_mapcount)`). Never before
 * the `{` that opens an operation's body.
 */
export function breakPoints(text: string, level: number): string[] {
  const out: string[] = [];
  let from = 0;
  let depth = 0;
  const cut = (at: number): void => {
    if (at > from && at < text.length) {
      out.push(text.slice(from, at));
      from = at;
    }
  };
  const lead = text.length - text.trimStart().length;
  for (let i = lead; i < text.length; i++) {
    const ch = text[i]!;
    // `name(args`: beside the `(`, never inside an empty `()`
    const call = ch === '(' && level > 1 && text[i + 1] !== ')';
    if (call && text[i - 1] !== ' ') cut(i);
    if (ch === '(' || ch === '{' || ch === '[') depth++;
    else if (ch === ')' || ch === '}' || ch === ']') depth = Math.max(0, depth - 1);
    const separator = /[,=:]/.test(text[i - 1] ?? '');
    // an operation's `{` (`{}`) stays on the line of its last argument
    const body = /^\{\}?$/.test(text.slice(i + 1));
    const space = ch === ' ' && !body && (level > 1 || (depth === 0 && (level > 0 || separator)));
    if (space || call) cut(i + 1);
  }
  out.push(text.slice(from));
  return out;
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
