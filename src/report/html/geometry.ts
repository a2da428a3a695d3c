import { wrap } from '../columns';

/**
 * Fixed geometry of the HTML timeline, in CSS pixels of a 12px monospace
 * font: every text line is LINE_H high and every character CHAR_W wide, so
 * arrow end points can be computed without a browser measuring anything.
 */
export const CHAR_W = 7.2;
export const LINE_H = 16;
/** characters of text per lane (the text diagram's default column) */
export const LANE_CHARS = 34;
export const LANE_PAD = 6;
export const LANE_W = Math.ceil(LANE_CHARS * CHAR_W + 2 * LANE_PAD);
/** left gutter with step numbers */
export const GUTTER_W = 40;
/** lane names (baseline of their first line), then the initial-value marker, then the rows */
export const NAMES_Y = 18;
export const INITIAL_Y = 30;
export const INITIAL_H = 20;
export const ROWS_TOP = 64;
export const BOTTOM_PAD = 12;
/** baseline of a text line below its top */
export const BASELINE = 12;

export const laneLeft = (cpu: number): number => GUTTER_W + cpu * LANE_W;
export const textLeft = (cpu: number, chars = 0): number => laneLeft(cpu) + LANE_PAD + chars * CHAR_W;

/**
 * The lane names and what sits under them. A name wider than its lane wraps
 * as a row does (as the text diagram's column header: `B: write fault(` /
 * `    ptep_get_lockless_norecency)`), never cut and never into the next
 * lane; the initial-value marker and the rows move down by the extra lines.
 */
export interface Header {
  /** each lane's name as wrapped lines (leading spaces are the indentation) */
  readonly names: readonly (readonly string[])[];
  /** top of the initial-value marker */
  readonly initialY: number;
  /** height of the initial-value marker (INITIAL_H for one line of text, LINE_H more per extra line) */
  readonly initialH: number;
  /** top of the first row */
  readonly rowsTop: number;
}

export function header(names: readonly string[], initialLines = 1): Header {
  const wrapped = names.map((n) => wrap([n], 0, LANE_CHARS));
  const extra = (Math.max(1, ...wrapped.map((w) => w.length)) - 1) * LINE_H;
  const more = (Math.max(1, initialLines) - 1) * LINE_H;
  return {
    names: wrapped,
    initialY: INITIAL_Y + extra,
    initialH: INITIAL_H + more,
    rowsTop: ROWS_TOP + extra + more,
  };
}

/** A laid-out row: its top and its wrapped lines (leading spaces are the indentation). */
export interface PlacedRow {
  readonly top: number;
  readonly lines: readonly string[];
}

export function placeRows(
  lineSets: readonly (readonly string[])[],
  rowsTop = ROWS_TOP,
): { placed: PlacedRow[]; bottom: number } {
  let top = rowsTop;
  const placed = lineSets.map((lines) => {
    const p = { top, lines };
    top += lines.length * LINE_H;
    return p;
  });
  return { placed, bottom: top };
}

/** Width in characters of the widest line of a row. */
export const rowChars = (lines: readonly string[]): number => Math.max(0, ...lines.map((l) => l.length));
