import type { Execution } from '../machine';
import type { Arch } from '../kernel';
import type { Judgement } from '../compare';
import type { BuiltScenario } from '../scenario';
import { COLUMN_GAP, NEST_INDENT, columnWidth, columnsLine, inColumn, textRoom, wrap } from './columns';
import type { TextContext } from './event-text';
import { eventPieces } from './event-text';
import type { DiagramRow } from './layout';
import { layoutRows } from './layout';
import { findFolds, foldLine } from './fold';
import { closePieces, leafPieces, openPieces, unfinishedPieces } from './op-text';
import { focusReaders, retryPoints, subjectLoads } from './reader-loads';

/** What a diagram is drawn from. The output depends on nothing else. */
export interface DiagramInput {
  readonly exec: Execution;
  readonly built: BuiltScenario;
  readonly arch: Arch;
  /** marks the reader results it rejected with ✗ */
  readonly judgement?: Judgement;
  /** printed in the title line */
  readonly readerName?: string;
  readonly contract?: string;
  /** column width in characters (default 34) */
  readonly width?: number;
  /** a left gutter with the step number of every step (not drains, not operation rows); default off */
  readonly stepNumbers?: boolean;
  /** fold a block of rows repeated identically (a livelock's loop body) into one line after its first copy; default on */
  readonly fold?: boolean;
}

/**
 * A CPU-column diagram in the style of Linux mm commit messages: one column
 * per CPU (named as in the scenario), then one row per event in execution
 * order in its CPU's column, operations nested as `name(args) { … }`.
 * A row too long for its column wraps onto indented continuation lines.
 */
export function renderDiagram(input: DiagramInput): string {
  const width = columnWidth(input.width);
  const names = input.built.cpus.map((c) => c.name);
  const gutter = stepGutter(input);
  const lines: string[] = [];
  const title = titleLine(input);
  if (title !== undefined) lines.push(title, '');
  lines.push(...headerLines(names, width).map((l) => (gutter.blank + l).trimEnd()));
  const ctx: TextContext = { locations: input.built.locations, subject: input.built.subject, arch: input.arch };
  const rejected = rejectedReaders(input.judgement);
  const retries = retryMarks(input);
  const rows = layoutRows(input.exec).map((row) => {
    const indent = row.depth * NEST_INDENT;
    const mark = row.kind === 'event' ? retries.get(row.event) : undefined;
    const texts = [
      ...wrap(rowPieces(row, input.exec, ctx, input.arch, rejected), indent, textRoom(width)),
      ...(mark === undefined ? [] : wrap([mark], indent, textRoom(width))),
    ];
    const ev = row.kind === 'event' ? input.exec.events[row.event] : undefined;
    const steps = ev !== undefined && ev.kind !== 'drain' ? [ev.step] : [];
    return { key: `${row.cpu}|${texts.join('\n')}`, steps, cpu: row.cpu, texts, lines: texts.length };
  });
  const emit = (k: number): void => {
    const { texts, steps, cpu } = rows[k]!;
    texts.forEach((text, i) => {
      const prefix = i === 0 && steps.length > 0 ? gutter.step(steps[0]!) : gutter.blank;
      lines.push((prefix + inColumn(text, cpu, width)).trimEnd());
    });
  };
  let k = 0;
  for (const f of input.fold === false ? [] : findFolds(rows)) {
    for (; k < f.start + f.length; k++) emit(k);
    for (const l of foldLines(foldLine(rows, f, input.stepNumbers === true), names.length * width - COLUMN_GAP)) {
      lines.push(gutter.blank + l);
    }
    k = f.start + f.length * f.copies;
  }
  for (; k < rows.length; k++) emit(k);
  return lines.join('\n');
}

/**
 * Where the loop of a reader the report is about started over (as the HTML
 * timeline marks it, reader-loads.ts retryPoints): the load that read a
 * location again and found it changed, to a line under it, e.g.
 * `↻ retry: pte_low changed`. None without a judgement.
 */
function retryMarks(input: DiagramInput): Map<number, string> {
  const marks = new Map<number, string>();
  if (input.judgement === undefined) return marks;
  const { exec, built } = input;
  for (const op of focusReaders(input.judgement)) {
    for (const e of retryPoints(subjectLoads(exec, op, built.subject.locIds), op)) {
      const locs = exec.events[e]!.locs.map((id) => built.locations.locs[id]!.name).join('+');
      marks.set(e, `↻ retry: ${locs} changed`);
    }
  }
  return marks;
}

/**
 * A fold line within the diagram's width (its columns, without the last gap),
 * wrapped as a row is; every line of it starts with `⋮`, so the note reads as
 * one and nothing of it is mistaken for a row of the first column.
 */
function foldLines(text: string, max: number): string[] {
  const body = text.replace(/^⋮ /, '');
  return wrap([body], 0, max - 2).map((l) => `⋮ ${l.trimStart()}`);
}

/**
 * The CPU names, one column each, underlined with dashes. A name longer than
 * its column wraps as a row does (`A: contpte_ptep_get_lockless(` /
 * `    pte1)`), never cut: the names and readers there tell the columns apart.
 */
function headerLines(names: readonly string[], width: number): string[] {
  const cells = names.map((n) => wrap([n], 0, textRoom(width)));
  const height = Math.max(1, ...cells.map((c) => c.length));
  const lines: string[] = [];
  for (let i = 0; i < height; i++)
    lines.push(
      columnsLine(
        cells.map((c) => c[i] ?? ''),
        width,
      ),
    );
  const dashes = cells.map((c) => '-'.repeat(Math.max(0, ...c.map((l) => l.length))));
  lines.push(columnsLine(dashes, width));
  return lines;
}

function stepGutter(input: DiagramInput): { blank: string; step: (n: number) => string } {
  if (input.stepNumbers !== true) return { blank: '', step: () => '' };
  const digits = String(Math.max(0, input.exec.steps - 1)).length;
  return { blank: ' '.repeat(digits + 2), step: (n) => String(n).padStart(digits) + '  ' };
}

function titleLine(input: DiagramInput): string | undefined {
  const parts: string[] = [];
  if (input.readerName !== undefined) parts.push(`reader ${input.readerName}`);
  if (input.contract !== undefined) parts.push(`contract ${input.contract}`);
  return parts.length > 0 ? parts.join(', ') : undefined;
}

/** Ids of the reader invocations whose result the comparator rejected (marked ✗). */
export function rejectedReaders(j: Judgement | undefined): Set<number> {
  return new Set((j?.judged ?? []).filter((x) => !x.accepted).map((x) => x.op.id));
}

/** The text pieces of one diagram row (before wrapping); shared with the HTML lanes. */
export function rowPieces(
  row: DiagramRow,
  exec: Execution,
  ctx: TextContext,
  arch: Arch,
  rejected: ReadonlySet<number>,
): string[] {
  if (row.kind === 'event') return eventPieces(exec.events[row.event]!, ctx);
  const op = exec.ops[row.op]!;
  switch (row.kind) {
    case 'open':
      return openPieces(op);
    case 'close':
      return closePieces(op, arch, rejected.has(op.id));
    case 'leaf':
      return leafPieces(op, arch, rejected.has(op.id));
    case 'unfinished':
      return unfinishedPieces(op);
  }
}
