import { layoutRows } from '../layout';
import type { TextContext } from '../event-text';
import type { VerdictReportInput } from '../verdict-report';
import { arrowElement, arrowPath, hoverRule } from './arrows';
import { esc, px } from './escape';
import * as g from './geometry';
import type { ReadFrom } from '../reader-loads';
import { focusReaders, readFrom, retryPoints, subjectLoads } from '../reader-loads';
import { rowLines } from './row-text';
import { rejectedReaders } from '../diagram';
import { groupedRow, retryMark, rowTexts } from './row-svg';
import { arrowTooltip, loadTooltip, referenceText } from './tooltips';

/** The timeline SVG and the CSS rules that link each load to its arrow on hover. */
export interface Timeline {
  readonly svg: string;
  readonly css: string;
}

/**
 * The CPU-column diagram as an SVG: one lane per CPU (the rows of
 * layoutRows, wrapped as in the text diagram), a marker for the initial
 * value, an arrow from the event that produced each value the focused
 * reader loaded to the load, and a mark where its loop retried.
 */
export function renderTimeline(input: VerdictReportInput): Timeline {
  const { exec, built, arch, judgement } = input;
  const h = judgement.history;
  const ctx: TextContext = { locations: built.locations, subject: built.subject, arch };
  const rejected = rejectedReaders(judgement);
  const rows = layoutRows(exec);

  const readerCpus = new Set<number>();
  const links: ReadFrom[] = [];
  const retries = new Set<number>();
  for (const op of focusReaders(judgement)) {
    readerCpus.add(op.cpu);
    const loads = subjectLoads(exec, op, built.subject.locIds);
    for (const ev of loads) links.push(readFrom(exec, ev, h));
    for (const e of retryPoints(loads, op)) retries.add(e);
  }
  // a retry point gets an extra, empty line for its mark
  const lineSets = rows.map((r) => {
    const lines = rowLines(r, exec, ctx, arch, rejected);
    return r.kind === 'event' && retries.has(r.event) ? [...lines, ''] : lines;
  });
  const head = g.header(built.cpus.map((c) => c.name));
  const { placed, bottom } = g.placeRows(lineSets, head.rowsTop);
  const rowOfEvent = new Map<number, number>();
  rows.forEach((r, i) => r.kind === 'event' && rowOfEvent.set(r.event, i));
  const linkOf = new Map(links.map((l) => [l.load, l]));
  const sources = new Map<number, number | undefined>();
  for (const l of links) if (typeof l.from === 'number') sources.set(l.from, l.k);

  const ncpu = built.cpus.length;
  const v0 = h === undefined ? arch.format(built.subject.initial) : arch.format(h.values[0]!);
  const initialText = `initial: ${built.subject.name} = ${v0} (v0)`;
  // the initial marker spans every lane: with one lane, the SVG widens to hold its text
  const width = Math.max(g.laneLeft(ncpu), g.textLeft(0, initialText.length)) + g.LANE_PAD;
  const height = bottom + g.BOTTOM_PAD;
  const lanes: string[][] = built.cpus.map(() => []);
  const steps: string[] = [];
  rows.forEach((row, i) => {
    const p = placed[i]!;
    const lane = lanes[row.cpu]!;
    if (row.kind !== 'event') {
      lane.push(rowTexts(p, row.cpu, rejected.has(row.op) && row.kind !== 'open' ? 'op rejected' : 'op'));
      return;
    }
    const ev = exec.events[row.event]!;
    if (ev.kind !== 'drain')
      steps.push(`<text x="${px(g.GUTTER_W - 8)}" y="${px(p.top + g.BASELINE)}">${ev.step}</text>`);
    const cls = `ev ${ev.kind}`;
    const link = linkOf.get(ev.index);
    if (link !== undefined) {
      lane.push(groupedRow(p, row.cpu, cls, 'load', `ld-${ev.index}`, loadTooltip(ev, link, exec, h, ctx, built)));
    } else if (sources.has(ev.index)) {
      const k = sources.get(ev.index);
      lane.push(
        groupedRow(
          p,
          row.cpu,
          cls,
          'rf-source',
          '',
          `makes ${k === undefined ? 'a value' : `v${k}`} visible to the reader`,
        ),
      );
    } else lane.push(rowTexts(p, row.cpu, cls));
    if (retries.has(ev.index)) lane.push(retryMark(p, row.cpu));
  });

  const arrows = links.map((l) => {
    const load = exec.events[l.load]!;
    const to = { cpu: load.cpu, row: placed[rowOfEvent.get(l.load)!]! };
    const src = typeof l.from === 'number' ? exec.events[l.from]! : undefined;
    const from =
      src === undefined
        ? { initialBottom: head.initialY + g.INITIAL_H }
        : { cpu: src.cpu, row: placed[rowOfEvent.get(src.index)!]! };
    return arrowElement(l.load, arrowPath(from, to), String(l.from), arrowTooltip(load, l, exec));
  });

  const laneGroups = built.cpus.map((c, cpu) => {
    const cls = readerCpus.has(cpu) ? 'lane reader' : 'lane';
    const x = g.laneLeft(cpu);
    return (
      `<g class="${cls}" data-cpu="${cpu}">` +
      `<rect class="lane-bg" x="${px(x)}" y="0" width="${px(g.LANE_W)}" height="${px(height)}"/>` +
      laneName(c.name, head.names[cpu]!, cpu) +
      '\n' +
      lanes[cpu]!.join('\n') +
      `</g>`
    );
  });
  const initial =
    `<g class="initial" id="initial"><title>${esc(referenceText(h ? 0 : undefined, h, built, arch))}</title>` +
    `<rect x="${px(g.GUTTER_W)}" y="${px(head.initialY)}" width="${px(width - g.GUTTER_W - g.LANE_PAD)}" height="${px(g.INITIAL_H)}"/>` +
    `<text x="${px(g.textLeft(0))}" y="${px(head.initialY + 14)}">${esc(initialText)}</text></g>`;
  const svg = [
    `<svg class="timeline" width="${px(width)}" height="${px(height)}" viewBox="0 0 ${px(width)} ${px(height)}" role="img" aria-label="CPU lanes with read-from arrows">`,
    `<defs><marker id="rf-head" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto"><path d="M0,0 L10,5 L0,10 z"/></marker></defs>`,
    ...laneGroups,
    `<g class="steps">${steps.join('')}</g>`,
    initial,
    `<g class="arrows">`,
    ...arrows,
    `</g>`,
    `</svg>`,
  ].join('\n');
  return { svg, css: links.map((l) => hoverRule(l.load)).join('\n') };
}

/**
 * A lane's name, wrapped to the lane (geometry.ts header): one text line per
 * wrapped line, with the whole name as its tooltip.
 */
function laneName(name: string, lines: readonly string[], cpu: number): string {
  const texts = lines.map((line, i) => {
    const indent = line.length - line.trimStart().length;
    const y = g.NAMES_Y + i * g.LINE_H;
    return `<text class="lane-name" x="${px(g.textLeft(cpu, indent))}" y="${px(y)}">${esc(line.trimStart())}</text>`;
  });
  return `<g class="lane-names"><title>${esc(name)}</title>${texts.join('')}</g>`;
}
