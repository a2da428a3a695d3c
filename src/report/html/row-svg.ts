import { esc, px } from './escape';
import type { PlacedRow } from './geometry';
import { BASELINE, LANE_W, LINE_H, laneLeft, rowChars, textLeft, CHAR_W } from './geometry';

/** The text lines of one row in its lane, with the given classes. */
export function rowTexts(p: PlacedRow, cpu: number, cls: string): string {
  return p.lines
    .map((line, i) => {
      if (line === '') return '';
      const indent = line.length - line.trimStart().length;
      const y = p.top + i * LINE_H + BASELINE;
      return `<text class="${cls}" x="${px(textLeft(cpu, indent))}" y="${px(y)}">${esc(line.trimStart())}</text>`;
    })
    .join('');
}

/**
 * A row grouped with a tooltip (`<title>`) and a highlight box behind its
 * text: the reader's loads (`load`, id `ld-<event>`) and the events they read from (`rf-source`).
 */
export function groupedRow(p: PlacedRow, cpu: number, cls: string, group: string, id: string, tip: string): string {
  const lines = p.lines.filter((l) => l !== '');
  const indent = Math.min(...lines.map((l) => l.length - l.trimStart().length));
  const x = textLeft(cpu, indent) - 3;
  const w = (rowChars(p.lines) - indent) * CHAR_W + 6;
  const idAttr = id === '' ? '' : ` id="${id}"`;
  return (
    `<g class="${group}"${idAttr}><title>${esc(tip)}</title>` +
    `<rect class="hl" x="${px(x)}" y="${px(p.top)}" width="${px(w)}" height="${px(lines.length * LINE_H)}"/>` +
    rowTexts(p, cpu, cls) +
    `</g>`
  );
}

/** A dashed line across the lane on the empty last line of the load where the reader's loop started over. */
export function retryMark(p: PlacedRow, cpu: number): string {
  const top = p.top + (p.lines.length - 1) * LINE_H;
  const y = top + LINE_H / 2;
  const label = '↻ retry: the loop starts over';
  const first = p.lines[0] ?? '';
  const indent = first.length - first.trimStart().length;
  const x0 = textLeft(cpu, indent + label.length) + 4;
  const x1 = laneLeft(cpu) + LANE_W - 2;
  return (
    `<g class="retry"><title>the re-read differs from the first read: the loop starts over</title>` +
    `<text x="${px(textLeft(cpu, indent))}" y="${px(top + BASELINE)}">${esc(label)}</text>` +
    (x1 > x0 ? `<line x1="${px(x0)}" y1="${px(y)}" x2="${px(x1)}" y2="${px(y)}"/>` : '') +
    `</g>`
  );
}
