import { esc, px } from './escape';
import type { PlacedRow } from './geometry';
import { LINE_H, rowChars, textLeft } from './geometry';

/** Where an arrow starts: a row of some CPU, or the initial-value marker (its bottom edge's y). */
export type ArrowEnd = { readonly cpu: number; readonly row: PlacedRow } | { readonly initialBottom: number };

const indentOf = (line: string | undefined): number => (line === undefined ? 0 : line.length - line.trimStart().length);
const mid = (row: PlacedRow): number => row.top + LINE_H / 2;

/**
 * A read-from arrow as an SVG path from the row that produced a value to the
 * load that read it: it leaves the producer on the side facing the reader
 * and ends just past the load's text (or just before it, from the left).
 */
export function arrowPath(from: ArrowEnd, to: { readonly cpu: number; readonly row: PlacedRow }): string {
  const loadEnd = textLeft(to.cpu, rowChars(to.row.lines)) + 4;
  if ('initialBottom' in from) {
    const sx = loadEnd + 28;
    const sy = from.initialBottom;
    const ty = mid(to.row);
    return `M${px(sx)},${px(sy)} C${px(sx)},${px((sy + ty) / 2)} ${px(loadEnd + 40)},${px(ty)} ${px(loadEnd)},${px(ty)}`;
  }
  const sy = mid(from.row);
  const ty = mid(to.row);
  let sx: number;
  let tx: number;
  if (from.cpu > to.cpu) {
    sx = textLeft(from.cpu, indentOf(from.row.lines[0])) - 4;
    tx = loadEnd;
  } else if (from.cpu < to.cpu) {
    sx = textLeft(from.cpu, rowChars(from.row.lines)) + 4;
    tx = textLeft(to.cpu, indentOf(to.row.lines[0])) - 4;
  } else {
    // the reader's own store: loop out to the right of both rows
    sx = textLeft(from.cpu, rowChars(from.row.lines)) + 4;
    tx = loadEnd;
    const bulge = Math.max(sx, tx) + 40;
    return `M${px(sx)},${px(sy)} C${px(bulge)},${px(sy)} ${px(bulge)},${px(ty)} ${px(tx)},${px(ty)}`;
  }
  const cx = (sx + tx) / 2;
  return `M${px(sx)},${px(sy)} C${px(cx)},${px(sy)} ${px(cx)},${px(ty)} ${px(tx)},${px(ty)}`;
}

export function arrowElement(id: number, d: string, from: string, tooltip: string): string {
  return (
    `<path class="rf-arrow" id="rf-${id}" data-load="${id}" data-from="${from}" d="${d}" ` +
    `marker-end="url(#rf-head)"><title>${esc(tooltip)}</title></path>`
  );
}

/** Hovering a load or its arrow highlights both (CSS only, no script). */
export function hoverRule(id: number): string {
  return (
    `.timeline:has(#ld-${id}:hover) #rf-${id}, #rf-${id}:hover ` +
    `{ stroke: var(--hot); stroke-width: 2.5px; }\n` +
    `.timeline:has(#rf-${id}:hover) #ld-${id} .hl { fill: var(--hot-bg); }`
  );
}
