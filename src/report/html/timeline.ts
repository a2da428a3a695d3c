import { layoutRows } from '../layout';
import { hex } from '../../kernel';
import type { LogicalHistory } from '../../reference';
import type { BuiltScenario } from '../../scenario';
import { wrap } from '../columns';
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
  const ncpu = built.cpus.length;
  const v0 = h === undefined ? arch.format(built.subject.initial) : arch.format(h.values[0]!);
  const initialText = `initial: ${built.subject.name} = ${v0} (v0)`;
  const initialLines = [initialText, ...entriesLines(h, built, ncpu)];
  const head = g.header(
    built.cpus.map((c) => c.name),
    initialLines.length,
  );
  const { placed, bottom } = g.placeRows(lineSets, head.rowsTop);
  const rowOfEvent = new Map<number, number>();
  rows.forEach((r, i) => r.kind === 'event' && rowOfEvent.set(r.event, i));
  const linkOf = new Map(links.map((l) => [l.load, l]));
  const sources = new Map<number, number | undefined>();
  for (const l of links) if (typeof l.from === 'number') sources.set(l.from, l.k);

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
        ? { initialBottom: head.initialY + head.initialH }
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
    `<rect x="${px(g.GUTTER_W)}" y="${px(head.initialY)}" width="${px(width - g.GUTTER_W - g.LANE_PAD)}" height="${px(head.initialH)}"/>` +
    initialLines
      .map((l, i) => `<text x="${px(g.textLeft(0))}" y="${px(head.initialY + 14 + i * g.LINE_H)}">${esc(l)}</text>`)
      .join('') +
    `</g>`;
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
 * For a subject of several entries read one by one (an arm64 contpte block:
 * v0 is the entry read with the block's access/dirty OR-ed in, as ptep_get()
 * returns it), the entries' own initial values, which the loads that point
 * at the marker read: `entries: pte0 = 0x…, pte1 = 0x…, …`, wrapped to the
 * marker's width. None for a pte of one value (PAE's halves are v0's).
 */
function entriesLines(h: LogicalHistory | undefined, built: BuiltScenario, ncpu: number): string[] {
  const ids = h?.model?.locIds;
  const raw = h?.states?.[0];
  if (ids === undefined || raw === undefined || ids.length < 2) return [];
  const chars = Math.max(g.LANE_CHARS, Math.floor((g.laneLeft(ncpu) - g.GUTTER_W - 2 * g.LANE_PAD) / g.CHAR_W));
  const pieces = ids.map((id, i) => {
    const loc = built.locations.locs[id]!;
    return `${i === 0 ? 'entries: ' : ' '}${loc.name} = ${hex(raw[i]!, loc.width / 4)}${i < ids.length - 1 ? ',' : ''}`;
  });
  return wrap(pieces, 0, chars).map((l) => l.trimStart());
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
